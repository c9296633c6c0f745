"""The alert ledger's writes (schema v4): decide, then deliver, each step committed.

The order is what makes delivery exactly-once from the ledger's side:
1. `record_decision` inserts the alerts a run decided, one delivery row per
   channel, and moves the watch's cursor past the articles it looked at, all in
   one transaction. A crash before it decides again next time; after it, the
   alerts are on disk.
2. Each delivery is tried only after that commit; `mark_delivered` stamps
   `delivered_at` once the receiver accepted it. A crash between the two leaves
   the row pending, and the next run sends it (webhook receivers get the
   alert's stable id to recognise a repeat of a send that was cut short).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class DecidedAlert:
    watch: str
    key: str
    kind: str  # event | mention
    story_id: int
    article_id: int
    event_id: int | None
    evidence_key: str
    payload: str  # JSON
    channels: tuple[tuple[str, str], ...]  # (channel, target)


@dataclass(frozen=True)
class PendingDelivery:
    alert_id: int
    watch: str
    channel: str
    target: str
    attempts: int
    payload: str


def cursor(db: sqlite_utils.Database, watch: str) -> int | None:
    row = db.execute(
        "SELECT last_article_id FROM watch_cursors WHERE watch = ?", [watch]
    ).fetchone()
    return int(row[0]) if row else None


def already_alerted(
    db: sqlite_utils.Database, watch: str, key: str, story_id: int, evidence_key: str
) -> bool:
    """True when the watch has this key, or the same evidence in the same story."""
    row = db.execute(
        "SELECT 1 FROM alerts WHERE watch = :w AND (key = :k OR "
        "(story_id = :s AND evidence_key = :e AND evidence_key != '')) LIMIT 1",
        {"w": watch, "k": key, "s": story_id, "e": evidence_key},
    ).fetchone()
    return row is not None


def record_decision(
    db: sqlite_utils.Database,
    alerts: Sequence[DecidedAlert],
    cursors: dict[str, int],
    at: str,
) -> list[int]:
    """Insert the decided alerts and their delivery rows, move the cursors; one commit."""
    ids = []
    with db.atomic():
        for alert in alerts:
            cur = db.execute(
                "INSERT OR IGNORE INTO alerts (watch, key, kind, story_id, article_id, event_id, "
                "evidence_key, payload, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    alert.watch,
                    alert.key,
                    alert.kind,
                    alert.story_id,
                    alert.article_id,
                    alert.event_id,
                    alert.evidence_key,
                    alert.payload,
                    at,
                ],
            )
            if not cur.rowcount:
                continue
            alert_id = int(cur.lastrowid or 0)
            ids.append(alert_id)
            for channel, target in alert.channels:
                db.execute(
                    "INSERT INTO alert_deliveries (alert_id, channel, target) VALUES (?, ?, ?)",
                    [alert_id, channel, target],
                )
        for watch, article_id in cursors.items():
            db.execute(
                "INSERT INTO watch_cursors (watch, last_article_id, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (watch) DO UPDATE SET last_article_id = excluded.last_article_id, "
                "updated_at = excluded.updated_at",
                [watch, article_id, at],
            )
    return ids


def pending(db: sqlite_utils.Database, channel: str | None = None) -> list[PendingDelivery]:
    """Deliveries not yet accepted nor given up, oldest alert first."""
    rows = db.execute(
        "SELECT d.alert_id, a.watch, d.channel, d.target, d.attempts, a.payload "
        "FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id "
        "WHERE d.delivered_at IS NULL AND d.given_up_at IS NULL "
        "AND (:c IS NULL OR d.channel = :c) ORDER BY d.alert_id, d.channel",
        {"c": channel},
    ).fetchall()
    return [PendingDelivery(int(r[0]), r[1], r[2], r[3], int(r[4]), r[5]) for r in rows]


def mark_delivered(
    db: sqlite_utils.Database, alert_ids: Sequence[int], channel: str, target: str, at: str
) -> None:
    with db.atomic():
        for alert_id in alert_ids:
            db.execute(
                "UPDATE alert_deliveries SET delivered_at = ?, target = ?, "
                "attempts = attempts + 1, last_attempt_at = ?, last_error = NULL "
                "WHERE alert_id = ? AND channel = ?",
                [at, target, at, alert_id, channel],
            )


def record_failure(
    db: sqlite_utils.Database,
    alert_ids: Sequence[int],
    channel: str,
    error: str,
    at: str,
    max_attempts: int,
) -> None:
    """Count a failed attempt; past `max_attempts` the delivery is given up (and kept)."""
    with db.atomic():
        for alert_id in alert_ids:
            db.execute(
                "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = ?, "
                "last_attempt_at = ?, given_up_at = CASE WHEN attempts + 1 >= ? THEN ? END "
                "WHERE alert_id = ? AND channel = ?",
                [error[:500], at, max_attempts, at, alert_id, channel],
            )
