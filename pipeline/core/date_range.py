"""The range of days a command-line date may name, checked where it is parsed.

`--since`, `--until` and `--date` are turned into SQL bounds and windows by adding and
subtracting days (the day after an --until, the 7 days before a digest). At the ends
of Python's calendar (year 1 and 9999) that arithmetic overflows, and "99999999999d"
overflows before it starts. Refusing what lies outside these days, with the option
named, keeps every later step inside the calendar: no archive holds news from before
1800 or after 2999.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pipeline.core.errors import QueryError

EARLIEST = date(1800, 1, 1)
LATEST = date(2999, 12, 31)


def _out_of_range(option: str, text: str) -> QueryError:
    return QueryError(
        f"{option} {text!r} is out of range: give a day between {EARLIEST} and {LATEST}"
    )


def check_day(day: date, option: str, text: str | None = None) -> date:
    """`day` when it lies between EARLIEST and LATEST; else QueryError naming `option`."""
    if not EARLIEST <= day <= LATEST:
        raise _out_of_range(option, text if text is not None else day.isoformat())
    return day


def check_moment(moment: datetime, option: str, text: str | None = None) -> datetime:
    """`moment` when its day lies in the range (see check_day)."""
    check_day(moment.date(), option, text if text is not None else moment.isoformat())
    return moment


def days_ago(days: int, today: date, option: str, text: str) -> date:
    """The day `days` before `today` ("7d"), refused when it falls before EARLIEST."""
    if days > (today - EARLIEST).days:
        raise QueryError(
            f"{option} {text!r} is too far back: at most {(today - EARLIEST).days}d "
            f"(back to {EARLIEST})"
        )
    return today - timedelta(days=days)
