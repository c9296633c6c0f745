"""What analysts ask the database: events with their evidence, and bulk export.

Readers open the database with `storage.open_database(path, readonly=True)`;
nothing here writes, so these work while `newswatch run` holds the writer lock.

Filters take what people type: any alias of an entity ("USISPF", "US"), a day
("2026-01-14"), a time ("2026-01-14T09:30"), or "7d" for seven days ago. A
value that cannot be understood raises QueryError (exit code 2) with a plain
message. Times compare against the event's own date when the extractor found
one, else the article's published time, else when it was fetched.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, TextIO

import sqlite_utils

from extractors.records import EVENT_TYPES
from storage import find_entity
from storage.names import fold, org_key

from .errors import QueryError

EXPORT_KINDS = ("articles", "mentions", "entities", "events")
EXPORT_FORMATS = ("csv", "jsonl")


# --- shared filter helpers ---------------------------------------------------------------


@dataclass(frozen=True)
class TimeBound:
    """One end of a time filter as SQL: `<expr> <op> :value` on ISO-8601 text."""

    op: str
    value: str


def time_bound(text: str | None, *, end: bool, now: datetime | None = None) -> TimeBound | None:
    """Parse --since/--until. A bare day as --until includes that whole day."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text[:-1].isdigit() and text[-1:] in ("d", "D"):
        day = (now or datetime.now(UTC)).date() - timedelta(days=int(text[:-1]))
        return _day_bound(day, end=end)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return _day_bound(day, end=end)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"cannot read the time {text!r}: use a day (2026-01-14), a time "
            "(2026-01-14T09:30) or a number of days ago (7d)"
        ) from None
    return TimeBound("<=" if end else ">=", moment.isoformat())


def _day_bound(day: date, *, end: bool) -> TimeBound:
    # Stored times are ISO text, so "before the next day" covers every time of `day`.
    if end:
        return TimeBound("<", (day + timedelta(days=1)).isoformat())
    return TimeBound(">=", day.isoformat())


def time_filters(
    expr: str, since: str | None, until: str | None, params: dict[str, Any]
) -> list[str]:
    """SQL conditions on `expr` for --since/--until; binds their values into `params`."""
    clauses = []
    for name, bound in (
        ("since", time_bound(since, end=False)),
        ("until", time_bound(until, end=True)),
    ):
        if bound is not None:
            clauses.append(f"{expr} {bound.op} :{name}")
            params[name] = bound.value
    return clauses


def check_event_type(type_: str | None) -> None:
    if type_ is not None and type_ not in EVENT_TYPES:
        raise QueryError(f"unknown event type {type_!r}; one of: {', '.join(EVENT_TYPES)}")


def check_limit(limit: int) -> None:
    if limit < 1:
        raise QueryError(f"--limit must be at least 1 (got {limit})")


def entity_ids(db: sqlite_utils.Database, name: str, type_: str | None = None) -> list[int]:
    """Ids of every entity `name` can mean: its canonical name or any alias, and
    the linker's own keys (an official's surname alone, an organisation's
    normalised name or acronym), so "Bessent" finds Scott Bessent."""
    ids = {int(row["id"]) for row in find_entity(db, name, type=type_)}
    keys = [("official", "surname", fold(name)), ("organization", "name", org_key(name))]
    for key_type, kind, value in keys:
        if value and type_ in (None, key_type):
            rows = db.execute(
                "SELECT entity_id FROM entity_keys WHERE type = ? AND kind = ? AND value = ?",
                [key_type, kind, value],
            )
            ids.update(int(r[0]) for r in rows)
    return sorted(ids)


def register_fold(db: sqlite_utils.Database) -> None:
    """nw_fold0(text): the entity linker's folding (case, accents, dashes), callable from SQL.

    Not find_entity's "nw_fold", which it re-registers on every call: ours also
    passes NULL through (optional columns such as location often are)."""
    db.register_function(_fold_or_null, deterministic=True, replace=True, name="nw_fold0")


def _fold_or_null(text: str | None) -> str | None:
    return _cached_fold(text) if text is not None else None


# Participant and location names repeat across events: SQLite calls nw_fold0 once
# per row, and the cache spares repeating the Unicode work.
_cached_fold = lru_cache(maxsize=65_536)(fold)


# --- events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    name: str
    kind: str | None
    entity_id: int | None


@dataclass(frozen=True)
class EventRow:
    """One event with what makes it checkable: the evidence sentence and the article URL."""

    id: int
    type: str
    date: str | None  # the event's own date when the extractor found one
    when: str | None  # that date, else the article's published (or fetched) time
    location: str | None
    minerals: list[str]
    participants: list[Participant]
    evidence: str
    article_id: int
    article_title: str | None
    article_url: str
    source: str
    name: str | None = None
    date_text: str | None = None
    # A syndicated story's events are listed once, from its canonical copy:
    # also_in counts the other outlets that carried it. story_event_id / reports:
    # the event merged across articles and how many reports support it.
    also_in: int = 0
    story_event_id: int | None = None
    reports: int = 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


