"""The `kb_entries` table: office-holder KB rows kept in the database (migration 6).

An analyst's corrections (`source = 'analyst'`) are added one by one and kept; a
Wikidata refresh (`source = 'wikidata'`) replaces the previous refresh whole, in one
transaction, so a failed refresh leaves the last good one. `rows` returns them in the
order they are merged over the shipped KB: the refresh first, the analyst's last, so
a correction wins over both (extractors/kb.py says how rows merge).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from extractors.kb import KBRow

ANALYST = "analyst"
WIKIDATA = "wikidata"
_COLUMNS = 'source, name, qid, aliases, office, country, start, "end", note, added_at'


def add(db: sqlite_utils.Database, row: KBRow, at: str, note: str | None = None) -> int:
    """Keep one analyst row; returns its id."""
    with db.atomic():
        cur = db.execute(
            f"INSERT INTO kb_entries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _values(row, ANALYST, note, at),
        )
    return int(cur.lastrowid or 0)


def replace_source(db: sqlite_utils.Database, source: str, rows: Iterable[KBRow], at: str) -> int:
    """Replace every row of `source` with `rows` in one transaction; returns the count."""
    n = 0
    with db.atomic():
        db.execute("DELETE FROM kb_entries WHERE source = ?", [source])
        for row in rows:
            db.execute(
                f"INSERT INTO kb_entries ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _values(row, source, None, at),
            )
            n += 1
    return n


def rows(db: sqlite_utils.Database) -> list[KBRow]:
    """Every kept row, refreshes before corrections, each group oldest first."""
    if "kb_entries" not in db.table_names():
        return []  # a database older than migration 6, opened read-only
    out = []
    for source, name, qid, aliases, office, country, start, end, _, _ in db.execute(
        f"SELECT {_COLUMNS} FROM kb_entries ORDER BY source = '{ANALYST}', id"
    ):
        out.append(
            KBRow(
                name=name,
                office=office,
                country=country,
                start=start,
                end=end,
                qid=qid,
                aliases=tuple(json.loads(aliases or "[]")),
                source=source,
            )
        )
    return out


def count(db: sqlite_utils.Database) -> dict[str, int]:
    if "kb_entries" not in db.table_names():
        return {}
    return {s: n for s, n in db.execute("SELECT source, count(*) FROM kb_entries GROUP BY source")}


def _values(row: KBRow, source: str, note: str | None, at: str) -> list[object]:
    return [
        source,
        row.name,
        row.qid,
        json.dumps(list(row.aliases), ensure_ascii=False),
        row.office,
        row.country,
        row.start,
        row.end,
        note,
        at,
    ]
