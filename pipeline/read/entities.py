"""What an entity page and an event page show, read from the database.

- an official: roles with the last time each was seen, country, KB id when the
  entity is linked to the knowledge base, aliases, latest events, mentions over time;
- an organisation: kind, acronym, aliases, events, mentions over time;
- a mineral (or a country): mentions over time, events by type, countries involved;
- an event: its evidence, participants, and every outlet that reported it (the
  reports merged into its story event, and each report's syndicated copies).

Events an entity "has" are those it takes part in; a mineral's are those about it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from pipeline.read.search import HIGHLIGHT, search

PAGE_EVENTS = 50
_TIME = "coalesce(a.published, a.fetched_at)"


@dataclass(frozen=True)
class EventRow:
    id: int
    type: str
    name: str | None
    date: str | None  # the event's own date, else the article's day
    evidence: str
    article_id: int
    title: str | None
    url: str
    source: str


@dataclass(frozen=True)
class EntityPage:
    id: int
    type: str
    name: str
    aliases: list[str]
    attributes: dict[str, Any]
    roles: list[tuple[str, str]]  # (role, last seen), latest first
    first_seen: str | None
    last_seen: str | None
    mention_count: int
    events: list[EventRow]
    events_by_type: list[tuple[str, int]]
    timeline: list[tuple[str, int]]  # (day, mentions), oldest first
    countries: list[tuple[str, int]] = field(default_factory=list)  # minerals: who takes part
    # Minerals and countries: other events of the stories that name them.
    context_events: list[EventRow] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    event_id: int
    evidence: str
    article_id: int
    title: str | None
    url: str
    source: str
    published: str | None
    outlets: list[str]  # every outlet carrying this report's story


@dataclass(frozen=True)
class EventPage:
    id: int
    type: str
    name: str | None
    date: str | None
    location: str | None
    minerals: list[str]
    evidence: str
    participants: list[tuple[str, str | None, int | None]]  # (name, kind, entity id)
    reports: list[Report]

    @property
    def outlets(self) -> list[str]:
        return sorted({o for r in self.reports for o in r.outlets})


@dataclass(frozen=True)
class SearchResult:
    article_id: int
    title: str | None
    url: str
    source: str
    published: str | None
    snippet: str
    entities: list[tuple[int, str, str]]  # (id, type, name) the article names


def find_entity(db: sqlite_utils.Database, name: str, type_: str | None = None) -> int | None:
    """The id of the entity called `name` (canonical or any alias), most mentioned first."""
    row = db.execute(
        "SELECT e.id FROM entities e WHERE (:t IS NULL OR e.type = :t) AND "
        "(e.canonical_name = :n COLLATE NOCASE OR EXISTS (SELECT 1 FROM json_each(e.aliases) x "
        "WHERE x.value = :n COLLATE NOCASE)) ORDER BY e.mention_count DESC, e.id LIMIT 1",
        {"n": name, "t": type_},
    ).fetchone()
    return int(row[0]) if row else None


def entity_page(db: sqlite_utils.Database, entity_id: int) -> EntityPage | None:
    row = db.execute(
        "SELECT id, type, canonical_name, aliases, attributes, history, first_seen, last_seen, "
        "mention_count FROM entities WHERE id = ?",
        [entity_id],
    ).fetchone()
    if row is None:
        return None
    id_, type_, name, aliases, attributes, history, first_seen, last_seen, count = row
    events = _mineral_events(db, name) if type_ == "mineral" else _participant_events(db, entity_id)
    context: list[EventRow] = []
    if type_ in ("mineral", "country"):
        known = {e.id for e in events}
        context = [e for e in _events_naming(db, entity_id) if e.id not in known]
    roles = sorted(
        json.loads(history or "{}").get("role", {}).items(), key=lambda kv: kv[1], reverse=True
    )
    return EntityPage(
        id=int(id_),
        type=type_,
        name=name,
        aliases=sorted(set(json.loads(aliases or "[]")) - {name}),
        attributes=json.loads(attributes or "{}"),
        roles=roles,
        first_seen=first_seen,
        last_seen=last_seen,
        mention_count=int(count),
        events=events[:PAGE_EVENTS],
        events_by_type=Counter(e.type for e in events + context).most_common(),
        timeline=mention_timeline(db, entity_id),
        countries=(
            _countries_in(db, [e.id for e in events + context]) if type_ == "mineral" else []
        ),
        context_events=context[:PAGE_EVENTS],
    )


_EVENT_SELECT = (
    "SELECT ev.id, ev.type, ev.name, coalesce(ev.date, substr(" + _TIME + ", 1, 10)), "
    "ev.evidence, a.id, a.title, a.url, a.source FROM events ev "
    "JOIN articles a ON a.id = ev.article_id "
)


def _participant_events(db: sqlite_utils.Database, entity_id: int) -> list[EventRow]:
    rows = db.execute(
        _EVENT_SELECT + "WHERE ev.id IN (SELECT event_id FROM event_participants "
        "WHERE entity_id = ?) ORDER BY 4 DESC, ev.id DESC LIMIT 500",
        [entity_id],
    ).fetchall()
    return [EventRow(*r) for r in rows]


def _mineral_events(db: sqlite_utils.Database, mineral: str) -> list[EventRow]:
    rows = db.execute(
        _EVENT_SELECT + "WHERE EXISTS (SELECT 1 FROM json_each(ev.minerals) m WHERE m.value = ?) "
        "ORDER BY 4 DESC, ev.id DESC LIMIT 500",
        [mineral],
    ).fetchall()
    return [EventRow(*r) for r in rows]


def _events_naming(db: sqlite_utils.Database, entity_id: int) -> list[EventRow]:
    rows = db.execute(
        _EVENT_SELECT + "WHERE ev.article_id IN (SELECT article_id FROM article_entities "
        "WHERE entity_id = ?) ORDER BY 4 DESC, ev.id DESC LIMIT 500",
        [entity_id],
    ).fetchall()
    return [EventRow(*r) for r in rows]


def _countries_in(db: sqlite_utils.Database, event_ids: list[int]) -> list[tuple[str, int]]:
    rows = db.execute(
        "SELECT coalesce(e.canonical_name, p.name), count(DISTINCT p.event_id) "
        "FROM event_participants p LEFT JOIN entities e ON e.id = p.entity_id "
        "WHERE p.kind = 'country' AND p.event_id IN (SELECT value FROM json_each(?)) "
        "GROUP BY 1 ORDER BY 2 DESC, 1",
        [json.dumps(event_ids)],
    ).fetchall()
    return [(str(n), int(c)) for n, c in rows]


def mention_timeline(db: sqlite_utils.Database, entity_id: int) -> list[tuple[str, int]]:
    """Mentions per day of the article's time, oldest first."""
    rows = db.execute(
        f"SELECT substr({_TIME}, 1, 10) AS day, count(*) FROM mentions m "
        "JOIN articles a ON a.id = m.article_id WHERE m.entity_id = ? GROUP BY day ORDER BY day",
        [entity_id],
    ).fetchall()
    return [(str(d), int(c)) for d, c in rows if d]


