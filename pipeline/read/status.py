"""`newswatch status`: how each source is doing, read from the database.

The writer records every poll and its verdict (pipeline/acquire/health.py) in the
`sources` table; this reads them back with the stored articles' counts. Read-only,
so it works while the scheduler holds the writer lock.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class SourceHealth:
    """One line of `newswatch status`: how a source is doing, from the database."""

    name: str
    state: str  # ok | failing | disabled | never polled
    last_success: str | None
    last_error: str | None
    last_error_at: str | None
    failure_kind: str | None
    consecutive_failures: int
    items_seen: int
    polls: int
    not_modified_share: float | None  # 304s (or unchanged local files) / polls
    articles: int
    extraction_rate: float | None  # article pages that became articles / pages tried
    undated_share: float | None  # stored articles without a published date
    next_poll_at: str | None
    retry_after_until: str | None
    disabled_reason: str | None


def source_health(db: sqlite_utils.Database, configured: list[str]) -> list[SourceHealth]:
    """Every configured source, then any other source the database knows, by name."""
    rows = {r["name"]: r for r in db.query("SELECT * FROM sources")}
    articles = {
        r["source"]: (r["n"], r["undated"])
        for r in db.query(
            "SELECT source, count(*) AS n, "
            "sum(published IS NULL OR trim(published) = '') AS undated "
            "FROM articles GROUP BY source"
        )
    }
    names = list(dict.fromkeys([*configured, *sorted(rows)]))
    return [_health(name, rows.get(name), articles.get(name, (0, 0))) for name in names]


def _health(name: str, row: dict | None, counts: tuple[int, int]) -> SourceHealth:
    n_articles, undated = counts
    if row is None:
        return SourceHealth(
            name,
            "never polled",
            None,
            None,
            None,
            None,
            0,
            0,
            0,
            None,
            n_articles,
            None,
            _share(undated, n_articles),
            None,
            None,
            None,
        )
    if row["disabled"]:
        state = "disabled"
    elif row["consecutive_failures"]:
        state = "failing"
    else:
        state = "ok"
    attempted = row["articles_attempted"]
    return SourceHealth(
        name=name,
        state=state,
        last_success=row["last_success"],
        last_error=row["last_error"],
        last_error_at=row["last_error_at"],
        failure_kind=row["last_failure_kind"],
        consecutive_failures=row["consecutive_failures"],
        items_seen=row["items_seen"],
        polls=row["polls"],
        not_modified_share=_share(row["not_modified_count"], row["polls"]),
        articles=n_articles,
        extraction_rate=_share(attempted - row["articles_failed"], attempted),
        undated_share=_share(undated, n_articles),
        next_poll_at=row["next_poll_at"],
        retry_after_until=row["retry_after_until"],
        disabled_reason=row["disabled_reason"],
    )


def _share(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None