EVENT_COLUMNS = (
    "id", "type", "when", "location", "minerals", "participants", "evidence",
    "article_title", "article_url", "source", "article_id", "date", "date_text", "name",
    "also_in", "story_event_id", "reports",
)  # fmt: skip
EVENT_TABLE_COLUMNS = (
    "when", "type", "participants", "minerals", "evidence", "article_url", "also_in",
)  # fmt: skip

_EVENT_WHEN = "coalesce(e.date, a.published, a.fetched_at)"


def events(
    db: sqlite_utils.Database,
    *,
    type: str | None = None,  # the CLI's --type, the stored column's name
    mineral: str | None = None,
    country: str | None = None,
    participant: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
) -> list[EventRow]:
    """Events newest first, filtered; every filter is optional and they all must hold."""
    check_event_type(type)
    check_limit(limit)
    register_fold(db)
    where: list[str] = []
    params: dict[str, Any] = {"limit": limit}
    if type is not None:
        where.append("e.type = :type")
        params["type"] = type
    if mineral is not None:
        # The mineral's canonical name as stored in events.minerals, via any alias.
        names = {r["canonical_name"] for r in find_entity(db, mineral, type="mineral")}
        params["minerals"] = json.dumps(sorted({fold(n) for n in names | {mineral}}))
        # The plain comparison first spares the JSON walk for the many events without minerals.
        where.append(
            "e.minerals != '[]' AND EXISTS (SELECT 1 FROM json_each(e.minerals) m "
            "WHERE nw_fold0(m.value) IN (SELECT value FROM json_each(:minerals)))"
        )
    if country is not None:
        where.append(_country_clause(db, country, params))
    if participant is not None:
        params["participant_ids"] = json.dumps(entity_ids(db, participant))
        params["participant_key"] = fold(participant)
        where.append(
            "EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND "
            "(p.entity_id IN (SELECT value FROM json_each(:participant_ids)) "
            "OR nw_fold0(p.name) = :participant_key))"
        )
    where += time_filters(_EVENT_WHEN, since, until, params)
    where.append(ONLY_CANONICAL_COPY)
    rows = _newest_events(db, where, params, limit)
    people = _participants(db, [r["id"] for r in rows])
    reports = _report_counts(db, [r["story_event_id"] for r in rows if r["story_event_id"]])
    return [
        EventRow(
            id=r["id"],
            type=r["type"],
            date=r["date"],
            when=r["event_when"],
            location=r["location"],
            minerals=json.loads(r["minerals"] or "[]"),
            participants=people.get(r["id"], []),
            evidence=r["evidence"],
            article_id=r["article_id"],
            article_title=r["article_title"],
            article_url=r["article_url"],
            source=r["source"],
            name=r["name"],
            date_text=r["date_text"],
            also_in=max(r["also_in"] or 0, 0),
            story_event_id=r["story_event_id"],
            reports=reports.get(r["story_event_id"], 1),
        )
        for r in rows
    ]


