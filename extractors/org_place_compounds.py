"""Organisation names that open with a hyphenated compound of places.

"UK-Japan Business Council", "EU-India Trade and Technology Council": the tokenizer
splits "UK-Japan" at the hyphen and NER tags "UK" a GPE, so the name is left to the
capitalised-run rule or comes as an ORG that starts at "Japan"; the cleaning then
read "UK -" as a wire header ("SOCCER - LEAGUE") and the run stopped at an office
word ("Trade"). A hyphen written tight (no space on either side) between two places
joins them into one name part: names are widened back to the first place, never cut
there, and an office word after the compound does not end the run.

Places are the countries component's mentions, NER GPE/LOC/NORP spans and the
regions, blocs and combining forms ("EU", "Asia", "Indo") of compound_places.txt.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from extractors.gazetteer import country_lookup
from extractors.lexicons import read_table

HYPHENS = ("-", "\u2010", "\u2011", "\u2013")  # a hyphen or an en dash ("US–India")
PLACE_LABELS = ("GPE", "LOC", "NORP")


def load_compound_places(path: Path) -> list[str]:
    """The places of compound_places.txt, one per line, as written."""
    return [row[0] for row in read_table(path, ("place",))]


class PlaceFinder:
    """Which tokens of a doc lie in a place, and where that place starts."""

    def __init__(self, words: list[str], tokenizer: Language) -> None:
        self.words = frozenset(words)
        self.matcher = PhraseMatcher(tokenizer.vocab, attr="ORTH")
        self.matcher.add("place", [tokenizer.make_doc(w) for w in words])

    def place_starts(self, doc: Doc) -> dict[int, int]:
        """Token index -> index of the first token of the place it lies in."""
        out: dict[int, int] = {}
        spans = [doc[start:end] for _, start, end in self.matcher(doc)]
        spans += [e for e in doc.ents if e.label_ in PLACE_LABELS]
        for m in doc._.nw_countries or []:
            span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
            if span is not None:
                spans.append(span)
        for span in spans:
            for i in range(span.start, span.end):
                out[i] = min(out.get(i, span.start), span.start)
        return out

    def opens_with_places(self, name: str) -> bool:
        """Does the name open with places joined by hyphens ("UK-Japan Business Council",
        "New Zealand-China Council", "U.S.-China ...")? "Guinea-Bissau" is one country."""
        parts = name.split("-")
        if len(parts) < 2 or any(p != p.strip() or not p for p in parts):
            return False  # a spaced dash is no compound ("SOCCER - LEAGUE")
        last = parts[-1].split()
        return all(self._is_place(p) for p in parts[:-1]) and any(
            self._is_place(" ".join(last[:n])) for n in (1, 2, 3) if n <= len(last)
        )

    def _is_place(self, text: str) -> bool:
        return text in self.words or country_lookup(text) is not None


def joins_places(doc: Doc, k: int, places: dict[int, int]) -> bool:
    """Is token k a hyphen written tight between two places ("UK-Japan")?"""
    return (
        0 < k < len(doc) - 1
        and doc[k].text in HYPHENS
        and not doc[k - 1].whitespace_
        and not doc[k].whitespace_
        and k - 1 in places
        and k + 1 in places
    )


def widen_to_places(span: Span, places: dict[int, int]) -> Span:
    """ "Japan Business Council" after "UK-" -> "UK-Japan Business Council"; chains too
    ("US-Japan-Australia ...")."""
    start = span.start
    while start >= 2 and joins_places(span.doc, start - 1, places):
        start = places[start - 2]
    return span.doc[start : span.end] if start < span.start else span
