"""Choosing and cleaning the date and language of a page (titles.py and authors.py
choose the headline and the authors).

metadata.py reports every candidate a page declares; this module decides what to
believe. Order: structured data, then meta tags, then trafilatura's layout guess,
then the feed item (which describes the link, not the page).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime

import py3langid

from pipeline.core.models import FeedItem
from pipeline.text.metadata import PageMetadata

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "article.published",
    "originalpublicationdate",
    "date.release",
)


def choose_published(meta: PageMetadata, fallback: str | None, item: FeedItem | None) -> str | None:
    candidates = [
        *meta.ld_dates,
        *meta.all_meta(*_PUBLISHED_META),
        *meta.itemprop_dates,
        fallback,
        item.published if item else None,
    ]
    for candidate in candidates:
        if candidate:
            normalized = normalize_date(candidate)
            if normalized:
                return normalized
    return None


def normalize_date(value: str) -> str | None:
    """ISO 8601 from the date spellings pages use; None when it is not a plausible date."""
    value = " ".join(value.split())
    parsed: datetime | date | None = None
    iso = value.replace("Z", "+00:00").replace(" +", "+").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = _parse_loose_date(value)
    if parsed is None or not 1990 <= parsed.year <= 2100:
        return None
    if isinstance(parsed, datetime):
        if parsed.time() == time(0) and parsed.tzinfo is None and len(value) <= 10:
            return parsed.date().isoformat()
        return parsed.isoformat(timespec="seconds")
    return parsed.isoformat()


def _parse_loose_date(value: str) -> datetime | date | None:
    if re.fullmatch(r"\d{10}(?:\d{3})?", value):  # Unix time, seconds or milliseconds
        seconds = int(value[:10])
        return datetime.fromtimestamp(seconds, tz=UTC)
    try:
        return parsedate_to_datetime(value)  # RFC 2822, as in feeds and HTTP headers
    except (TypeError, ValueError, IndexError):
        pass
    match = re.search(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", value)
    if match:
        y, m, d = map(int, match.groups())
    else:
        match = re.search(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})", value)
        if not match:
            return None
        d, m, y = map(int, match.groups())
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _language_code(value: str | None) -> str | None:
    if not value:
        return None
    code = re.split(r"[-_]", value.strip())[0].lower()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def choose_language(meta: PageMetadata, fallback: str | None) -> str | None:
    for value in (
        *meta.ld_languages,
        meta.html_lang,
        *meta.all_meta("content-language", "og:locale", "language", "dc.language"),
        fallback,
    ):
        code = _language_code(value)
        if code:
            return code
    return None


# Fewer letters than this say too little about their language (a headline, a caption).
MIN_GUESS_LETTERS = 80


def guess_language(text: str) -> str | None:
    """The language of a page that declares none, by py3langid (the identifier
    trafilatura uses): its ISO 639-1 code, or None for a text too short to tell.
    Without this, undeclared German or Russian pages went through the English model
    and filled the digest with "organisations" like "Einrichtungen"."""
    sample = text[:5000]
    if sum(c.isalpha() for c in sample) < MIN_GUESS_LETTERS:
        return None
    code, _ = py3langid.classify(sample)
    return str(code)
