"""Bulk export: every row of articles, mentions, entities or events as csv or jsonl.

Split out of pipeline/queries.py: export streams whole tables in id order and
shares nothing with the filtered event queries but the read-only connection.
Readers open the database with `storage.open_database(path, readonly=True)`;
nothing here writes, so export works while `newswatch run` holds the writer
lock. pipeline/queries.py re-exports these names for existing imports.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import sqlite_utils

from pipeline.core.encoders import csv_cell, json_text
from pipeline.core.errors import QueryError

EXPORT_KINDS = ("articles", "mentions", "entities", "events")
EXPORT_FORMATS = ("csv", "jsonl")

# Per kind: the query (streamed, in id order) and which columns hold JSON text.
_EXPORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "articles": (
        "SELECT id, source, url, canonical_url, title, authors, published, language, dateline, "
        "text, text_hash, fetched_at, extractor_version, processed_at FROM articles ORDER BY id",
        ("authors",),
    ),
    "mentions": (
        "SELECT m.id, m.article_id, m.entity_id, e.type AS entity_type, "
        'e.canonical_name AS entity, m.text, m.start, m."end", m.sentence, m.sentence_start, '
        "a.url AS article_url, m.extractor_version FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id JOIN articles a ON a.id = m.article_id "
        "ORDER BY m.id",
        (),
    ),
    "entities": (
        "SELECT id, type, canonical_name, key, aliases, attributes, history, first_seen, "
        "last_seen, mention_count, extractor_version FROM entities ORDER BY id",
        ("aliases", "attributes", "history"),
    ),
    "events": (
        "SELECT e.id, e.article_id, e.type, e.name, e.date, e.date_text, e.location, "
        "e.minerals, (SELECT json_group_array(json_object('name', p.name, 'kind', p.kind, "
        "'entity_id', p.entity_id)) FROM event_participants p WHERE p.event_id = e.id) "
        "AS participants, e.evidence, e.evidence_start, e.evidence_end, a.url AS article_url, "
        "e.extractor_version FROM events e JOIN articles a ON a.id = e.article_id ORDER BY e.id",
        ("minerals", "participants"),
    ),
}


def export_count(db: sqlite_utils.Database, what: str) -> int:
    """How many rows `export` will write (for a progress bar)."""
    _check_export(what, "jsonl")
    return int(db.execute(f"SELECT count(*) FROM {what}").fetchone()[0])


def export_rows(db: sqlite_utils.Database, what: str) -> Iterator[dict[str, Any]]:
    """The rows of one kind with JSON columns decoded, streamed from the cursor."""
    _check_export(what, "jsonl")
    sql, json_columns = _EXPORTS[what]
    cursor = db.execute(sql)
    columns = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(columns, values, strict=True))
        for col in json_columns:
            row[col] = json.loads(row[col]) if row[col] is not None else None
        yield row


def export(
    db: sqlite_utils.Database,
    what: str,
    fmt: str,
    out: TextIO,
    *,
    on_row: Callable[[], None] | None = None,
) -> int:
    """Write every row of `what` to `out` as csv or jsonl; returns the number written.

    In csv, list and object columns are JSON text, so nothing is lost on the way back,
    except that a text cell starting with =, +, -, @, tab or CR carries a leading `'`
    (pipeline/core/encoders.py: csv_cell) so that no spreadsheet runs it as a formula.
    """
    _check_export(what, fmt)
    json_columns = set(_EXPORTS[what][1])
    rows = export_rows(db, what)
    writer: Callable[[dict[str, Any]], None]
    if fmt == "jsonl":

        def writer(row: dict[str, Any]) -> None:
            out.write(json_text(row, ensure_ascii=False) + "\n")

    else:
        csv_out = csv.DictWriter(out, fieldnames=export_columns(db, what))
        csv_out.writeheader()

        def writer(row: dict[str, Any]) -> None:
            for col in json_columns:
                row[col] = json.dumps(row[col], ensure_ascii=False)
            # Every cell through the OWASP rule: titles and evidence come from feeds.
            csv_out.writerow({col: csv_cell(value) for col, value in row.items()})

    count = 0
    for row in rows:
        writer(row)
        count += 1
        if on_row is not None:
            on_row()
    return count


def export_columns(db: sqlite_utils.Database, what: str) -> list[str]:
    """The columns `export` writes for `what`, in order (the csv header)."""
    _check_export(what, "jsonl")
    # LIMIT 0 describes the result without reading a row.
    cursor = db.execute(f"SELECT * FROM ({_EXPORTS[what][0]}) LIMIT 0")
    return [d[0] for d in cursor.description]


def _check_export(what: str, fmt: str) -> None:
    if what not in _EXPORTS:
        raise QueryError(f"cannot export {what!r}; one of: {', '.join(EXPORT_KINDS)}")
    if fmt not in EXPORT_FORMATS:
        raise QueryError(f"unknown export format {fmt!r}; one of: {', '.join(EXPORT_FORMATS)}")
