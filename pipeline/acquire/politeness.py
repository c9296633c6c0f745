"""Polite polling: one request at a time per host, a pause between them, robots.txt, Retry-After.

`Politeness` is shared by every request of a process (the scheduler keeps one
for its whole life), so its memory of each host outlives a single run:

- per host, one request at a time and at least `per_host_delay` seconds (or the
  robots.txt Crawl-delay, when larger) from the end of one request to the start
  of the next;
- a host that answered 429/503 with Retry-After gets nothing until the window
  ends: a request that would have to wait longer than `max_retry_wait` fails at
  once with `DeferredError` instead of being sent;
- robots.txt is fetched once per host and kept for a day; it governs article
  pages only (feeds are what the operator subscribed to).

`next_poll_delay` turns what a poll taught us (Cache-Control max-age, RSS
<ttl>, Retry-After, consecutive failures) into when the feed is due again.

Every wait a host can ask for (Retry-After in seconds or as a date, robots.txt
Crawl-delay, max-age, <ttl>) is read into a bounded number: at most
`[fetch] max_backoff`, whatever the digits say, so twelve digits of Retry-After
neither overflow a datetime nor park a host for decades. A wait longer than
`max_retry_wait` is never slept through in a run: the request is deferred.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from pipeline.core.config import FetchConfig
from pipeline.core.errors import DeferredError

log = logging.getLogger(__name__)

ROBOTS_TTL = 24 * 3600.0  # seconds a robots.txt answer is trusted
ROBOTS_RETRY = 600.0  # an unreachable robots.txt is asked again after this long


# A robots.txt fetch answers (HTTP status, body); status 0 means it could not be fetched.
RobotsFetch = Callable[[str], tuple[int, bytes]]


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_end: float = float("-inf")  # monotonic time the last request to it finished
    blocked_until: float = 0.0  # monotonic end of a Retry-After window
    blocked_until_wall: datetime | None = None
    crawl_delay: float = 0.0


@dataclass
class _Robots:
    parser: urllib.robotparser.RobotFileParser | None  # None: allow everything
    disallow_all: bool
    expires: float


class Politeness:
    """Per-host throttle, Retry-After windows and robots.txt cache (thread-safe)."""

    def __init__(
        self,
        config: FetchConfig,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.stop = threading.Event()  # set on shutdown: long waits give up
        self._monotonic = monotonic
        self._wall = wall
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    # -- throttle ---------------------------------------------------------------

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold the host's one request slot, after the pause its last request requires."""
        host = self._host(url)
        with host.lock:
            self._wait_turn(host, url)
            try:
                yield
            finally:
                host.last_end = self._monotonic()

    def defer_host(self, url: str, until: datetime) -> None:
        """The host said Retry-After: send it nothing before `until` (wall clock, UTC),
        or for `[fetch] max_backoff` when it asked for longer."""
        host = self._host(url)
        now = self._wall()
        longest = self.config.max_backoff * 60.0
        seconds = min((until - now).total_seconds(), longest)
        if seconds <= 0:
            return
        until = min(until, now + timedelta(seconds=longest))
        with self._lock:
            end = self._monotonic() + seconds
            if end > host.blocked_until:
                host.blocked_until, host.blocked_until_wall = end, until
        log.debug("%s: deferred until %s (Retry-After)", host_key(url), until.isoformat())

    def blocked_until(self, url: str) -> datetime | None:
        """End of the host's Retry-After window, when one is still open."""
        host = self._host(url)
        if host.blocked_until > self._monotonic():
            return host.blocked_until_wall
        return None

    def _wait_turn(self, host: _Host, url: str) -> None:
        delay = max(self.config.per_host_delay, host.crawl_delay)
        while True:
            now = self._monotonic()
            window = host.blocked_until - now
            if window > 0 and (window > self.config.max_retry_wait or self.stop.is_set()):
                until = host.blocked_until_wall or self._wall()
                raise DeferredError(
                    f"{url}: not sent, the host asked to wait until "
                    f"{until.isoformat(timespec='seconds')} (Retry-After)",
                    url=url,
                    until=until,
                )
            crawl_wait = host.last_end + host.crawl_delay - now
            if crawl_wait > max(self.config.max_retry_wait, self.config.per_host_delay):
                until = self._wall() + timedelta(seconds=crawl_wait)
                raise DeferredError(  # a run does not sleep through a long Crawl-delay
                    f"{url}: not sent, robots.txt asks for {host.crawl_delay:g}s between "
                    f"requests; next allowed at {until.isoformat(timespec='seconds')}",
                    url=url,
                    until=until,
                )
            gap = max(window, host.last_end + delay - now)
            if gap <= 0:
                return
            if window > 0:
                self.stop.wait(gap)  # a shutdown ends the wait (and then defers, above)
            else:
                time.sleep(gap)  # at most a few seconds; finishing it keeps us polite

    def _host(self, url: str) -> _Host:
        key = host_key(url)
        with self._lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host()
            return host

    # -- robots.txt -------------------------------------------------------------

    def robots_allowed(self, url: str, fetch: RobotsFetch) -> bool:
        """May `url` be fetched? robots.txt is fetched (through `fetch`) once per host."""
        key = host_key(url)
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per host even when pages are fetched in parallel
            robots = self._robots.get(key)
            if robots is None or robots.expires < self._monotonic():
                robots = self._robots[key] = self._load_robots(key, fetch)
        if robots.disallow_all:
            return False
        if robots.parser is None:
            return True
        return robots.parser.can_fetch(self.config.user_agent_header, url)

    def _load_robots(self, key: str, fetch: RobotsFetch) -> _Robots:
        status, body = fetch(f"{key}/robots.txt")
        now = self._monotonic()
        # RFC 9309: 4xx means "no rules"; 5xx or unreachable means "assume everything
        # is disallowed" for now, and ask again later.
        if 400 <= status < 500:
            log.debug("%s/robots.txt: HTTP %d, no rules", key, status)
            return _Robots(None, False, now + ROBOTS_TTL)
        if not 200 <= status < 300:
            log.debug("%s/robots.txt: unavailable (%d), pages deferred", key, status)
            return _Robots(None, True, now + ROBOTS_RETRY)
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body.decode("utf-8", errors="replace").splitlines())
        crawl_delay = _bounded_seconds(parser.crawl_delay(self.config.user_agent_header))
        if crawl_delay:
            longest = self.config.max_backoff * 60.0
            self._host(key).crawl_delay = min(crawl_delay, longest)
        return _Robots(parser, False, now + ROBOTS_TTL)


