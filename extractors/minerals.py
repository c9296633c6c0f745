"""newswatch_minerals: minerals and mineral commodities named in a doc.

Names and synonyms from data/minerals.tsv are matched case-insensitively
(gazetteer.SurfaceMatcher; Reuters titles are in capitals; "aluminium" gives "aluminum");
chemical symbols case-sensitively, and a symbol only counts next to another symbol or
mineral ("Li and Co prices", "Cu-Au"), never alone ("Smith & Co"). The longest match
wins ("platinum group metals" over "platinum"). A match is then dropped when its context
says it is not the commodity (words in data/name_context.tsv):
- a capitalised word that is part of a name: Reuters' <...> company tags, a name ending
  in a company suffix, "Copper Mountain", "Barrick Gold", "Gold Fields";
- another sense: "gold medal", "tin sheets of a roof";
- "lead" (flagged "context" in the file) unless a metal word or another mineral is next
  to it ("lead prices", "zinc and lead"), since it is far more often the verb.
"""

from __future__ import annotations

import bisect
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractors.countries import DocView, in_caps_text, inside_company_name, make_mention
from extractors.doc_bounds import per_doc, sentence_of
from extractors.docs import body_offset
from extractors.gazetteer import (
    MINERALS_TSV,
    NAME_CONTEXT_TSV,
    SurfaceMatcher,
    load_minerals,
    load_name_context,
)
from extractors.records import Mention, to_plain
from extractors.settings import GazetteerSettings, defaults

