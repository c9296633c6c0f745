"""Finding the newest events that pass a filter without sorting every event.

Split out of pipeline/queries.py, which builds the filter (`where`, `params`)
and shapes the rows: this module only decides which slice of the archive to
search first, a performance strategy measured by
benchmarks/bench_search_scale.py, and it must return exactly what one query
over the whole archive would.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlite_utils

from storage.stories.clusters import also_in_sql

# An event's time: its own date when the extractor found one, else the article's
# published time, else when it was fetched. `e` is the event, `a` its article.
EVENT_WHEN = "coalesce(e.date, a.published, a.fetched_at)"


def newest_events(
    db: sqlite_utils.Database, where: list[str], params: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` events passing `where`, looking at the newest days first.

    Sorting every event by its time costs a read of every event's article (the
    time falls back to the article's); at 152,000 events that was ~300 ms, and a
    filter evaluated on every event several times that
    (benchmarks/bench_search_scale.py). So the query first runs on the events of
    the last days before the newest stored time, through the date indexes, and
    only widens the window when fewer than `limit` pass. The answer is the same:
    every event outside a window is older than every event in it.
    """
    newest = _newest_day(db)
    until = _day_of(params.get("until"))
    if newest and until and until < newest:
        newest = until  # nothing after --until can pass: count the days back from it
    windows: list[int | None] = [*(_WINDOW_DAYS if newest else ()), None]
    rows: list[dict[str, Any]] = []
    tried: tuple[int, int] | None = None  # (rows found, days) of the last window
    for days in windows:
        if days is not None and tried and tried[0] * days / tried[1] < limit:
            continue  # at the rate found so far this window falls short too: skip it
        floor = (newest - timedelta(days=days)).isoformat() if newest and days else None
        clauses = where if floor is None else [*where, _WHEN_AT_LEAST]
        sql = (
            f"SELECT e.*, a.title AS article_title, a.url AS article_url, a.source, "
            f"{EVENT_WHEN} AS event_when, "
            f"{also_in_sql('a')} AS also_in, "
            "(SELECT m.story_event_id FROM story_event_mentions m WHERE m.event_id = e.id) "
            "AS story_event_id "
            f"FROM events e JOIN articles a ON a.id = e.article_id "
            f"{'WHERE ' + ' AND '.join(clauses) if clauses else ''} "
            "ORDER BY event_when DESC, e.id DESC LIMIT :limit"
        )
        # The window's top: --until when given (the exact bound is in `where`), else
        # a string after every ISO time.
        window = {"floor": floor, "ceiling": params.get("until") or "~"}
        rows = list(db.query(sql, {**params, **window}))
        if len(rows) >= limit:
            break
        tried = (len(rows), days) if days else None
    return rows


# Days back from the newest stored time, tried in turn before the whole archive.
_WINDOW_DAYS = (7, 35)
# `EVENT_WHEN >= :floor` spelled so that SQLite can answer it from the indexes on
# events.date and articles.published instead of computing the time of every event.
_WHEN_AT_LEAST = (
    "e.id IN (SELECT id FROM events WHERE date >= :floor AND date <= :ceiling "
    # CROSS JOIN fixes the loop order: from the recent articles to their events,
    # not from every undated event (most of them) to its article.
    "UNION ALL SELECT x.id FROM articles y CROSS JOIN events x ON x.article_id = y.id "
    "WHERE y.published >= :floor AND y.published <= :ceiling AND +x.date IS NULL "
    "UNION ALL SELECT x.id FROM articles y CROSS JOIN events x ON x.article_id = y.id "
    "WHERE y.published IS NULL AND y.fetched_at >= :floor AND y.fetched_at <= :ceiling "
    "AND +x.date IS NULL)"
)


def _newest_day(db: sqlite_utils.Database) -> date | None:
    """The day of the newest event date or article published time (both indexed)."""
    row = db.execute(
        "SELECT max(coalesce((SELECT max(date) FROM events), ''), "
        "coalesce((SELECT max(published) FROM articles), ''))"
    ).fetchone()
    return _day_of(row[0])


def _day_of(value: object) -> date | None:
    """The day an ISO date or time starts with; None for nothing or a value that is not ISO."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
