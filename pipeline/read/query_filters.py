"""Filters shared by the read-side queries: time bounds, checks, entity lookup, SQL folding.

Split out of pipeline/queries.py so that every reader (events here in
pipeline/queries.py, full-text search in pipeline/search.py, the reprocess
selection in pipeline/reprocess.py) parses what people type the same way:
any alias of an entity ("USISPF", "US"), a day ("2026-01-14"), a time
("2026-01-14T09:30"), or "7d" for seven days ago. A value that cannot be
understood raises QueryError (exit code 2) with a plain message. Nothing
here writes; pipeline/queries.py re-exports these names for existing imports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlite_utils

from extractors.records import EVENT_TYPES
from pipeline.core.date_range import check_day, check_moment, days_ago
from pipeline.core.errors import QueryError
from storage import find_entity
from storage.names import org_key, plain_key


@dataclass(frozen=True)
class TimeBound:
    """One end of a time filter as SQL: `<expr> <op> :value` on ISO-8601 text."""

    op: str
    value: str


def time_bound(text: str | None, *, end: bool, now: datetime | None = None) -> TimeBound | None:
    """Parse --since/--until. A bare day as --until includes that whole day.

    Days outside pipeline/core/date_range.py's range are refused with the option
    named (QueryError, exit 2): the bound's arithmetic stays inside the calendar.
    """
    if text is None or not text.strip():
        return None
    text = text.strip()
    option = "--until" if end else "--since"
    if text[:-1].isdigit() and text[-1:] in ("d", "D"):
        today = (now or datetime.now(UTC)).date()
        return _day_bound(days_ago(int(text[:-1]), today, option, text), end=end)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return _day_bound(check_day(day, option, text), end=end)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise QueryError(
            f"cannot read the time {text!r}: use a day (2026-01-14), a time "
            "(2026-01-14T09:30) or a number of days ago (7d)"
        ) from None
    return TimeBound("<=" if end else ">=", check_moment(moment, option, text).isoformat())


def _day_bound(day: date, *, end: bool) -> TimeBound:
    # Stored times are ISO text, so "before the next day" covers every time of `day`.
    if end:
        return TimeBound("<", (day + timedelta(days=1)).isoformat())
    return TimeBound(">=", day.isoformat())


def time_filters(
    expr: str, since: str | None, until: str | None, params: dict[str, Any]
) -> list[str]:
    """SQL conditions on `expr` for --since/--until; binds their values into `params`."""
    clauses = []
    for name, bound in (
        ("since", time_bound(since, end=False)),
        ("until", time_bound(until, end=True)),
    ):
        if bound is not None:
            clauses.append(f"{expr} {bound.op} :{name}")
            params[name] = bound.value
    return clauses


def check_event_type(type_: str | None) -> None:
    if type_ is not None and type_ not in EVENT_TYPES:
        raise QueryError(f"unknown event type {type_!r}; one of: {', '.join(EVENT_TYPES)}")


def check_limit(limit: int) -> None:
    if limit < 1:
        raise QueryError(f"--limit must be at least 1 (got {limit})")


def entity_ids(db: sqlite_utils.Database, name: str, type_: str | None = None) -> list[int]:
    """Ids of every entity `name` can mean: its canonical name or any alias, and
    the linker's own keys (an official's surname alone, an organisation's
    normalised name or acronym), so "Bessent" finds Scott Bessent."""
    ids = {int(row["id"]) for row in find_entity(db, name, type=type_)}
    keys = [("official", "surname", plain_key(name)), ("organization", "name", org_key(name))]
    for key_type, kind, value in keys:
        if value and type_ in (None, key_type):
            rows = db.execute(
                "SELECT entity_id FROM entity_keys WHERE type = ? AND kind = ? AND value = ?",
                [key_type, kind, value],
            )
            ids.update(int(r[0]) for r in rows)
    return sorted(ids)


def register_fold(db: sqlite_utils.Database) -> None:
    """nw_fold0(text): the entity linker's folding (case, accents, dashes), callable from SQL.

    Not find_entity's "nw_fold", which it re-registers on every call: ours also
    passes NULL through (optional columns such as location often are)."""
    db.register_function(_fold_or_null, deterministic=True, replace=True, name="nw_fold0")


def _fold_or_null(text: str | None) -> str | None:
    return _cached_fold(text) if text is not None else None


# Participant and location names repeat across events: SQLite calls nw_fold0 once
# per row, and the cache spares repeating the Unicode work.
_cached_fold = lru_cache(maxsize=65_536)(plain_key)
