"""Which news agency a story came from, and the wire marks to strip before comparing copies.

Evidence, strongest first (a story is credited to the wire of the strongest kind found):

    byline     the article's byline or authors name a wire ("By Reuters Staff", "ANI |")
    dateline   the text opens with one ("Washington, Jan 14 (IANS)", "LONDON (Reuters) -",
               "NEW DELHI (PTI)", "WASHINGTON (AP) —")
    signature  the text closes with one ("--IANS", "-- IANS lkj/rs", a closing "Reuter",
               "(Reporting by ...)" is not one: reporters are not a wire)
    credit     a credit line anywhere ("(With inputs from PTI)", "(c) Agence France-Presse",
               "Copyright 2024 The Associated Press", "Source: Xinhua")

A passing mention ("Reuters reported that ...", "according to Bloomberg") is NOT
evidence: most stories that cite a wire were written by someone else. That is why
every pattern below is anchored (start of text, end of text, parentheses or a
credit keyword) instead of matching agency names anywhere.

`WIRES` is the table of canonical names and aliases; the patterns are built from it,
so adding an agency is one row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from extractors.datelines import DATE

# canonical name → aliases as they appear in datelines, signatures and credit lines.
# Short aliases (AP, PA) are only ever matched inside parentheses or after a credit
# keyword, never loose in running text.
WIRES: dict[str, tuple[str, ...]] = {
    "IANS": ("IANS", "Indo-Asian News Service"),
    "PTI": ("PTI", "Press Trust of India"),
    "ANI": ("ANI", "Asian News International"),
    "UNI": ("UNI", "United News of India"),
    "Reuters": ("Reuters", "Reuter", "Thomson Reuters", "Reuters Staff"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Bloomberg": ("Bloomberg", "Bloomberg News"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "Kyodo": ("Kyodo", "Kyodo News"),
    "Yonhap": ("Yonhap", "Yonhap News Agency"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "EFE": ("EFE", "Agencia EFE"),
}

_ALIAS_TO_WIRE: dict[str, str] = {
    alias.casefold(): wire for wire, aliases in WIRES.items() for alias in aliases
}
# Longest first, so "Associated Press" wins over "AP" and "Reuters Staff" over "Reuters".
_ALIASES = sorted(_ALIAS_TO_WIRE, key=len, reverse=True)
# Case-insensitive only for the agency itself: "(IANS)" and "(Ians)" are one wire, but a
# dateline's place must still start with a capital.
_ALIAS_RE = "(?i:" + "|".join(re.escape(a) for a in _ALIASES) + ")"

# --- patterns ------------------------------------------------------------------

# The dateline's date is the one grammar of extractors/datelines.py; the place here also
# takes lowercase words ("Port of Spain"), since a copy's dateline is only stripped.
_PLACE = r"[A-Z][A-Za-z'.\-]*(?:[ \-][A-Za-z][A-Za-z'.\-]*){0,3}"
_DATE = DATE
_DASH = r"[-–—:]+"

# "Washington, Jan 14 (IANS)", "NEW DELHI (PTI)", "LONDON, March 3 (Reuters) -"
DATELINE_WITH_AGENCY = re.compile(
    rf"^\s*(?:{_PLACE})(?:\s*,\s*{_PLACE})?(?:\s*,?\s*{_DATE})?\s*"
    rf"\((?P<wire>{_ALIAS_RE})\)\s*(?:{_DASH})?\s*"
)
# AP style without an agency: an all-caps place and a dash ("WASHINGTON — ...").
# Stripped before comparing copies, but says nothing about the wire.
DATELINE_CAPS = re.compile(
    r"^\s*[A-Z][A-Z.'\-]+(?: [A-Z][A-Z.'\-]+){0,3}(?:, [A-Z][A-Za-z.]+)?\s+[—–-]\s+"
)
# A lone agency in parentheses opening the text: "(AP) — ...", "(Reuters) - ..."
LEADING_AGENCY = re.compile(rf"^\s*\((?P<wire>{_ALIAS_RE})\)\s*{_DASH}\s*")

# "--IANS", "-- IANS", "—PTI", optionally followed by desk codes ("lkj/rs", "vm/arm").
# On its own line a single dash will do; glued to the last sentence it takes "--" or "—".
_DESK_CODES = r"(?:\s+[a-z]{1,6}(?:/[a-z]{1,6})+)*"
SIGNATURE = re.compile(
    rf"(?:(?:^|\n)\s*(?:-{{1,2}}|–|—)|\s(?:--|—))\s*(?P<wire>{_ALIAS_RE})\b\.?"
    rf"{_DESK_CODES}\s*$"
)
# Reuters-21578 style: the story ends with a bare "Reuter" line.
CLOSING_WIRE_WORD = re.compile(r"(?:^|\n)\s*(?P<wire>Reuters?|IANS|PTI|ANI|AFP)\s*\.?\s*$")

CREDIT = re.compile(
    r"\(\s*(?:with\s+(?:additional\s+)?inputs?\s+from|inputs?\s+from|source)\s*:?\s*"
    rf"(?:the\s+)?(?P<wire>{_ALIAS_RE})\b[^)]*\)"
    rf"|(?:©|\(c\)|copyright(?:\s+\d{{4}})?|source\s*:|courtesy\s*:?)\s*(?:the\s+)?"
    rf"(?P<wire2>{_ALIAS_RE})\b"
    rf"|(?:^|\n)\s*(?:\(|—|-)?\s*(?P<wire3>Agence France-Presse|Associated Press|Bloomberg"
    r"|Xinhua|Press Trust of India|Indo-Asian News Service)\s*\)?\s*$",
    re.IGNORECASE,
)

# "By Reuters Staff", "ANI |", "By IANS", "Reuters", "PTI | Updated: ..."
BYLINE = re.compile(
    rf"^\s*(?:by\s+)?(?:the\s+)?(?P<wire>{_ALIAS_RE})(?:\s+staff)?\s*(?:$|\||,|;|/|-\s)",
    re.IGNORECASE,
)

# Lines that end a wire story and repeat in every copy differently, or are outlet furniture.
_TRAILER_LINE = re.compile(
    r"^\s*(?:"
    r"\(?\s*(?:with\s+(?:additional\s+)?inputs?\s+from|inputs?\s+from)\b.*"
    r"|\(\s*(?:reporting|writing|editing|additional reporting|compiled)\s+by\b.*\)\s*"
    r"|\(?\s*this story has not been edited\b.*"
    r"|(?:-{1,2}|–|—)\s*(?:" + _ALIAS_RE + r")\b\.?(?:\s+[a-z]{1,6}(?:/[a-z]{1,6})+)*\s*"
    r"|[a-z]{1,6}(?:/[a-z]{1,6})+\s*"
    r"|(?:" + _ALIAS_RE + r")\s*\.?\s*"
    r")$",
    re.IGNORECASE,
)


# "(With inputs from PTI)" glued to a paragraph rather than on its own line.
_GLUED_CREDIT = re.compile(
    r"\(\s*(?:with\s+(?:additional\s+)?inputs?\s+from|inputs?\s+from)\b[^)]{0,80}\)", re.IGNORECASE
)


@dataclass(frozen=True)
class WireEvidence:
    """One sign that a story came from a wire: which wire, what kind, and the matched text."""

    wire: str
    kind: str  # "byline" | "dateline" | "signature" | "credit"
    text: str


_KIND_RANK = {"byline": 0, "dateline": 1, "signature": 2, "credit": 3}


def wire_evidence(
    text: str, byline: str | None = None, authors: tuple[str, ...] = ()
) -> list[WireEvidence]:
    """Every anchored sign of a wire in the story, strongest kind first."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text)
    found: list[WireEvidence] = []
    for line in [byline or "", *authors]:
        match = BYLINE.match(line)
        if match:
            found.append(WireEvidence(_canonical(match.group("wire")), "byline", line.strip()))
    head = text.lstrip()[:200]
    match = DATELINE_WITH_AGENCY.match(head) or LEADING_AGENCY.match(head)
    if match and _is_agency_token(match.group("wire")):
        found.append(
            WireEvidence(_canonical(match.group("wire")), "dateline", match.group(0).strip())
        )
    tail = text.rstrip()[-300:]
    match = SIGNATURE.search(tail) or CLOSING_WIRE_WORD.search(tail)
    if match:
        found.append(
            WireEvidence(_canonical(match.group("wire")), "signature", match.group(0).strip())
        )
    for match in CREDIT.finditer(text):
        alias = match.group("wire") or match.group("wire2") or match.group("wire3")
        found.append(WireEvidence(_canonical(alias), "credit", match.group(0).strip()))
    found.sort(key=lambda e: _KIND_RANK[e.kind])
    return found


