"""The dateline grammar: how a news text says where (and when) it was filed.

Two shapes open a story, and every part of newswatch reads them from here:

- a wire dateline before the first sentence: "LONDON, March 3 (Reuters) -",
  "Washington, Jan 14 (IANS)", AP's "WASHINGTON —". `find_dateline` finds it; the
  text stage (pipeline/text/extract.py) stores it as the article's dateline, and
  dates.anchor_date reads its month and day when no full published date is known.
- a date line of its own, as CoNLL and some wires print it: "SINGAPORE 1996-12-06".
  `dated_line_date` gives its date (the anchor of the article's relative dates) and
  `date_line_end` where it ends (the events component starts the lead after it).

Only the shapes live here; turning a date expression into a calendar date is dates.py.
"""

from __future__ import annotations

import re

# A month as datelines write it: "Jan", "Jan.", "January", "Sept." (capitalised).
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# A dateline's date: "March 3", "Jan 14, 2026".
DATE = rf"(?:{MONTH})\s+\d{{1,2}}(?:,?\s+\d{{4}})?"
# A dateline's place: "LONDON", "New Delhi", "RIO DE JANEIRO", "Dar es Salaam".
PLACE = r"(?:[A-Z][A-Za-z'.\-]*|[A-Z][A-Z'.\-]+)(?:[ \-](?:[A-Z][A-Za-z'.\-]*|de|del|es|al|el))*"
# The agency in parentheses: "(Reuters)", "(AP)", "(Dow Jones/AFP)".
AGENCY = r"\((?:[A-Z][A-Za-z&.]*)(?:[ /][A-Z][A-Za-z&.]*){0,3}\)"

_DATELINE_AGENCY = re.compile(
    rf"^\s*(?P<line>(?P<place>{PLACE}(?:,\s*{PLACE})?)(?P<date>,?\s+{DATE})?\s*{AGENCY})"
    r"(?P<dash>\s*[-–—:])?"
)
# AP style: an all-caps place and a dash, no agency ("WASHINGTON — ...").
_DATELINE_CAPS = re.compile(
    r"^\s*(?P<line>[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,3}(?:, [A-Z][A-Za-z.]+)?)\s+[—–-]\s"
)
# A date line of its own near the top of the text: "SINGAPORE 1996-12-06".
_DATED_LINE = re.compile(r"^[^\n]{0,60}?\b(\d{4}-\d{2}-\d{2})\s*$", re.M)
# The same line where the lead would start: an all-caps place, an ISO date, a line end.
_DATE_LINE_AT = re.compile(r"[ \t]*[A-Z][A-Z .,'’()-]*[ \t]+\d{4}-\d{2}-\d{2}[ \t]*\n")
# How far into a text a date line is looked for: the headline and the line after it.
DATED_LINE_WINDOW = 400


def find_dateline(text: str) -> str | None:
    """The wire dateline that opens `text` ("LONDON, March 3 (Reuters)"), or None.

    A mixed-case place before "(Agency)" is only a dateline with a date or a dash after
    it: "Mr Smith (Reuters) said" is a sentence, "Washington, Jan 14 (IANS)" is not.
    """
    head = text.lstrip()[:160]
    match = _DATELINE_AGENCY.match(head)
    if match and not (match["date"] or match["dash"] or match["place"].isupper()):
        match = None
    match = match or _DATELINE_CAPS.match(head)
    if not match:
        return None
    dateline = match["line"].strip()
    return dateline if len(dateline) <= 90 else None


def dated_line_date(text: str) -> str | None:
    """The ISO date of a date line near the top of `text` ("SINGAPORE 1996-12-06")."""
    match = _DATED_LINE.search(text[:DATED_LINE_WINDOW])
    return match.group(1) if match else None


def date_line_end(text: str, pos: int) -> int | None:
    """Where a date line starting at `pos` ("WARSAW 1996-08-30\\n") ends, or None."""
    match = _DATE_LINE_AT.match(text, pos)
    return match.end() if match else None


def lead_offset(text: str, body_offset: int) -> int:
    """Where the body's own sentences begin: past a repeat of the headline (CoNLL
    texts open with it) and a dateline line of its own ("WARSAW 1996-08-30")."""
    title = text[:body_offset].strip()
    pos = body_offset
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if len(title) > 10 and text.startswith(title, pos):
        pos += len(title)
        while pos < len(text) and text[pos].isspace() and text[pos] != "\n":
            pos += 1
        pos += 1 if text[pos : pos + 1] == "\n" else 0
    end = date_line_end(text, pos)
    return pos if end is None else end
