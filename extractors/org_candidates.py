"""Where organisation names may be: the candidate spans of one document.

Candidates come from NER ORG spans (finished by `org_expansion`), acronyms and
digit names written as the kind lexicon spells them ("U.N.", "G-7"), capitalised
word sequences that end in an org head word ("US-India Strategic Partnership Forum",
which the small model misses), lowercase "<portfolio> ministry", and the names
after a media noun ("newspaper Dagens Nyheter"); org_firm_cues adds the names the syntax
gives ("Comelf said it doubled output"). Cleaning and filtering come later.
"""

from __future__ import annotations

from collections import defaultdict

import numpy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from extractors.acronyms import fits, short_form_at, without_article
from extractors.doc_bounds import entity_of, inside_paragraph
from extractors.field_libraries import ends_in_legal_form, given_names, place_key
from extractors.gazetteer import country_lookup
from extractors.names import lower_unaccented
from extractors.org_expansion import extend_name, is_cap
from extractors.org_firm_cues import (
    TICKER,
    legal_name,
    partners_at,
    ticker_named_spans,
    with_partners,
)
from extractors.org_lexicons import (
    AFFILIATION_NOUNS,
    CONNECTORS,
    LEGAL_FORMS,
    MEDIA_NOUNS,
    TYPE_NOUNS,
    OrgLexicons,
)
from extractors.org_place_compounds import joins_places, widen_to_places


