"""One real-world event reported by many articles: per-article events merged (schema v3).

Each `events` row is one article's report. Reports merge into one `story_events`
row when they have
- the same type,
- dates within `WINDOW_DAYS` of each other (the event's own date, else the
  article's published or fetched day: wires often say "on Tuesday" and the
  resolver may miss it in one copy), and
- overlapping participants: at least one shared, and the shared ones cover at
  least half of the smaller side. "India" alone would otherwise join every
  meeting India attends; half of {India, Japan, Modi} is two of them.
Reports with no participants never merge: nothing says they are the same event.

A participant is matched by its linked entity ("e:<id>") or its folded name
("n:<name>"), so "Scott Bessent" in one article and "Bessent" linked to him in
another are one participant. The merged event keeps every key it has seen,
its first report time and, through `story_event_mentions`, each report's
evidence sentence.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from storage.names import plain_key

WINDOW_DAYS = 3


@dataclass(frozen=True)
class Report:
    """One article's event with what merging compares."""

    event_id: int
    type: str
    day: str | None  # ISO date
    keys: list[frozenset[str]]  # per participant: its keys
    reported: str | None


@dataclass(frozen=True)
class SupportingReport:
    event_id: int
    article_id: int
    evidence: str
    reported: str | None
    url: str


@dataclass(frozen=True)
class StoryEvent:
    id: int
    type: str
    date: str | None
    first_reported: str | None
    mentions: list[SupportingReport]


def merge_article_events(
    db: sqlite_utils.Database, article_id: int, window_days: int = WINDOW_DAYS
) -> list[int]:
    """Link each event of one stored article to a story event; returns their ids in order."""
    linked = []
    for report in _reports(db, article_id):
        story_id = _best_match(db, report, window_days)
        if story_id is None:
            cur = db.execute(
                "INSERT INTO story_events (type, date, participant_keys, first_reported) "
                "VALUES (?, ?, ?, ?)",
                [report.type, report.day, _keys_json(set(), report), report.reported],
            )
            assert cur.lastrowid is not None
            story_id = cur.lastrowid
        else:
            row = db.execute(
                "SELECT participant_keys, first_reported, date FROM story_events WHERE id = ?",
                [story_id],
            ).fetchone()
            first = min(filter(None, (row[1], report.reported)), default=None)
            db.execute(
                "UPDATE story_events SET participant_keys = ?, first_reported = ?, "
                "date = coalesce(date, ?) WHERE id = ?",
                [_keys_json(set(json.loads(row[0])), report), first, report.day, story_id],
            )
        db.execute(
            "INSERT OR REPLACE INTO story_event_mentions (event_id, story_event_id) VALUES (?, ?)",
            [report.event_id, story_id],
        )
        linked.append(story_id)
    return linked


def unlink_article_events(db: sqlite_utils.Database, article_id: int) -> None:
    """Before an article's events are replaced: drop its reports from their story events.

    A story event left with no report is deleted; the others get their first
    report time and participant keys recomputed from the reports left.
    """
    touched = [
        int(r[0])
        for r in db.execute(
            "SELECT DISTINCT m.story_event_id FROM story_event_mentions m "
            "JOIN events e ON e.id = m.event_id WHERE e.article_id = ?",
            [article_id],
        )
    ]
    db.execute(
        "DELETE FROM story_event_mentions WHERE event_id IN "
        "(SELECT id FROM events WHERE article_id = ?)",
        [article_id],
    )
    for story_id in touched:
        event_ids = [
            int(r[0])
            for r in db.execute(
                "SELECT event_id FROM story_event_mentions WHERE story_event_id = ?", [story_id]
            )
        ]
        if not event_ids:
            db.execute("DELETE FROM story_events WHERE id = ?", [story_id])
            continue
        reports = [_report(db, event_id) for event_id in event_ids]
        keys: set[str] = set()
        for r in reports:
            keys.update(k for ks in r.keys for k in ks)
        first = min((r.reported for r in reports if r.reported), default=None)
        db.execute(
            "UPDATE story_events SET participant_keys = ?, first_reported = ? WHERE id = ?",
            [json.dumps(sorted(keys), ensure_ascii=False), first, story_id],
        )