def _newest_events(
    db: sqlite_utils.Database, where: list[str], params: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` events passing `where`, looking at the newest days first.

    Sorting every event by its time costs a read of every event's article (the
    time falls back to the article's); at 152,000 events that was ~300 ms, and a
    filter evaluated on every event several times that
    (benchmarks/bench_search_scale.py). So the query first runs on the events of
    the last days before the newest stored time, through the date indexes, and
    only widens the window when fewer than `limit` pass. The answer is the same:
    every event outside a window is older than every event in it.
    """
    newest = _newest_day(db)
    until = _day_of(params.get("until"))
    if newest and until and until < newest:
        newest = until  # nothing after --until can pass: count the days back from it
    windows: list[int | None] = [*(_WINDOW_DAYS if newest else ()), None]
    rows: list[dict[str, Any]] = []
    tried: tuple[int, int] | None = None  # (rows found, days) of the last window
    for days in windows:
        if days is not None and tried and tried[0] * days / tried[1] < limit:
            continue  # at the rate found so far this window falls short too: skip it
        floor = (newest - timedelta(days=days)).isoformat() if newest and days else None
        clauses = where if floor is None else [*where, _WHEN_AT_LEAST]
        sql = (
            f"SELECT e.*, a.title AS article_title, a.url AS article_url, a.source, "
            f"{_EVENT_WHEN} AS event_when, "
            "(SELECT json_array_length(c.outlets) - 1 FROM story_clusters c "
            "WHERE c.id = a.cluster_id) AS also_in, "
            "(SELECT m.story_event_id FROM story_event_mentions m WHERE m.event_id = e.id) "
            "AS story_event_id "
            f"FROM events e JOIN articles a ON a.id = e.article_id "
            f"{'WHERE ' + ' AND '.join(clauses) if clauses else ''} "
            "ORDER BY event_when DESC, e.id DESC LIMIT :limit"
        )
        # The window's top: --until when given (the exact bound is in `where`), else
        # a string after every ISO time.
        window = {"floor": floor, "ceiling": params.get("until") or "~"}
        rows = list(db.query(sql, {**params, **window}))
        if len(rows) >= limit:
            break
        tried = (len(rows), days) if days else None
    return rows


# Days back from the newest stored time, tried in turn before the whole archive.
_WINDOW_DAYS = (7, 35)
# `_EVENT_WHEN >= :floor` spelled so that SQLite can answer it from the indexes on
# events.date and articles.published instead of computing the time of every event.
_WHEN_AT_LEAST = (
    "e.id IN (SELECT id FROM events WHERE date >= :floor AND date <= :ceiling "
    # CROSS JOIN fixes the loop order: from the recent articles to their events,
    # not from every undated event (most of them) to its article.
    "UNION ALL SELECT x.id FROM articles y CROSS JOIN events x ON x.article_id = y.id "
    "WHERE y.published >= :floor AND y.published <= :ceiling AND +x.date IS NULL "
    "UNION ALL SELECT x.id FROM articles y CROSS JOIN events x ON x.article_id = y.id "
    "WHERE y.published IS NULL AND y.fetched_at >= :floor AND y.fetched_at <= :ceiling "
    "AND +x.date IS NULL)"
)


def _newest_day(db: sqlite_utils.Database) -> date | None:
    """The day of the newest event date or article published time (both indexed)."""
    row = db.execute(
        "SELECT max(coalesce((SELECT max(date) FROM events), ''), "
        "coalesce((SELECT max(published) FROM articles), ''))"
    ).fetchone()
    return _day_of(row[0])


def _day_of(value: object) -> date | None:
    """The day an ISO date or time starts with; None for nothing or a value that is not ISO."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# An article that is a non-canonical copy of a syndicated story (schema v3): its
# events and hits are the canonical copy's, counted once. `a` is the article.
ONLY_CANONICAL_COPY = (
    "NOT EXISTS (SELECT 1 FROM story_clusters c "
    "WHERE c.id = a.cluster_id AND c.canonical_article_id != a.id)"
)


def _report_counts(db: sqlite_utils.Database, story_ids: list[int]) -> dict[int, int]:
    """Story event id → the number of per-article reports merged into it."""
    rows = db.execute(
        "SELECT story_event_id, count(*) FROM story_event_mentions "
        "WHERE story_event_id IN (SELECT value FROM json_each(?)) GROUP BY 1",
        [json.dumps(story_ids)],
    )
    return {int(k): int(n) for k, n in rows}


def _country_clause(db: sqlite_utils.Database, country: str, params: dict[str, Any]) -> str:
    """An event concerns a country when the country takes part, an official of it
    takes part, or it happens there."""
    found = find_entity(db, country, type="country")
    names = {fold(country)} | {fold(r["canonical_name"]) for r in found}
    names |= {fold(a) for r in found for a in r["aliases"]}
    params["country_ids"] = json.dumps([r["id"] for r in found])
    params["country_names"] = json.dumps(sorted(names))
    in_names = "(SELECT value FROM json_each(:country_names))"
    return (
        "(EXISTS (SELECT 1 FROM event_participants p LEFT JOIN entities en ON en.id = p.entity_id "
        "WHERE p.event_id = e.id AND ("
        "p.entity_id IN (SELECT value FROM json_each(:country_ids)) "
        f"OR (p.kind = 'country' AND nw_fold0(p.name) IN {in_names}) "
        "OR (en.type = 'official' AND "
        f"nw_fold0(json_extract(en.attributes, '$.country')) IN {in_names}))) "
        f"OR nw_fold0(e.location) IN {in_names})"
    )


def _participants(db: sqlite_utils.Database, event_ids: list[int]) -> dict[int, list[Participant]]:
    result: dict[int, list[Participant]] = {}
    if not event_ids:
        return result
    rows = db.query(
        "SELECT event_id, name, kind, entity_id FROM event_participants "
        "WHERE event_id IN (SELECT value FROM json_each(:ids)) ORDER BY rowid",
        {"ids": json.dumps(event_ids)},
    )
    for r in rows:
        result.setdefault(r["event_id"], []).append(
            Participant(r["name"], r["kind"], r["entity_id"])
        )
    return result


# --- export ------------------------------------------------------------------------------

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

    In csv, list and object columns are JSON text, so nothing is lost on the way back.
    """
    _check_export(what, fmt)
    json_columns = set(_EXPORTS[what][1])
    rows = export_rows(db, what)
    writer: Callable[[dict[str, Any]], None]
    if fmt == "jsonl":

        def writer(row: dict[str, Any]) -> None:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")

    else:
        csv_out = csv.DictWriter(out, fieldnames=export_columns(db, what))
        csv_out.writeheader()

        def writer(row: dict[str, Any]) -> None:
            for col in json_columns:
                row[col] = json.dumps(row[col], ensure_ascii=False)
            csv_out.writerow(row)

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
