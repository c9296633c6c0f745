"""Date resolution: anchors from published/dateline/text, and relative expressions."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from extractors.dates import WEEKDAYS, anchor_date, parse_published, resolve_date

ANCHORS = st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))
MONTH_NAMES = (
    "January",
    "Feb.",
    "March",
    "Apr",
    "May",
    "June",
    "Jul",
    "Aug.",
    "Sept.",
    "Oct",
    "November",
    "Dec.",
)


def test_published_formats() -> None:
    assert parse_published("25-MAR-1987 06:18:55.81") == (date(1987, 3, 25), 1987)
    assert parse_published("2026-01-14") == (date(2026, 1, 14), 2026)
    # the article's local date, not the UTC one
    assert parse_published("2023-04-26 22:20:55-04:00") == (date(2023, 4, 26), 2023)
    assert parse_published("1996") == (None, 1996)
    assert parse_published("2004/2005") == (None, None)
    assert parse_published(None) == (None, None)
    assert parse_published("not a date") == (None, None)


def test_anchor_prefers_published_then_text_line_then_dateline() -> None:
    assert anchor_date("2026-01-14", "Washington, Jan 10 (IANS)", "x") == date(2026, 1, 14)
    text = "Headline .\nSINGAPORE 1996-12-06\nUnion leaders on Friday ..."
    assert anchor_date("1996", None, text) == date(1996, 12, 6)
    assert anchor_date("1987", "PEKING, March 25 -", "China said") == date(1987, 3, 25)
    assert anchor_date("2004/2005", None, "Ukraine said on Monday") is None
    assert anchor_date(None, "Washington, Jan 14 (IANS)", "text") is None  # no year at all


def test_relative_expressions() -> None:
    tuesday = date(1987, 3, 31)
    assert resolve_date("Friday", tuesday) == date(1987, 3, 27)
    assert resolve_date("Tuesday", tuesday) == tuesday
    assert resolve_date("Monday", tuesday, future=True) == date(1987, 4, 6)
    assert resolve_date("next Tuesday", tuesday) == date(1987, 4, 7)
    assert resolve_date("last Tuesday", tuesday) == date(1987, 3, 24)
    assert resolve_date("last night", date(1987, 3, 3)) == date(1987, 3, 2)
    assert resolve_date("today", tuesday) == tuesday
    assert resolve_date("yesterday", tuesday) == date(1987, 3, 30)
    assert resolve_date("tomorrow", tuesday) == date(1987, 4, 1)
    assert resolve_date("Wednesday morning", date(2025, 5, 7)) == date(2025, 5, 7)


def test_explicit_and_yearless_dates() -> None:
    assert resolve_date("14 January 2026", None) == date(2026, 1, 14)
    assert resolve_date("January 14, 2026", None) == date(2026, 1, 14)
    assert resolve_date("2026-01-14", None) == date(2026, 1, 14)
    assert resolve_date("April 29", date(1987, 3, 31)) == date(1987, 4, 29)
    # a past-tense "Dec. 11" in a story of 2 January is last December's
    assert resolve_date("Dec. 11", date(2019, 1, 2)) == date(2018, 12, 11)
    # ... but a future one in a December story is next year's
    assert resolve_date("Jan. 5", date(2019, 12, 20), future=True) == date(2020, 1, 5)
    assert resolve_date("Sept. 1", None) is None


def test_imprecise_expressions_give_none() -> None:
    anchor = date(2019, 1, 2)
    for text in ("December 1983", "June 2004", "late 1988", "this week", "last month", "", "   "):
        assert resolve_date(text, anchor) is None, text
    assert resolve_date("Monday", None) is None


@given(anchor=ANCHORS, day=st.sampled_from(WEEKDAYS), future=st.booleans())
def test_weekdays_land_within_a_week_on_the_right_day(anchor: date, day: str, future: bool) -> None:
    found = resolve_date(f"on {day.title()}", anchor, future=future)
    assert found is not None
    assert found.weekday() == WEEKDAYS.index(day)
    assert abs(found - anchor) < timedelta(days=7)
    assert (found >= anchor) if future else (found <= anchor)


@given(anchor=ANCHORS, month=st.integers(1, 12), day=st.integers(1, 28), future=st.booleans())
def test_yearless_dates_keep_month_and_day(
    anchor: date, month: int, day: int, future: bool
) -> None:
    found = resolve_date(f"{MONTH_NAMES[month - 1]} {day}", anchor, future=future)
    assert found is not None
    assert (found.month, found.day) == (month, day)
    assert abs(found.year - anchor.year) <= 1


def test_weekdays_resolve_around_the_anchor() -> None:
    wednesday = date(2025, 5, 7)
    assert resolve_date("Monday", wednesday) == date(2025, 5, 5)
    assert resolve_date("Wednesday morning", wednesday) == wednesday
    assert resolve_date("Monday", wednesday, future=True) == date(2025, 5, 12)
    assert resolve_date("last week", wednesday) is None
    assert resolve_date("earlier this month", wednesday) is None
