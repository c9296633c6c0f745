"""Loading the gazetteer data files (countries, minerals) and looking names up in them.

The files live in extractors/data/ and are read once per path (the loaders are cached
on the path, so every component instance and sibling module shares one parsed copy
without any module-level state of its own). Sibling components use `country_lookup`
to turn a surface form ("U.S.", "Indian", "S. Korea") into the canonical country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from extractors.lexicons import DATA_DIR, read_table, read_word_lists

COUNTRIES_TSV = DATA_DIR / "countries.tsv"
MINERALS_TSV = DATA_DIR / "minerals.tsv"

# A value starting with this marker is matched case-sensitively ("=US" never matches "us").
CASE_MARK = "="


@dataclass(frozen=True)
class Surface:
    """One way of writing an entry: the text and whether its case must match exactly."""

    text: str
    exact_case: bool
    is_demonym: bool = False


@dataclass(frozen=True)
class CountryEntry:
    canonical: str
    surfaces: tuple[Surface, ...]


@dataclass(frozen=True)
class MineralEntry:
    canonical: str
    synonyms: tuple[str, ...]
    symbols: tuple[str, ...]  # chemical symbols, matched case-sensitively and only in lists
    group: str | None  # the group it belongs to ("rare earth elements"), if any
    lists: tuple[str, ...]  # critical-minerals lists naming it
    needs_context: bool  # an everyday word too ("lead", "tin"): matched only in metal context


@dataclass(frozen=True)
class CountryIndex:
    entries: tuple[CountryEntry, ...]
    exact: dict[str, str] = field(default_factory=dict)  # key with case kept -> canonical
    folded: dict[str, str] = field(default_factory=dict)  # casefolded key -> canonical


def split_values(cell: str) -> list[str]:
    return [value.strip() for value in cell.split("|") if value.strip()]


def to_surface(value: str, is_demonym: bool = False) -> Surface:
    if value.startswith(CASE_MARK):
        return Surface(value[len(CASE_MARK) :], exact_case=True, is_demonym=is_demonym)
    return Surface(value, exact_case=False, is_demonym=is_demonym)


def lookup_key(text: str, exact_case: bool) -> str:
    """Spacing and full stops do not matter ("S. Korea" = "S.Korea", "U.S." = "US")."""
    key = re.sub(r"[\s.]+", "", text.replace("\u2019", "'"))
    return key if exact_case else key.casefold()


def plural_of(demonym: str) -> tuple[str, ...]:
    """The people form that also stands for the country ("the Americans said"); none for
    words that do not take -s ("Chinese", "British", "French", "Swiss")."""
    if demonym.startswith(CASE_MARK) or demonym.endswith(("ese", "sh", "ch", "s", "x", "z")):
        return ()
    return (demonym + "s",)


@lru_cache(maxsize=8)
def load_countries(path: Path = COUNTRIES_TSV) -> CountryIndex:
    """The countries gazetteer: canonical name, aliases, demonyms (see the file's header)."""
    entries = []
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    for row in read_table(path, ("canonical", "aliases", "demonyms")):
        canonical, aliases, demonyms = row.cells
        surfaces = [to_surface(canonical)]
        surfaces += [to_surface(v) for v in split_values(aliases)]
        surfaces += [to_surface(v) for v in iso_names(canonical, surfaces)]
        for value in split_values(demonyms):
            surfaces += [to_surface(v, is_demonym=True) for v in (value, *plural_of(value))]
        entries.append(CountryEntry(canonical, tuple(surfaces)))
        for surface in surfaces:
            table = exact if surface.exact_case else folded
            table.setdefault(lookup_key(surface.text, surface.exact_case), canonical)
    return CountryIndex(tuple(entries), exact, folded)


def iso_names(canonical: str, known: list[Surface]) -> list[str]:
    """ISO 3166's names for a country (pycountry) that our row lacks: the official and
    common names ("Federative Republic of Brazil", "Republic of Korea"). Countries.tsv
    keeps what ISO does not give: the short news names, historical states, demonyms.
    One-word ISO names are left out ("Congo" names two countries in news use)."""
    import pycountry

    try:
        entry = pycountry.countries.lookup(canonical)
    except LookupError:
        return []
    have = {s.text.casefold() for s in known}
    out = []
    for name in (
        entry.name,
        getattr(entry, "official_name", None),
        getattr(entry, "common_name", None),
    ):
        if not name or "," in name or len(name.split()) < 2:
            continue
        name = re.sub(r"^the\s+", "", name)
        if name.casefold() not in have:
            have.add(name.casefold())
            out.append(name)
    return out


def country_lookup(surface: str, path: Path = COUNTRIES_TSV) -> str | None:
    """The canonical country a surface form names ("U.S." -> "United States"), else None.

    Case-sensitive aliases ("US", "UK") also match when written in capitals only, so
    the pronoun "us" gives None; a trailing possessive ("India's") is ignored.
    """
    text = re.sub(r"['\u2019]s?$", "", surface.strip())
    if not text:
        return None
    index = load_countries(path)
    found = index.exact.get(lookup_key(text, exact_case=True))
    if found is None:
        found = index.folded.get(lookup_key(text, exact_case=False))
    return found


@lru_cache(maxsize=8)
def load_minerals(path: Path = MINERALS_TSV) -> tuple[MineralEntry, ...]:
    """The minerals gazetteer: canonical, synonyms, symbols, group, lists, flags."""
    entries = []
    columns = ("canonical", "synonyms", "symbols", "group", "lists", "flags")
    for row in read_table(path, columns):
        canonical, synonyms, symbols, group, lists, flags = row.cells
        entries.append(
            MineralEntry(
                canonical=canonical,
                synonyms=tuple(split_values(synonyms)),
                symbols=tuple(split_values(symbols)),
                group=group or None,
                lists=tuple(split_values(lists)),
                needs_context="context" in split_values(flags),
            )
        )
    return tuple(entries)


def mineral_lookup(surface: str, path: Path = MINERALS_TSV) -> str | None:
    """The canonical mineral a word or phrase names ("aluminium" -> "aluminum"), else None."""
    wanted = re.sub(r"[\s-]+", " ", surface.strip()).casefold()
    for entry in load_minerals(path):
        names = (entry.canonical, *entry.synonyms)
        if any(re.sub(r"[\s-]+", " ", name).casefold() == wanted for name in names):
            return entry.canonical
    return None


NAME_CONTEXT_TSV = DATA_DIR / "name_context.tsv"


CONTEXT_KINDS = (
    "company_suffix",
    "government_word",
    "region_prefix",
    "not_country_after",
    "language_after",
    "currency_word",
    "person_name",
    "name_word",
    "not_mineral_after",
    "metal_context",
    "price_move",
    "pronoun_us_after",
)


@lru_cache(maxsize=8)
def load_name_context(path: Path = NAME_CONTEXT_TSV) -> dict[str, frozenset[str]]:
    """Context word lists by kind ("company_suffix" -> {"ltd", "plc", ...}); see the file."""
    # Every kind the components read, so a trimmed file means "no such words", not a KeyError.
    kinds = read_word_lists(path, CONTEXT_KINDS)
    return {kind: frozenset(word.casefold() for word in words) for kind, words in kinds.items()}


class SurfaceMatcher:
    """Finds gazetteer surfaces in a doc, tolerant of the line breaks news wires put
    inside names ("West\nGermany", "rare\nearths").

    Surfaces as written go to PhraseMatchers (ORTH for exact case, LOWER otherwise). A
    PhraseMatcher cannot skip the whitespace token a wrapped line leaves inside a name, so
    each gap of a multi-word surface is also indexed by its (left word, right word) pair,
    and only the few whitespace tokens holding a line break are looked up in that index
    (a Matcher with wrapped variants of every name costs more than the model's parser).
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        # (left word, right word) of a gap -> (key, words, gap index, exact case)
        self.gaps: dict[tuple[str, str], list[tuple[str, tuple[str, ...], int, bool]]] = {}

    def add(self, key: str, text: str, exact_case: bool) -> None:
        tokens = [t for t in self.nlp.make_doc(text) if not t.is_space]
        target = self.exact if exact_case else self.folded
        target.add(key, [self.nlp.make_doc(" ".join(t.text for t in tokens))])
        words = tuple(t.text if exact_case else t.lower_ for t in tokens)
        for gap in range(1, len(words)):
            pair = (words[gap - 1].casefold(), words[gap].casefold())
            self.gaps.setdefault(pair, []).append((key, words, gap, exact_case))

    def __call__(self, doc: Doc) -> list[Span]:
        """The longest non-overlapping matches, in text order, labelled with their key."""
        spans = [
            Span(doc, start, end, label=match_id)
            for matcher in (self.exact, self.folded)
            for match_id, start, end in matcher(doc)
        ]
        if self.gaps and "\n" in doc.text:
            spans += self.wrapped_matches(doc)
        return sorted(filter_spans(spans), key=lambda s: s.start)

    def wrapped_matches(self, doc: Doc) -> list[Span]:
        found = []
        for i in numpy.flatnonzero(doc.to_array("IS_SPACE")).tolist():
            if i == 0 or i + 1 >= len(doc) or "\n" not in doc[i].text:
                continue
            pair = (doc[i - 1].lower_, doc[i + 1].lower_)
            for key, words, gap, exact_case in self.gaps.get(pair, ()):
                start, end = i - gap, i + 1 + len(words) - gap
                if start < 0 or end > len(doc):
                    continue
                window = [t for t in doc[start:end] if t.i != i]
                seen = tuple(t.text if exact_case else t.lower_ for t in window)
                if seen == words:
                    found.append(Span(doc, start, end, label=key))
        return found
