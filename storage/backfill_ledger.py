"""The writer's side of the `backfill_records` ledger (schema v5): which WARC records are done.

A backfill asks, per WARC file, which records it finished with before (`done_in`),
and writes one row per record it finishes (`mark`), in the same transaction as the
article that record gave, so that after a kill the ledger and the articles agree.
Functions take the writer's connection (`Store.db`); the reads are the writer's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlite_utils

LedgerStatus = Literal["stored", "duplicate", "skipped", "failed"]


@dataclass(frozen=True)
class LedgerEntry:
    """One finished WARC record: where it is, what became of it and why."""

    file: str
    byte_offset: int
    part: int
    url: str | None
    status: LedgerStatus
    reason: str | None = None
    message: str | None = None
    article_id: int | None = None


def done_in(db: sqlite_utils.Database, file: str) -> set[tuple[int, int]]:
    """(byte offset, part) of every record of `file` a backfill has finished with."""
    rows = db.execute(
        "SELECT byte_offset, part FROM backfill_records WHERE file = ?", [file]
    ).fetchall()
    return {(int(offset), int(part)) for offset, part in rows}


def mark(db: sqlite_utils.Database, entry: LedgerEntry, run_id: int | None, at: str) -> None:
    """Record one finished record; a record already there keeps its first row."""
    db.execute(
        "INSERT OR IGNORE INTO backfill_records (file, byte_offset, part, url, status, reason, "
        "message, article_id, run_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.file,
            entry.byte_offset,
            entry.part,
            entry.url,
            entry.status,
            entry.reason,
            entry.message,
            entry.article_id,
            run_id,
            at,
        ],
    )


def status_counts(db: sqlite_utils.Database, files: Iterable[str] | None = None) -> dict[str, int]:
    """Ledger rows per status, over `files` (None: every file)."""
    counts: dict[str, int] = {}
    if files is None:
        rows = db.execute("SELECT status, count(*) FROM backfill_records GROUP BY status")
        return {str(status): int(n) for status, n in rows}
    for file in files:
        for status, n in db.execute(
            "SELECT status, count(*) FROM backfill_records WHERE file = ? GROUP BY status", [file]
        ):
            counts[str(status)] = counts.get(str(status), 0) + int(n)
    return counts
