"""Resolving the date expressions of news text to calendar dates.

An article's dates are relative to when it was written: "on Monday", "last night",
"Jan 14" mean nothing without an anchor. `anchor_date` finds that anchor from the
published field, the dateline, or a date line at the top of the text (CoNLL-style
"SINGAPORE 1996-12-06"; both shapes are datelines.py's); `resolve_date` turns one
expression into a date.
Expressions that name only a month or a year resolve to None on purpose: the
spec wants a day-precise ISO date or nothing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from extractors.datelines import dated_line_date

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# "january", "jan", "jan.", "sept", "sept." all name a month.
_MONTH_RE = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ISO = re.compile(r"\b(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})\b")
_MONTH_DAY = re.compile(
    _MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4})\b)?", re.I
)
_DAY_MONTH = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE + r"(?:,?\s+(?P<year>\d{4})\b)?",
    re.I,
)
# Reuters 1987: "25-MAR-1987 06:18:55.81"
_REUTERS = re.compile(r"^\s*(?P<d>\d{1,2})-(?P<mon>[A-Za-z]{3})-(?P<y>\d{4})\b")
_YEAR_ONLY = re.compile(r"^\s*(?P<y>\d{4})\s*$")
_FUTURE_MARKERS = re.compile(r"\b(next|coming|this coming)\b", re.I)
_PAST_MARKERS = re.compile(r"\b(last|past|previous)\b", re.I)
# How far past the anchor a year-less date may fall before a past-tense text is
# taken to mean the previous year ("Dec. 11" in a story of 2 January).
_YEARLESS_SLACK = timedelta(days=90)


def is_month_name(word: str) -> bool:
    """Is this one word a month's name or its abbreviation ("January", "jan", "Sept.")?"""
    return re.fullmatch(_MONTH_RE, word, re.I) is not None


def _month_number(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip(".")[:3])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_published(published: str | None) -> tuple[date | None, int | None]:
    """A published field as (full date or None, year or None).

    Formats seen: ISO dates and datetimes (the local date is kept, not converted
    to UTC: the article's "today" is its own), Reuters "25-MAR-1987 06:18:55.81",
    and bare years ("1996"). Ranges such as "2004/2005" give nothing.
    """
    if not published or not published.strip():
        return None, None
    text = published.strip()
    if m := _REUTERS.match(text):
        month = _month_number(m["mon"])
        full = _safe_date(int(m["y"]), month, int(m["d"])) if month else None
        return full, int(m["y"])
    if m := re.match(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})", text):
        full = _safe_date(int(m[1]), int(m[2]), int(m[3]))
        return full, int(m[1]) if full else None
    if m := _YEAR_ONLY.match(text):
        return None, int(m["y"])
    return None, None


def _dateline_month_day(dateline: str) -> tuple[int, int] | None:
    m = _MONTH_DAY.search(dateline)
    if not m:
        return None
    month = _month_number(m["month"])
    return (month, int(m["day"])) if month else None


def anchor_date(published: str | None, dateline: str | None, text: str) -> date | None:
    """The date an article's relative expressions count from, or None if unknown.

    A full published date wins; otherwise a dated line at the top of the text;
    otherwise the dateline's month/day with the published year.
    """
    full, year = parse_published(published)
    if full:
        return full
    if line_date := dated_line_date(text):
        found, _ = parse_published(line_date)
        if found:
            return found
    if dateline and year:
        md = _dateline_month_day(dateline)
        if md:
            return _safe_date(year, *md)
    return None


def _weekday(name: str, anchor: date, future: bool, strict: bool = False) -> date:
    """The nearest `name` day on or after (future) / on or before the anchor.

    `strict` ("next Monday", "last Monday") skips the anchor's own day.
    """
    target = WEEKDAYS.index(name)
    if future:
        delta = (target - anchor.weekday()) % 7
        return anchor + timedelta(days=delta or (7 if strict else 0))
    delta = (anchor.weekday() - target) % 7
    return anchor - timedelta(days=delta or (7 if strict else 0))


def _yearless(month: int, day: int, anchor: date, future: bool) -> date | None:
    found = _safe_date(anchor.year, month, day)
    if found is None:  # 29 February of a non-leap anchor year
        return None
    if not future and found - anchor > _YEARLESS_SLACK:
        return _safe_date(anchor.year - 1, month, day)
    if future and anchor - found > _YEARLESS_SLACK:
        return _safe_date(anchor.year + 1, month, day)
    return found


def resolve_date(expression: str, anchor: date | None, *, future: bool = False) -> date | None:
    """The calendar date `expression` names, relative to `anchor`; None if not day-precise.

    `future` says the text speaks of something to come ("will meet on Monday"):
    weekdays then count forward from the anchor, and a year-less date already
    long past moves to the next year. Without it, weekdays count back (the most
    recent such day on or before the anchor) and a year-less date far ahead of
    the anchor is taken as last year's.
    """
    text = " ".join(expression.split()).lower()
    if not text:
        return None
    if m := _ISO.search(text):
        return _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if m := pattern.search(text):
            month = _month_number(m["month"])
            if month is None:
                continue
            if m["year"]:
                return _safe_date(int(m["year"]), month, int(m["day"]))
            return _yearless(month, int(m["day"]), anchor, future) if anchor else None
    if anchor is None:
        return None
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening))\b", text):
        return anchor
    if re.search(r"\b(yesterday|last night)\b", text):
        return anchor - timedelta(days=1)
    if re.search(r"\btomorrow\b", text):
        return anchor + timedelta(days=1)
    for name in WEEKDAYS:
        if re.search(rf"\b{name}\b", text):
            if _FUTURE_MARKERS.search(text):
                return _weekday(name, anchor, future=True, strict=True)
            if _PAST_MARKERS.search(text):
                return _weekday(name, anchor, future=False, strict=True)
            return _weekday(name, anchor, future)
    return None