def story_event(db: sqlite_utils.Database, story_id: int) -> StoryEvent | None:
    """A merged event with every report supporting it, earliest report first."""
    row = db.execute(
        "SELECT id, type, date, first_reported FROM story_events WHERE id = ?", [story_id]
    ).fetchone()
    if row is None:
        return None
    reports = [
        SupportingReport(int(r[0]), int(r[1]), r[2], r[3], r[4])
        for r in db.execute(
            "SELECT e.id, e.article_id, e.evidence, coalesce(a.published, a.fetched_at) AS t, "
            "a.url FROM story_event_mentions m JOIN events e ON e.id = m.event_id "
            "JOIN articles a ON a.id = e.article_id WHERE m.story_event_id = ? ORDER BY t, e.id",
            [story_id],
        )
    ]
    return StoryEvent(int(row[0]), row[1], row[2], row[3], reports)


def story_event_of(db: sqlite_utils.Database, event_id: int) -> int | None:
    row = db.execute(
        "SELECT story_event_id FROM story_event_mentions WHERE event_id = ?", [event_id]
    ).fetchone()
    return int(row[0]) if row else None


# --- internals ---------------------------------------------------------------------------


def _reports(db: sqlite_utils.Database, article_id: int) -> list[Report]:
    ids = db.execute("SELECT id FROM events WHERE article_id = ? ORDER BY id", [article_id])
    return [_report(db, int(r[0])) for r in ids.fetchall()]


def _report(db: sqlite_utils.Database, event_id: int) -> Report:
    row = db.execute(
        "SELECT e.type, e.date, coalesce(a.published, a.fetched_at) FROM events e "
        "JOIN articles a ON a.id = e.article_id WHERE e.id = ?",
        [event_id],
    ).fetchone()
    keys = []
    for entity_id, name in db.execute(
        "SELECT entity_id, name FROM event_participants WHERE event_id = ? ORDER BY rowid",
        [event_id],
    ):
        own = {f"n:{plain_key(name)}"}
        if entity_id is not None:
            own.add(f"e:{entity_id}")
        keys.append(frozenset(own))
    return Report(event_id, row[0], _day(row[1]) or _day(row[2]), keys, row[2])


def _day(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def _keys_json(known: set[str], report: Report) -> str:
    return json.dumps(sorted(known | {k for ks in report.keys for k in ks}), ensure_ascii=False)


def _best_match(db: sqlite_utils.Database, report: Report, window_days: int) -> int | None:
    """The story event this report belongs to: most participants shared, then the oldest."""
    if not report.keys or report.day is None:
        return None
    day = date.fromisoformat(report.day)
    lo = (day - timedelta(days=window_days)).isoformat()
    hi = (day + timedelta(days=window_days)).isoformat()
    best: tuple[int, int] | None = None  # (shared, -id)
    for story_id, keys_json in db.execute(
        "SELECT id, participant_keys FROM story_events "
        "WHERE type = ? AND date BETWEEN ? AND ? ORDER BY id",
        [report.type, lo, hi],
    ):
        known = set(json.loads(keys_json))
        shared = sum(1 for ks in report.keys if ks & known)
        sides = min(len(report.keys), _participant_count(db, int(story_id)))
        candidate = (shared, -int(story_id))
        if shared and shared >= math.ceil(sides / 2) and (best is None or candidate > best):
            best = candidate
    return -best[1] if best else None


def _participant_count(db: sqlite_utils.Database, story_id: int) -> int:
    """Participants per report of a story event, the fewest (the 'smaller side')."""
    row = db.execute(
        "SELECT min(n) FROM (SELECT count(p.rowid) AS n FROM story_event_mentions m "
        "LEFT JOIN event_participants p ON p.event_id = m.event_id "
        "WHERE m.story_event_id = ? GROUP BY m.event_id)",
        [story_id],
    ).fetchone()
    return int(row[0] or 0)
