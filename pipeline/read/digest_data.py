"""What the daily digest reads: the articles of a time window and what they carry.

pipeline/digest/build.py decides what changed (which articles fall in the window,
one copy per story, scores, trends); the SQL it needs lives here with the rest of
the read side. Every function takes the article ids of the window as a list and
passes them as one JSON parameter to `IN (SELECT value FROM json_each(?))`: no
limit on the number of ids and no temp table (the connection is read-only).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.stories.clusters import also_in_sql


@dataclass(frozen=True)
class StoredArticle:
    """An article with its stored times, before the digest reads them in its zone."""

    id: int
    title: str | None
    url: str
    source: str
    published: str | None
    fetched_at: str | None
    cluster_id: int | None
    also_in: int  # other outlets that carried its story


@dataclass(frozen=True)
class StoredEvent:
    id: int
    article_id: int
    type: str
    name: str | None
    date: str | None
    location: str | None
    minerals: list[str]
    evidence: str


@dataclass(frozen=True)
class FirstSeenEntity:
    id: int
    name: str
    first_seen: str
    attributes: dict[str, str]


def articles_dated_between(db: sqlite_utils.Database, lo: str, hi: str) -> list[StoredArticle]:
    """Articles published between the ISO texts `lo` and `hi`, or fetched between them
    when their published value is missing or not ISO (the digest's coarse prefilter)."""
    rows = db.execute(
        "SELECT a.id, title, url, source, published, fetched_at, cluster_id, "
        f"{also_in_sql('a')} FROM articles a "
        "WHERE published BETWEEN :lo AND :hi OR ((published IS NULL OR published NOT GLOB "
        "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*') AND fetched_at BETWEEN :lo AND :hi)",
        {"lo": lo, "hi": hi},
    ).fetchall()
    return [StoredArticle(*row) for row in rows]


def events_of(db: sqlite_utils.Database, article_ids: list[int]) -> list[StoredEvent]:
    """The articles' events, by article then event id."""
    rows = db.execute(
        "SELECT id, article_id, type, name, date, location, minerals, evidence FROM events "
        "WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, id",
        [json.dumps(article_ids)],
    ).fetchall()
    return [
        StoredEvent(id_, article_id, type_, name, date_, location, json.loads(minerals), evidence)
        for id_, article_id, type_, name, date_, location, minerals, evidence in rows
    ]


def event_counts(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, int]:
    """Article id → how many events it reports (articles without any left out)."""
    rows = db.execute(
        "SELECT article_id, count(*) FROM events "
        "WHERE article_id IN (SELECT value FROM json_each(?)) GROUP BY 1",
        [json.dumps(article_ids)],
    ).fetchall()
    return {int(article_id): int(n) for article_id, n in rows}


def entities_first_seen_between(
    db: sqlite_utils.Database, type_: str, lo: str, hi: str
) -> list[FirstSeenEntity]:
    """Entities of `type_` first seen between the ISO texts `lo` and `hi`, oldest first."""
    rows = db.execute(
        "SELECT id, canonical_name, first_seen, attributes FROM entities "
        "WHERE type = ? AND first_seen BETWEEN ? AND ? ORDER BY first_seen, id",
        [type_, lo, hi],
    ).fetchall()
    return [
        FirstSeenEntity(id_, name, first_seen, json.loads(attributes))
        for id_, name, first_seen, attributes in rows
    ]


def first_article_naming(
    db: sqlite_utils.Database, entity_id: int, article_ids: list[int]
) -> int | None:
    """Of `article_ids`, the one that named the entity first."""
    row = db.execute(
        "SELECT article_id FROM article_entities WHERE entity_id = ? "
        "AND article_id IN (SELECT value FROM json_each(?)) ORDER BY seen, article_id LIMIT 1",
        [entity_id, json.dumps(article_ids)],
    ).fetchone()
    return int(row[0]) if row else None


def mineral_mentions(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, Counter[str]]:
    """Article id → mentions per mineral (its canonical name)."""
    counts: dict[int, Counter[str]] = {}
    for article_id, mineral, n in db.execute(
        "SELECT m.article_id, e.canonical_name, count(*) FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id WHERE e.type = 'mineral' "
        "AND m.article_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2",
        [json.dumps(article_ids)],
    ):
        counts.setdefault(article_id, Counter())[mineral] += n
    return counts


def names_by_article(
    db: sqlite_utils.Database, article_ids: list[int], types: tuple[str, ...]
) -> dict[tuple[int, str], list[str]]:
    """(article id, entity type) → the distinct canonical names it links, sorted."""
    named: dict[tuple[int, str], list[str]] = {}
    params: list[Any] = [json.dumps(list(types)), json.dumps(article_ids)]
    for article_id, type_, name in db.execute(
        "SELECT DISTINCT ae.article_id, ae.type, e.canonical_name FROM article_entities ae "
        "JOIN entities e ON e.id = ae.entity_id "
        "WHERE ae.type IN (SELECT value FROM json_each(?)) "
        "AND ae.article_id IN (SELECT value FROM json_each(?)) ORDER BY 3",
        params,
    ):
        named.setdefault((article_id, type_), []).append(name)
    return named