def originating_wire(
    text: str, byline: str | None = None, authors: tuple[str, ...] = ()
) -> str | None:
    """The canonical name of the wire the story came from ("IANS", "Reuters", ...), or None."""
    evidence = wire_evidence(text, byline, authors)
    return evidence[0].wire if evidence else None


def strip_wire_marks(text: str) -> str:
    """`text` without its opening dateline and its closing signature/credit/trailer lines.

    Copies of one wire story keep the body but differ exactly here (one outlet keeps
    "(IANS)", another writes "(With inputs from IANS)"), so these marks would only
    add noise to a near-duplicate comparison.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    for pattern in (DATELINE_WITH_AGENCY, LEADING_AGENCY, DATELINE_CAPS):
        match = pattern.match(text)
        if match and len(match.group(0)) <= 100:
            text = text[match.end() :]
            break
    lines = text.split("\n")
    while lines and (not lines[-1].strip() or _TRAILER_LINE.match(lines[-1])):
        lines.pop()
    text = _GLUED_CREDIT.sub(" ", "\n".join(lines))
    # A signature glued to the last sentence: "... said the minister. --IANS lkj/rs"
    return SIGNATURE.sub("", text).rstrip()


def _canonical(alias: str) -> str:
    return _ALIAS_TO_WIRE[alias.casefold()]


def _is_agency_token(alias: str) -> bool:
    # "(Ap)" or "(ani)" in a dateline is an abbreviation of something else far more
    # often than a wire; the agencies write their own short names in capitals.
    return len(alias) > 4 or alias.isupper() or alias.casefold() == "dpa"
