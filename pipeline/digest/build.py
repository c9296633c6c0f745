"""The research desks' daily digest: what changed in a window, not a list of links.

`build_digest` reads a (read-only) database and returns a `Digest`: the events of
the window's articles by type with their evidence, the officials and
organisations seen for the first time, mineral mentions against the previous 7
days, and the top stories. digest_render.py turns it into Markdown, HTML and a
chart.

"In the window" means: the article was published in it, or, when it has no
(readable) published date, fetched in it; day boundaries are those of the
configured time zone. A naive or date-only timestamp is read in that zone too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlite_utils

from extractors.records import EVENT_TYPES

BASELINE_DAYS = 7
_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Participant:
    name: str
    kind: str | None  # official | organization | country | ... (None: not linked)
    entity_id: int | None


@dataclass(frozen=True)
class EventItem:
    id: int
    type: str
    name: str | None
    date: str | None  # the event's own date when resolved, else the article's day
    location: str | None
    evidence: str
    participants: list[Participant]
    minerals: list[str]
    article_id: int
    article_title: str | None
    article_url: str
    also_in: int = 0  # other outlets that carried the article's story


@dataclass(frozen=True)
class NewEntity:
    id: int
    type: str  # official | organization
    name: str
    first_seen: str
    attributes: dict[str, str]
    article_title: str | None  # the window's first article that named it
    article_url: str | None


@dataclass(frozen=True)
class MineralTrend:
    mineral: str
    count: int  # mentions in the window
    previous: list[int]  # mentions per day over the 7 days before the window, oldest first
    previous_daily_avg: float

    @property
    def change(self) -> float:
        return self.count - self.previous_daily_avg


@dataclass(frozen=True)
class Story:
    article_id: int
    title: str | None
    url: str
    source: str
    published: str
    # score = events + distinct officials + distinct minerals: a story ranks by how
    # much of what the desks track it carries, not by length or position in a feed.
    score: int
    events: int
    officials: list[str]
    minerals: list[str]
    also_in: int = 0  # other outlets that carried this story (their copies are not listed)


@dataclass(frozen=True)
class Digest:
    start: str  # window, ISO datetimes in the digest's zone; end excluded
    end: str
    day: str | None  # the calendar day, for a --date digest
    timezone: str
    generated_at: str
    article_count: int
    events_by_type: dict[str, list[EventItem]] = field(default_factory=dict)
    new_officials: list[NewEntity] = field(default_factory=list)
    new_organizations: list[NewEntity] = field(default_factory=list)
    minerals: list[MineralTrend] = field(default_factory=list)
    baseline_days: list[str] = field(default_factory=list)  # the 7 days compared against
    top_stories: list[Story] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The window in words, for titles and the email subject."""
        if self.day:
            return self.day
        return f"{self.start[:16].replace('T', ' ')} to {self.end[:16].replace('T', ' ')}"

    @property
    def event_count(self) -> int:
        return sum(len(v) for v in self.events_by_type.values())

    @property
    def is_empty(self) -> bool:
        return self.article_count == 0

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["label"] = self.label
        data["event_count"] = self.event_count
        data["minerals"] = [
            dict(m, change=round(t.change, 2))
            for m, t in zip(data["minerals"], self.minerals, strict=True)
        ]
        return data


# --- time windows --------------------------------------------------------------------


def parse_timestamp(value: str | None, tz: tzinfo) -> datetime | None:
    """An aware datetime from a stored ISO value; naive and date-only values are read in `tz`."""
    if not value or not _ISO_PREFIX.match(value.strip()):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def day_window(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=tz)
    # Through the calendar, not +24h: a DST day is 23 or 25 hours long.
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)


@dataclass(frozen=True)
class _Article:
    id: int
    title: str | None
    url: str
    source: str
    when: datetime
    cluster_id: int | None = None
    also_in: int = 0


def _articles_between(
    db: sqlite_utils.Database, start: datetime, end: datetime, tz: tzinfo
) -> list[_Article]:
    # Coarse string prefilter with a day of slack either side (stored values carry
    # any offset), then the exact test on parsed times. A published value that is
    # not ISO falls back to fetched_at, so those rows are read by fetched_at.
    lo = (start - timedelta(days=1)).date().isoformat()
    hi = (end + timedelta(days=2)).date().isoformat()
    rows = db.execute(
        "SELECT a.id, title, url, source, published, fetched_at, cluster_id, "
        "(SELECT json_array_length(c.outlets) - 1 FROM story_clusters c "
        "WHERE c.id = a.cluster_id) FROM articles a "
        "WHERE published BETWEEN :lo AND :hi OR ((published IS NULL OR published NOT GLOB "
        "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*') AND fetched_at BETWEEN :lo AND :hi)",
        {"lo": lo, "hi": hi},
    ).fetchall()
    found = []
    for id_, title, url, source, published, fetched_at, cluster_id, also_in in rows:
        when = parse_timestamp(published, tz) or parse_timestamp(fetched_at, tz)
        if when is not None and start <= when < end:
            found.append(
                _Article(
                    id_, title, url, source, when.astimezone(tz), cluster_id, max(also_in or 0, 0)
                )
            )
    return _one_per_story(sorted(found, key=lambda a: (a.when, a.id)))


