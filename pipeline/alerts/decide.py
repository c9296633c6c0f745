"""Deciding alerts: the watches' hits among new articles, written to the ledger.

Each watch keeps a cursor (the last article id it looked at), so a run only
looks at what arrived since; a watch seen for the first time looks back
`NEW_WATCH_LOOKBACK_DAYS` instead of through the whole archive. A hit whose key
is in the ledger already (the same story event), or whose evidence the same
story already alerted, is not decided again: one alert per story, however many
copies arrive and in however many runs.

The payload is what a receiver gets: the event (type, name, date, place,
participants, minerals), the evidence sentence, the watch terms it matched, the
article (title, URL, outlet) and how many other outlets carried the story.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from pipeline.core.config import Config
from pipeline.core.watchlist import WatchConfig
from pipeline.watch.matching import Hit, match_articles, participants_of
from pipeline.watch.terms import resolve
from storage.alerts_write import DecidedAlert, already_alerted, cursor, record_decision
from storage.clock import iso
from storage.stories.clusters import also_in_by_article

NEW_WATCH_LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class Decision:
    alert_ids: list[int]
    by_watch: dict[str, int]  # watch -> alerts decided now


def decide_alerts(db: sqlite_utils.Database, config: Config, now: datetime) -> Decision:
    """Match every watch against the articles it has not seen; commit the new alerts."""
    latest = db.execute("SELECT coalesce(max(id), 0) FROM articles").fetchone()[0]
    decided: list[DecidedAlert] = []
    cursors: dict[str, int] = {}
    by_watch: dict[str, int] = {}
    for watch in config.watch:
        article_ids = _unseen_articles(db, watch.name, now)
        cursors[watch.name] = int(latest)
        resolved = resolve(db, watch)
        fresh: list[DecidedAlert] = []
        for hit in match_articles(db, resolved, article_ids):
            if already_alerted(db, watch.name, hit.key, hit.story_id, hit.evidence_key):
                continue
            if any(d.key == hit.key or _same_evidence(d, hit) for d in fresh):
                continue
            fresh.append(_decided(db, watch, hit))
        by_watch[watch.name] = len(fresh)
        decided += fresh
    ids = record_decision(db, decided, cursors, iso(now)) if cursors else []
    return Decision(ids, by_watch)


def _same_evidence(decided: DecidedAlert, hit: Hit) -> bool:
    return decided.story_id == hit.story_id and decided.evidence_key == hit.evidence_key


def _unseen_articles(db: sqlite_utils.Database, watch: str, now: datetime) -> list[int]:
    last = cursor(db, watch)
    if last is None:
        since = iso(now - timedelta(days=NEW_WATCH_LOOKBACK_DAYS))
        rows = db.execute(
            "SELECT id FROM articles WHERE fetched_at >= ? ORDER BY id", [since]
        ).fetchall()
    else:
        rows = db.execute("SELECT id FROM articles WHERE id > ? ORDER BY id", [last]).fetchall()
    return [int(r[0]) for r in rows]


def _decided(db: sqlite_utils.Database, watch: WatchConfig, hit: Hit) -> DecidedAlert:
    channels: list[tuple[str, str]] = []
    if watch.webhook:
        channels.append(("webhook", watch.webhook))
    if watch.email:
        channels.append(("email", ", ".join(watch.email)))
    return DecidedAlert(
        watch=watch.name,
        key=hit.key,
        kind=hit.kind,
        story_id=hit.story_id,
        article_id=hit.article_id,
        event_id=hit.event_id,
        evidence_key=hit.evidence_key,
        payload=json.dumps(alert_payload(db, watch.name, hit), ensure_ascii=False),
        channels=tuple(channels),
    )


def alert_payload(db: sqlite_utils.Database, watch: str, hit: Hit) -> dict[str, Any]:
    """What one alert says, as delivered (JSON) and listed (`newswatch alerts`)."""
    article = db.execute(
        "SELECT a.id, a.title, a.url, a.source, coalesce(a.published, a.fetched_at), "
        "(SELECT c.outlets FROM story_clusters c WHERE c.id = a.cluster_id) "
        "FROM articles a WHERE a.id = ?",
        [hit.article_id],
    ).fetchone()
    event: dict[str, Any] = {}
    if hit.event_id is not None:
        row = db.execute(
            "SELECT type, name, date, location, minerals FROM events WHERE id = ?", [hit.event_id]
        ).fetchone()
        if row is not None:
            participants = participants_of(db, [hit.event_id]).get(hit.event_id, [])
            event = {
                "type": row[0],
                "name": row[1],
                "date": row[2],
                "location": row[3],
                "minerals": json.loads(row[4] or "[]"),
                "participants": [
                    {"name": p.canonical or p.name, "kind": p.kind, "entity_id": p.entity_id}
                    for p in participants
                ],
            }
    outlets = json.loads(article[5]) if article[5] else [article[3]]
    return {
        "watch": watch,
        "key": hit.key,
        "kind": hit.kind,
        "type": event.get("type") if hit.kind == "event" else "mention",
        "event": event or None,
        "date": event.get("date") or (article[4] or "")[:10] or None,
        "evidence": hit.evidence,
        "matched": list(hit.terms),
        "article": {
            "id": article[0],
            "title": article[1],
            "url": article[2],
            "source": article[3],
            "published": article[4],
        },
        "outlets": outlets,
        "also_in": also_in_by_article(db, [hit.article_id]).get(hit.article_id, 0),
    }
