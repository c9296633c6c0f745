"""A watch's terms resolved against one database: entity ids, mineral names, FTS5 tests.

Minerals and countries arrive canonical (pipeline/core/watchlist.py). A watched
mineral group also covers its members: "rare earth elements" follows neodymium.
Entities are resolved here, by canonical name or any alias an extraction has
seen ("USISPF" finds the US-India Strategic Partnership Forum); an entity not
seen yet simply matches nothing until it is.

Keywords are FTS5 queries. Articles are tested with the articles' own index;
a single sentence (an event's evidence) is tested with a throwaway in-memory
FTS5 table using the same tokenizer, so "export ban" means the same thing in
both places.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

import sqlite_utils

from extractors.gazetteer import load_minerals
from pipeline.core.watchlist import WatchConfig

TOKENIZER = "porter unicode61"  # the articles_fts tokenizer (storage/migrations.py)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class ResolvedWatch:
    """One watch with its terms as the database knows them."""

    watch: WatchConfig
    minerals: dict[str, str]  # canonical mineral (members of a group too) -> watched name
    countries: frozenset[str]
    entity_ids: dict[int, str]  # entity id -> the watched name that found it
    entity_names: dict[str, str] = field(default_factory=dict)  # folded alias -> watched name

    @property
    def name(self) -> str:
        return self.watch.name

    def unresolved_entities(self) -> list[str]:
        found = set(self.entity_ids.values())
        return [e for e in self.watch.entities if e not in found]


def resolve(db: sqlite_utils.Database, watch: WatchConfig) -> ResolvedWatch:
    minerals = {m: m for m in watch.minerals}
    for entry in load_minerals():
        if entry.group in minerals:
            minerals.setdefault(entry.canonical, entry.group)
    entity_ids: dict[int, str] = {}
    entity_names: dict[str, str] = {}
    for wanted in watch.entities:
        entity_names[wanted.casefold()] = wanted
        rows = db.execute(
            "SELECT e.id, e.aliases FROM entities e WHERE e.type IN "
            "('official', 'organization', 'person') AND (e.canonical_name = :n COLLATE NOCASE "
            "OR EXISTS (SELECT 1 FROM json_each(e.aliases) x WHERE x.value = :n COLLATE NOCASE))",
            {"n": wanted},
        ).fetchall()
        for entity_id, aliases in rows:
            entity_ids.setdefault(int(entity_id), wanted)
            for alias in json.loads(aliases or "[]"):
                entity_names.setdefault(str(alias).casefold(), wanted)
    return ResolvedWatch(
        watch=watch,
        minerals=minerals,
        countries=frozenset(watch.countries),
        entity_ids=entity_ids,
        entity_names=entity_names,
    )


def articles_matching(db: sqlite_utils.Database, query: str, article_ids: list[int]) -> set[int]:
    """Which of `article_ids` the FTS5 `query` finds in their title or text."""
    if not article_ids:
        return set()
    rows = db.execute(
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
        "AND rowid IN (SELECT value FROM json_each(?))",
        [query, json.dumps(article_ids)],
    ).fetchall()
    return {int(r[0]) for r in rows}


class SentenceMatcher:
    """FTS5 queries over a handful of sentences, in a private in-memory database."""

    def __init__(self) -> None:
        self._conn = sqlite3.connect(":memory:")
        self._conn.execute(f"CREATE VIRTUAL TABLE s USING fts5(text, tokenize='{TOKENIZER}')")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> SentenceMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def first_match(self, query: str, sentences: list[str]) -> int | None:
        """The index of the first sentence the query matches, or None."""
        if not sentences:
            return None
        with self._conn:
            self._conn.execute("DELETE FROM s")
            self._conn.executemany(
                "INSERT INTO s (rowid, text) VALUES (?, ?)",
                [(i + 1, text) for i, text in enumerate(sentences)],
            )
            row = self._conn.execute("SELECT min(rowid) FROM s WHERE s MATCH ?", [query]).fetchone()
        return int(row[0]) - 1 if row and row[0] is not None else None


def sentences(text: str) -> list[str]:
    """A plain split of article text into sentences, for quoting a keyword hit."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
