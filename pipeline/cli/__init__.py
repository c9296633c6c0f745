"""The `newswatch` command: a thin layer over the library functions.

Exit codes: 0 success, 1 the work failed (see the message), 2 bad usage or config.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pipeline.cli.ops import register as register_ops
from pipeline.cli.support import echo, echo_json, user_errors
from pipeline.core.config import Config, load_config
from pipeline.core.encoders import TerminalSafeFormatter, terminal_line

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """What every command gets: the config, loaded lazily (extract needs none)."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="NEWSWATCH_CONFIG",
    help="Config file (default ./config.toml; env NEWSWATCH_CONFIG).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    """newswatch: news monitoring with officials, organisations, minerals and events."""
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    # Log lines carry titles, URLs and servers' error texts: one safe line each.
    handler = logging.StreamHandler()
    handler.setFormatter(TerminalSafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    ctx.obj = Context(config_path)


@main.command()
@click.option("--once", is_flag=True, required=True, help="Run one cycle and exit.")
@click.option(
    "--source", "sources", multiple=True, metavar="NAME", help="Only this feed (repeatable)."
)
@click.pass_obj
@user_errors
def run(obj: Context, once: bool, sources: tuple[str, ...]) -> None:
    """Poll the configured sources once, store new articles with their extraction.

    Prints what the run did: sources polled, new articles, unchanged, errors.
    For unattended polling use `newswatch schedule`.
    """
    config = obj.config
    from pipeline.run import RunContext, run_once

    unknown = sorted(set(sources) - {f.name for f in config.feeds})
    if unknown:
        raise click.UsageError(f"no feed named {', '.join(unknown)} in the config")
    from pipeline.cli.run_progress import run_progress

    quiet = bool(click.get_current_context().find_root().params.get("quiet"))
    with run_progress(quiet) as progress:  # a bar at a terminal, nothing when piped
        summary = run_once(config, RunContext(sources=list(sources) or None, progress=progress))
    echo(format_summary(summary))
    from pipeline.cli.alerts import report_alerts_after_run

    report_alerts_after_run(config)  # [[watch]] alerts: decided, then delivered
    if (
        summary.errors
        and summary.new_articles == 0
        and summary.sources_polled == len(summary.errors)
    ):
        sys.exit(1)  # every source failed: nothing worked


def format_summary(summary: Any) -> str:
    lines = [
        f"run {summary.run_id}: {summary.sources_polled} sources polled "
        f"({summary.sources_not_modified} not modified), "
        f"{summary.new_articles} new articles, {summary.unchanged} unchanged, "
        f"{len(summary.errors)} errors",
    ]
    lines += [f"  error  {terminal_line(e)}" for e in summary.errors]
    lines.append(f"database: {summary.db_path}")
    lines.append(
        "next: `newswatch search lithium`, `newswatch events --type meeting`, "
        "`newswatch digest`, `newswatch status`, or `newswatch serve` to browse"
    )
    return "\n".join(lines)


@main.command()
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option(
    "--model", default=None, help="spaCy model (default: [nlp] model, or en_core_web_sm)."
)
@click.pass_obj
@user_errors
def extract(obj: Context, file: Any, model: str | None) -> None:
    """Extract officials, organisations, minerals, countries and events from JSONL.

    Reads lines {"id", "text", "title"?, "published"?, "dateline"?} from FILE
    (or standard input when FILE is omitted or "-") and writes one JSON line per
    input in the shape of the extraction spec. Needs no database.

    A line that is not such JSON is named on stderr and skipped (exit code 2 at the
    end); an input extraction fails on gets {"id", "error"} (exit code 1 at the end).
    Every other line is extracted either way. A text longer than [nlp] max_chars is
    read up to there: its line says "truncated": {"read", "of"}.
    """
    from extractors import ExtractionFailure, build_nlp, extract_each
    from extractors.evaluate import readable_inputs

    nlp_config = _nlp_config(obj, model)
    nlp = build_nlp(nlp_config)
    bad_lines: list[int] = []

    def bad_line(number: int, problem: str) -> None:
        bad_lines.append(number)
        echo(f"newswatch: input line {number}: {problem}", err=True)

    failed = 0
    items = readable_inputs(file, bad_line)
    for record in extract_each(nlp, items, batch_size=nlp_config.batch_size):
        if isinstance(record, ExtractionFailure):
            failed += 1
            echo(f"newswatch: input {record.id}: extraction failed: {record.reason}", err=True)
        echo_json(record.to_spec(), ensure_ascii=False)
    if bad_lines or failed:
        sys.exit(2 if bad_lines else 1)


@main.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("texts", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", default=None, help="spaCy model (default: [nlp] model).")
@click.option("--no-baseline", is_flag=True, help="Skip the plain-NER baseline.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.option(
    "--check",
    "check_set",
    nargs=2,
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="GOLD TEXTS",
    help="A validation set scored beside GOLD (aggregate scores only).",
)
@click.pass_obj
@user_errors
def eval_command(
    obj: Context,
    gold: str,
    texts: str,
    model: str | None,
    no_baseline: bool,
    fmt: str,
    check_set: tuple[str, str] | None,
) -> None:
    """Score extraction on GOLD.jsonl (texts in TEXTS.jsonl) next to the NER baseline.

    With --check, a second gold set is scored with the same pipeline and printed
    side by side (`make eval`: dev and check)."""
    from extractors import build_nlp
    from extractors.evaluate import evaluate, format_report, format_side_by_side

    nlp_config = _nlp_config(obj, model)
    nlp = build_nlp(nlp_config)
    result = evaluate(nlp, gold, texts, baseline_model=None if no_baseline else nlp_config.model)
    if check_set:
        results = {"dev": result, "check": evaluate(nlp, *check_set)}
        if fmt == "json":
            echo_json(results, indent=2)
        else:
            echo(format_side_by_side(results))
    elif fmt == "json":
        echo_json(result, indent=2)
    else:
        echo(format_report(result))


def _nlp_config(obj: Context, model: str | None) -> Any:
    """[nlp] from the config when there is one; extract and eval also work without."""
    import dataclasses

    from pipeline.core.config import NLPConfig, config_path

    path = config_path(obj.config_path)
    nlp_config = obj.config.nlp if path.exists() else NLPConfig()
    return dataclasses.replace(nlp_config, model=model) if model else nlp_config


from pipeline.cli.digest import digest  # noqa: E402  (registered last: it imports nothing from here)

main.add_command(digest)

from pipeline.cli.read import events, export, search, serve  # noqa: E402  (reading commands)

main.add_command(search)
main.add_command(events)
main.add_command(export)
main.add_command(serve)

register_ops(main)  # schedule, status, enable, disable (pipeline/cli/ops.py)

from pipeline.cli.stories import reprocess, stories  # noqa: E402  (reprocessing, story clusters)

main.add_command(reprocess)
main.add_command(stories)

from pipeline.cli.alerts import alerts  # noqa: E402  (watch alerts)

main.add_command(alerts)

from pipeline.cli.backfill import backfill  # noqa: E402  (WARC archives)

main.add_command(backfill)

from pipeline.cli.kb import kb  # noqa: E402  (the office-holder knowledge base)

main.add_command(kb)
