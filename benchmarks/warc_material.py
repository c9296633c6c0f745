"""WARC files for the backfill benchmark and tests, written with FastWARC from real pages.

Two kinds of page:
- `corpus_pages`: the real article pages of ../shared/corpora/article_pages (aeb,
  then fundus; every language), as their sites served them;
- `lead_pages`: a simple news page around each real wire or web text of
  ../shared (Reuters-21578, CoNLL-2003, article_pages gold bodies), cut to its
  lead (`harness.lead`). Cheap to process, so a 20,000-record archive fits the
  benchmark's time; once the distinct texts run out they repeat with a marker
  sentence (a new text hash) on another host (a new URL), as syndicated copies.

Each record is its own gzip member (as Common Crawl writes them), preceded by
its request record, so a reader has to skip what is not a response.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fastwarc import WarcRecord, WarcRecordType
from fastwarc.stream_io import GzipWriter

from benchmarks import harness

CAPTURED = dt.datetime(2019, 6, 1, 12, 0, tzinfo=dt.UTC)
PAGE_SETS = ("aeb", "fundus")


@dataclass(frozen=True)
class WarcPage:
    url: str
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    date: dt.datetime = CAPTURED
    language: str | None = None  # what the corpus says, when it says


def record_member(page: WarcPage, kind: WarcRecordType = WarcRecordType.response) -> bytes:
    """One WARC record (the response, or its request) as one gzip member."""
    record = WarcRecord()
    record.init_headers(kind)
    record.headers.set("WARC-Target-URI", page.url)
    record.record_date = page.date
    if kind == WarcRecordType.response:
        record.headers.set("Content-Type", "application/http; msgtype=response")
        head = (
            f"HTTP/1.1 {page.status} {'OK' if page.status == 200 else 'Other'}\r\n"
            f"Content-Type: {page.content_type}\r\nContent-Length: {len(page.body)}\r\n\r\n"
        )
        record.set_bytes_content(head.encode("latin-1") + page.body)
    else:
        record.headers.set("Content-Type", "application/http; msgtype=request")
        host = page.url.split("/")[2] if "//" in page.url else "localhost"
        request = f"GET {page.url} HTTP/1.1\r\nHost: {host}\r\n\r\n"
        record.set_bytes_content(request.encode("latin-1"))
    out = io.BytesIO()
    writer = GzipWriter(out)
    record.write(writer)
    writer.close()
    return out.getvalue()


def write_warc(path: Path, pages: Iterable[WarcPage], *, requests: bool = True) -> int:
    """Write `pages` as a .warc.gz (a request then a response per page); returns pages written."""
    written = 0
    with path.open("wb") as fh:
        for page in pages:
            if requests:
                fh.write(record_member(page, WarcRecordType.request))
            fh.write(record_member(page))
            written += 1
    return written


def corpus_pages(shared: Path, sets: tuple[str, ...] = PAGE_SETS) -> Iterator[WarcPage]:
    """The real pages of ../shared/corpora/article_pages, in gold-file order."""
    root = harness.shared_dir(shared) / "corpora" / "article_pages"
    for name in sets:
        gold = root / name / "gold.jsonl"
        if not gold.is_file():
            raise harness.SharedCorpusMissing(f"{gold} not present")
        for line in gold.open(encoding="utf-8"):
            if not line.strip():
                continue
            row = json.loads(line)
            body = gzip.decompress((root / name / row["html_path"]).read_bytes())
            languages = row.get("languages") or (["en"] if name == "aeb" else [])
            yield WarcPage(row["url"], body, language=languages[0] if languages else None)


def lead_pages(shared: Path, count: int, lead_words: int = 40) -> Iterator[WarcPage]:
    """`count` small news pages around real texts' leads, distinct (see the module docstring)."""
    for made, item in enumerate(harness.stream_texts(shared, count)):
        short = harness.lead(item, lead_words)
        copy = made // max(1, _distinct_texts(shared))
        text = short.text if not copy else f"{short.text}\n\n(Archive copy {copy}.)"
        title = short.title or " ".join(short.text.split()[:10])
        host = f"news{made % 50}.example" if not copy else f"copy{copy}-news{made % 50}.example"
        yield WarcPage(f"https://{host}/{item.id}", news_page(title, text), language="en")


_DISTINCT: dict[Path, int] = {}


def _distinct_texts(shared: Path) -> int:
    """How many texts `harness.stream_texts` gives before it repeats them."""
    if shared not in _DISTINCT:
        _DISTINCT[shared] = sum(
            harness.consume(source(shared))
            for source in (harness.reuters_texts, harness.conll_texts, harness.article_page_texts)
        )
    return _DISTINCT[shared]


def news_page(title: str, text: str, lang: str = "en") -> bytes:
    """A plain news page: navigation, the article (paragraphs split on blank lines), footer."""
    paragraphs = "".join(
        f"<p>{html.escape(' '.join(p.split()))}</p>\n" for p in text.split("\n\n") if p.strip()
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>\n"
        '<nav><a href="/">Home</a> <a href="/world">World</a> '
        '<a href="/markets">Markets</a></nav>\n'
        f"<article><h1>{html.escape(title)}</h1>\n{paragraphs}</article>\n"
        f"<footer><p>All rights reserved.</p></footer></body></html>\n"
    )
    return page.encode("utf-8")
