"""The reading commands: `search`, `events`, `export` and `serve`.

They only read: the database is opened read-only (a `mode=ro` URI), so they
work while `newswatch run` or the scheduler holds the writer lock. Exit codes
as everywhere: 0 done, 1 the work failed (e.g. no database yet), 2 bad usage
(an unknown option value, a search FTS5 cannot parse).

Registered on the main group by one line each at the end of pipeline/cli.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlite_utils
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from extractors.records import EVENT_TYPES
from pipeline.cli.support import echo, user_errors
from pipeline.core.errors import NewswatchError
from pipeline.read.formats import FORMATS, emit
from pipeline.read.queries import EVENT_COLUMNS, EVENT_TABLE_COLUMNS, EXPORT_FORMATS, EXPORT_KINDS

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(func: F) -> F:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Database file (default: [storage] path of the config).",
    )(func)


def _quiet_option(func: F) -> F:
    return click.option("-q", "--quiet", is_flag=True, help="No progress or notes on stderr.")(func)


def _format_option(func: F) -> F:
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
    )(func)


def _window_options(what: str, limit: int) -> Callable[[F], F]:
    """--since/--until over `what` ("Published", or a plain date) and --limit: the same
    three options, with the same date forms, for every reading command that lists."""

    def decorate(func: F) -> F:
        for option in reversed(
            (
                click.option(
                    "--since", metavar="WHEN", help=f"{what} on or after (2026-01-14, or 7d ago)."
                ),
                click.option(
                    "--until",
                    metavar="WHEN",
                    help=f"{what} on or before (a day includes all of it).",
                ),
                click.option(
                    "--limit", default=limit, show_default=True, type=click.IntRange(min=1)
                ),
            )
        ):
            func = option(func)
        return func

    return decorate


def _quiet(local: bool) -> bool:
    """--quiet given to this command or to `newswatch` itself."""
    ctx = click.get_current_context()
    return local or bool(ctx.find_root().params.get("quiet"))


def _database_path(obj: Any, db_path: Path | None) -> Path:
    return db_path if db_path is not None else Path(obj.config.db_path)


@contextmanager
def _reader(obj: Any, db_path: Path | None) -> Iterator[sqlite_utils.Database]:
    from storage import open_database

    db = open_database(_database_path(obj, db_path), readonly=True)
    try:
        yield db
    finally:
        db.close()


def _note(quiet: bool, message: str) -> None:
    if not quiet:
        echo(message, err=True)


@click.command()
@click.argument("query", required=False)
@click.option("--entity", metavar="NAME", help="Only articles naming this entity (any alias).")
@click.option(
    "--type", "type_", type=click.Choice(EVENT_TYPES), help="Only articles with such an event."
)
@click.option("--source", metavar="NAME", help="Only articles from this feed.")
@_window_options("Published", limit=20)
@_format_option
@_db_option
@_quiet_option
@click.pass_obj
@user_errors
def search(
    obj: Any,
    query: str | None,
    entity: str | None,
    type_: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    fmt: str,
    db_path: Path | None,
    quiet: bool,
) -> None:
    """Full-text search of stored articles, best matches first, with snippets.

    QUERY is FTS5 syntax: words (stemmed: "mine" finds "mining"), "a phrase",
    AND / OR / NOT, prefix*. Without QUERY, lists the newest articles passing
    the filters.
    """
    from pipeline.read.search import HIGHLIGHT, SEARCH_COLUMNS, SEARCH_TABLE_COLUMNS
    from pipeline.read.search import search as run_search

    if query is None and not any((entity, type_, source, since, until)):
        raise click.UsageError("give a QUERY or at least one filter (--entity, --type, ...)")
    with _reader(obj, db_path) as db:
        hits = run_search(
            db, query, entity=entity, type=type_, source=source, since=since, until=until,
            limit=limit,
        )  # fmt: skip
    emit(
        [h.to_dict() for h in hits],
        fmt,
        sys.stdout,
        columns=SEARCH_COLUMNS,
        table_columns=SEARCH_TABLE_COLUMNS,
        highlight=HIGHLIGHT,
    )
    if fmt == "table":
        _note(_quiet(quiet), f"{len(hits)} article{'' if len(hits) == 1 else 's'}")


@click.command()
@click.option("--type", "type_", type=click.Choice(EVENT_TYPES), help="Event type.")
@click.option("--mineral", metavar="NAME", help="Events about this mineral.")
@click.option("--country", metavar="NAME", help="Events involving or held in this country.")
@click.option("--participant", metavar="NAME", help="Events with this participant (any alias).")
@_window_options("Event (or its story) dated", limit=100)
@_format_option
@_db_option
@_quiet_option
@click.pass_obj
@user_errors
def events(
    obj: Any,
    type_: str | None,
    mineral: str | None,
    country: str | None,
    participant: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    fmt: str,
    db_path: Path | None,
    quiet: bool,
) -> None:
    """Extracted events, newest first, each with its evidence sentence and article URL."""
    from pipeline.read.queries import events as run_events

    with _reader(obj, db_path) as db:
        rows = run_events(
            db, type=type_, mineral=mineral, country=country, participant=participant,
            since=since, until=until, limit=limit,
        )  # fmt: skip
    dicts = []
    for row in rows:
        data = row.to_dict()
        data["participants"] = [
            f"{p.name} ({p.kind}{', ' + p.kb_id if p.kb_id else ''})" if p.kind else p.name
            for p in row.participants
        ]
        dicts.append(data)
    emit(dicts, fmt, sys.stdout, columns=EVENT_COLUMNS, table_columns=EVENT_TABLE_COLUMNS)
    if fmt == "table":
        _note(_quiet(quiet), f"{len(rows)} event{'' if len(rows) == 1 else 's'}")


@click.command()
@click.option("--what", type=click.Choice(EXPORT_KINDS), required=True, help="Which rows.")
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="jsonl", show_default=True
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write to this file (default: standard output).",
)  # fmt: skip
@_db_option
@_quiet_option
@click.pass_obj
@user_errors
def export(
    obj: Any, what: str, fmt: str, output: Path | None, db_path: Path | None, quiet: bool
) -> None:
    """Every row of one kind, as CSV or JSON lines, for use in other tools.

    In CSV, list and object columns (aliases, participants...) are JSON text.
    """
    from pipeline.read.queries import export as run_export
    from pipeline.read.queries import export_count

    console = Console(stderr=True)
    # A pipe, a file or --quiet gets no progress bar: control codes in a log help nobody.
    show = console.is_terminal and not _quiet(quiet)
    with _reader(obj, db_path) as db:
        total = export_count(db, what) if show else None
        with (
            _open_output(output) as out,
            Progress(
                TextColumn(f"export {what}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=console, transient=True, disable=not show,
            ) as progress,
        ):  # fmt: skip
            task = progress.add_task(what, total=total)
            count = run_export(db, what, fmt, out, on_row=lambda: progress.advance(task))
    if output is not None:
        _note(_quiet(quiet), f"{count} {what} written to {output}")


@contextmanager
def _open_output(path: Path | None) -> Iterator[Any]:
    if path is None:
        yield sys.stdout
        return
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise NewswatchError(f"cannot write {path}: {exc.strerror}") from None
    with handle:
        yield handle


@click.command()
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--allow-host", "allow_hosts", multiple=True, metavar="NAME",
    help="Also answer requests for this host name (repeatable); others get 400.",
)  # fmt: skip
@_db_option
@click.pass_obj
@user_errors
def serve(
    obj: Any, port: int, host: str, allow_hosts: tuple[str, ...], db_path: Path | None
) -> None:
    """Browse the database in Datasette (read-only): search, facets, canned queries.

    Answers only requests whose Host is the listening address, a loopback name or an
    --allow-host name (a guard against DNS rebinding).
    """
    from pipeline.read.webui import serve as run_serve

    run_serve(_database_path(obj, db_path), port=port, host=host, allow_hosts=allow_hosts)
