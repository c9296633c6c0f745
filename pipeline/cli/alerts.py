"""`newswatch alerts`: the watch alerts decided so far, as a table, JSON or an Atom feed.

Reading opens the database read-only, like every reader. `--send` instead takes
the writer: it decides what is new for each [[watch]] and delivers what is
pending (what `run --once` and the daemon do after each run), for a retry after
a receiver was down.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli.support import echo, echo_json, user_errors

ALERT_COLUMNS = (
    "id",
    "watch",
    "decided_at",
    "type",
    "name",
    "date",
    "participants",
    "minerals",
    "matched",
    "evidence",
    "title",
    "url",
    "also_in",
    "delivered",
)
TABLE_COLUMNS = ("decided_at", "watch", "type", "evidence", "title", "also_in")


@click.command()
@click.option("--watch", "watch_name", metavar="NAME", help="Only this watch's alerts.")
@click.option("--since", metavar="WHEN", help="Decided on or after (2026-01-14, or 7d ago).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "atom"]),
    default="table",
    show_default=True,
    help="atom: a feed a feed reader can subscribe to (also at /-/alerts.atom in `serve`).",
)
@click.option("--limit", default=200, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--send",
    is_flag=True,
    help="Decide new alerts and deliver pending ones now (takes the writer lock).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Database file (default: [storage] path of the config).",
)
@click.pass_obj
@user_errors
def alerts(
    obj: Any,
    watch_name: str | None,
    since: str | None,
    fmt: str,
    limit: int,
    send: bool,
    db_path: Path | None,
) -> None:
    """List the alerts the [[watch]] tables produced, newest first.

    Each alert is one story or story event (syndicated copies count once) with
    its evidence sentence, participants, minerals, what it matched and where it
    was delivered. Exit codes: 0 done, 1 failed (no database, a delivery
    failed with --send), 2 bad usage or config.
    """
    config = obj.config
    names = [w.name for w in config.watch]
    if watch_name is not None and watch_name not in names:
        known = ", ".join(names) or "none configured"
        raise click.UsageError(f"no watch named {watch_name!r} in the config ({known})")
    path = db_path or config.db_path
    if send:
        _send(config, path)
        return
    from pipeline.read.query_filters import time_bound
    from pipeline.watch.ledger import list_alerts
    from pipeline.watch.render import atom_feed
    from storage import open_database

    bound = time_bound(since, end=False)
    db = open_database(path, readonly=True)
    try:
        found = list_alerts(db, watch_name, bound.value if bound else None, limit)
    finally:
        db.close()
    if fmt == "atom":
        sys.stdout.buffer.write(atom_feed(found, watch_name))
        sys.stdout.flush()
        return
    rows = [a.to_row() for a in found]
    if fmt == "json":
        echo_json(rows, ensure_ascii=False, indent=2)
        return
    from pipeline.read.formats import emit

    if not rows:
        echo("no alerts yet" + (f" for {watch_name}" if watch_name else ""), err=True)
        return
    emit(rows, "table", sys.stdout, columns=ALERT_COLUMNS, table_columns=TABLE_COLUMNS)


def _send(config: Any, path: Path) -> None:
    from pipeline.alerts import process_alerts
    from storage import Store

    with Store.open(path) as store:
        summary = process_alerts(store.db, config)
    echo(summary.line())
    for error in summary.errors:
        echo(f"  error  {error}")
    if summary.failed:
        sys.exit(1)


def report_alerts_after_run(config: Any) -> None:
    """Decide and deliver after `run --once`, and say what happened (nothing without a watch)."""
    if not config.watch:
        return
    from pipeline.alerts import process_alerts
    from storage import Store

    with Store.open(config.db_path) as store:
        summary = process_alerts(store.db, config)
    echo(summary.line())
    for error in summary.errors:
        echo(f"  error  {error}")
