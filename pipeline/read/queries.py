"""What analysts ask the database: events with their evidence.

Readers open the database with `storage.open_database(path, readonly=True)`;
nothing here writes, so these work while `newswatch run` holds the writer lock.

Filters take what people type (see pipeline/query_filters.py, shared with
search and reprocess). Times compare against the event's own date when the
extractor found one, else the article's published time, else when it was
fetched.

This module keeps the events query: which events pass the filters and what
each row carries. Split out to keep each module to one concern: the window
search that finds the newest passing events fast (pipeline/newest_events.py),
the shared filter helpers (pipeline/query_filters.py) and bulk export
(pipeline/bulk_export.py). The latter two are re-exported here because the
CLI, search, reprocess and tests import them from `pipeline.read.queries`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from pipeline.read.bulk_export import (
    EXPORT_FORMATS,
    EXPORT_KINDS,
    export,
    export_columns,
    export_count,
    export_rows,
)
from pipeline.read.newest_events import EVENT_WHEN, newest_events
from pipeline.read.query_filters import (
    TimeBound,
    check_event_type,
    check_limit,
    entity_ids,
    register_fold,
    time_bound,
    time_filters,
)
from storage import find_entity
from storage.names import plain_key

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_TABLE_COLUMNS",
    "EXPORT_FORMATS",
    "EXPORT_KINDS",
    "ONLY_CANONICAL_COPY",
    "EventRow",
    "Participant",
    "TimeBound",
    "check_event_type",
    "check_limit",
    "entity_ids",
    "event_participants",
    "events",
    "export",
    "export_columns",
    "export_count",
    "export_rows",
    "register_fold",
    "time_bound",
    "time_filters",
]


@dataclass(frozen=True)
class Participant:
    """One participant of an event, as the events query and the digest show it."""

    name: str
    kind: str | None  # official | organization | country | ... (None: not linked)
    entity_id: int | None
    kb_id: str | None = None  # an official's Wikidata id, from the office-holder KB


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
        params["minerals"] = json.dumps(sorted({plain_key(n) for n in names | {mineral}}))
        # The plain comparison first spares the JSON walk for the many events without minerals.
        where.append(
            "e.minerals != '[]' AND EXISTS (SELECT 1 FROM json_each(e.minerals) m "
            "WHERE nw_fold0(m.value) IN (SELECT value FROM json_each(:minerals)))"
        )
    if country is not None:
        where.append(_country_clause(db, country, params))
    if participant is not None:
        params["participant_ids"] = json.dumps(entity_ids(db, participant))
        params["participant_key"] = plain_key(participant)
        where.append(
            "EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND "
            "(p.entity_id IN (SELECT value FROM json_each(:participant_ids)) "
            "OR nw_fold0(p.name) = :participant_key))"
        )
    where += time_filters(EVENT_WHEN, since, until, params)
    where.append(ONLY_CANONICAL_COPY)
    rows = newest_events(db, where, params, limit)
    people = event_participants(db, [r["id"] for r in rows])
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
            also_in=int(r["also_in"]),
            story_event_id=r["story_event_id"],
            reports=reports.get(r["story_event_id"], 1),
        )
        for r in rows
    ]


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
    names = {plain_key(country)} | {plain_key(r["canonical_name"]) for r in found}
    names |= {plain_key(a) for r in found for a in r["aliases"]}
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


def event_participants(
    db: sqlite_utils.Database, event_ids: list[int]
) -> dict[int, list[Participant]]:
    """Event id → its participants, in the order the extractor listed them."""
    result: dict[int, list[Participant]] = {}
    if not event_ids:
        return result
    rows = db.query(
        "SELECT p.event_id, p.name, p.kind, p.entity_id, "
        "json_extract(en.attributes, '$.kb_id') AS kb_id FROM event_participants p "
        "LEFT JOIN entities en ON en.id = p.entity_id "
        "WHERE p.event_id IN (SELECT value FROM json_each(:ids)) ORDER BY p.rowid",
        {"ids": json.dumps(event_ids)},
    )
    for r in rows:
        result.setdefault(r["event_id"], []).append(
            Participant(r["name"], r["kind"], r["entity_id"], r["kb_id"])
        )
    return result
