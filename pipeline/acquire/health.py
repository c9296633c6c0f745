"""Feed health: grade each poll, back off after failures, disable dead feeds.

A failure is graded by what it says about the feed's future:
- hard: it will not fix itself soon (the name does not resolve, TLS is broken,
  404/410/401/403, the URL is not a feed, it points somewhere we refuse to go).
  `max_hard_failures` of them in a row disable the feed until `newswatch enable`.
- soft: it usually passes (5xx, 429, timeouts, refused or reset connections,
  a truncated feed). Soft failures only back off.
- deferred: nothing was sent because the host's Retry-After window is open; not
  the feed's fault, so no counter moves.
Every failure backs off exponentially (pipeline.acquire.politeness.next_poll_delay).
What a feed's record says to a reader (`newswatch status`) is pipeline/read/status.py.
"""

from __future__ import annotations

import logging
import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pipeline.acquire.fetch import FeedNote
from pipeline.acquire.politeness import max_age, next_poll_delay, parse_retry_after
from pipeline.core.config import FeedConfig, FetchConfig
from pipeline.core.errors import (
    BlockedURLError,
    ContentTypeError,
    DeferredError,
    FetchError,
    HTTPStatusError,
    TooManyRedirectsError,
    TransportError,
)
from pipeline.core.models import FeedPoll, Source
from storage.clock import iso
from storage.store import SourceState, Store

log = logging.getLogger(__name__)

Grade = Literal["ok", "soft", "hard", "deferred"]

# 4xx answers that say "try again later" rather than "this is not here".
SOFT_CLIENT_STATUSES = frozenset({408, 425, 429})
# Reasons from pipeline.acquire.sources for a fetched document that is not usable.
HARD_REASONS = frozenset({"not-a-feed", "io", "blocked", "redirects", "content-type"})
_DNS_HINTS = (
    "name or service not known",
    "cannot resolve host",
    "nodename nor servname",
    "no address associated",
    "temporary failure in name resolution",
    "has no addresses",
)
_TLS_HINTS = ("ssl", "certificate", "tls")


def grade(poll: FeedPoll, error: FetchError | None = None) -> Grade:
    """How bad this poll was; `error` is the fetch exception behind it, when there was one."""
    if poll.status != "error":
        return "ok"
    if isinstance(error, DeferredError):
        return "deferred"
    if isinstance(error, HTTPStatusError) or (error is None and poll.http_status):
        status = error.status if isinstance(error, HTTPStatusError) else poll.http_status or 0
        if status >= 500 or status in SOFT_CLIENT_STATUSES:
            return "soft"
        if status >= 300:
            return "hard"
    if isinstance(error, TransportError):
        return "hard" if transport_failure(error) in ("dns", "tls") else "soft"
    if isinstance(error, BlockedURLError | TooManyRedirectsError | ContentTypeError):
        return "hard"
    reason = (poll.error or "").partition(":")[0]
    return "hard" if reason in HARD_REASONS else "soft"


def transport_failure(error: FetchError) -> str:
    """ "dns", "tls", "timeout" or "connection", from the exception chain and message."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "dns"
    if any(isinstance(e, ssl.SSLError | ssl.CertificateError) for e in chain):
        return "tls"
    text = " ".join(str(e) for e in chain).lower()
    if any(hint in text for hint in _DNS_HINTS):
        return "dns"
    if "timed out" in text or "timeout" in text:
        return "timeout"
    if any(hint in text for hint in _TLS_HINTS):
        return "tls"
    return "connection"


@dataclass(frozen=True)
class Verdict:
    """What to store after a poll: its grade, when to poll next, whether to disable."""

    grade: Grade
    next_poll_at: datetime
    retry_after_until: datetime | None = None
    disable_reason: str | None = None


def assess(
    poll: FeedPoll,
    state: SourceState,
    feed: FeedConfig,
    config: FetchConfig,
    now: datetime,
    *,
    error: FetchError | None = None,
    cache_control: str | None = None,
    retry_after: str | None = None,
    ttl_minutes: int | None = None,
) -> Verdict:
    """Grade a poll and decide when the feed is due again; `state` is from before the poll."""
    kind = grade(poll, error)
    cap = config.max_backoff * 60.0
    if kind == "deferred":
        until = error.until if isinstance(error, DeferredError) else now
        return Verdict(kind, max(until, now))
    failures = 0 if kind == "ok" else state.consecutive_failures + 1
    delay = next_poll_delay(
        feed.interval_s,
        failures=failures,
        fresh_for=max_age(cache_control) if kind == "ok" else None,
        ttl_minutes=ttl_minutes,
        cap=cap,
    )
    next_at = now + timedelta(seconds=delay)
    window = parse_retry_after(retry_after, now, cap)  # a server cannot park us forever
    if window is not None:
        next_at = max(next_at, window)
    reason = None
    hard_in_a_row = state.hard_failures + 1
    if kind == "hard" and hard_in_a_row >= config.max_hard_failures:
        reason = f"{hard_in_a_row} hard failures in a row, last: {poll.error}"
    return Verdict(kind, next_at, window, reason)


def record(
    store: Store,
    source: Source,
    feed: FeedConfig,
    poll: FeedPoll,
    state: SourceState,
    note: FeedNote | None,
    config: FetchConfig,
    now: datetime,
) -> Verdict:
    """Store a poll and its verdict; `state` is from before the poll, `note` its fetch note."""
    ttl = poll.ttl_minutes if poll.status == "ok" else state.feed_ttl
    verdict = assess(
        poll,
        state,
        feed,
        config,
        now,
        error=note.error if note else None,
        cache_control=note.cache_control if note else None,
        retry_after=note.retry_after if note else None,
        ttl_minutes=ttl,
    )
    at = iso(now)
    if verdict.grade != "deferred":  # nothing was sent: not a poll
        store.record_poll(source, poll, at)
    store.record_health(
        source.name,
        kind=verdict.grade,
        next_poll_at=_iso_ceil(verdict.next_poll_at),
        retry_after_until=_iso_ceil(verdict.retry_after_until)
        if verdict.retry_after_until
        else None,
        disable_reason=verdict.disable_reason,
        feed_ttl=ttl,
        at=at,
    )
    log.debug("%s: %s, next poll at %s", source.name, verdict.grade, iso(verdict.next_poll_at))
    if verdict.disable_reason:
        log.warning(
            "%s: disabled (%s); `newswatch enable %s` turns it back on",
            source.name,
            verdict.disable_reason,
            source.name,
        )
    return verdict


def skip_reason(state: SourceState, now: datetime, *, due_only: bool) -> str | None:
    """Why a source is not polled now, or None when it should be."""
    if state.disabled:
        return f"disabled ({state.disabled_reason}); `newswatch enable {state.name}`"
    if state.retry_after_until and state.retry_after_until > iso(now):
        return f"the server asked to wait until {state.retry_after_until} (Retry-After)"
    if due_only and state.next_poll_at and state.next_poll_at > iso(now):
        return f"not due until {state.next_poll_at}"
    return None


def _iso_ceil(moment: datetime) -> str:
    # Deadlines round up, so a window never ends early by the lost fraction of a second.
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return iso(moment)