def host_key(url: str) -> str:
    """scheme://host[:port], lower-cased: what one throttle slot and one robots.txt cover."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


# -- when to poll next -------------------------------------------------------------


# Longer than any wait a server can mean: numbers past it are read as it, so that
# neither int() of thousands of digits nor a datetime past year 9999 is ever tried.
LONGEST_WAIT = 10 * 365 * 86400.0  # seconds


def parse_retry_after(
    value: str | None, now: datetime, longest: float = LONGEST_WAIT
) -> datetime | None:
    """The end of a Retry-After window: delta-seconds or an HTTP date, no later than
    `longest` seconds from `now` (callers pass `[fetch] max_backoff`); None when unusable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        seconds = _bounded_seconds(text)
        return now + timedelta(seconds=min(seconds or 0.0, longest))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(when.astimezone(UTC), now), now + timedelta(seconds=longest))


def _bounded_seconds(value: object) -> float | None:
    """A count of seconds from a header or robots.txt, at most LONGEST_WAIT; None when
    it is not a finite number of 0 or more."""
    text = str(value).strip() if value is not None else ""
    if text.isdigit():  # only its length, never its value, decides that it is huge
        return float(text) if len(text) <= 9 else LONGEST_WAIT
    try:
        seconds = float(text)
    except ValueError:
        return None
    if seconds != seconds or seconds < 0:  # NaN, negative
        return None
    return min(seconds, LONGEST_WAIT)


def max_age(cache_control: str | None) -> float | None:
    """Seconds of freshness in Cache-Control (s-maxage is for shared caches; we are not one)."""
    for directive in (cache_control or "").lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip() == "max-age":
            value = value.strip().strip('"')
            return _bounded_seconds(value) if value.isdigit() else None
    return None


def next_poll_delay(
    interval: float,
    *,
    failures: int = 0,
    fresh_for: float | None = None,
    ttl_minutes: int | None = None,
    cap: float = 86400.0,
) -> float:
    """Seconds until the next poll of a feed.

    Healthy: the feed's interval, or longer when the server (max-age) or the feed
    (<ttl>) says the document stays fresh longer. After `failures` consecutive
    failures: interval × 2^failures. Both are capped at `cap`, except that the
    interval itself is never shortened. Retry-After is applied by the caller,
    on top: it is a floor, not a suggestion.
    """
    if failures > 0:
        delay = interval * 2.0 ** min(failures, 30)
    else:
        delay = max(interval, fresh_for or 0.0, (ttl_minutes or 0) * 60.0)
    return max(interval, min(delay, cap))
