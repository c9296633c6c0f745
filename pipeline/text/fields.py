"""Choosing and cleaning the title, authors, date and language of a page.

metadata.py reports every candidate a page declares; this module decides what to
believe. Order everywhere: structured data, then meta tags, then trafilatura's
layout guess, then the feed item (which describes the link, not the page).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from pipeline.core.models import FeedItem
from pipeline.text.metadata import PageMetadata

_SEPARATORS = re.compile(r"\s+[|\-–—·•»«:/~*]+\s+|\s*[|｜：]\s*|:\s+")
_NON_ALNUM = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    return _NON_ALNUM.sub("", text.casefold())


def site_names(meta: PageMetadata, url: str) -> list[str]:
    """Names the site goes by: og:site_name, publisher, application-name, host labels."""
    names = meta.all_meta("og:site_name", "application-name", "twitter:site", "al:ios:app_name")
    names += meta.ld_publishers
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        names.append(host)
        names.append(host.split(".")[0])
    return [n.lstrip("@") for n in names if n.strip()]


def _is_site_name(segment: str, sites: list[str]) -> bool:
    seg = _squash(segment)
    if not seg:
        return True
    for site in sites:
        key = _squash(site)
        if key and (seg == key or (len(key) >= 4 and key in seg and len(seg) <= len(key) + 12)):
            return True
        if key and len(seg) >= 4 and seg in key:
            return True
    return False


def strip_site_name(title: str, sites: list[str]) -> str:
    """Drop " | Site", " - Site", "Site: " and the like from either end of a title."""
    title = " ".join(title.split())
    for _ in range(3):
        parts = _SEPARATORS.split(title)
        seps = _SEPARATORS.findall(title)
        if len(parts) < 2:
            break
        if _is_site_name(parts[-1], sites):
            title = title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
        elif _is_site_name(parts[0], sites):
            title = title[len(parts[0]) + len(seps[0]) :].strip()
        else:
            break
    return title


def choose_title(
    meta: PageMetadata, fallback: str | None, url: str, item: FeedItem | None
) -> str | None:
    """The headline: og:title, JSON-LD headline and <h1> vote; fallbacks follow.

    Publishers often give a social-card title, an SEO headline and a visible heading
    that differ. When two of the three agree that wins; otherwise og:title, which is
    the one most often edited to be the headline proper (measured on the fundus
    corpus). twitter:title and <title> mostly copy og:title, so they do not vote.
    """
    sites = site_names(meta, url)
    voters = [
        *meta.all_meta("og:title")[:1],
        *meta.ld_headlines[:1],
        *meta.h1[:1],
    ]
    candidates = [t for t in (strip_site_name(v, sites) for v in voters) if t]
    candidates = [t for t in candidates if not _is_site_name(t, sites)]
    if candidates:
        votes = Counter(_squash(t) for t in candidates)
        best = max(candidates, key=lambda t: votes[_squash(t)])  # max keeps the first on ties
        return _trim_suffix(best, candidates)
    for title in (
        meta.first_meta("twitter:title", "dc.title"),
        meta.title_tag,
        fallback,
        item.title if item else None,
    ):
        stripped = strip_site_name(title, sites) if title else ""
        if stripped:
            return stripped
    return None


_LEADING_SEPARATOR = re.compile(r"^\s*[|｜:：\-–—·•»/*]")


def _trim_suffix(title: str, others: list[str]) -> str:
    # "Headline | Börsen-Zeitung" when another source says just "Headline": the tail
    # is a label the site-name list did not know (section, date, unknown brand).
    for other in sorted(others, key=len):
        rest = title[len(other) :]
        if len(other) >= 10 and title.startswith(other) and _LEADING_SEPARATOR.match(rest):
            return other
    return title


# Words that introduce a byline, in the languages of the corpora we measure on.
_BY_PREFIX = re.compile(
    r"^(?:by|from|von|vom|por|par|door|di|da|af|av|od|av:|text:|texto:|autor(?:in)?:?|author:?|"
    r"written by|reported by|redaktion:?|von\s+unserer)\s+",
    re.I,
)
_JUNK_WORDS = re.compile(
    r"\b(?:staff|reporter|correspondent|editor|editors|writer|journalist|contributor|"
    r"updated|published|redakteur(?:in)?|korrespondent(?:in)?|redaktion|columnist|"
    r"photographer|follow|twitter|facebook|instagram|linkedin|email)\b",
    re.I,
)
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|,|&|\|| and | und | y | et | e | og | en | och | und)\s*", re.I
)
_DATEISH = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}|\b(?:19|20)\d{2}\b")


def clean_author(raw: str) -> list[str]:
    """One author field → the names in it, without bylines, dates, emails and URLs."""
    raw = re.sub(r"https?://\S+|\S+@\S+\.\S+|www\.\S+|\([^)]*\)", " ", raw)
    names = []
    for part in _AUTHOR_SPLIT.split(raw):
        part = " ".join(part.split()).strip(" .-–—:|()[]")
        part = _BY_PREFIX.sub("", part).strip(" .-–—:|")
        # "Capital Von Jemima Kelly": a kicker glued before a capitalised by-word.
        part = re.sub(r"^.{0,30}?\b(?:By|Von|Por|Par|Door|Di)\s+(?=[A-Z])", "", part)
        if not part or _DATEISH.search(part) or _JUNK_WORDS.search(part):
            continue
        if len(part) > 60 or len(part.split()) > 6 or not any(c.isalpha() for c in part):
            continue
        if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", part):  # a URL slug, not a name
            continue
        names.append(part)
    return names


def choose_authors(
    meta: PageMetadata, fallback: str | None, item: FeedItem | None, url: str
) -> tuple[str, ...]:
    meta_authors = [
        a
        for a in meta.all_meta(
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "byl",
            "citation_author",
            "dcterms.creator",
        )
        if not a.startswith(("http://", "https://", "www."))
    ]
    sources = [
        meta.ld_authors,
        meta_authors,
        meta.itemprop_authors,
        (fallback or "").split(";"),
        [n for raw in meta.byline for n in clean_author(raw) if _looks_like_person(n)],
        list(item.authors) if item else [],
    ]
    sites = site_names(meta, url)
    organisation_only: tuple[str, ...] = ()
    for raw_list in sources:
        names: list[str] = []
        for raw in raw_list:
            for name in clean_author(raw):
                if _squash(name) not in {_squash(n) for n in names}:
                    names.append(name)
        # A site name credited next to people is a label, not an author; alone it is
        # the byline of last resort (agency copy, unsigned pieces), used only when no
        # later source names a person.
        people = [n for n in names if not _is_site_name(n, sites)]
        if people:
            return tuple(people)
        organisation_only = organisation_only or tuple(names)
    return organisation_only


def _looks_like_person(name: str) -> bool:
    # Byline elements also hold "By", reading times and places; a name from them must
    # look like one: two to five words, capitalised, no digits.
    words = name.split()
    return 2 <= len(words) <= 5 and name[0].isupper() and not any(c.isdigit() for c in name)


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


_EN_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "that",
        "for",
        "on",
        "with",
        "was",
        "as",
        "it",
        "by",
        "at",
        "from",
    ]
)


def guess_language(text: str) -> str | None:
    """A cheap guess for pages that declare no language: English or scripts, else None."""
    sample = text[:5000]
    if re.search(r"[\u3040-\u30ff]", sample):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", sample):
        return "ko"
    words = re.findall(r"[a-z]+", sample.lower())
    if len(words) >= 20 and sum(w in _EN_STOPWORDS for w in words) / len(words) > 0.15:
        return "en"
    return None
