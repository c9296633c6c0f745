"""The one clock: what time it is, and how a time is written into the database.

Every time newswatch stamps (fetched_at, run start and end, run errors, reprocessing)
comes from a `Clock` that the caller can inject (`RunContext.clock`, `Store(clock=...)`),
so a test or a replay controls it. It lives here, in the lowest package that stamps
times, because the libraries never import the application.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A moment as stored: UTC, ISO 8601 to the second ("2026-12-04T14:30:00+00:00")."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")