def _one_per_story(articles: list[_Article]) -> list[_Article]:
    """A syndicated story counts once: its first copy in the window stands for the others."""
    seen: set[int] = set()
    kept = []
    for a in articles:
        if a.cluster_id is None or a.cluster_id not in seen:
            kept.append(a)
            if a.cluster_id is not None:
                seen.add(a.cluster_id)
    return kept


def _ids(articles: list[_Article]) -> str:
    # One JSON parameter for `IN (SELECT value FROM json_each(?))`: no limit on
    # the number of ids and no temp table (the connection is read-only).
    return json.dumps([a.id for a in articles])


# --- the digest ----------------------------------------------------------------------


def build_digest(
    db: sqlite_utils.Database,
    day: date | None = None,
    since: datetime | None = None,
    tz: tzinfo = UTC,
    *,
    now: datetime | None = None,
    top_stories: int = 5,
) -> Digest:
    """What changed on `day` (default: today in `tz`), or from `since` until now."""
    if day is not None and since is not None:
        raise ValueError("give a day or a since time, not both")
    now = (now or datetime.now(UTC)).astimezone(tz)
    if since is not None:
        start = since if since.tzinfo else since.replace(tzinfo=tz)
        start, end = start.astimezone(tz), now
    else:
        start, end = day_window(day or now.date(), tz)
    articles = _articles_between(db, start, end, tz)
    base_start = datetime.combine(start.date() - timedelta(days=BASELINE_DAYS), time(), tzinfo=tz)
    baseline = _articles_between(db, base_start, start, tz)
    baseline_days = [
        (base_start.date() + timedelta(days=i)).isoformat() for i in range(BASELINE_DAYS)
    ]
    return Digest(
        start=start.isoformat(timespec="seconds"),
        end=end.isoformat(timespec="seconds"),
        day=start.date().isoformat() if since is None else None,
        timezone=str(tz),
        generated_at=now.isoformat(timespec="seconds"),
        article_count=len(articles),
        events_by_type=_events(db, articles),
        new_officials=_new_entities(db, "official", start, end, tz, articles),
        new_organizations=_new_entities(db, "organization", start, end, tz, articles),
        minerals=_mineral_trends(db, articles, baseline, baseline_days),
        baseline_days=baseline_days,
        top_stories=_top_stories(db, articles, top_stories),
    )


def _events(db: sqlite_utils.Database, articles: list[_Article]) -> dict[str, list[EventItem]]:
    by_id = {a.id: a for a in articles}
    rows = db.execute(
        "SELECT id, article_id, type, name, date, location, minerals, evidence FROM events "
        "WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, id",
        [_ids(articles)],
    ).fetchall()
    participants: dict[int, list[Participant]] = {}
    for event_id, name, kind, entity_id in db.execute(
        "SELECT p.event_id, p.name, p.kind, p.entity_id FROM event_participants p "
        "WHERE p.event_id IN (SELECT value FROM json_each(?)) ORDER BY p.rowid",
        [json.dumps([r[0] for r in rows])],
    ):
        participants.setdefault(event_id, []).append(Participant(name, kind, entity_id))
    grouped: dict[str, list[EventItem]] = {}
    for id_, article_id, type_, name, date_, location, minerals, evidence in rows:
        article = by_id[article_id]
        grouped.setdefault(type_, []).append(
            EventItem(
                id=id_,
                type=type_,
                name=name,
                date=date_ or article.when.date().isoformat(),
                location=location,
                evidence=evidence,
                participants=participants.get(id_, []),
                minerals=json.loads(minerals),
                article_id=article_id,
                article_title=article.title,
                article_url=article.url,
                also_in=article.also_in,
            )
        )
    order = {t: i for i, t in enumerate(EVENT_TYPES)}
    return {
        t: sorted(grouped[t], key=lambda e: (by_id[e.article_id].when, e.id))
        for t in sorted(grouped, key=lambda t: order.get(t, len(order)))
    }