SYMBOL_SUFFIX = "#symbol"
# Tokens that may sit between two items of a list of minerals or symbols.
LIST_GLUE = frozenset({",", "and", "or", "/", "-", "&", "as", "well", "plus"})
# Entity labels that make a capitalised mineral word part of a name ("Mercury said").
NAME_LABELS = frozenset({"ORG", "PERSON", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"})


@Language.factory(
    "newswatch_minerals",
    assigns=["doc._.nw_minerals"],
    requires=["token.ent_type", "token.is_sent_start"],
    default_config=defaults(GazetteerSettings),
)
def make_component(
    nlp: Language, name: str, gazetteer_path: str, context_path: str
) -> MineralComponent:
    return MineralComponent(
        nlp,
        Path(gazetteer_path) if gazetteer_path else MINERALS_TSV,
        Path(context_path) if context_path else NAME_CONTEXT_TSV,
    )


class MineralComponent:
    """Sets `doc._.nw_minerals` to a list of plain `Mention` dicts, in text order."""

    def __init__(
        self,
        nlp: Language,
        gazetteer_path: Path = MINERALS_TSV,
        context_path: Path = NAME_CONTEXT_TSV,
    ) -> None:
        self.context = load_name_context(context_path)
        self.matcher = SurfaceMatcher(nlp)
        self.needs_context: set[str] = set()
        self.acronyms: set[str] = set()  # "REEs", "PGM": capitals that are the name itself
        for entry in load_minerals(gazetteer_path):
            self.acronyms.update(n for n in entry.synonyms if n.isupper() or n[:-1].isupper())
            for name in (entry.canonical, *entry.synonyms):
                self.matcher.add(entry.canonical, name, exact_case=False)
            for symbol in entry.symbols:
                self.matcher.add(entry.canonical + SYMBOL_SUFFIX, symbol, exact_case=True)
            if entry.needs_context:
                self.needs_context.add(entry.canonical)

    def __call__(self, doc: Doc) -> Doc:
        view = DocView.of(doc)
        spans = self.matcher(doc)
        matched = {i for span in spans for i in range(span.start, span.end)}
        # Word matches only: a symbol ("Co" in "Co Ltd") is no evidence for "lead".
        named = {i for span in spans if "#" not in span.label_ for i in range(span.start, span.end)}
        mentions: list[Mention] = []
        body_start = body_offset(doc)
        names_before: set[tuple[str, str]] = set()  # (mineral, word before it) in body names
        headline: list[tuple[int, str]] = []  # (mention index, word before it) in a caps title
        for span in spans:
            canonical, _, kind = span.label_.partition("#")
            if kind:
                keep = self.is_listed_symbol(span, matched)
            else:
                keep = self.names_mineral(view, span, canonical, named)
            before = doc[span.start - 1].lower_ if span.start > 0 else ""
            if not keep and not kind and span.start_char >= body_start:
                names_before.add((canonical, before))  # "Consolidated Gold Fields Plc"
            if keep:
                if span.start_char < body_start and in_caps_text(view, span):
                    headline.append((len(mentions), before))
                mentions.append(make_mention(view, canonical, span.start_char, span.end_char, span))
        # An all-caps wire headline shortens a company name the body spells out ("CONS
        # GOLD" for "Consolidated Gold Fields"): that headline word is the company.
        short_names = {
            i
            for i, before in headline
            if len(before) >= 3
            and any(
                c == mentions[i].canonical and word.startswith(before) for c, word in names_before
            )
        }
        mentions = [m for i, m in enumerate(mentions) if i not in short_names]
        doc._.nw_minerals = [to_plain(m) for m in mentions]
        return doc

    def names_mineral(self, view: DocView, span: Span, canonical: str, matched: set[int]) -> bool:
        doc = view.doc
        caps = in_caps_text(view, span)
        first = span[0]
        if first.is_upper and len(first) > 2 and not caps and span.text not in self.acronyms:
            return False  # "TIN" in mixed-case text is an acronym (taxpayer number)
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        if after in self.context["not_mineral_after"]:
            return False  # gold medal, tin sheets
        if canonical in self.needs_context and not self.in_metal_context(view, span, matched):
            return False
        if first.is_lower:
            return True  # a lowercase mineral word is the commodity, even inside a long ORG
        if span.text in self.acronyms:
            return not inside_company_name(view, span, self.context)  # NER calls "PGM" an ORG
        return not self.is_name_part(view, span, caps)

    def is_name_part(self, view: DocView, span: Span, caps: bool) -> bool:
        """A capitalised mineral word that belongs to a company or place name."""
        doc = view.doc
        after = doc[span.end] if span.end < len(doc) else None
        if after is not None and after.lower_ in self.context["name_word"] and not after.is_lower:
            return True  # Copper Mountain, Gold Fields
        if inside_company_name(view, span, self.context):
            return True
        if caps or is_title_case_title(span):
            return False
        before = doc[span.start - 1] if span.start > 0 else None
        if after is not None and is_name_word(after) and not after.is_sent_start:
            return True
        if before is not None and is_name_word(before) and not span[0].is_sent_start:
            return True  # Barrick Gold, Anglo American Platinum
        return not span[0].is_sent_start and span[0].ent_type_ in NAME_LABELS

    def in_metal_context(self, view: DocView, span: Span, matched: set[int]) -> bool:
        """ "lead prices", "refined lead", "tonnes of lead", "zinc and lead"."""
        doc = span.doc
        words = self.context["metal_context"]
        if span.end < len(doc) and doc[span.end].lower_ in words:
            return True
        if span.start > 0 and doc[span.start - 1].lower_ in words:
            return True
        if (
            span.start > 1
            and doc[span.start - 1].lower_ == "of"
            and doc[span.start - 2].lower_ in words
        ):
            return True
        if next_to_listed(span, matched):
            return True
        # "so did zinc at 6,300 rupees and lead at 4,900 rupees": a noun (not "the lead",
        # "its lead") or a price move, in a sentence that names another mineral.
        before = doc[span.start - 1] if span.start > 0 else None
        after = doc[span.end].lower_ if span.end < len(doc) else ""
        if before is not None and before.pos_ in ("DET", "PRON"):
            return False
        if span[0].pos_ != "NOUN" and after not in self.context["price_move"]:
            return False  # the tagger calls "lead at 4,900" a verb; the next word says otherwise
        sent = sentence_of(span) if view.has_sents else doc[:]
        # Another matched token in the sentence, found by bisection (a sentence can be
        # long). `matched` is the doc's one set of word matches: sorted once per doc.
        ordered = per_doc(doc, "minerals.named_tokens", lambda: sorted(matched))
        earlier = bisect.bisect_left(ordered, span.start) - bisect.bisect_left(ordered, sent.start)
        later = bisect.bisect_left(ordered, sent.end) - bisect.bisect_left(ordered, span.end)
        return earlier > 0 or later > 0

    def is_listed_symbol(self, span: Span, matched: set[int]) -> bool:
        """A symbol counts only in a list of minerals ("Li and Co prices", "Cu-Au")."""
        return next_to_listed(span, matched)


def next_to_listed(span: Span, matched: set[int]) -> bool:
    """Whether another matched mineral or symbol sits next to the span, across list glue."""
    doc = span.doc
    for step, edge in ((-1, span.start - 1), (1, span.end)):
        i = edge
        while 0 <= i < len(doc) and doc[i].lower_ in LIST_GLUE and abs(i - edge) < 3:
            i += step
        if i != edge and 0 <= i < len(doc) and i in matched:
            return True
    return False


def is_name_word(token: Token) -> bool:
    """A capitalised word that can continue a proper name (not "The", not a number)."""
    return token.is_alpha and (token.is_title or token.is_upper) and not token.is_stop


def is_title_case_title(span: Span) -> bool:
    """Whether the span is in the doc's title and that title capitalises its words."""
    body_start = body_offset(span.doc)
    if span.start_char >= body_start:
        return False
    return per_doc(span.doc, "minerals.title_case", lambda: _title_case(span.doc, body_start))


def _title_case(doc: Doc, body_start: int) -> bool:
    """Whether the title capitalises its long words (read once per doc, not per mention)."""
    words = [t for t in doc.char_span(0, body_start, alignment_mode="contract") or [] if t.is_alpha]
    long_words = [t for t in words if len(t) > 3]
    return bool(long_words) and sum(t.is_title or t.is_upper for t in long_words) >= 0.7 * len(
        long_words
    )
