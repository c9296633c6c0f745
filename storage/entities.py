"""Entity linking across the corpus: one row in `entities` per real-world thing.

Each extraction record of an article (an official, an organisation, a mineral,
a country) is a *sighting*, stored in `article_entities` and linked to an entity:

- officials are keyed by their normalised full name (`names.official_key`). A
  surname-only name ("Vaishnaw", "Minister Vaishnaw") links to the one official
  whose surname matches; with no such official, or several, it gets its own
  surname entity. Whenever the number of full-name officials with that surname
  changes, `_reconcile_surname` re-applies the rule to every surname-only
  sighting: a lone full name absorbs the surname entity, a second full name
  splits it out again. So the result does not depend on insertion order.
- organisations are linked by normalised names and acronyms (`entity_keys`):
  a sighting joins the entity sharing any of its keys, and merges entities it
  bridges ("USISPF" alone, then "US-India Strategic Partnership Forum (USISPF)").
  The canonical name is the fullest non-acronym name seen, and the key follows it.
- minerals and countries are keyed by their (already canonical) name.

An entity's fields are a fold over its sightings made only of commutative steps
(set union, sum, min, max, per-value latest time), applied incrementally on
insert and recomputed from the rows after a merge or split.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from storage.names import (
    display_rank,
    is_acronym,
    official_key,
    org_display_rank,
    org_key,
    plain_key,
    surname,
)

ATTRIBUTE_FIELDS = ("role", "country", "acronym", "kind", "kb_id", "kb_office")


@dataclass(frozen=True)
class Sighting:
    """One extraction record in one article, as entity linking sees it."""

    type: str  # official | organization | mineral | country
    name: str
    seen: str | None  # article published time, else fetched time
    extractor_version: str = ""
    attributes: Mapping[str, str | None] = field(default_factory=dict)

    @functools.cached_property
    def name_key(self) -> str:
        return entity_key(self.type, self.name)

    @property
    def acronym(self) -> str | None:
        value = self.attributes.get("acronym")
        return value or None


def entity_key(type_: str, name: str) -> str:
    # A name of punctuation only normalises to "": fall back to its folded text so
    # such names do not all collapse into one entity.
    if type_ == "official":
        return official_key(name) or plain_key(name)
    if type_ == "organization":
        return org_key(name) or plain_key(name)
    return plain_key(name)


@dataclass
class EntityState:
    """The derived fields of one entity; `add` is the fold step."""

    type: str
    key: str
    canonical_name: str
    aliases: set[str] = field(default_factory=set)
    history: dict[str, dict[str, str]] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None
    mention_count: int = 0

    def add(self, s: Sighting, surfaces: Iterable[str] = (), mentions: int = 0) -> None:
        seen = s.seen or ""
        self._note("name", s.name, seen)
        self._note("extractor_version", s.extractor_version, seen)
        for name, value in s.attributes.items():
            if value:
                self._note(name, value, seen)
        self.aliases.add(s.name)
        if s.acronym:
            self.aliases.add(s.acronym)
        self.aliases.update(t for t in surfaces if t.strip())
        self.mention_count += mentions
        if s.seen:
            self.first_seen = min(filter(None, (self.first_seen, s.seen)))
            self.last_seen = max(filter(None, (self.last_seen, s.seen)))
        self._choose_name()

    def _note(self, name: str, value: str, seen: str) -> None:
        values = self.history.setdefault(name, {})
        values[value] = max(values.get(value, ""), seen)

    def latest(self, name: str) -> str | None:
        """Latest non-null value by article time (ties: the larger value, for stability)."""
        values = self.history.get(name)
        if not values:
            return None
        return max(values.items(), key=lambda kv: (kv[1], kv[0]))[0]

    @property
    def attributes(self) -> dict[str, str]:
        return {n: v for n in ATTRIBUTE_FIELDS if (v := self.latest(n)) is not None}

    @property
    def extractor_version(self) -> str:
        return self.latest("extractor_version") or ""

    def _choose_name(self) -> None:
        names = list(self.history.get("name", {}))
        if self.type == "official":
            # The key never changes; show the best form of exactly that name.
            names = [n for n in names if entity_key(self.type, n) == self.key] or names
        elif self.type == "organization":
            acronyms = {plain_key(a) for a in self.history.get("acronym", {})}
            full = [n for n in names if plain_key(n) not in acronyms and not is_acronym(n)]
            names = full or names
        if not names:
            return
        if self.type == "organization":
            self.canonical_name = min(names, key=org_display_rank)
            self.key = entity_key(self.type, self.canonical_name)
        else:
            self.canonical_name = min(names, key=display_rank)


# --- reading and writing entity rows -------------------------------------------------


def _load(db: sqlite_utils.Database, entity_id: int) -> EntityState:
    row = db.execute(
        "SELECT type, key, canonical_name, aliases, history, first_seen, last_seen, "
        "mention_count FROM entities WHERE id = ?",
        [entity_id],
    ).fetchone()
    return EntityState(
        type=row[0],
        key=row[1],
        canonical_name=row[2],
        aliases=set(json.loads(row[3])),
        history=json.loads(row[4]),
        first_seen=row[5],
        last_seen=row[6],
        mention_count=row[7],
    )


def _save(db: sqlite_utils.Database, entity_id: int, st: EntityState) -> None:
    db.execute(
        "UPDATE entities SET key = ?, canonical_name = ?, aliases = ?, attributes = ?, "
        "history = ?, first_seen = ?, last_seen = ?, mention_count = ?, "
        "extractor_version = ? WHERE id = ?",
        [
            st.key,
            st.canonical_name,
            json.dumps(sorted(st.aliases), ensure_ascii=False),
            json.dumps(st.attributes, ensure_ascii=False, sort_keys=True),
            json.dumps(st.history, ensure_ascii=False, sort_keys=True),
            st.first_seen,
            st.last_seen,
            st.mention_count,
            st.extractor_version,
            entity_id,
        ],
    )


def _create(db: sqlite_utils.Database, s: Sighting) -> int:
    cur = db.execute(
        "INSERT INTO entities (type, key, canonical_name, extractor_version) VALUES (?, ?, ?, ?)",
        [s.type, s.name_key, s.name, s.extractor_version],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _by_key(db: sqlite_utils.Database, type_: str, key: str) -> int | None:
    row = db.execute("SELECT id FROM entities WHERE type = ? AND key = ?", [type_, key]).fetchone()
    return row[0] if row else None


def _add_keys(db: sqlite_utils.Database, entity_id: int, s: Sighting) -> None:
    keys: set[tuple[str, str]] = set()
    if s.type == "official":
        keys.add(("surname", surname(s.name_key)))
    elif s.type == "organization":
        keys.add(("name", s.name_key))
        if s.acronym:
            keys.add(("name", org_key(s.acronym)))
    for kind, value in keys:
        if value:
            db.execute(
                "INSERT OR IGNORE INTO entity_keys (entity_id, type, kind, value) "
                "VALUES (?, ?, ?, ?)",
                [entity_id, s.type, kind, value],
            )


def recompute(db: sqlite_utils.Database, entity_id: int) -> None:
    """Rebuild an entity's derived fields from its sightings and mentions."""
    row = db.execute("SELECT type, key FROM entities WHERE id = ?", [entity_id]).fetchone()
    st = EntityState(type=row[0], key=row[1], canonical_name=row[1])
    sightings = db.execute(
        "SELECT id, name, seen, extractor_version, attributes FROM article_entities "
        "WHERE entity_id = ?",
        [entity_id],
    ).fetchall()
    for ae_id, name, seen, version, attributes in sightings:
        texts = [
            r[0]
            for r in db.execute("SELECT text FROM mentions WHERE article_entity_id = ?", [ae_id])
        ]
        s = Sighting(st.type, name, seen, version, json.loads(attributes))
        st.add(s, texts, len(texts))
    _save(db, entity_id, st)


