"""SOURCES: resolve configured feeds and poll them into FeedItems.

A source is an http(s) feed, a local feed file, or a folder of article files;
all three answer a poll with the same FeedPoll, including "not_modified" (the
HTTP 304, or an unchanged file/folder), so the run treats them alike. Feeds are
always parsed by feedparser from bytes we fetched ourselves: handed a string,
feedparser would fetch URLs and open files on its own, bypassing every limit
and check in pipeline.acquire.fetch.

One bad feed never raises: poll_source returns FeedPoll(status="error") with
"reason: message", and the run records it and moves on.

A local source reads only inside its folder (the feed file's folder, or the folder
source itself): a file link is followed through symlinks to its real path, and one
that ends outside the folder (`../../secret.txt`, `file:///etc/passwd`, a symlink
out) is refused as `blocked`; only regular files are read (never /dev/zero or a
FIFO), and no more than `[fetch] max_bytes` of one (`max_feed_bytes` of a feed).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat as stat_module
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

import feedparser

from pipeline.acquire.feedsafety import sanitize_feed_bytes
from pipeline.acquire.fetch import Fetcher
from pipeline.core.config import FeedConfig, FetchConfig
from pipeline.core.errors import BlockedURLError, ConfigError, FetchError, TooLargeError
from pipeline.core.models import FeedItem, FeedPoll, Page, Source, SourceKind, Validators

FOLDER_SUFFIXES = frozenset({".html", ".htm", ".txt"})
HTTP_SCHEMES = frozenset({"http", "https"})
LOCAL_LINK_SCHEMES = HTTP_SCHEMES | {"file"}


def resolve_sources(feeds: Iterable[FeedConfig], base_dir: Path) -> list[Source]:
    """Every configured feed resolved, errors naming feeds[i]."""
    return [resolve_source(feed, base_dir, index=i) for i, feed in enumerate(feeds)]


def resolve_source(feed: FeedConfig, base_dir: Path, *, index: int | None = None) -> Source:
    """An http(s) URL, a local feed file, or a folder; relative paths against `base_dir`."""
    where = f"feeds[{index}] ('{feed.name}')" if index is not None else f"feed '{feed.name}'"
    url = feed.url.strip()
    scheme = urlsplit(url).scheme.lower()

    def make(location: str, kind: SourceKind) -> Source:
        return Source(feed.name, location, kind, tuple(feed.tags), feed.interval)

    if scheme in HTTP_SCHEMES:
        return make(url, "http")
    if scheme == "file":
        try:
            path = file_url_to_path(url)
        except BlockedURLError as exc:
            raise ConfigError(f"{where}.url: {exc}") from None
    elif len(scheme) > 1:  # one letter is a Windows drive, not a scheme
        raise ConfigError(f"{where}.url: unsupported scheme '{scheme}' in {url}")
    else:
        path = Path(url).expanduser()
        if not path.is_absolute():
            path = base_dir / path
    path = path.resolve()
    if path.is_file():
        return make(str(path), "file")
    if path.is_dir():
        return make(str(path), "folder")
    raise ConfigError(f"{where}.url: no such file or directory: {path}")


def poll_source(source: Source, fetcher: Fetcher, validators: Validators) -> FeedPoll:
    """Poll one source; any failure becomes FeedPoll(status='error'), never an exception."""
    try:
        if source.kind == "http":
            return _poll_http(source, fetcher, validators)
        if source.kind == "file":
            return _poll_file(source, fetcher.config.max_feed_bytes, validators)
        return _poll_folder(source, validators)
    except FetchError as exc:
        return _error(source, exc.reason, str(exc), getattr(exc, "status", None))
    except OSError as exc:
        return _error(source, "io", f"{source.location}: {exc.strerror or exc}")


def local_root(source: Source) -> Path | None:
    """The folder a local source may read in (None for an http source)."""
    if source.kind == "http":
        return None
    location = Path(source.location)
    return (location if source.kind == "folder" else location.parent).resolve()


def read_local_page(
    link: str, *, root: Path | None = None, max_bytes: int = FetchConfig.max_bytes
) -> Page:
    """A file:// article link read from disk as a Page, so local and remote items look alike.

    Only a regular file is read, at most `max_bytes` of it; with a `root` (the run
    passes the source's `local_root`), only one whose real path lies inside it.
    """
    path = file_url_to_path(link)
    body = read_capped(path, max_bytes, link, root=root)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Page(url=link, final_url=link, status=200, content_type=content_type, body=body)


def read_capped(path: Path, max_bytes: int, url: str, *, root: Path | None = None) -> bytes:
    """The bytes of a regular file, refused when larger than `max_bytes` or, given a
    `root`, when its real path (symlinks followed) is outside that folder."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # missing, or a symlink loop
        raise FetchError(f"{url}: cannot read file: {_why(exc)}", url=url) from None
    if root is not None and not real.is_relative_to(root):
        raise BlockedURLError(f"{url}: outside the source's folder {root}", url=url)
    try:
        # No following a link swapped in since the check, no blocking on a FIFO.
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise FetchError(f"{url}: cannot read file: {_why(exc)}", url=url) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat_module.S_ISREG(os.fstat(fd).st_mode):
            raise FetchError(f"{url}: not a regular file", url=url)
        body = handle.read(max_bytes + 1)  # /proc files say size 0: the read is the cap
    if len(body) > max_bytes:
        raise TooLargeError(f"{url}: file larger than {max_bytes} bytes", url=url)
    return body


def _why(exc: BaseException) -> str:
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def file_url_to_path(url: str) -> Path:
    """The local path of a file:// URL (host empty or localhost); BlockedURLError otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file":
        raise BlockedURLError(f"{url}: not a file:// URL", url=url)
    if parts.netloc not in ("", "localhost"):
        raise BlockedURLError(f"{url}: remote file hosts are not supported", url=url)
    return Path(url2pathname(unquote(parts.path)))


# -- polling each kind ------------------------------------------------------


def _poll_http(source: Source, fetcher: Fetcher, validators: Validators) -> FeedPoll:
    response = fetcher.fetch_feed(source.location, validators)
    if response.not_modified:
        return FeedPoll(
            source.name, "not_modified", validators=response.validators, http_status=304
        )
    headers = {"content-location": response.final_url}
    if response.content_type:
        headers["content-type"] = response.content_type
    return _parse_feed(
        source,
        response.body,
        base_url=response.final_url,
        headers=headers,
        schemes=HTTP_SCHEMES,  # a remote feed must not point us at local files
        validators=response.validators,
        http_status=response.status,
    )


def _poll_file(source: Source, max_bytes: int, validators: Validators) -> FeedPoll:
    path = Path(source.location)
    stat = path.stat()
    if stat.st_size > max_bytes:
        raise TooLargeError(f"{path}: feed file larger than {max_bytes} bytes", url=path.as_uri())
    body = read_capped(path, max_bytes, path.as_uri())
    # The content hash is the "ETag": a touched but unchanged file is still not modified.
    current = Validators(
        etag=f'"sha256:{hashlib.sha256(body).hexdigest()}"',
        last_modified=formatdate(stat.st_mtime, usegmt=True),
    )
    if validators.etag == current.etag:
        return FeedPoll(source.name, "not_modified", validators=current)
    return _parse_feed(
        source,
        body,
        base_url=path.as_uri(),
        # No content-location: feedparser mangles file:// bases (file:///a → file://a),
        # so relative links stay relative and _item joins them onto the file's URI.
        # Without a type feedparser flags every file as bozo ("no Content-type").
        headers={"content-type": mimetypes.guess_type(path.name)[0] or "application/xml"},
        schemes=LOCAL_LINK_SCHEMES,
        validators=current,
        http_status=None,
    )


def _poll_folder(source: Source, validators: Validators) -> FeedPoll:
    folder = Path(source.location)
    root = folder.resolve()
    files = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in FOLDER_SUFFIXES
        and not p.name.startswith(".")
        and p.is_file()
        and p.resolve().is_relative_to(root)  # a symlink out of the folder is not listed
    )
    listing = hashlib.sha256()
    newest = 0.0
    for p in files:
        stat = p.stat()
        listing.update(f"{p.name}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
        newest = max(newest, stat.st_mtime)
    current = Validators(
        etag=f'"listing:{listing.hexdigest()}"',
        last_modified=formatdate(newest or time.time(), usegmt=True),
    )
    if validators.etag == current.etag:
        return FeedPoll(source.name, "not_modified", validators=current)
    items = tuple(FeedItem(source=source.name, link=p.as_uri()) for p in files)
    return FeedPoll(source.name, "ok", items=items, validators=current)


# -- feed documents -----------------------------------------------------------


def _parse_feed(
    source: Source,
    body: bytes,
    *,
    base_url: str,
    headers: dict[str, str],
    schemes: frozenset[str],
    validators: Validators,
    http_status: int | None,
) -> FeedPoll:
    # Entry content is not used here, so skip feedparser's HTML sanitising and
    # relative-URI rewriting of it: that is two thirds of its time on real feeds.
    # `summary` is therefore the feed's own markup: strip it before any display.
    # DTDs are cut down first: feedparser lets some entity declarations through to
    # expat, so a 1 KB "billion laughs" could cost 100 MB (pipeline/feedsafety.py).
    parsed = feedparser.parse(
        sanitize_feed_bytes(body),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries") or []
    if not entries:
        problem = parsed.get("bozo_exception")
        if not parsed.get("version"):
            detail = f"{problem}" if problem else "no RSS, Atom or RDF document found"
            return _error(source, "not-a-feed", f"{base_url}: {detail}", http_status)
        if problem:
            return _error(source, "malformed-feed", f"{base_url}: {problem}", http_status)
    items = []
    for entry in entries:
        item = _item(source.name, entry, base_url, schemes)
        if item is not None:
            items.append(item)
    return FeedPoll(
        source.name,
        "ok",
        items=tuple(items),
        validators=validators,
        http_status=http_status,
        ttl_minutes=_ttl(parsed.get("feed", {}).get("ttl")),
    )


def _item(source: str, entry: Any, base_url: str, schemes: frozenset[str]) -> FeedItem | None:
    raw_link = (entry.get("link") or "").strip()
    if not raw_link:
        return None  # nothing to fetch; an id alone is not an address
    link = urljoin(base_url, raw_link)
    parts = urlsplit(link)
    if parts.scheme.lower() not in schemes:
        return None
    if parts.scheme.lower() == "file" and parts.netloc not in ("", "localhost"):
        # feedparser 6 writes the absolute file:///srv/a.html as file://srv/a.html; no
        # file URL here names a remote host, so the "host" is the path's first folder.
        link = f"file:///{parts.netloc}{parts.path}"
    return FeedItem(
        source=source,
        link=link,
        title=_clean(entry.get("title")),
        # dict.get skips FeedParserDict's deprecated updated→published fallback (and its warning).
        published=_iso_utc(
            dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        ),
        authors=_authors(entry),
        summary=_clean(entry.get("summary")),
        guid=_clean(entry.get("id")),
    )


def _authors(entry: Any) -> tuple[str, ...]:
    names = [a.get("name") for a in entry.get("authors") or [] if isinstance(a, dict)]
    if not any(names):
        names = [entry.get("author")]
    seen: dict[str, None] = {}
    for name in names:
        cleaned = _clean(name)
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


def _iso_utc(value: time.struct_time | None) -> str | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None


# A feed's <ttl> past this many minutes (a year) is read as a year: the digits'
# length decides, since int() of thousands of digits raises instead of converting.
MAX_TTL_MINUTES = 525_600


def _ttl(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit():
        return None
    minutes = int(text) if len(text) <= 9 else MAX_TTL_MINUTES
    return min(minutes, MAX_TTL_MINUTES) if minutes > 0 else None


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _error(
    source: Source,
    reason: str,
    message: str,
    http_status: int | None = None,
) -> FeedPoll:
    # No validators on an error: the run keeps the stored ones and retries next time.
    return FeedPoll(source.name, "error", error=f"{reason}: {message}", http_status=http_status)
