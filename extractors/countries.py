"""newswatch_countries: countries named, or referred to by a demonym, in a doc.

Matching (gazetteer.SurfaceMatcher) is on ORTH for the case-sensitive abbreviations in
data/countries.tsv ("US", "U.K.", so the pronoun "us" never counts) and on LOWER for the
rest (Reuters titles are in capitals), with line breaks allowed inside names. The longest
match wins ("Papua New Guinea" over "Guinea", "South Korea" over "Korea"). A match is then
dropped when its context says it is not the country (rules below, words in
data/name_context.tsv): a lowercase common noun ("china", "turkey"), part of a company
name ("British Petroleum Co PLC", Reuters' "<New Zealand Aluminium Smelters Ltd>"), a
region ("Latin America", "Indian Ocean"), a language ("the Italian word for") or part of
a person's name. Government bodies and forums keep their country ("US Treasury").
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractors.doc_bounds import sentence_of
from extractors.gazetteer import (
    COUNTRIES_TSV,
    NAME_CONTEXT_TSV,
    SurfaceMatcher,
    country_lookup,
    load_countries,
    load_name_context,
)
from extractors.records import Mention, to_plain
from extractors.settings import GazetteerSettings, defaults

DEMONYM_SUFFIX = "#demonym"
# Compound tokens the tokenizer keeps whole ("U.S.-China", "U.S.-based"): parts are looked up.
HYPHEN_COMPOUND = re.compile(r"(?<![\w.])[A-Za-z][\w.'\u2019]*(?:-[\w.'\u2019]+)+")


@Language.factory(
    "newswatch_countries",
    assigns=["doc._.nw_countries"],
    requires=["token.ent_type", "token.is_sent_start", "token.dep", "token.lemma"],
    default_config=defaults(GazetteerSettings),
)
def make_component(
    nlp: Language, name: str, gazetteer_path: str, context_path: str
) -> CountryComponent:
    return CountryComponent(
        nlp,
        Path(gazetteer_path) if gazetteer_path else COUNTRIES_TSV,
        Path(context_path) if context_path else NAME_CONTEXT_TSV,
    )


@dataclass(frozen=True)
class DocView:
    """What the rules read from a doc, taken once per doc: `Doc.text` and `Doc.ents` are
    rebuilt from every token on each access, far too slow to call per match. Every
    per-match question is answered from an index built here or a cache filled once per
    line or entity, never by scanning the text or the entities again, so the rules
    stay linear in the length of the text (a page can be one 200,000-character line).
    """

    doc: Doc
    text: str
    orgs: tuple[Span, ...]
    persons: tuple[Span, ...]
    has_sents: bool
    newlines: list[int] = field(default_factory=list)  # offsets of "\n", ascending
    tag_opens: list[int] = field(default_factory=list)  # offsets of "<"
    tag_closes: list[int] = field(default_factory=list)  # offsets of ">"
    org_at: dict[int, Span] = field(default_factory=dict)  # token index -> its ORG entity
    person_at: dict[int, Span] = field(default_factory=dict)
    token_starts: list[int] = field(default_factory=list)
    # Filled as matches ask: each line, entity and entity line is read once.
    caps_lines: dict[tuple[int, int], bool] = field(default_factory=dict)
    person_is_official: dict[int, bool] = field(default_factory=dict)
    org_lines: dict[tuple[int, int, int], tuple[int, bool]] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Doc) -> DocView:
        ents = doc.ents
        orgs = tuple(ent for ent in ents if ent.label_ == "ORG")
        persons = tuple(ent for ent in ents if ent.label_ == "PERSON")
        text = doc.text
        return cls(
            doc,
            text,
            orgs,
            persons,
            doc.has_annotation("SENT_START"),
            newlines=_offsets(text, "\n"),
            tag_opens=_offsets(text, "<"),
            tag_closes=_offsets(text, ">"),
            org_at={i: ent for ent in orgs for i in range(ent.start, ent.end)},
            person_at={i: ent for ent in persons for i in range(ent.start, ent.end)},
            token_starts=doc.to_array("IDX").tolist(),
        )

    def line_around(self, start_char: int, end_char: int) -> tuple[int, int]:
        """(start, end) offsets of the line(s) holding text[start_char:end_char]."""
        before = bisect.bisect_left(self.newlines, start_char)
        line_start = self.newlines[before - 1] + 1 if before else 0
        after = bisect.bisect_left(self.newlines, end_char)
        line_end = self.newlines[after] if after < len(self.newlines) else len(self.text)
        return line_start, line_end


def _offsets(text: str, char: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(char), text)]


def _last_before(offsets: list[int], pos: int) -> int:
    """The largest offset below `pos`, or -1: `text.rfind(char, 0, pos)` by bisection."""
    k = bisect.bisect_left(offsets, pos)
    return offsets[k - 1] if k else -1


class CountryComponent:
    """Sets `doc._.nw_countries` to a list of plain `Mention` dicts, in text order."""

    def __init__(
        self,
        nlp: Language,
        gazetteer_path: Path = COUNTRIES_TSV,
        context_path: Path = NAME_CONTEXT_TSV,
    ) -> None:
        self.gazetteer_path = gazetteer_path
        self.context = load_name_context(context_path)
        # After these, the capitals "US" in an all-caps title is the pronoun ("LET US").
        self.pronoun_us_after = frozenset(w.upper() for w in self.context["pronoun_us_after"])
        self.matcher = SurfaceMatcher(nlp)
        for entry in load_countries(gazetteer_path).entries:
            for surface in entry.surfaces:
                key = entry.canonical + (DEMONYM_SUFFIX if surface.is_demonym else "")
                self.matcher.add(key, surface.text, surface.exact_case)

    def __call__(self, doc: Doc) -> Doc:
        view = DocView.of(doc)
        mentions = []
        for span in self.matcher(doc):
            canonical, _, kind = span.label_.partition("#")
            if self.names_country(view, span, is_demonym=bool(kind)):
                mentions.append(make_mention(view, canonical, span.start_char, span.end_char, span))
        mentions += self.compound_mentions(view, {m.start for m in mentions})
        mentions = with_divided_germany(mentions)
        mentions.sort(key=lambda m: m.start)
        doc._.nw_countries = [to_plain(m) for m in mentions]
        return doc

    def names_country(self, view: DocView, span: Span, is_demonym: bool) -> bool:
        doc = view.doc
        caps = in_caps_text(view, span)
        if not caps and span.text.islower():
            return False  # "china" (porcelain), "turkey" (the bird)
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        after = following_words(span)
        prefix = doc[span.start - 1] if span.start > 0 else None
        if (
            prefix is not None
            and prefix.lower_ in self.context["region_prefix"]
            and (not prefix.is_lower or span[0].lower_.startswith("america"))
        ):
            return False  # Latin America, Northern Ireland, West Indian, New Mexico
        if (
            before == "-"
            and span.start > 1
            and doc[span.start - 2].lower_ in self.context["region_prefix"]
        ):
            return False  # Anglo-American, Indo-Pacific style compounds
        if any(words in self.context["not_country_after"] for words in after):
            return False  # Indian Ocean, Korean Peninsula
        if span.text == "US" and caps and before.upper() in self.pronoun_us_after:
            return False  # "LET US" in a title
        if is_demonym and self.is_language(span, after):
            return False
        if is_demonym and span.text.endswith("s") and is_name_before(prefix):
            return False  # a team or club: "the Cleveland Indians"
        if inside_person_name(view, span, self.context) or is_state_after_city(span, is_demonym):
            return False
        if after[0] in self.context["currency_word"]:
            return True  # "U.S. Dollar debt", "Australian dollar": the country's currency
        return not inside_company_name(view, span, self.context)

    def is_language(self, span: Span, after: tuple[str, ...]) -> bool:
        """ "the Italian word for", "French-speaking", "published in Chinese." """
        if any(words in self.context["language_after"] for words in after):
            return True
        doc = span.doc
        hyphen_next = span.end < len(doc) - 1 and doc[span.end].text == "-"
        if hyphen_next and doc[span.end + 1].lower_ in self.context["language_after"]:
            return True  # French-speaking
        head = span.root.head
        if span.root.dep_ == "dobj" and head.lemma_ in ("speak", "learn", "teach", "translate"):
            return True
        before = doc[span.start - 1].lower_ if span.start > 0 else ""
        next_is_word = span.end < len(doc) and doc[span.end].is_alpha
        next_is_and = span.end < len(doc) and doc[span.end].lower_ in ("and", "or")
        return before == "in" and (not next_is_word or next_is_and)

    def compound_mentions(self, view: DocView, seen: set[int]) -> list[Mention]:
        """Countries inside hyphenated tokens the tokenizer keeps whole ("U.S.-China")."""
        mentions = []
        for found in HYPHEN_COMPOUND.finditer(view.text):
            span = view.doc.char_span(found.start(), found.end(), alignment_mode="expand")
            if span is None or len(span) != 1 or found.start() in seen:
                continue
            offset = found.start()
            for part in found.group().split("-"):
                canonical = (
                    country_lookup(part, self.gazetteer_path) if part[:1].isupper() else None
                )
                if canonical and not inside_company_name(view, span, self.context):
                    mentions.append(make_mention(view, canonical, offset, offset + len(part), span))
                offset += len(part) + 1
        return mentions


def with_divided_germany(mentions: list[Mention]) -> list[Mention]:
    """In a text from before 1990 that names West (not East) Germany, a bare "Germany" or
    "German" is West Germany too (the dev notes keep historical states as named)."""
    names = {m.canonical for m in mentions}
    if "West Germany" not in names or "East Germany" in names:
        return mentions
    return [
        dataclasses.replace(m, canonical="West Germany") if m.canonical == "Germany" else m
        for m in mentions
    ]


def make_mention(view: DocView, canonical: str, start: int, end: int, span: Span) -> Mention:
    """A mention at text[start:end] (inside `span`), with the sentence holding it."""
    if view.has_sents:
        sent = sentence_of(span)
        sent_start, sent_end = sent.start_char, sent.end_char
    else:
        sent_start, sent_end = 0, len(view.text)
    return Mention(canonical, start, end, view.text[start:end], sent_start, sent_end)


def following_words(span: Span) -> tuple[str, ...]:
    """The next word and the next two words, lowercased ("word", "new year")."""
    doc = span.doc
    one = doc[span.end].lower_ if span.end < len(doc) else ""
    two = f"{one} {doc[span.end + 1].lower_}" if span.end + 1 < len(doc) else one
    return (one, two)


def in_caps_text(view: DocView, span: Span) -> bool:
    """Whether the span sits in an all-capitals line, like a Reuters title."""
    line_start, line_end = view.line_around(span.start_char, span.end_char)
    key = (line_start, line_end)
    if key not in view.caps_lines:  # each line is read once, however many matches it holds
        letters = [c for c in view.text[line_start:line_end] if c.isalpha()]
        caps = sum(c.isupper() for c in letters)
        view.caps_lines[key] = len(letters) >= 8 and caps >= 0.8 * len(letters)
    return view.caps_lines[key]


def is_name_before(token: Token | None) -> bool:
    """A capitalised proper noun inside the sentence, as in "Cleveland" Indians."""
    if token is None or token.is_sent_start:
        return False
    return token.pos_ == "PROPN" and token.is_title


def inside_person_name(view: DocView, span: Span, context: dict[str, frozenset[str]]) -> bool:
    """Part of a person's name: a longer PERSON entity ("Bill Jordan") without an office
    word in it ("Burkina Faso President ..."), or a PERSON that is just a country name
    people also bear ("Jordan said"). NER also tags plain countries PERSON ("Mali")."""
    ent = view.person_at.get(span.start)
    if ent is not None and span.end <= ent.end:
        if len(ent) > len(span):
            if ent.start not in view.person_is_official:
                words = context["government_word"]
                view.person_is_official[ent.start] = any(t.lower_ in words for t in ent)
            return not view.person_is_official[ent.start]
        return span.text.casefold() in context["person_name"]
    return False


def inside_company_name(view: DocView, span: Span, context: dict[str, frozenset[str]]) -> bool:
    """Part of a company's name: Reuters' <...> name tags, a capitalised name ending in a
    company suffix, or a longer ORG entity without any government or forum word."""
    doc, text = view.doc, view.text
    open_tag = _last_before(view.tag_opens, span.start_char)
    if open_tag > _last_before(view.tag_closes, span.start_char):
        close_tag = text.find(">", span.end_char, span.end_char + 120)
        if close_tag >= 0 and "<" not in text[span.end_char : close_tag]:
            return True
    suffixes = context["company_suffix"]
    for token in doc[span.end : span.end + 8]:
        if token.is_space:
            if "\n\n" in token.text:
                break  # a paragraph (or the title) ends here
            continue  # Reuters wraps lines inside names
        word = token.lower_.rstrip(".")
        if word in suffixes and not token.is_lower:
            return True  # "Ltd", "PLC"; not "a Canadian limited partnership"
        if not (token.is_title or token.is_upper or word in ("&", "of", "and")):
            break
    ent = view.org_at.get(span.start)
    if ent is None or span.end > ent.end:
        return False
    # Only the ORG's words on the span's own line: NER runs spans on across line
    # breaks ("the U.S.\n REUTER"); Reuters' <...> tags above handle wrapped names.
    line_start, line_end = view.line_around(span.start_char, span.end_char)
    key = (ent.start, line_start, line_end)
    if key not in view.org_lines:  # once per entity and line, not per match inside it
        view.org_lines[key] = _org_line(view, ent, line_start, line_end, context)
    words, governmental = view.org_lines[key]
    if words <= len(span):
        return False  # the ORG is just the country (a tagging slip)
    return not governmental


def _org_line(
    view: DocView, ent: Span, line_start: int, line_end: int, context: dict[str, frozenset[str]]
) -> tuple[int, bool]:
    """How many words (not "the") an ORG has on one line, and whether they (with the word
    after the ORG) name a government body."""
    doc, starts = view.doc, view.token_starts
    first = bisect.bisect_left(starts, line_start, ent.start, ent.end)
    last = bisect.bisect_left(starts, line_end, first, ent.end)
    line = [t for t in doc[first:last] if t.idx + len(t) <= line_end]
    tokens = line + ([doc[ent.end]] if ent.end < len(doc) else [])
    words = {t.lower_ for t in tokens} | {
        f"{a.lower_} {b.lower_}" for a, b in itertools.pairwise(tokens)
    }
    return len([t for t in line if t.lower_ != "the"]), bool(words & context["government_word"])


def is_state_after_city(span: Span, is_demonym: bool) -> bool:
    """ "Atlanta, Georgia", "the state of Georgia": Georgia is also a US state, and it is the
    one country name that is; elsewhere "Paris, France" still names France."""
    doc = span.doc
    if span.text.casefold() != "georgia" or is_demonym:
        return False
    before = doc[max(0, span.start - 3) : span.start]
    if before.text.lower().endswith("state of"):
        return True
    return len(before) >= 2 and before[-1].text == "," and before[-2].ent_type_ == "GPE"