def _new_entities(
    db: sqlite_utils.Database,
    type_: str,
    start: datetime,
    end: datetime,
    tz: tzinfo,
    articles: list[_Article],
) -> list[NewEntity]:
    lo = (start - timedelta(days=1)).date().isoformat()
    hi = (end + timedelta(days=2)).date().isoformat()
    rows = db.execute(
        "SELECT id, canonical_name, first_seen, attributes FROM entities "
        "WHERE type = ? AND first_seen BETWEEN ? AND ? ORDER BY first_seen, id",
        [type_, lo, hi],
    ).fetchall()
    by_id = {a.id: a for a in articles}
    found = []
    for id_, name, first_seen, attributes in rows:
        when = parse_timestamp(first_seen, tz)
        if when is None or not start <= when < end:
            continue
        first = db.execute(
            "SELECT article_id FROM article_entities WHERE entity_id = ? "
            "AND article_id IN (SELECT value FROM json_each(?)) ORDER BY seen, article_id LIMIT 1",
            [id_, _ids(articles)],
        ).fetchone()
        article = by_id.get(first[0]) if first else None
        found.append(
            NewEntity(
                id=id_,
                type=type_,
                name=name,
                first_seen=first_seen,
                attributes=json.loads(attributes),
                article_title=article.title if article else None,
                article_url=article.url if article else None,
            )
        )
    return found


def _mineral_counts(db: sqlite_utils.Database, articles: list[_Article]) -> dict[int, Counter[str]]:
    """Mineral mentions per article id."""
    counts: dict[int, Counter[str]] = {}
    for article_id, mineral, n in db.execute(
        "SELECT m.article_id, e.canonical_name, count(*) FROM mentions m "
        "JOIN entities e ON e.id = m.entity_id WHERE e.type = 'mineral' "
        "AND m.article_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2",
        [_ids(articles)],
    ):
        counts.setdefault(article_id, Counter())[mineral] += n
    return counts


def _mineral_trends(
    db: sqlite_utils.Database,
    articles: list[_Article],
    baseline: list[_Article],
    baseline_days: list[str],
) -> list[MineralTrend]:
    window: Counter[str] = Counter()
    for counter in _mineral_counts(db, articles).values():
        window.update(counter)
    per_day: dict[str, list[int]] = {}
    base_counts = _mineral_counts(db, baseline)
    day_index = {d: i for i, d in enumerate(baseline_days)}
    for a in baseline:
        i = day_index.get(a.when.date().isoformat())
        if i is None:
            continue
        for mineral, n in base_counts.get(a.id, Counter()).items():
            per_day.setdefault(mineral, [0] * len(baseline_days))[i] += n
    trends = [
        MineralTrend(
            mineral=m,
            count=window.get(m, 0),
            previous=per_day.get(m, [0] * len(baseline_days)),
            previous_daily_avg=round(sum(per_day.get(m, [])) / len(baseline_days), 2),
        )
        for m in set(window) | set(per_day)
    ]
    return sorted(trends, key=lambda t: (-t.count, -t.previous_daily_avg, t.mineral))


def _top_stories(db: sqlite_utils.Database, articles: list[_Article], limit: int) -> list[Story]:
    ids = _ids(articles)
    events = dict(
        db.execute(
            "SELECT article_id, count(*) FROM events "
            "WHERE article_id IN (SELECT value FROM json_each(?)) GROUP BY 1",
            [ids],
        ).fetchall()
    )
    named: dict[tuple[int, str], list[str]] = {}
    for article_id, type_, name in db.execute(
        "SELECT DISTINCT ae.article_id, ae.type, e.canonical_name FROM article_entities ae "
        "JOIN entities e ON e.id = ae.entity_id WHERE ae.type IN ('official', 'mineral') "
        "AND ae.article_id IN (SELECT value FROM json_each(?)) ORDER BY 3",
        [ids],
    ):
        named.setdefault((article_id, type_), []).append(name)
    stories = []
    for a in articles:
        officials = named.get((a.id, "official"), [])
        minerals = named.get((a.id, "mineral"), [])
        score = events.get(a.id, 0) + len(officials) + len(minerals)
        if score:
            stories.append(
                Story(
                    article_id=a.id,
                    title=a.title,
                    url=a.url,
                    source=a.source,
                    published=a.when.isoformat(timespec="minutes"),
                    score=score,
                    events=events.get(a.id, 0),
                    officials=officials,
                    minerals=minerals,
                    also_in=a.also_in,
                )
            )
    stories.sort(key=lambda s: (-s.score, s.published, s.article_id))
    return stories[:limit]
