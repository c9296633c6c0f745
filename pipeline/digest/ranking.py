"""A digest for one desk (`newswatch digest --watch NAME`): what matches its watch, ranked.

The window's stories are matched with the alerts' rules (pipeline/watch/matching.py),
syndicated copies collapsed into one item. Each matching story gets a salience:

    salience = 2 * log2(1 + outlets)      outlets reporting the story (copies collapsed)
             + min(officials, 5)           officials taking part in or named by it
             + 2 * distinct watch terms    what it matched (+1 when an event matched)
             + 2 * recency                 1 at the window's end, 0 at 14 days before

so a story three outlets carried with two ministers and two watched minerals
outranks a one-line mention. Stories that match nothing are left out and
summarised in one line. Evidence sentences that are page furniture (a follow-us
or newsletter line, or a line the outlet printed on other stories too) are never
quoted and never make a story match.

Then the officials and organisations first seen in the window that are worth a
look: those in a matching story or taking part in an event (not every span the
organisation finder kept), and the mentions of the watched minerals and
entities per day over the 14 days before the window's end (the chart).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import sqlite_utils

from pipeline.core.watchlist import WatchConfig
from pipeline.digest.build import parse_timestamp
from pipeline.read.digest_data import articles_dated_between, entities_first_seen_between
from pipeline.watch.matching import Hit, match_articles
from pipeline.watch.terms import ResolvedWatch, resolve

CHART_DAYS = 14
MAX_ITEMS = 50
MAX_FIRST_SEEN = 20
# Calls to action and site chrome: never evidence of anything.
FURNITURE = re.compile(
    r"\b((follow|like|find|visit|join) us|subscribe (to|now)|our newsletter|sign up (for|to|now)|"
    r"click here|read more|also read|download (our|the) app|all rights reserved|"
    r"advertisement|share this (article|story)|accept (all )?cookies|"
    r"(on|via) (facebook|twitter|instagram|linkedin|youtube|whatsapp|telegram)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RankedItem:
    story_id: int
    article_id: int
    title: str | None
    url: str
    source: str
    published: str
    outlets: list[str]
    officials: list[str]
    matched: list[str]
    kinds: list[str]  # "event" and/or "mention"
    evidence: str
    events: list[dict[str, Any]]  # the matching events: type, name, date, evidence
    salience: float
    parts: dict[str, float]


@dataclass(frozen=True)
class WorthALook:
    id: int
    type: str
    name: str
    attributes: dict[str, str]
    why: str


@dataclass(frozen=True)
class WatchDigest:
    watch: str
    label: str
    start: str
    end: str
    generated_at: str
    story_count: int  # stories in the window, copies collapsed
    items: list[RankedItem] = field(default_factory=list)
    out_of_scope: int = 0
    out_of_scope_line: str = ""
    first_seen: list[WorthALook] = field(default_factory=list)
    chart_days: list[str] = field(default_factory=list)
    chart_series: dict[str, list[int]] = field(default_factory=dict)  # term -> per day
    unresolved: list[str] = field(default_factory=list)  # watched entities never seen

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_furniture(sentence: str, repeated: set[str]) -> bool:
    return bool(FURNITURE.search(sentence)) or _folded(sentence) in repeated


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def build_watch_digest(
    db: sqlite_utils.Database,
    watch: WatchConfig,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    *,
    label: str,
    now: datetime,
) -> WatchDigest:
    articles = _articles_in(db, start, end, tz)
    resolved = resolve(db, watch)
    ids = list(articles)
    repeated = _repeated_lines(db, ids)
    hits = [h for h in match_articles(db, resolved, ids) if not is_furniture(h.evidence, repeated)]
    stories: dict[int, list[Hit]] = defaultdict(list)
    for hit in hits:
        stories[hit.story_id].append(hit)
    story_of = _story_ids(db, ids)
    all_stories = set(story_of.values())
    items = [_item(db, story_hits, articles, end) for story_hits in stories.values() if story_hits]
    items.sort(key=lambda i: (-i.salience, i.published, i.article_id))
    left_out = sorted(all_stories - set(stories))
    return WatchDigest(
        watch=watch.name,
        label=label,
        start=start.isoformat(timespec="seconds"),
        end=end.isoformat(timespec="seconds"),
        generated_at=now.isoformat(timespec="seconds"),
        story_count=len(all_stories),
        items=items[:MAX_ITEMS],
        out_of_scope=len(left_out),
        out_of_scope_line=_summary_line(db, left_out, story_of),
        first_seen=_worth_a_look(db, start, end, tz, ids, items),
        chart_days=_chart_days(end),
        chart_series=_chart_series(db, resolved, _chart_days(end)),
        unresolved=resolved.unresolved_entities(),
    )


def _articles_in(
    db: sqlite_utils.Database, start: datetime, end: datetime, tz: tzinfo
) -> dict[int, tuple[Any, datetime]]:
    lo = (start - timedelta(days=1)).date().isoformat()
    hi = (end + timedelta(days=2)).date().isoformat()
    found = {}
    for row in articles_dated_between(db, lo, hi):
        when = parse_timestamp(row.published, tz) or parse_timestamp(row.fetched_at, tz)
        if when is not None and start <= when < end:
            found[row.id] = (row, when.astimezone(tz))
    return found


def _story_ids(db: sqlite_utils.Database, ids: list[int]) -> dict[int, int]:
    return {
        int(a): int(s)
        for a, s in db.execute(
            "SELECT id, coalesce(cluster_id, id) FROM articles "
            "WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    }


def _repeated_lines(db: sqlite_utils.Database, ids: list[int]) -> set[str]:
    """Evidence and mention sentences one outlet printed in two different stories."""
    rows = db.execute(
        "SELECT a.source, coalesce(a.cluster_id, a.id), s.sentence FROM ("
        "SELECT article_id, sentence FROM mentions WHERE sentence IS NOT NULL "
        "UNION SELECT article_id, evidence FROM events) s JOIN articles a ON a.id = s.article_id "
        "WHERE a.source IN (SELECT source FROM articles WHERE id IN "
        "(SELECT value FROM json_each(?)))",
        [json.dumps(ids)],
    ).fetchall()
    stories: dict[tuple[str, str], set[int]] = defaultdict(set)
    for source, story, sentence in rows:
        stories[(source, _folded(sentence))].add(int(story))
    return {line for (_source, line), seen in stories.items() if len(seen) >= 2}


def _item(
    db: sqlite_utils.Database,
    hits: list[Hit],
    articles: dict[int, tuple[Any, datetime]],
    end: datetime,
) -> RankedItem:
    first = min(hits, key=lambda h: (h.kind != "event", h.article_id))
    row, when = articles[first.article_id]
    outlets_json = db.execute(
        "SELECT outlets FROM story_clusters WHERE id = ?", [first.story_id]
    ).fetchone()
    outlets = sorted(set(json.loads(outlets_json[0]) if outlets_json else []) | {row.source})
    article_ids = sorted({h.article_id for h in hits})
    officials = [
        str(r[0])
        for r in db.execute(
            "SELECT DISTINCT e.canonical_name FROM article_entities ae JOIN entities e "
            "ON e.id = ae.entity_id WHERE ae.type = 'official' AND ae.article_id IN "
            "(SELECT value FROM json_each(?)) ORDER BY e.mention_count DESC, 1",
            [json.dumps(article_ids)],
        )
    ]
    matched = list(dict.fromkeys(t for h in hits for t in h.terms))
    events = []
    for h in hits:
        if h.kind == "event" and h.event_id is not None:
            ev = db.execute(
                "SELECT type, name, date FROM events WHERE id = ?", [h.event_id]
            ).fetchone()
            events.append({"type": ev[0], "name": ev[1], "date": ev[2], "evidence": h.evidence})
    age = max((end - when).total_seconds() / 86400, 0.0)
    parts = {
        "outlets": round(2 * math.log2(1 + len(outlets)), 2),
        "officials": float(min(len(officials), 5)),
        "matches": 2.0 * len(matched) + (1.0 if events else 0.0),
        "recency": round(2 * max(0.0, 1 - age / CHART_DAYS), 2),
    }
    return RankedItem(
        story_id=first.story_id,
        article_id=first.article_id,
        title=row.title,
        url=row.url,
        source=row.source,
        published=when.isoformat(timespec="minutes"),
        outlets=outlets,
        officials=officials,
        matched=matched,
        kinds=sorted({h.kind for h in hits}),
        evidence=first.evidence,
        events=events,
        salience=round(sum(parts.values()), 2),
        parts=parts,
    )


def _summary_line(db: sqlite_utils.Database, left_out: list[int], story_of: dict[int, int]) -> str:
    if not left_out:
        return ""
    wanted = set(left_out)
    ids = [a for a, s in story_of.items() if s in wanted and a == s] or [
        a for a, s in story_of.items() if s in wanted
    ]
    sources: Counter[str] = Counter(
        str(r[0])
        for r in db.execute(
            "SELECT source FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        )
    )
    top = ", ".join(f"{s} {n}" for s, n in sources.most_common(5))
    noun = "story" if len(left_out) == 1 else "stories"
    return f"{len(left_out)} other {noun} matched nothing on the watch (by outlet: {top})."


def _worth_a_look(
    db: sqlite_utils.Database,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    ids: list[int],
    items: list[RankedItem],
) -> list[WorthALook]:
    """New officials with a role and new organisations that take part in an event;
    those of a matching story first, then by the events they take part in."""
    lo = (start - timedelta(days=1)).date().isoformat()
    hi = (end + timedelta(days=2)).date().isoformat()
    in_scope = {i.article_id for i in items}
    ranked = []
    for type_ in ("official", "organization"):
        for entity in entities_first_seen_between(db, type_, lo, hi):
            when = parse_timestamp(entity.first_seen, tz)
            if when is None or not start <= when < end:
                continue
            named_in, events = _presence(db, entity.id, ids)
            matching = bool(named_in & in_scope)
            if type_ == "official" and not (entity.attributes.get("role") and (matching or events)):
                continue
            if type_ == "organization" and not events:
                continue  # a span the organisation finder kept, doing nothing: not news
            why = "in a story matching the watch" if matching else ""
            if events:
                part = f"takes part in {events} event{'s' if events != 1 else ''}"
                why = f"{why}; {part}" if why else part
            look = WorthALook(entity.id, type_, entity.name, entity.attributes, why)
            ranked.append(((not matching, -events, type_, entity.name), look))
    return [look for _key, look in sorted(ranked, key=lambda r: r[0])][:MAX_FIRST_SEEN]


def _presence(db: sqlite_utils.Database, entity_id: int, ids: list[int]) -> tuple[set[int], int]:
    """The window's articles naming the entity, and the events it takes part in there."""
    named_in = {
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT article_id FROM article_entities WHERE entity_id = ? "
            "AND article_id IN (SELECT value FROM json_each(?))",
            [entity_id, json.dumps(ids)],
        )
    }
    events = db.execute(
        "SELECT count(DISTINCT p.event_id) FROM event_participants p "
        "JOIN events e ON e.id = p.event_id "
        "WHERE p.entity_id = ? AND e.article_id IN (SELECT value FROM json_each(?))",
        [entity_id, json.dumps(ids)],
    ).fetchone()[0]
    return named_in, int(events)


