"""Which stored events and mentions a watch selects: the hits that become alerts.

A hit is one of
- an **event** (one row of `events`, standing for its merged story event) of a
  type the watch allows, that involves a watched term: a watched mineral among
  its minerals, a watched country or entity among its participants, or a
  keyword query matching its evidence sentence;
- a **mention**: a story that names a watched entity or mineral, or matches a
  keyword query, with a term no event hit of the same story already carries.
  Countries alone never make a mention hit: nearly every story names one.

Syndicated copies are one story (`articles.cluster_id`): their events merge into
one story event (storage/event_merge.py), so each gives one key, and a story
gives at most one mention hit. Keys are what the alert ledger makes unique.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils

from pipeline.watch.terms import ResolvedWatch, SentenceMatcher, articles_matching, sentences


@dataclass(frozen=True)
class Participant:
    name: str
    kind: str | None
    entity_id: int | None
    canonical: str | None  # the linked entity's name


@dataclass(frozen=True)
class Hit:
    kind: str  # "event" | "mention"
    key: str  # "event:<story event id>" (or "event-row:<id>") | "story:<story id>"
    story_id: int  # the cluster id, or the article's own id when it has no cluster
    article_id: int
    event_id: int | None  # the event this hit is (event hits) or quotes (mention hits)
    terms: tuple[str, ...]  # "mineral:lithium", "country:India", "entity:USISPF", "keyword:..."
    evidence: str

    @property
    def evidence_key(self) -> str:
        folded = " ".join(self.evidence.casefold().split())
        return hashlib.sha1(folded.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class _Event:
    id: int
    article_id: int
    type: str
    minerals: list[str]
    evidence: str
    story_event_id: int | None
    participants: list[Participant]


def match_articles(
    db: sqlite_utils.Database, watch: ResolvedWatch, article_ids: list[int]
) -> list[Hit]:
    """The hits of `watch` among the given articles, event hits first, in article order."""
    if not article_ids:
        return []
    stories = _stories(db, article_ids)
    events = _events(db, article_ids)
    hits: list[Hit] = []
    keys: set[str] = set()
    covered: dict[int, set[str]] = defaultdict(set)
    with SentenceMatcher() as matcher:
        for event in events:
            if watch.watch.event_types and event.type not in watch.watch.event_types:
                continue
            terms = _event_terms(watch, event, matcher)
            if not terms:
                continue
            key = (
                f"event:{event.story_event_id}"
                if event.story_event_id is not None
                else f"event-row:{event.id}"
            )
            if key in keys:
                continue  # a copy of a story event already hit in this batch
            keys.add(key)
            story = stories[event.article_id]
            covered[story].update(terms)
            hits.append(
                Hit("event", key, story, event.article_id, event.id, tuple(terms), event.evidence)
            )
        hits += _mention_hits(db, watch, article_ids, stories, events, covered, matcher)
    return hits


def _stories(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, int]:
    rows = db.execute(
        "SELECT id, coalesce(cluster_id, id) FROM articles "
        "WHERE id IN (SELECT value FROM json_each(?))",
        [json.dumps(article_ids)],
    ).fetchall()
    return {int(a): int(s) for a, s in rows}


def _events(db: sqlite_utils.Database, article_ids: list[int]) -> list[_Event]:
    rows = db.execute(
        "SELECT e.id, e.article_id, e.type, e.minerals, e.evidence, sem.story_event_id "
        "FROM events e LEFT JOIN story_event_mentions sem ON sem.event_id = e.id "
        "WHERE e.article_id IN (SELECT value FROM json_each(?)) ORDER BY e.article_id, e.id",
        [json.dumps(article_ids)],
    ).fetchall()
    participants = participants_of(db, [int(r[0]) for r in rows])
    return [
        _Event(
            id=int(id_),
            article_id=int(article_id),
            type=type_,
            minerals=json.loads(minerals or "[]"),
            evidence=evidence,
            story_event_id=story_event_id,
            participants=participants.get(int(id_), []),
        )
        for id_, article_id, type_, minerals, evidence, story_event_id in rows
    ]


def participants_of(
    db: sqlite_utils.Database, event_ids: list[int]
) -> dict[int, list[Participant]]:
    found: dict[int, list[Participant]] = defaultdict(list)
    for event_id, name, kind, entity_id, canonical in db.execute(
        "SELECT p.event_id, p.name, p.kind, p.entity_id, en.canonical_name "
        "FROM event_participants p LEFT JOIN entities en ON en.id = p.entity_id "
        "WHERE p.event_id IN (SELECT value FROM json_each(?)) ORDER BY p.rowid",
        [json.dumps(event_ids)],
    ):
        found[int(event_id)].append(Participant(name, kind, entity_id, canonical))
    return found


def _event_terms(watch: ResolvedWatch, event: _Event, matcher: SentenceMatcher) -> list[str]:
    terms: list[str] = []
    for mineral in event.minerals:
        if mineral in watch.minerals:
            _add(terms, f"mineral:{watch.minerals[mineral]}")
    for p in event.participants:
        name = p.canonical or p.name
        if p.kind == "country" and name in watch.countries:
            _add(terms, f"country:{name}")
        elif p.entity_id is not None and p.entity_id in watch.entity_ids:
            _add(terms, f"entity:{watch.entity_ids[p.entity_id]}")
        elif p.name.casefold() in watch.entity_names:
            _add(terms, f"entity:{watch.entity_names[p.name.casefold()]}")
    for query in watch.watch.keywords:
        if matcher.first_match(query, [event.evidence]) is not None:
            _add(terms, f"keyword:{query}")
    return terms


def _add(terms: list[str], term: str) -> None:
    if term not in terms:
        terms.append(term)


@dataclass(frozen=True)
class _Said:
    """Where an article names a watched term: the sentence, and the event quoting it."""

    term: str
    sentence: str
    start: int
    event_id: int | None


def _mention_hits(
    db: sqlite_utils.Database,
    watch: ResolvedWatch,
    article_ids: list[int],
    stories: dict[int, int],
    events: list[_Event],
    covered: dict[int, set[str]],
    matcher: SentenceMatcher,
) -> list[Hit]:
    said = _named(db, watch, article_ids, events)
    for article_id, found in _keyword_sentences(db, watch, article_ids, matcher).items():
        said[article_id].extend(found)
    hits: list[Hit] = []
    done: set[int] = set()
    for article_id in sorted(said):
        story = stories.get(article_id, article_id)
        if story in done:
            continue  # one mention hit per story: its first article in the batch speaks for it
        new = [s for s in said[article_id] if s.term not in covered[story]]
        if not new:
            continue
        done.add(story)
        terms = tuple(dict.fromkeys(s.term for s in new))
        best = min(new, key=_preference)
        hits.append(
            Hit("mention", f"story:{story}", story, article_id, best.event_id, terms, best.sentence)
        )
    return hits


def _preference(s: _Said) -> tuple[int, int, int]:
    # A named entity says most about why the story matters, then a keyword, then a
    # mineral; a sentence an event was read from beats the headline.
    kind = s.term.split(":", 1)[0]
    rank = {"entity": 0, "keyword": 1, "mineral": 2}.get(kind, 3)
    return (rank, 0 if s.event_id is not None else 1, s.start)


def _named(
    db: sqlite_utils.Database, watch: ResolvedWatch, article_ids: list[int], events: list[_Event]
) -> dict[int, list[_Said]]:
    """Mentions of watched entities and minerals, with the event each sentence is evidence of."""
    said: dict[int, list[_Said]] = defaultdict(list)
    mineral_ids = {
        int(i): watch.minerals[name]
        for i, name in db.execute(
            "SELECT id, canonical_name FROM entities WHERE type = 'mineral' "
            "AND canonical_name IN (SELECT value FROM json_each(?))",
            [json.dumps(list(watch.minerals))],
        )
    }
    wanted = {i: f"entity:{n}" for i, n in watch.entity_ids.items()}
    wanted.update({i: f"mineral:{n}" for i, n in mineral_ids.items()})
    if not wanted:
        return said
    evidence = {(e.article_id, _squeezed(e.evidence)): e for e in events}
    for article_id, entity_id, sentence, start in db.execute(
        "SELECT m.article_id, m.entity_id, coalesce(m.sentence, m.text), m.start FROM mentions m "
        "WHERE m.article_id IN (SELECT value FROM json_each(?)) "
        "AND m.entity_id IN (SELECT value FROM json_each(?)) ORDER BY m.article_id, m.start",
        [json.dumps(article_ids), json.dumps(list(wanted))],
    ):
        event = evidence.get((int(article_id), _squeezed(sentence)))
        quoted = None
        if event is not None and (
            wanted[int(entity_id)].startswith("mineral:")
            or any(p.entity_id == entity_id for p in event.participants)
        ):
            quoted = event.id
        said[int(article_id)].append(
            _Said(wanted[int(entity_id)], sentence.strip(), int(start), quoted)
        )
    return said


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def _keyword_sentences(
    db: sqlite_utils.Database,
    watch: ResolvedWatch,
    article_ids: list[int],
    matcher: SentenceMatcher,
) -> dict[int, list[_Said]]:
    found: dict[int, list[_Said]] = defaultdict(list)
    for query in watch.watch.keywords:
        for article_id in sorted(articles_matching(db, query, article_ids)):
            row = db.execute(
                "SELECT coalesce(title, ''), text FROM articles WHERE id = ?", [article_id]
            ).fetchone()
            parts = sentences(row[1] or "")
            index = matcher.first_match(query, parts)
            sentence = parts[index] if index is not None else row[0]
            found[article_id].append(_Said(f"keyword:{query}", sentence, index or 0, None))
    return found
