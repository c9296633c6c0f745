"""The research desks' daily digest: what changed in a window, not a list of links.

`build_digest` reads a (read-only) database and returns a `Digest`: the events of
the window's articles by type with their evidence, the officials and
organisations seen for the first time, mineral mentions against the previous 7
days, and the top stories. Its reads are the read side's
(pipeline/read/digest_data.py, and the events query's participants); this
module decides what changed. pipeline/digest/render.py turns it into Markdown,
HTML and a chart.

"In the window" means: the article was published in it, or, when it has no
(readable) published date, fetched in it; day boundaries are those of the
configured time zone. A naive or date-only timestamp is read in that zone too.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlite_utils

from extractors.records import EVENT_TYPES
from pipeline.read.digest_data import (
    articles_dated_between,
    entities_first_seen_between,
    event_counts,
    events_of,
    first_article_naming,
    mineral_mentions,
    names_by_article,
)
from pipeline.read.queries import Participant, event_participants

BASELINE_DAYS = 7
_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


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
    lo, hi = _slack(start, end)
    found = []
    for row in articles_dated_between(db, lo, hi):
        when = parse_timestamp(row.published, tz) or parse_timestamp(row.fetched_at, tz)
        if when is not None and start <= when < end:
            found.append(
                _Article(
                    row.id,
                    row.title,
                    row.url,
                    row.source,
                    when.astimezone(tz),
                    row.cluster_id,
                    row.also_in,
                )
            )
    return _one_per_story(sorted(found, key=lambda a: (a.when, a.id)))


def _slack(start: datetime, end: datetime) -> tuple[str, str]:
    """ISO days around the window for a string prefilter: stored values carry any offset."""
    lo, hi = start - timedelta(days=1), end + timedelta(days=2)
    return lo.date().isoformat(), hi.date().isoformat()


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


def _ids(articles: list[_Article]) -> list[int]:
    return [a.id for a in articles]


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
    rows = events_of(db, _ids(articles))
    participants = event_participants(db, [e.id for e in rows])
    grouped: dict[str, list[EventItem]] = {}
    for e in rows:
        article = by_id[e.article_id]
        grouped.setdefault(e.type, []).append(
            EventItem(
                id=e.id,
                type=e.type,
                name=e.name,
                date=e.date or article.when.date().isoformat(),
                location=e.location,
                evidence=e.evidence,
                participants=participants.get(e.id, []),
                minerals=e.minerals,
                article_id=e.article_id,
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
    lo, hi = _slack(start, end)
    by_id = {a.id: a for a in articles}
    found = []
    for entity in entities_first_seen_between(db, type_, lo, hi):
        when = parse_timestamp(entity.first_seen, tz)
        if when is None or not start <= when < end:
            continue
        first = first_article_naming(db, entity.id, _ids(articles))
        article = by_id.get(first) if first is not None else None
        found.append(
            NewEntity(
                id=entity.id,
                type=type_,
                name=entity.name,
                first_seen=entity.first_seen,
                attributes=entity.attributes,
                article_title=article.title if article else None,
                article_url=article.url if article else None,
            )
        )
    return found


def _mineral_trends(
    db: sqlite_utils.Database,
    articles: list[_Article],
    baseline: list[_Article],
    baseline_days: list[str],
) -> list[MineralTrend]:
    window: Counter[str] = Counter()
    for counter in mineral_mentions(db, _ids(articles)).values():
        window.update(counter)
    per_day: dict[str, list[int]] = {}
    base_counts = mineral_mentions(db, _ids(baseline))
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
    events = event_counts(db, ids)
    named = names_by_article(db, ids, ("official", "mineral"))
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