class CandidateFinder:
    def __init__(self, lex: OrgLexicons, tokenizer: Language) -> None:
        self.heads = lex.kinds.heads
        self.office_words = lex.office_words
        # built with the model's own tokenizer so the cue tokens match the doc's tokens
        self.cue_matcher = PhraseMatcher(tokenizer.vocab, attr="ORTH")
        self.cue_matcher.add("cue", [tokenizer.make_doc(c) for c in lex.kinds.written_cues])
        self.media_ids = [tokenizer.vocab.strings.add(w) for w in MEDIA_NOUNS]
        self.type_ids = [tokenizer.vocab.strings.add(w) for w in TYPE_NOUNS]

    def introduced_spans(self, doc: Doc) -> list[Span]:
        """ "steel producer Krivorizhstal", "the discount retailer Poundland": the
        capitalised proper nouns right after a noun that says what kind of organisation
        follows (the `type_noun` words), whatever NER calls them."""
        lowers = doc.to_array("LOWER")
        out = []
        for i in numpy.isin(lowers, self.type_ids).nonzero()[0].tolist():
            if doc[i].pos_ != "NOUN" or not doc[i].text.islower():
                continue  # "None BANK QUAL": a table's capitals, no description
            k = i + 1
            if k < len(doc) and doc[k].lower_ == "the":
                k += 1  # "local bar the Billy Goat Tavern"
            j = _proper_run_end(doc, k)
            if (
                j > k
                and not _goes_on(doc, j)  # "group Human Rights in China"
                and sum(c.isalpha() for c in doc[k:j].text) >= 2
                and doc[k].lower_ not in AFFILIATION_NOUNS  # "company CEO Tim Cook"
                and not any(t.ent_type_ in ("DATE", "TIME") for t in doc[k:j])
                and not _a_persons_name(doc[k:j])  # "property developer Donald Trump"
            ):
                out.append(doc[k:j])
        return out

    def ticker_named(self, doc: Doc) -> list[Span]:
        """The names the wire follows with a ticker (`org_firm_cues.ticker_named_spans`)."""
        return ticker_named_spans(doc, self._is_head)

    def media_spans(self, doc: Doc) -> list[Span]:
        """ "newspaper Dagens Nyheter", "Zycie Warszawy daily said": the capitalised words
        right after a media noun, or right before one they modify."""
        lowers = doc.to_array("LOWER")
        out = []
        for i in numpy.isin(lowers, self.media_ids).nonzero()[0].tolist():
            j = _proper_run_end(doc, i + 1)
            if j > i + 1:
                out.append(doc[i + 1 : j])
                continue
            k = i
            while k > 0 and _names_the_medium(doc[k - 1], doc[i]):
                k -= 1
            if k < i:
                out.append(doc[k:i])
        return out

    def candidates(
        self,
        doc: Doc,
        skip_before: int,
        sent_at: list[Span],
        places: dict[int, int],
        marked: list[Span],
    ) -> list[Span]:
        """Candidate spans, in doc order; `places` maps a token in a place to the
        place's first token (`PlaceFinder.place_starts`), `marked` are the names the
        wire marks (`wire_marked_names`)."""
        spans = [
            self._with_domain(
                widen_to_places(
                    with_partners(extend_name(e, sent_at[e.start]), self._is_head), places
                ),
                sent_at,
            )
            for e in _joined_orgs(doc)
            if (e.label_ == "ORG" or _ends_in_a_legal_form(e)) and e.start_char >= skip_before
        ]
        # an entity a finished name now covers ("... Futures and Options Exchange (LIFFE)")
        spans = _outermost(spans)
        marked = [m for m in marked if m.start_char >= skip_before]
        spans = [s for s in spans if not any(_overlap(s, m) for m in marked)] + marked
        taken = {t.i for e in spans for t in e}
        for _, start, end in self.cue_matcher(doc):
            if doc[start].idx >= skip_before and not any(i in taken for i in range(start, end)):
                spans.append(doc[start:end])
                taken.update(range(start, end))
        found = _SpanSet(spans)
        for sent in dict.fromkeys(sent_at):
            if sent.end_char <= skip_before:
                continue
            for span in self._capitalised_runs(doc, sent, places):
                if _one_place(span):
                    continue  # "the West Bank": NER reads the whole run as a place
                if not any(t.i in taken for t in span):
                    found.add(span)
                    taken.update(t.i for t in span)
                    continue
                # A run over earlier candidates replaces those it contains, unless one
                # contains it or another only overlaps it: then all stay as they are
                # ("Amusements Inc and MCV Holdings Inc" keeps "MCV Holdings Inc").
                near = found.touching(span)
                inside = [k for k, e in near.items() if span.start <= e.start and e.end <= span.end]
                if len(inside) == len(near):
                    for key in inside:
                        found.remove(key)
                    found.add(span)
        spans = found.spans()
        # "China's commerce ministry", "India's home ministry": lowercase but named
        orths = doc.to_array("ORTH")  # array access: no Token objects for every word
        for i in (orths == doc.vocab.strings["ministry"]).nonzero()[0].tolist():
            prev = doc[i - 1] if i > 0 else None
            if (
                prev is not None
                and prev.idx >= skip_before
                and prev.is_alpha
                and prev.text.islower()
                and not prev.is_stop
            ):
                spans.append(doc[i - 1 : i + 1])
        whole = {(m.start, m.end) for m in marked}  # the wire says where the name ends
        spans = [
            part
            for span in spans
            for part in ([span] if (span.start, span.end) in whole else self._coordinated(span))
        ]
        return sorted(spans, key=lambda s: s.start)

    def _coordinated(self, span: Span) -> list[Span]:
        """ "Kansai Electric Power and Kansai International Airport": two names joined
        by "and" are two candidates when each side is a whole name on its own: it ends
        in an org head word or a legal form, or the NER model marked it as one entity.
        "Ministry of Trade and Industry" stays one: "Ministry of Trade" ends in neither;
        so does "Securities and Exchange Commission", whose "and" NER put inside one name,
        and a name whose own short form follows it ("London International Financial
        Futures and Options Exchange (LIFFE)")."""
        doc = span.doc
        if _gives_its_short_form(span):
            return [span]
        for k in range(span.start + 1, span.end - 1):
            if doc[k].lower_ != "and" or not is_cap(doc[k + 1]) or doc[k].ent_type_:
                continue
            left, right = doc[span.start : k], doc[k + 1 : span.end]
            if partners_at(doc, span.start, k, self._is_head) and legal_name(right):
                continue  # "Parker and Parsley Petroleum Co": one firm of partners' names
            if legal_name(right[:1]):
                continue  # "Mitsui and Co USA Inc": "Co ..." names no firm by itself
            if self._whole_name(left) and self._whole_name(right):
                return [left, right]
        return [span]

    def _whole_name(self, side: Span) -> bool:
        if self._is_head(side[-1]) or lower_unaccented(side[-1].text) in LEGAL_FORMS:
            return True
        return _one_entity(side)

    def _with_domain(self, span: Span, sent_at: list[Span]) -> Span:
        """NER's "the Federal Reserve Bank" + "of New York": a name ending in a head word
        runs on over "of" and the place it serves, as a capitalised run does."""
        if not self._is_head(span[-1]):
            return span
        end = _domain_end(span.doc, span.end, sent_at[span.start].end)
        return span.doc[span.start : end] if end > span.end else span

    def _is_head(self, tok: Token) -> bool:
        """An org head word ("Ministry", "Corp."), with or without its full stop."""
        word = lower_unaccented(tok.text)
        return word in self.heads or word.rstrip(".") in self.heads

    def _capitalised_runs(self, doc: Doc, sent: Span, places: dict[int, int]) -> list[Span]:
        """Capitalised word sequences (with of/and/& inside) that end in an org head word."""
        out, i = [], sent.start
        while i < sent.end:
            if not is_cap(doc[i]) or doc[i].lower_ in self.office_words:
                i += 1
                continue
            j = i
            last_head = -1
            # An office word ("Trade", "Security") ends a run, as it starts a title
            # ("US Trade Representative"), but not after a compound of places: no title
            # follows "EU-India", a name does ("EU-India Trade and Technology Council").
            joined = False
            while j < sent.end:
                tok = doc[j]
                if tok.lower_ in self.office_words and j > i and not joined:
                    break
                joined = joined or joins_places(doc, j, places)
                if inside_paragraph(tok) and j + 1 < sent.end:
                    j += 1  # a wrapped line inside a name (Reuters texts)
                    continue
                if is_cap(tok) or (
                    tok.lower_ in CONNECTORS and j + 1 < sent.end and is_cap(doc[j + 1])
                ):
                    if self._is_head(tok):
                        last_head = j
                    j += 1
                    if "\n\n" in tok.whitespace_:
                        break
                    continue
                break
            if last_head > i:
                out.append(doc[i : _domain_end(doc, last_head + 1, sent.end)])
            i = max(j, i + 1)
        return out