def event_page(db: sqlite_utils.Database, event_id: int) -> EventPage | None:
    row = db.execute(
        "SELECT ev.id, ev.type, ev.name, coalesce(ev.date, substr(" + _TIME + ", 1, 10)), "
        "ev.location, ev.minerals, ev.evidence FROM events ev "
        "JOIN articles a ON a.id = ev.article_id WHERE ev.id = ?",
        [event_id],
    ).fetchone()
    if row is None:
        return None
    participants = [
        (str(n), k, int(e) if e is not None else None)
        for n, k, e in db.execute(
            "SELECT coalesce(en.canonical_name, p.name), p.kind, p.entity_id "
            "FROM event_participants p LEFT JOIN entities en ON en.id = p.entity_id "
            "WHERE p.event_id = ? ORDER BY p.rowid",
            [event_id],
        )
    ]
    return EventPage(
        id=int(row[0]),
        type=row[1],
        name=row[2],
        date=row[3],
        location=row[4],
        minerals=json.loads(row[5] or "[]"),
        evidence=row[6],
        participants=participants,
        reports=_reports(db, event_id),
    )


def _reports(db: sqlite_utils.Database, event_id: int) -> list[Report]:
    """Every report merged into the event's story event (or the event alone)."""
    rows = db.execute(
        "SELECT ev.id, ev.evidence, a.id, a.title, a.url, a.source, " + _TIME + ", "
        "(SELECT c.outlets FROM story_clusters c WHERE c.id = a.cluster_id) "
        "FROM events ev JOIN articles a ON a.id = ev.article_id WHERE ev.id IN ("
        "SELECT sem.event_id FROM story_event_mentions sem WHERE sem.story_event_id = "
        "(SELECT story_event_id FROM story_event_mentions WHERE event_id = :id) "
        "UNION SELECT :id) ORDER BY 7, ev.id",
        {"id": event_id},
    ).fetchall()
    return [
        Report(
            event_id=int(r[0]),
            evidence=r[1],
            article_id=int(r[2]),
            title=r[3],
            url=r[4],
            source=r[5],
            published=r[6],
            outlets=sorted(set(json.loads(r[7]) if r[7] else []) | {r[5]}),
        )
        for r in rows
    ]


def search_with_entities(
    db: sqlite_utils.Database, query: str, limit: int = 20
) -> list[SearchResult]:
    """`newswatch search` results, each with the officials, organisations, minerals and
    countries its article names (what the page links to)."""
    hits = search(db, query, limit=limit)
    ids = [h.article_id for h in hits]
    named: dict[int, list[tuple[int, str, str]]] = {}
    for article_id, entity_id, type_, name in db.execute(
        "SELECT DISTINCT ae.article_id, e.id, e.type, e.canonical_name FROM article_entities ae "
        "JOIN entities e ON e.id = ae.entity_id WHERE ae.article_id IN "
        "(SELECT value FROM json_each(?)) AND e.type IN ('official', 'organization', "
        "'mineral', 'country') ORDER BY e.type DESC, e.mention_count DESC, e.canonical_name",
        [json.dumps(ids)],
    ):
        named.setdefault(int(article_id), []).append((int(entity_id), type_, name))
    return [
        SearchResult(
            article_id=h.article_id,
            title=h.title,
            url=h.url,
            source=h.source,
            published=h.published,
            snippet=h.snippet,
            entities=named.get(h.article_id, []),
        )
        for h in hits
    ]


__all__ = ["HIGHLIGHT", "EntityPage", "EventPage", "entity_page", "event_page", "find_entity"]