# --- linking ---------------------------------------------------------------------------


def link(db: sqlite_utils.Database, s: Sighting) -> int:
    """The entity `s` belongs to, creating it or merging entities it bridges."""
    if s.type == "official":
        return _link_official(db, s)
    if s.type == "organization":
        return _link_organization(db, s)
    return _by_key(db, s.type, s.name_key) or _create(db, s)


def apply(db: sqlite_utils.Database, entity_id: int, s: Sighting, surfaces: list[str]) -> list[str]:
    """Fold a stored sighting into its entity; returns surnames needing reconciliation.

    Call after the sighting's `article_entities` row and its mentions are written.
    """
    st = _load(db, entity_id)
    st.add(s, surfaces, len(surfaces))
    other = _by_key(db, st.type, st.key)
    if other is not None and other != entity_id:
        # An organisation's key follows its canonical name. Every name is also a
        # link key, so `link` has merged any entity holding it; stay safe anyway.
        _add_keys(db, entity_id, s)
        _merge(db, entity_id, [other])  # recomputes from rows, this sighting included
    else:
        _save(db, entity_id, st)
        _add_keys(db, entity_id, s)
    if s.type == "official" and " " in s.name_key:
        return [surname(s.name_key)]
    return []


def _link_official(db: sqlite_utils.Database, s: Sighting) -> int:
    key = s.name_key
    existing = _by_key(db, "official", key)
    if existing is not None:
        return existing
    if " " not in key:
        full = _full_name_officials(db, key)
        if len(full) == 1:
            return full[0]
    return _create(db, s)