def _a_persons_name(span: Span) -> bool:
    """NER's person after a kind-of-body noun is one when a given name opens it; "maker
    Poclain", "producer Krivorizhstal" (one word NER guessed a person) are firms."""
    if not any(t.ent_type_ == "PERSON" for t in span):
        return False
    return len(span) > 1 or place_key(span[0].text) in given_names()


def _proper_run_end(doc: Doc, start: int) -> int:
    """Where the capitalised proper nouns from `start` end (the name after a media or a
    kind-of-body noun)."""
    j = start
    while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper():
        j += 1
    return j


def _goes_on(doc: Doc, j: int) -> bool:
    """Whether a name continues at token `j`: a capital, or a connector and a capital
    ("Human Rights" + "in China")."""
    if j >= len(doc):
        return False
    if doc[j].text[:1].isupper():
        return True
    return (
        doc[j].lower_ in (*CONNECTORS, "in") and j + 1 < len(doc) and doc[j + 1].text[:1].isupper()
    )


def _one_place(span: Span) -> bool:
    """Whether the span ends one place entity NER found ("the West Bank")."""
    if span[0].ent_type_ not in ("GPE", "LOC"):
        return False
    return entity_of(span[0]).end == span.end


def _joined_orgs(doc: Doc) -> list[Span]:
    """NER's entities, with an ORG that runs straight on into another ORG joined to it:
    the model sometimes ends a name at a capital inside a word ("GateHouse" + "Media"),
    and two organisations are seldom written side by side with nothing between them."""
    out: list[Span] = []
    for ent in doc.ents:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.label_ == ent.label_ == "ORG"
            and prev.end == ent.start
            and doc[prev.end - 1].whitespace_ == " "
            and not doc[prev.end - 1].is_punct
            and doc[prev.end - 1].tag_ != "POS"  # "Air France 's" + "CFDT": its owner
        ):
            out[-1] = Span(doc, prev.start, ent.end, label="ORG")
        else:
            out.append(ent)
    return out


def _domain_end(doc: Doc, end: int, limit: int) -> int:
    """Where a name ending in a head word ends when "of" and a place follow: the place is
    the body's domain and part of its name ("Geological Survey of India", "Federal Reserve
    Bank of New York", "American Civil Liberties Union of Indiana"), where a run or NER
    stopped at the place's entity."""
    if end + 1 < limit and doc[end].lower_ == "of" and doc[end + 1].ent_type_ == "GPE":
        return min(entity_of(doc[end + 1]).end, limit)
    return end


