"""FETCH: turn a feed or article URL into bytes, or into one clear FetchError.

Everything that comes from the network is untrusted, so one fetch is bounded on
every side: only http(s), each redirect hop re-checked by netguard, a timeout
per network operation plus a total deadline (a server dripping one byte a
second never trips a read timeout), a cap on the DECODED body (a small gzip
bomb expands in memory, so the cap is enforced while decompressing in bounded
steps), and a content-type check before the body is read.

Given a `Politeness` (pipeline/politeness.py, the run always passes one), every
request waits for its host's slot, a 429/503 with Retry-After closes the host
for that long, and article pages are checked against robots.txt first.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin

import httpx

from pipeline.acquire.netguard import check_url
from pipeline.acquire.politeness import Politeness, parse_retry_after
from pipeline.acquire.transport import make_client
from pipeline.core.config import FetchConfig
from pipeline.core.errors import (
    ContentTypeError,
    FetchError,
    HTTPStatusError,
    RobotsDisallowedError,
    TooLargeError,
    TooManyRedirectsError,
    TransportError,
)
from pipeline.core.models import Page, Validators

# Statuses whose Retry-After asks us to leave the host alone for a while.
RETRY_AFTER_STATUSES = frozenset({429, 503})

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# Feeds are served under many types; anything textual or structured is worth
# handing to feedparser, which tells a feed from a non-feed far better than a header.
FEED_TYPE_MARKERS = ("xml", "rss", "atom", "json")
FEED_TYPES_TOLERATED = frozenset({"application/octet-stream"})
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})

# We decode gzip/deflate ourselves in bounded steps, so advertise only those.
ACCEPT_ENCODING = "gzip, deflate"
_DECODE_STEP = 64 * 1024
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB


@dataclass(frozen=True)
class FeedResponse:
    """A fetched feed document, or a 304 that says the stored copy is current."""

    url: str  # as requested
    final_url: str  # after redirects; the base for relative entry links
    status: int
    body: bytes  # empty when not_modified
    validators: Validators  # the server's new ones on 200, the old ones on 304
    not_modified: bool
    content_type: str | None = None
    cache_control: str | None = None
    retry_after: str | None = None


@dataclass(frozen=True)
class FeedNote:
    """How the last fetch of a feed URL went, headers included: what health grading reads."""

    status: int | None
    cache_control: str | None = None
    retry_after: str | None = None
    error: FetchError | None = None


@dataclass(frozen=True)
class _Fetched:
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """Fetches feeds and pages with the limits of one FetchConfig.

    Pass an `httpx.Client` to share a connection pool; otherwise the Fetcher
    creates one and closes it on `close()` / leaving the `with` block.
    """

    def __init__(
        self,
        config: FetchConfig,
        client: httpx.Client | None = None,
        politeness: Politeness | None = None,
    ) -> None:
        self.config = config
        self._owns_client = client is None
        self._client = client if client is not None else make_client(config)
        self.politeness = politeness  # None: no throttle, no robots.txt (tests of limits)
        self._feed_notes: dict[str, FeedNote] = {}

    def feed_note(self, url: str) -> FeedNote | None:
        """What the last `fetch_feed(url)` answered or raised, with the headers that matter."""
        return self._feed_notes.get(url)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def fetch_feed(self, url: str, validators: Validators) -> FeedResponse:
        """Conditional GET of a feed: validators go out byte-exact, a 304 keeps them."""
        try:
            response = self._fetch_feed(url, validators)
        except FetchError as exc:
            retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
            self._feed_notes[url] = FeedNote(getattr(exc, "status", None), None, retry_after, exc)
            raise
        self._feed_notes[url] = FeedNote(
            response.status, response.cache_control, response.retry_after
        )
        return response

    def _fetch_feed(self, url: str, validators: Validators) -> FeedResponse:
        headers = {}
        if validators.etag is not None:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified is not None:
            headers["If-Modified-Since"] = validators.last_modified
        got = self._get(url, headers, self.config.max_feed_bytes, _is_feed_type, "feed")
        if got.status == 304:
            return FeedResponse(
                url=url,
                final_url=got.final_url,
                status=304,
                body=b"",
                validators=validators,
                not_modified=True,
                cache_control=got.headers.get("cache-control"),
                retry_after=got.headers.get("retry-after"),
            )
        return FeedResponse(
            url=url,
            final_url=got.final_url,
            status=got.status,
            body=got.body,
            validators=Validators(
                etag=got.headers.get("etag"), last_modified=got.headers.get("last-modified")
            ),
            not_modified=False,
            content_type=got.headers.get("content-type"),
            cache_control=got.headers.get("cache-control"),
            retry_after=got.headers.get("retry-after"),
        )

    def fetch_page(self, url: str) -> Page:
        """GET an article page (HTML or plain text) within the page byte cap."""
        if (
            self.politeness is not None
            and self.config.respect_robots
            and not self.politeness.robots_allowed(url, self._fetch_robots)
        ):
            raise RobotsDisallowedError(f"{url}: disallowed by robots.txt", url=url)
        got = self._get(url, {}, self.config.max_bytes, _is_page_type, "page")
        if got.status == 304:  # we sent no validators, so a 304 is the server's mistake
            raise HTTPStatusError(f"{url}: unexpected HTTP 304", url=url, status=304)
        return Page(
            url=url,
            final_url=got.final_url,
            status=got.status,
            content_type=got.headers.get("content-type"),
            body=got.body,
        )

    def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """(status, body) of a robots.txt; status 0 when it could not be fetched at all."""
        try:
            got = self._get(url, {}, ROBOTS_MAX_BYTES, lambda _type: True, "robots.txt")
        except HTTPStatusError as exc:
            return exc.status, b""
        except FetchError:
            return 0, b""
        return got.status, got.body

    def _get(
        self,
        url: str,
        extra_headers: dict[str, str],
        max_bytes: int,
        type_ok: Callable[[str], bool],
        what: str,
    ) -> _Fetched:
        cfg = self.config
        deadline = time.monotonic() + cfg.timeout
        headers = {
            "User-Agent": cfg.user_agent_header,
            "Accept-Encoding": ACCEPT_ENCODING,
            **extra_headers,
        }
        current = url
        for _hop in range(cfg.max_redirects + 1):
            check_url(current, cfg.allow_private_networks, cfg.allow_hosts)
            with self._slot(current):
                fetched = self._hop(url, current, headers, max_bytes, type_ok, what, deadline)
            if isinstance(fetched, _Fetched):
                return fetched
            current = fetched
        raise TooManyRedirectsError(
            f"{url}: more than {cfg.max_redirects} redirects (last: {current})", url=url
        )

    def _slot(self, url: str) -> AbstractContextManager[None]:
        return self.politeness.slot(url) if self.politeness is not None else nullcontext()

    def _hop(
        self,
        url: str,
        current: str,
        headers: dict[str, str],
        max_bytes: int,
        type_ok: Callable[[str], bool],
        what: str,
        deadline: float,
    ) -> _Fetched | str:
        """One request: the fetched document, or the next URL when it is a redirect."""
        cfg = self.config
        try:
            request = self._client.build_request(
                "GET", current, headers=headers, timeout=httpx.Timeout(cfg.timeout)
            )
            response = self._client.send(request, stream=True, follow_redirects=False)
        except httpx.InvalidURL as exc:
            raise TransportError(f"{current}: invalid URL: {exc}", url=url) from None
        except httpx.TimeoutException:
            raise TransportError(f"{current}: timed out after {cfg.timeout:g}s", url=url) from None
        except httpx.HTTPError as exc:
            raise TransportError(f"{current}: {_describe(exc)}", url=url) from None
        try:
            status = response.status_code
            if status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise HTTPStatusError(
                        f"{current}: HTTP {status} redirect without a Location header",
                        url=url,
                        status=status,
                    )
                return urljoin(current, location)
            if status == 304:
                return _Fetched(current, status, response.headers, b"")
            if not 200 <= status < 300:
                retry_after = response.headers.get("retry-after")
                self._note_retry_after(current, status, retry_after)
                raise HTTPStatusError(
                    f"{current}: HTTP {status} {response.reason_phrase}".rstrip(),
                    url=url,
                    status=status,
                    retry_after=retry_after,
                )
            content_type = response.headers.get("content-type")
            if not type_ok(_media_type(content_type)):
                raise ContentTypeError(
                    f"{current}: content type '{content_type}' is not a {what}", url=url
                )
            body = _read_body(response, current, url, max_bytes, deadline, cfg.timeout)
            return _Fetched(current, status, response.headers, body)
        finally:
            response.close()

    def _note_retry_after(self, url: str, status: int, retry_after: str | None) -> None:
        if self.politeness is None or status not in RETRY_AFTER_STATUSES:
            return
        longest = self.config.max_backoff * 60.0
        until = parse_retry_after(retry_after, datetime.now(UTC), longest)
        if until is not None:
            self.politeness.defer_host(url, until)


def _is_feed_type(media_type: str) -> bool:
    if not media_type or media_type in FEED_TYPES_TOLERATED or media_type.startswith("text/"):
        return True
    return any(marker in media_type for marker in FEED_TYPE_MARKERS)


def _is_page_type(media_type: str) -> bool:
    # A missing header is left to the text stage, which sniffs the bytes.
    return not media_type or media_type in PAGE_TYPES


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _read_body(
    response: httpx.Response,
    current: str,
    url: str,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> bytes:
    too_large = f"{current}: body larger than {max_bytes} bytes"
    declared = response.headers.get("content-length", "")
    # The declared length is the encoded size, which compression only makes smaller.
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLargeError(f"{too_large} (Content-Length {declared})", url=url)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in _decoded_chunks(response):
            size += len(chunk)
            if size > max_bytes:
                raise TooLargeError(too_large, url=url)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise TransportError(f"{current}: body not complete within {timeout:g}s", url=url)
    except httpx.TimeoutException:
        raise TransportError(f"{current}: timed out after {timeout:g}s", url=url) from None
    except httpx.HTTPError as exc:
        raise TransportError(f"{current}: {_describe(exc)}", url=url) from None
    except zlib.error as exc:
        raise TransportError(f"{current}: cannot decode compressed body: {exc}", url=url) from None
    return b"".join(chunks)


def _decoded_chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body, decompressed at most _DECODE_STEP bytes at a time."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding in ("gzip", "x-gzip"):
        yield from _inflate(response.iter_raw(), zlib.MAX_WBITS | 16)
        return
    if encoding == "deflate":
        # "deflate" is zlib-wrapped by the spec but raw deflate on some servers.
        raw = response.iter_raw()
        first = next(raw, b"")
        try:
            zlib.decompressobj().decompress(first[:_DECODE_STEP], 1)
            wbits = zlib.MAX_WBITS
        except zlib.error:
            wbits = -zlib.MAX_WBITS
        yield from _inflate(_prepend(first, raw), wbits)
        return
    # We asked for gzip and deflate only. Anything else (br, zstd, or stacked
    # "gzip, gzip", which httpx would inflate a whole chunk at a time: a bomb) is
    # refused rather than decoded without a bound.
    raise ContentTypeError(f"{response.url}: unrequested content encoding {encoding!r}")


def _inflate(raw: Iterator[bytes], wbits: int) -> Iterator[bytes]:
    decoder = zlib.decompressobj(wbits)
    for data in raw:
        pending = data
        while pending and not decoder.eof:
            out = decoder.decompress(pending, _DECODE_STEP)
            if out:
                yield out
            pending = decoder.unconsumed_tail
    if not decoder.eof:
        tail = decoder.flush()
        if tail:
            yield tail


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _describe(exc: httpx.HTTPError) -> str:
    name = type(exc).__name__
    detail = str(exc)
    return f"{name}: {detail}" if detail else name
