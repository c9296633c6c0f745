"""`newswatch backfill`: store the articles of WARC archives (pipeline/backfill/)."""

from __future__ import annotations

import sys
from typing import Any

import click

from pipeline.cli.support import echo, user_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH_OR_GLOB...")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Run text and NLP on this machine, or on a Dask cluster.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A running Dask scheduler (tcp://host:8786); without it --engine dask "
    "starts a LocalCluster here.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Processes: the LocalCluster's workers (dask, default: the CPU count) or the "
    "NLP processes (local, default: [nlp] n_process).",
)
@click.option("--since", metavar="WHEN", help="Only records captured on or after (WARC-Date).")
@click.option("--until", metavar="WHEN", help="Only records captured on or before.")
@click.option(
    "--source-name",
    metavar="NAME",
    help="Store every article under this source (default: each page's site, www. dropped).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    metavar="N",
    help="Records per task and per commit (default: [nlp] batch_size).",
)
@click.pass_obj
@user_errors
def backfill(
    obj: Any,
    paths: tuple[str, ...],
    engine: str,
    scheduler: str | None,
    workers: int | None,
    since: str | None,
    until: str | None,
    source_name: str | None,
    batch_size: int | None,
) -> None:
    """Store the articles in WARC/WARC.gz files (Common Crawl's CC-NEWS, your own crawls).

    HTML responses go through the same text stage, NLP and storing as `run`
    (duplicates by URL and text are skipped). Resumable: records already done are
    skipped, so a killed backfill is simply started again. Folders and globs are
    expanded; other records (not HTML, too large, truncated) are recorded with
    their reason in the run's errors.
    """
    from pipeline.backfill import BackfillOptions, warc_files
    from pipeline.backfill import backfill as run_backfill

    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    if scheduler and workers:
        raise click.UsageError("--workers sizes a local cluster; with --scheduler the "
                               "cluster's own workers are used")  # fmt: skip
    files, unmatched = warc_files(list(paths))
    if unmatched:
        raise click.UsageError(f"no WARC file at {', '.join(unmatched)}")
    options = BackfillOptions(
        engine="dask" if engine == "dask" else "local",
        scheduler=scheduler,
        workers=workers,
        since=since,
        until=until,
        source_name=source_name,
        batch_size=batch_size,
        progress=sys.stderr.isatty(),
    )
    summary = run_backfill(obj.config, files, options)
    echo(summary.report())
    if summary.read and summary.stored + summary.duplicates + summary.already_done == 0:
        sys.exit(1)  # records were read and none could be used: nothing worked
