"""The writer's side of the `sources` table: feed validators, poll counts, health state.

Split out of storage/store.py, which keeps `Store` and delegates here. These
functions touch only the `sources` table, so they form their own concern next
to articles (storage/articles_write.py) and runs (kept in store.py). The reads
here (`feed_validators`, `source_state`) are the writer's own: the run asks
them through its `Store` between polls. Each function takes the writer's
connection; callers go through `Store`, which holds the writer lock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from storage.records import PollRecord, SourceRecord, Validators
from storage.redact import redact_optional, redact_userinfo


@dataclass(frozen=True)
class SourceState:
    """A source's scheduling state as stored (see migration v2 for the columns)."""

    name: str
    disabled: bool = False
    disabled_reason: str | None = None
    next_poll_at: str | None = None
    retry_after_until: str | None = None
    consecutive_failures: int = 0
    hard_failures: int = 0
    feed_ttl: int | None = None


def feed_validators(db: sqlite_utils.Database, name: str) -> Validators:
    row = db.execute("SELECT etag, last_modified FROM sources WHERE name = ?", [name]).fetchone()
    return Validators(etag=row[0], last_modified=row[1]) if row else Validators()


def record_poll(db: sqlite_utils.Database, source: SourceRecord, poll: PollRecord, at: str) -> None:
    """See `Store.record_poll`."""
    with db.atomic():
        db.execute(
            "INSERT INTO sources (name, location, kind, tags) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET location = excluded.location, "
            "kind = excluded.kind, tags = excluded.tags",
            # A feed's login stays in the config: the stored location shows *** for it.
            [
                source.name,
                redact_userinfo(source.location),
                source.kind,
                json.dumps(list(source.tags)),
            ],
        )
        sets = [
            "polls = polls + 1",
            "last_polled = :at",
            "last_status = :status",
            "last_http_status = :http",
        ]
        if poll.status == "error":
            sets += ["consecutive_failures = consecutive_failures + 1", "last_error = :error"]
        else:
            sets += ["consecutive_failures = 0", "last_success = :at"]
        if poll.status == "not_modified":
            sets.append("not_modified_count = not_modified_count + 1")
        if poll.status == "ok":
            sets.append("items_seen = items_seen + :items")
        db.execute(
            f"UPDATE sources SET {', '.join(sets)} WHERE name = :name",
            {
                "name": source.name,
                "at": at,
                "status": poll.status,
                "http": poll.http_status,
                "error": redact_optional(poll.error),
                "items": len(poll.items),
            },
        )


def save_validators(db: sqlite_utils.Database, name: str, validators: Validators) -> None:
    """See `Store.save_validators` for when this may run."""
    with db.atomic():
        db.execute(
            "UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?",
            [validators.etag, validators.last_modified, name],
        )


def source_state(db: sqlite_utils.Database, name: str) -> SourceState:
    """What the scheduler needs to know about one source (defaults before its first poll)."""
    row = db.execute(
        "SELECT disabled, disabled_reason, next_poll_at, retry_after_until, "
        "consecutive_failures, hard_failures, feed_ttl FROM sources WHERE name = ?",
        [name],
    ).fetchone()
    if row is None:
        return SourceState(name)
    return SourceState(name, bool(row[0]), row[1], row[2], row[3], row[4], row[5], row[6])


def record_health(
    db: sqlite_utils.Database,
    name: str,
    *,
    kind: str,
    next_poll_at: str,
    retry_after_until: str | None,
    disable_reason: str | None,
    feed_ttl: int | None,
    at: str,
) -> None:
    """See `Store.record_health`."""
    db.execute(
        "UPDATE sources SET next_poll_at = :next, feed_ttl = :ttl, "
        "retry_after_until = coalesce(:retry, CASE WHEN retry_after_until > :at "
        "THEN retry_after_until END), "
        "hard_failures = CASE WHEN :kind = 'hard' THEN hard_failures + 1 "
        "WHEN :kind = 'deferred' THEN hard_failures ELSE 0 END, "
        "last_failure_kind = CASE WHEN :kind IN ('hard', 'soft') THEN :kind "
        "ELSE last_failure_kind END, "
        "last_error_at = CASE WHEN :kind IN ('hard', 'soft') THEN :at ELSE last_error_at END, "
        "disabled = CASE WHEN :reason IS NULL THEN disabled ELSE 1 END, "
        "disabled_reason = coalesce(:reason, disabled_reason), "
        "disabled_at = CASE WHEN :reason IS NULL THEN disabled_at ELSE :at END "
        "WHERE name = :name",
        {
            "name": name,
            "next": next_poll_at,
            "retry": retry_after_until,
            "kind": kind,
            "reason": redact_optional(disable_reason),
            "ttl": feed_ttl,
            "at": at,
        },
    )


def count_articles_tried(db: sqlite_utils.Database, name: str, attempted: int, failed: int) -> None:
    db.execute(
        "UPDATE sources SET articles_attempted = articles_attempted + ?, "
        "articles_failed = articles_failed + ? WHERE name = ?",
        [attempted, failed, name],
    )


def set_disabled(
    db: sqlite_utils.Database, name: str, disabled: bool, reason: str | None, at: str
) -> bool:
    """See `Store.set_disabled`."""
    if disabled:
        cur = db.execute(
            "UPDATE sources SET disabled = 1, disabled_reason = ?, disabled_at = ? WHERE name = ?",
            [reason or "disabled by hand", at, name],
        )
    else:
        cur = db.execute(
            "UPDATE sources SET disabled = 0, disabled_reason = NULL, disabled_at = NULL, "
            "hard_failures = 0, consecutive_failures = 0, next_poll_at = NULL, "
            "retry_after_until = NULL WHERE name = ?",
            [name],
        )
    return cur.rowcount > 0