class _SpanSet:
    """Spans in the order they were added, with the spans covering each token: what
    overlaps a new span is a lookup over its own tokens, not a scan of every span."""

    def __init__(self, spans: list[Span]) -> None:
        self._spans: dict[int, Span] = {}
        self._covering: dict[int, set[int]] = defaultdict(set)
        self._next = 0  # keys grow with each span added: removals never reuse one
        for span in spans:
            self.add(span)

    def add(self, span: Span) -> None:
        key, self._next = self._next, self._next + 1
        self._spans[key] = span
        for i in range(span.start, span.end):
            self._covering[i].add(key)

    def remove(self, key: int) -> None:
        span = self._spans.pop(key)
        for i in range(span.start, span.end):
            self._covering[i].discard(key)

    def touching(self, span: Span) -> dict[int, Span]:
        """The spans sharing a token with `span`, by key."""
        keys = set().union(*(self._covering.get(i, ()) for i in range(span.start, span.end)))
        return {key: self._spans[key] for key in sorted(keys)}

    def spans(self) -> list[Span]:
        return list(self._spans.values())


# Names NER may give a company it misreads; figures and dates are never one.
NAME_LABELS = frozenset({"PERSON", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "WORK_OF_ART"})


def _ends_in_a_legal_form(ent: Span) -> bool:
    """An entity NER labelled otherwise that ends in a company's written legal form
    ("Pirelli SpA" read as a PERSON): no person's or place's name ends in one. A country
    ("UK", also a legal form in cleanco's tables) ends a place's name ("Cambridge UK")."""
    last = ent[-1]
    return (
        ent.label_ in NAME_LABELS
        and len(ent) > 1
        and last.text[:1].isupper()
        and ends_in_legal_form([last.text])
        and country_lookup(last.text) is None
    )


def _names_the_medium(token: Token, medium: Token) -> bool:
    """A capitalised proper-noun word in the name that modifies the media noun."""
    return (
        token.pos_ == "PROPN"
        and token.text[:1].isupper()
        and token.dep_ == "compound"
        and (token.head.i == medium.i or token.head.dep_ == "compound")
    )


def _gives_its_short_form(span: Span) -> bool:
    """ "... Options Exchange (LIFFE)": the parenthesised short form fits the whole span."""
    short = short_form_at(span.doc, span.end)
    return short is not None and fits(short, without_article(span.text))


def _one_entity(span: Span) -> bool:
    """Whether one NER entity covers exactly `span`, read off the tokens' IOB tags (not by
    walking `doc.ents`, which builds every entity of the document on each call)."""
    doc = span.doc
    if span[0].ent_iob_ != "B" or any(t.ent_iob_ != "I" for t in span[1:]):
        return False
    return span.end == len(doc) or doc[span.end].ent_iob_ != "I"


def _outermost(spans: list[Span]) -> list[Span]:
    """The spans no longer span contains, in their order: one sweep over the bounds
    sorted by start (the longest first), not every pair (a long text has thousands)."""
    bounds = sorted({(s.start, s.end) for s in spans}, key=lambda b: (b[0], -b[1]))
    inside: set[tuple[int, int]] = set()
    reach = -1  # the furthest end of the bounds before this one, which start no later
    for start, end in bounds:
        if reach >= end:
            inside.add((start, end))
        reach = max(reach, end)
    return [s for s in spans if (s.start, s.end) not in inside]


def wire_marked_names(doc: Doc) -> list[Span]:
    """Company names the wire marks with angle brackets (Reuters: "sold the unit to
    <Gruppo Ferruzzi>", "<Parker and Parsley Petroleum Co>"), the brackets left out.
    A ticker in brackets ("<CSX>", "<CMAC.S>") is no name."""
    out = []
    for tok in doc:
        if tok.text != "<":
            continue
        end = tok.i + 1
        while (
            end < min(len(doc), tok.i + 14) and doc[end].text != ">" and "\n" not in doc[end].text
        ):
            end += 1
        if end >= len(doc) or doc[end].text != ">" or end == tok.i + 1:
            continue
        name = doc[tok.i + 1 : end]
        if not name[0].text[:1].isupper() or TICKER.fullmatch(name.text.replace(" ", "")):
            continue
        out.append(name)
    return out


def _overlap(span: Span, other: Span) -> bool:
    return span.start < other.end and other.start < span.end
