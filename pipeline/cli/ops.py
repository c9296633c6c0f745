"""Operations commands: `schedule`, `status`, `enable`, `disable`.

Registered on the main group by pipeline/cli.py (`register(main)`); this module
does not import pipeline.cli, so `python -m pipeline.cli` loads it only once.

`enable`/`disable` write the database, so they need the writer lock. While
`newswatch schedule` holds it, the change is queued as a small file in
`<db>.control/` and the scheduler applies it before its next poll.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pipeline.cli.support import echo, echo_json, user_errors
from pipeline.core.config import Config
from pipeline.core.encoders import terminal_line
from pipeline.daemon.control import apply_request, pending_requests, queue_request
from storage import Store, open_database
from storage.errors import LockedError

F = TypeVar("F", bound=Callable[..., Any])


def register(group: click.Group) -> None:
    for command in (schedule, status, enable, disable):
        group.add_command(command)


@click.command()
@click.option(
    "--for",
    "run_for",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop cleanly after this long (tests, soak runs).",
)
@click.option("--log-file", metavar="PATH", help="Also log to this file (default [logging] file).")
@click.pass_obj
@user_errors
def schedule(obj: Any, run_for: float | None, log_file: str | None) -> None:
    """Run unattended: poll due feeds, process new articles, digest and maintenance.

    Holds the database's writer lock for its whole life (a second writer is
    refused at once); readers such as `status` are never blocked. SIGTERM or
    Ctrl-C finishes the current batch and exits 0.
    """
    from pipeline.daemon.schedule import Daemon, configure_logging

    config: Config = obj.config
    configure_logging(config.logging, config.base_dir, log_file)
    sys.exit(Daemon(config, run_for=run_for).run())


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
@user_errors
def status(obj: Any, fmt: str) -> None:
    """How each source is doing: last success and error, 304 share, extraction, dates.

    Reads the database read-only, so it works while `newswatch schedule` runs.
    """
    from pipeline.read.status import source_health

    config: Config = obj.config
    db = open_database(config.db_path, readonly=True)
    try:
        report = source_health(db, [f.name for f in config.feeds])
    finally:
        db.close()
    pending = pending_requests(config.db_path)
    if fmt == "json":
        rows = [dataclasses.asdict(h) for h in report]
        echo_json({"sources": rows, "queued_requests": pending}, indent=2)
        return
    echo(format_status(report))
    for request in pending:
        echo(f"queued for the scheduler: {request['action']} {request['source']}")


def format_status(report: list[Any]) -> str:
    header = (
        "source",
        "state",
        "last success",
        "polls",
        "304s",
        "items",
        "articles",
        "extracted",
        "undated",
        "next poll",
    )
    rows = [
        (
            h.name,
            h.state,
            _time(h.last_success),
            str(h.polls),
            _pct(h.not_modified_share),
            str(h.items_seen),
            str(h.articles),
            _pct(h.extraction_rate),
            _pct(h.undated_share),
            _time(h.next_poll_at),
        )
        for h in report
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    for h in report:
        if h.state == "disabled":
            reason = terminal_line(h.disabled_reason)  # one line each, whatever a server said
            lines.append(f"{h.name}: disabled: {reason} (`newswatch enable {h.name}`)")
        if h.last_error and h.state != "ok":
            lines.append(
                f"{h.name}: last error {_time(h.last_error_at)} ({h.failure_kind}): "
                f"{terminal_line(h.last_error)}"
            )
        if h.retry_after_until:
            lines.append(f"{h.name}: server asked to wait until {_time(h.retry_after_until)}")
    return "\n".join(lines)


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _time(iso: str | None) -> str:
    return "-" if not iso else iso.replace("T", " ").replace("+00:00", "Z")


@click.command()
@click.argument("names", nargs=-1, required=True, metavar="SOURCE...")
@click.pass_obj
@user_errors
def enable(obj: Any, names: tuple[str, ...]) -> None:
    """Re-enable disabled sources (clears their failure count; polled at the next tick)."""
    _set_disabled(obj.config, names, disabled=False, reason=None)


@click.command()
@click.argument("names", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--reason", default="disabled by hand", show_default=True)
@click.pass_obj
@user_errors
def disable(obj: Any, names: tuple[str, ...], reason: str) -> None:
    """Stop polling sources until `newswatch enable`."""
    _set_disabled(obj.config, names, disabled=True, reason=reason)


def _set_disabled(
    config: Config, names: tuple[str, ...], *, disabled: bool, reason: str | None
) -> None:
    unknown = sorted(set(names) - {f.name for f in config.feeds})
    if unknown:
        raise click.UsageError(f"no feed named {', '.join(unknown)} in the config")
    action = "disable" if disabled else "enable"
    try:
        store = Store.open(config.db_path)
    except LockedError:
        for name in names:
            queue_request(config.db_path, action, name, reason)
        echo(
            f"the scheduler holds the database: {action} {', '.join(names)} queued; "
            "it is applied before the next poll"
        )
        return
    with store:
        for name in names:
            echo(apply_request(store, {"action": action, "source": name, "reason": reason}))