def _full_name_officials(db: sqlite_utils.Database, last: str) -> list[int]:
    rows = db.execute(
        "SELECT e.id FROM entity_keys k JOIN entities e ON e.id = k.entity_id "
        "WHERE k.type = 'official' AND k.kind = 'surname' AND k.value = ? AND e.key != ? "
        "ORDER BY e.id",
        [last, last],
    )
    return [r[0] for r in rows]


def reconcile_surname(db: sqlite_utils.Database, last: str) -> None:
    """Point every surname-only official sighting `last` where the linking rule says."""
    full = _full_name_officials(db, last)
    rows = db.execute(
        "SELECT id, entity_id, article_id FROM article_entities "
        "WHERE type = 'official' AND name_key = ?",
        [last],
    ).fetchall()
    if not rows:
        return
    own = _by_key(db, "official", last)
    if len(full) == 1:
        target = full[0]
    else:
        target = own if own is not None else _create_surname_entity(db, last)
    moved = [r for r in rows if r[1] != target]
    if not moved:
        return
    touched = {target} | {r[1] for r in moved}
    for ae_id, old_entity, article_id in moved:
        db.execute("UPDATE article_entities SET entity_id = ? WHERE id = ?", [target, ae_id])
        db.execute("UPDATE mentions SET entity_id = ? WHERE article_entity_id = ?", [target, ae_id])
        db.execute(
            "UPDATE event_participants SET entity_id = ? WHERE entity_id = ? AND event_id IN "
            "(SELECT id FROM events WHERE article_id = ?)",
            [target, old_entity, article_id],
        )
    for entity_id in touched:
        recompute(db, entity_id)
    if own is not None and own != target:
        _delete_if_unused(db, own)
    db.execute(
        "INSERT OR IGNORE INTO entity_keys (entity_id, type, kind, value) "
        "VALUES (?, 'official', 'surname', ?)",
        [target, last],
    )


def _create_surname_entity(db: sqlite_utils.Database, last: str) -> int:
    cur = db.execute(
        "INSERT INTO entities (type, key, canonical_name) VALUES ('official', ?, ?)", [last, last]
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def _link_organization(db: sqlite_utils.Database, s: Sighting) -> int:
    keys = {s.name_key}
    if s.acronym:
        keys.add(org_key(s.acronym))
    marks = ", ".join("?" * len(keys))
    found = sorted(
        r[0]
        for r in db.execute(
            "SELECT DISTINCT entity_id FROM entity_keys WHERE type = 'organization' "
            f"AND kind = 'name' AND value IN ({marks})",
            sorted(keys),
        )
    )
    by_key = _by_key(db, "organization", s.name_key)
    if by_key is not None and by_key not in found:
        found.append(by_key)
    if not found:
        return _create(db, s)
    keep, *others = sorted(found)
    if others:
        _merge(db, keep, others)
    return keep


def _merge(db: sqlite_utils.Database, keep: int, others: list[int]) -> None:
    for other in others:
        for table in ("article_entities", "mentions", "event_participants"):
            db.execute(f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?", [keep, other])
        db.execute(
            "INSERT OR IGNORE INTO entity_keys (entity_id, type, kind, value) "
            "SELECT ?, type, kind, value FROM entity_keys WHERE entity_id = ?",
            [keep, other],
        )
        db.execute("DELETE FROM entities WHERE id = ?", [other])
    recompute(db, keep)


def _delete_if_unused(db: sqlite_utils.Database, entity_id: int) -> None:
    used = db.execute(
        "SELECT 1 FROM article_entities WHERE entity_id = ? LIMIT 1", [entity_id]
    ).fetchone()
    if not used:
        db.execute("DELETE FROM entities WHERE id = ?", [entity_id])


# --- search ----------------------------------------------------------------------------


def find_entity(
    db: sqlite_utils.Database, name_or_alias: str, type: str | None = None
) -> list[dict[str, Any]]:
    """Entities whose canonical name or any alias equals `name_or_alias` (case-insensitive).

    Matching uses `names.plain_key` (case, accents, dashes), most-mentioned first.
    """
    db.register_function(plain_key, deterministic=True, replace=True, name="nw_fold")
    sql = (
        "SELECT DISTINCT e.* FROM entities e "
        "WHERE (nw_fold(e.canonical_name) = :q OR EXISTS (SELECT 1 FROM json_each(e.aliases) a "
        "WHERE nw_fold(a.value) = :q))"
    )
    params: dict[str, Any] = {"q": plain_key(name_or_alias)}
    if type is not None:
        sql += " AND e.type = :type"
        params["type"] = type
    sql += " ORDER BY e.mention_count DESC, e.id"
    rows = [dict(r) for r in db.query(sql, params)]
    for row in rows:
        for col in ("aliases", "attributes", "history"):
            row[col] = json.loads(row[col])
    return rows
