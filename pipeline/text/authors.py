"""Authors: bylines from JSON-LD, meta tags, itemprop and byline markup, cleaned into names.

Sources are believed in order (JSON-LD authors, people before organisations; author
meta tags; itemprop=author; trafilatura's guess; the byline element, where a name must
look like a person's; the feed item); the first that credits anyone but the site wins.
A credit is never a date, a job title alone ("Staff", "Senior Correspondent") or an
outlet's staff credit ("Reuters Staff"), and the site's own name is never credited
next to anyone: alone it is the answer of last resort (unsigned pieces). nameparser
(https://github.com/derek73/python-nameparser) knows the titles, and the name
particles that make "Di Stefano" a surname rather than "by Stefano".
"""

from __future__ import annotations

import re

from nameparser import HumanName
from nameparser.config import CONSTANTS

from pipeline.core.models import FeedItem
from pipeline.text.metadata import PageMetadata
from pipeline.text.sitenames import is_site_name, site_names, squash

# Words that introduce a byline, in the languages of the corpora we measure on.
_BY_PREFIX = re.compile(
    r"^(?:by|from|von|vom|por|par|door|di|da|af|av|od|av:|text:|texto:|autor(?:in)?:?|author:?|"
    r"written by|reported by|posted by|redaktion:?|von\s+unserer)\s+",
    re.I,
)
# "Capital Von Jemima Kelly": a kicker glued before a capitalised by-word.
_KICKER_BY = re.compile(r"^.{0,30}?\b(?:By|Von|Por|Par|Door|Di)\s+(?=[A-Z])")
# Job words that mark a credit line rather than a name (nameparser's titles list has
# most of them in English; these add the ones it lacks and the German ones).
_JUNK_WORDS = re.compile(
    r"\b(?:staff|reporter|correspondent|editor|editors|writer|journalist|contributor|"
    r"updated|published|redakteur(?:in)?|korrespondent(?:in)?|redaktion|columnist|"
    r"photographer|follow|twitter|facebook|instagram|linkedin|email)\b",
    re.I,
)
_JOB_WORDS = frozenset(CONSTANTS.titles) | {
    "reporter",
    "editors",
    "contributor",
    "columnist",
    "redakteur",
    "redakteurin",
    "korrespondent",
    "korrespondentin",
    "redaktion",
}
_PARTICLES = frozenset(CONSTANTS.prefixes) | frozenset(CONSTANTS.conjunctions)
# Between names: separators, and "and" in the byline languages. Lowercase (or, for
# words of two letters or more, uppercase) only, so the initial in "Jane E Doe" stays.
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|,|&|\||\s(?:and|und|y|et|e|og|en|och)\s|\s(?:AND|UND|ET|OG|EN|OCH)\s)\s*"
)
_CJK_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2,5}")


def clean_author(raw: str) -> list[str]:
    """One author field → the names in it, without bylines, dates, emails and URLs."""
    raw = re.sub(r"https?://\S+|\S+@\S+\.\S+|www\.\S+|\([^)]*\)", " ", raw)
    names = [_name_in(_tidy(part)) for part in _AUTHOR_SPLIT.split(raw)]
    return [n for n in names if n]


def _tidy(part: str) -> str:
    part = " ".join(part.split()).strip(" .-–—:|()[]")
    return _drop_by_word(part).strip(" .-–—:|")


def _drop_by_word(part: str) -> str:
    match = _BY_PREFIX.match(part)
    if match:
        rest = part[match.end() :]
        word = match.group(0).strip().casefold()
        # "Di Stefano", "Da Silva", "Von Trapp": a particle before a lone surname.
        if not (word in _PARTICLES and len(rest.split()) < 2):
            part = rest
    match = _KICKER_BY.match(part)
    if match:
        words = part[match.end() :].split()
        if len(words) >= 2 and words[0].casefold() not in _PARTICLES:
            part = " ".join(words)
    return part


def _name_in(part: str) -> str | None:
    """The name in one credit ("Jane Doe, Staff Writer" → "Jane Doe"), or None."""
    # A digit is never part of a name: "March 3" (from "March 3, 2024"), "Updated 10:30".
    if not part or any(c.isdigit() for c in part) or not any(c.isalpha() for c in part):
        return None
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", part):  # a URL slug, not a name
        return None
    if _JUNK_WORDS.search(part):
        part = _without_job_words(part)
    if not part or len(part) > 60 or len(part.split()) > 6:
        return None
    parsed = HumanName(part)
    if not (parsed.first or parsed.last):  # only titles: "Staff", "Senior Editor"
        return None
    return part


def _without_job_words(part: str) -> str:
    # "Senior Correspondent Jane Doe", "Jane Doe Staff Writer", "Phil Helsel is a
    # reporter": the name is the run of name words between the job words.
    words = part.split()
    while words and _is_job_word(words[0]):
        words.pop(0)
    for i, word in enumerate(words):
        if word.casefold() == "staff":  # "Reuters Staff", "HNN Staff": an outlet's credit
            return ""
        if _is_job_word(word) or (word[0].islower() and word.casefold() not in _PARTICLES):
            words = words[:i]
            break
    if len(words) < 2 or _JUNK_WORDS.search(" ".join(words)):
        return ""
    return " ".join(words)


def _is_job_word(word: str) -> bool:
    return word.casefold().strip(".,:") in _JOB_WORDS


def looks_like_person(name: str) -> bool:
    """Two to five capitalised words with a given name and a surname, no digits (or a
    CJK name, written without spaces)."""
    if _CJK_NAME.fullmatch(name):
        return True
    words = name.split()
    if not (2 <= len(words) <= 5) or not name[0].isupper() or any(c.isdigit() for c in name):
        return False
    parsed = HumanName(name)
    return bool(parsed.first and parsed.last)


_AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "byl",
    "citation_author",
    "dcterms.creator",
)


def choose_authors(
    meta: PageMetadata, fallback: str | None, item: FeedItem | None, url: str
) -> tuple[str, ...]:
    """The article's authors, as described in the module docstring; () when unknown."""
    meta_authors = [
        a for a in meta.all_meta(*_AUTHOR_META) if not a.startswith(("http://", "https://", "www."))
    ]
    sources = [
        [*meta.ld_authors, *meta.ld_organisation_authors],
        meta_authors,
        meta.itemprop_authors,
        (fallback or "").split(";"),
        [n for raw in meta.byline for n in clean_author(raw) if looks_like_person(n)],
        list(item.authors) if item else [],
    ]
    sites = site_names(meta, url)
    site_only: tuple[str, ...] = ()
    for raw_list in sources:
        names = _cleaned(raw_list)
        # The site's own name is never credited next to others; alone it is the
        # byline of last resort (unsigned pieces), used only when no later source
        # credits anyone else.
        credited = [n for n in names if not is_site_name(n, sites)]
        if credited:
            return tuple(credited)
        site_only = site_only or tuple(names)
    return site_only


def _cleaned(raw_names: list[str]) -> list[str]:
    """The cleaned names of one source, each once."""
    names: list[str] = []
    for raw in raw_names:
        for name in clean_author(raw):
            if squash(name) not in {squash(n) for n in names}:
                names.append(name)
    return names
