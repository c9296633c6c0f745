"""Reading WARC files (FastWARC): HTTP responses in, `WarcItem`s out, problems named.

FastWARC (resiliparse's WARC library) does the parsing: record boundaries, gzip
members, WARC and HTTP headers. This module decides what a backfill can use:

- only `response` records (requests, metadata and warcinfo records are not pages);
- a response that is not a 2xx, not HTTP at all, or whose content type is not a
  page type (the fetcher's `PAGE_TYPES`) is *skipped* with that reason;
- a record whose block is over `[fetch] max_bytes` is *skipped* (`too-large`)
  without reading its payload;
- a record whose payload ends before its declared length (a truncated download)
  *failed* (`truncated`); FastWARC returns the short payload without complaint;
- a file FastWARC cannot go on reading (a corrupt gzip member, garbage where a
  WARC header should be) raises `WarcReadError` naming the last record read: the
  records before the damage were yielded, the rest of that file is lost to this run.

Content- and transfer-encodings are left in the payload for the worker to undo
(`decode_payload`), so that the reading process only moves bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastwarc import ArchiveIterator, WarcRecordType
from fastwarc.stream_io import BrotliReader, ChunkedReader, GzipReader, ZstdReader

from pipeline.acquire.fetch import PAGE_TYPES
from pipeline.backfill.records import Problem, RecordKey, WarcItem

WARC_SUFFIXES = (".warc", ".warc.gz")
_CHUNK = 1 << 16


class WarcReadError(Exception):
    """A WARC file cannot be read on; reason `corrupt-warc`.

    `after`: the offset of the last record read before the damage (None: none was).
    """

    reason = "corrupt-warc"

    def __init__(self, file: str, after: int | None, message: str) -> None:
        where = "from its start" if after is None else f"after the record at byte {after}"
        super().__init__(f"{file}: unreadable {where}: {message}")
        self.file = file
        self.after = after


def source_for(url: str, source_name: str | None) -> str:
    """The `source` an article is stored under: the given name, else the page's host."""
    if source_name:
        return source_name
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or "backfill"


def read_warc(path: Path, max_bytes: int, source_name: str | None = None) -> Iterator[WarcItem]:
    """Every response record of the file, in file order (see the module docstring).

    Each is stored under `source_name`, or under its site's host when that is None.
    """
    file = str(path)
    last_offset, part = -1, 0
    with path.open("rb") as stream:  # OSError here: the file cannot be opened at all
        try:
            records = ArchiveIterator(
                stream, record_types=WarcRecordType.response, parse_http=True, auto_decode="none"
            )
            for record in records:
                offset = int(record.stream_pos)
                # Several records in one gzip member share its offset: number them.
                part = part + 1 if offset == last_offset else 0
                last_offset = offset
                yield _item(RecordKey(file, offset, part), record, max_bytes, source_name)
        except OSError as exc:
            after = last_offset if last_offset >= 0 else None
            raise WarcReadError(file, after, str(exc) or type(exc).__name__) from None


def _item(key: RecordKey, record: Any, max_bytes: int, source_name: str | None) -> WarcItem:
    url = record.headers.get("WARC-Target-URI") or ""
    date = record.record_date.isoformat() if record.headers.get("WARC-Date") else None
    source = source_for(url, source_name)
    http = record.http_headers
    status = http.status_code if http is not None else None

    def problem(status: Any, reason: str, message: str) -> WarcItem:
        return WarcItem(key, url, date, source, problem=Problem(status, reason, message))

    if status is None:
        return problem("skipped", "not-http", "the response record holds no HTTP response")
    if not 200 <= status < 300:
        return problem("skipped", "http-status", f"HTTP {status}")
    content_type = http.get("Content-Type")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in PAGE_TYPES:
        return problem("skipped", "content-type", f"content type '{media_type}' is not a page")
    block = int(record.headers.get("Content-Length") or 0)
    if block > max_bytes:
        return problem("skipped", "too-large", f"record of {block} bytes, cap {max_bytes}")
    payload = read_at_most(record.reader, max_bytes)
    if len(payload) < record.content_length:
        message = f"payload ends at {len(payload)} of {record.content_length} bytes"
        return problem("failed", "truncated", message)
    return WarcItem(
        key,
        url,
        date,
        source,
        content_type=content_type,
        content_encoding=http.get("Content-Encoding"),
        transfer_encoding=http.get("Transfer-Encoding"),
        payload=payload,
    )


def read_at_most(reader: Any, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of a reader: one more than the cap tells "over the cap"."""
    out = bytearray()
    while len(out) <= limit:
        chunk = reader.read(min(_CHUNK, limit + 1 - len(out)))
        if not chunk:
            break
        out += chunk
    return bytes(out)


class PayloadError(Exception):
    """The payload's encodings could not be undone; `reason` is the run_errors tag."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# Content-Encoding values and the FastWARC reader that undoes each.
_DECODERS: dict[str, Any] = {
    "gzip": GzipReader,
    "x-gzip": GzipReader,
    "deflate": lambda stream: GzipReader(stream, zlib=True),
    "br": BrotliReader,
    "zstd": ZstdReader,
}


def decode_payload(item: WarcItem, max_bytes: int) -> bytes:
    """The page bytes: chunked transfer and content encodings undone, at most `max_bytes`.

    Raises PayloadError (`content-encoding` for one it cannot undo, `too-large` for a
    body that decodes past the cap: a compression bomb stops at the cap).
    """
    body = item.payload
    try:
        if "chunked" in (item.transfer_encoding or "").lower():
            body = read_at_most(ChunkedReader(io.BytesIO(body)), max_bytes)
        codings = [c.strip().lower() for c in (item.content_encoding or "").split(",")]
        for coding in reversed([c for c in codings if c and c != "identity"]):
            decoder = _DECODERS.get(coding)
            if decoder is None:
                raise PayloadError("content-encoding", f"unknown content encoding '{coding}'")
            body = read_at_most(decoder(io.BytesIO(body)), max_bytes)
    except OSError as exc:
        raise PayloadError("content-encoding", f"cannot decode the payload: {exc}") from None
    if len(body) > max_bytes:
        raise PayloadError("too-large", f"payload decodes past the cap of {max_bytes} bytes")
    return body


def warc_files(patterns: list[str]) -> tuple[list[Path], list[str]]:
    """The WARC files named by paths, globs and folders (sorted); and the patterns matching none."""
    import glob

    found: set[Path] = set()
    unmatched: list[str] = []
    for pattern in patterns:
        matches = [Path(p) for p in glob.glob(pattern)] if glob.has_magic(pattern) else []
        if not matches and Path(pattern).exists():
            matches = [Path(pattern)]
        files: list[Path] = []
        for match in matches:
            if match.is_dir():
                files += [p for p in match.iterdir() if p.name.endswith(WARC_SUFFIXES)]
            elif match.is_file():
                files.append(match)
        if not files:
            unmatched.append(pattern)
        found.update(f.resolve() for f in files)
    return sorted(found), unmatched