def _chart_days(end: datetime) -> list[str]:
    last = (end - timedelta(microseconds=1)).date()
    return [(last - timedelta(days=CHART_DAYS - 1 - i)).isoformat() for i in range(CHART_DAYS)]


def _chart_series(
    db: sqlite_utils.Database, watch: ResolvedWatch, days: list[str]
) -> dict[str, list[int]]:
    """Mentions per day of each watched mineral (its group's members too) and entity."""
    labels: dict[int, str] = {i: name for i, name in watch.entity_ids.items()}
    for entity_id, name in db.execute(
        "SELECT id, canonical_name FROM entities WHERE type = 'mineral' "
        "AND canonical_name IN (SELECT value FROM json_each(?))",
        [json.dumps(list(watch.minerals))],
    ):
        labels[int(entity_id)] = watch.minerals[name]
    series = {name: [0] * len(days) for name in dict.fromkeys(labels.values())}
    if not labels:
        return series
    index = {d: i for i, d in enumerate(days)}
    for entity_id, day, count in db.execute(
        "SELECT m.entity_id, substr(coalesce(a.published, a.fetched_at), 1, 10) AS day, count(*) "
        "FROM mentions m JOIN articles a ON a.id = m.article_id "
        "WHERE m.entity_id IN (SELECT value FROM json_each(?)) AND day BETWEEN ? AND ? "
        "GROUP BY 1, 2",
        [json.dumps(list(labels)), days[0], days[-1]],
    ):
        if day in index:
            series[labels[int(entity_id)]][index[day]] += int(count)
    return series


def window_label(start: datetime, end: datetime, day: date | None) -> str:
    if day is not None:
        return day.isoformat()
    return f"{start.isoformat()[:16].replace('T', ' ')} to {end.isoformat()[:16].replace('T', ' ')}"
