"""`newswatch digest`: the daily digest as files, JSON on stdout, and/or an email.

Registered on the main group by one line at the end of pipeline/cli.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from pipeline.cli.support import echo, echo_json, user_errors
from pipeline.core.date_range import check_day, check_moment


class _Steps:
    """A rich progress display of the digest's steps, on stderr, only on a terminal."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("digest", total=total) if progress else None

    def step(self, what: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=what)

    def done(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)


@contextmanager
def _steps(quiet: bool, total: int) -> Iterator[_Steps]:
    console = Console(stderr=True)
    # Piped or redirected output (cron, the scheduler, a test) gets no progress
    # display at all: control codes in a log file help nobody.
    if quiet or not console.is_terminal:
        yield _Steps(None, total)
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        yield _Steps(progress, total)


def _parse_day(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--date"
        ) from None
    return check_day(day, "--date", value)  # the window's arithmetic stays in the calendar


def _parse_since(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[+zone])",
            param_hint="--since",
        ) from None
    return check_moment(moment, "--since", value)


@click.command()
@click.option(
    "--date", "day_text", metavar="YYYY-MM-DD", help="The day to digest (default: today)."
)
@click.option("--since", "since_text", metavar="TIME", help="From this ISO time until now instead.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Directory for the files (default: [digest] out_dir).",
)
@click.option("--email", "send", is_flag=True, help="Also send it to [digest.email] recipients.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="json: print the digest as JSON (files only with --out).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--watch",
    "watch_name",
    metavar="NAME",
    help="The desk digest of this [[watch]]: its matches ranked by salience.",
)
@click.pass_context
@user_errors
def digest(
    ctx: click.Context,
    day_text: str | None,
    since_text: str | None,
    out_dir: str | None,
    send: bool,
    fmt: str,
    quiet: bool,
    watch_name: str | None,
) -> None:
    """Write what changed on a day: new events with their evidence, officials and
    organisations seen for the first time, minerals against the previous 7 days,
    and the top stories, as Markdown and HTML (with a chart).

    Days follow [digest] timezone. Exit codes: 0 done, 1 failed (database, SMTP),
    2 bad usage or config.
    """
    from pipeline.digest.build import build_digest
    from pipeline.digest.mailer import email_digest
    from pipeline.digest.render import mineral_chart, write_digest
    from storage import open_database

    quiet = quiet or bool(ctx.find_root().params.get("quiet"))
    if day_text and since_text:
        raise click.UsageError("give --date or --since, not both")
    day = _parse_day(day_text) if day_text else None
    since = _parse_since(since_text) if since_text else None
    config = ctx.obj.config  # cli.Context: loads the config on first use
    settings = config.digest
    if send and not settings.email.configured:
        raise click.UsageError(
            "--email needs [digest.email] host, sender and recipients in the config"
        )
    tz = ZoneInfo(settings.timezone)
    write_files = fmt == "text" or out_dir is not None
    target = Path(out_dir) if out_dir else config.resolve(settings.out_dir)
    if watch_name is not None:  # the desk digest: pipeline/cli/watch_digest.py
        from pipeline.cli.watch_digest import run_watch_digest

        args = (day, since, tz, target, write_files, send, fmt, quiet)
        run_watch_digest(config, watch_name, *args)
        return

    with _steps(quiet, total=2 + write_files + send) as steps:
        steps.step("reading the database")
        db = open_database(config.db_path, readonly=True)
        try:
            result = build_digest(db, day=day, since=since, tz=tz, top_stories=settings.top_stories)
        finally:
            db.close()
        steps.done()
        steps.step("drawing the mineral chart")
        chart = mineral_chart(result)
        steps.done()
        paths: list[Path] = []
        if write_files:
            steps.step(f"writing {target}")
            paths = write_digest(result, target)
            steps.done()
        if send:
            steps.step(f"sending to {', '.join(settings.email.recipients)}")
            email_digest(settings.email, result, chart)
            steps.done()

    if fmt == "json":
        data = result.to_dict()
        data["files"] = [str(p) for p in paths]
        data["emailed_to"] = list(settings.email.recipients) if send else []
        echo_json(data, ensure_ascii=False, indent=2)
        return
    if quiet:
        return
    if result.is_empty:
        echo(f"digest {result.label}: nothing new (no article in the window)")
    else:
        echo(
            f"digest {result.label}: {result.article_count} articles, {result.event_count} events, "
            f"{len(result.new_officials)} new officials, "
            f"{len(result.new_organizations)} new organisations, {len(result.minerals)} minerals"
        )
    for p in paths:
        echo(f"  wrote {p}")
    if send:
        echo(f"  emailed to {', '.join(settings.email.recipients)}")
    sys.stdout.flush()
