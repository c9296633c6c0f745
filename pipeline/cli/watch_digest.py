"""`newswatch digest --watch NAME`: the desk digest of one [[watch]] (pipeline/digest/ranking.py).

Called by pipeline/cli/digest.py once its options are read; same window rules
(--date D, --since T, default today in [digest] timezone), same outputs (files,
--format json, --email: to the watch's own addresses, else [digest.email] recipients).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

import click

from pipeline.cli.support import echo, echo_json


def run_watch_digest(
    config: Any,
    watch_name: str,
    day: date | None,
    since: datetime | None,
    tz: tzinfo,
    target: Path,
    write_files: bool,
    send: bool,
    fmt: str,
    quiet: bool,
) -> None:
    from pipeline.digest.build import day_window
    from pipeline.digest.ranking import build_watch_digest, window_label
    from pipeline.digest.watch_render import email_watch_digest, write_watch_digest
    from storage import open_database

    watch = next((w for w in config.watch if w.name == watch_name), None)
    if watch is None:
        known = ", ".join(w.name for w in config.watch) or "none configured"
        raise click.UsageError(f"no watch named {watch_name!r} in the config ({known})")
    now = datetime.now(UTC).astimezone(tz)
    if since is not None:
        start, end = (since if since.tzinfo else since.replace(tzinfo=tz)).astimezone(tz), now
    else:
        start, end = day_window(day or now.date(), tz)
    label = window_label(start, end, None if since is not None else (day or now.date()))
    db = open_database(config.db_path, readonly=True)
    try:
        result = build_watch_digest(db, watch, start, end, tz, label=label, now=now)
    finally:
        db.close()
    paths = write_watch_digest(result, target) if write_files else []
    recipients = watch.email or config.digest.email.recipients
    if send:
        email_watch_digest(config.digest.email, result, tuple(recipients))
    if fmt == "json":
        data = result.to_dict()
        data["files"] = [str(p) for p in paths]
        data["emailed_to"] = list(recipients) if send else []
        echo_json(data, ensure_ascii=False, indent=2)
        return
    if quiet:
        return
    echo(
        f"digest {label} for {watch.name}: {len(result.items)} of {result.story_count} stories "
        f"match, {len(result.first_seen)} first seen worth a look"
    )
    for p in paths:
        echo(f"  wrote {p}")
    if send:
        echo(f"  emailed to {', '.join(recipients)}")
