"""What the syntax of a sentence says about a firm's name, where NER says little.

Three cues, none a word list:
- a proper noun that speaks of itself as "it" ("Comelf said it almost doubled output",
  "Inco said its profit rose") speaks for a body: no person is "it". The small model
  often leaves a one-word firm untagged or calls it a place.
- a firm named after its partners ("Parker and Parsley Petroleum Co", "Pesch and Co",
  "James Capel and Co"): NER tags the part after "and" and the rest as a person or
  another organisation; the legal form at the end says the whole is one name. A place
  before the "and" is left alone ("Hong Kong and Luso International Bank Ltd"), at the
  price of the firms named after places ("Hongkong and Shanghai Banking Corp").
- a name the wire follows with a stock ticker in angle brackets ("Panhandle Eastern
  <PEL>", "Citicorp's <CCI> unit") is a listed company's: Reuters gives the ticker at a
  firm's first mention whether or not the name carries a legal form.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc, Span, Token

from extractors.doc_bounds import inside_paragraph
from extractors.field_libraries import ends_in_legal_form
from extractors.gazetteer import country_lookup

PLACE_LABELS = ("GPE", "LOC", "NORP", "FAC")
# The parts of speech of a word before a name that is no part of it ("sold to", "by the",
# "said"); a comma or an "and" before them lists names ("Mobil, Shell and Caltex").
OUTSIDE_A_NAME = frozenset({"ADP", "VERB", "AUX", "DET", "SCONJ", "PART", "ADV", "SPACE"})
# What a wire puts in angle brackets after a listed firm's name: its ticker ("<CMAC.S>").
TICKER = re.compile(r"[A-Z0-9.]{1,8}")
# Words that join the parts of one name: "Bank of Japan", "Saatchi and Saatchi".
_JOINERS = frozenset({"of", "and", "&", "de", "du", "des", "del", "di"})


def self_named_spans(doc: Doc) -> list[Span]:
    """The proper nouns that say something about themselves as "it"."""
    out = []
    lemmas = doc.to_array("LEMMA")  # array access: no Token objects for every word
    for i in (lemmas == doc.vocab.strings["say"]).nonzero()[0].tolist():
        verb = doc[i]
        if verb.pos_ != "VERB" or not speaks_of_itself(verb):
            continue
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.pos_ != "PROPN" or subj.i > verb.i:
            continue
        start = subj.i
        while start > 0 and (doc[start - 1].dep_, doc[start - 1].pos_) == ("compound", "PROPN"):
            start -= 1
        span = doc[start : subj.i + 1]
        if any(c.dep_ in ("conj", "cc") for c in subj.children) or (
            span.end < len(doc)
            and (doc[span.end].text in ("and", "&", "-", ",") or doc[span.end].like_num)
        ):
            continue  # part of a longer name ("Willcox and Gibbs Inc", "Local 222")
        if all(t.text[:1].isupper() for t in span) and not any(
            t.ent_type_ in ("PERSON", "NORP", "DATE", "TIME") for t in span
        ):
            out.append(span)
    return out


def speaks_of_itself(verb: Token) -> bool:
    """ "X said it would cut output", "X said its profit rose": what the speaker said is
    about itself as a thing. An "it" that opens a judgement ("said it was a mistake")
    may refer to anything and is not read."""
    for clause in verb.children:
        if clause.dep_ != "ccomp":
            continue
        for tok in clause.children:
            if tok.dep_ not in ("nsubj", "nsubjpass"):
                continue
            if tok.lower_ == "it" and clause.lemma_ != "be":
                return True
            if any(c.dep_ == "poss" and c.lower_ == "its" for c in tok.children):
                return True
    return False


def legal_name(span: Span) -> bool:
    """Does the span end in a company's legal form (cleanco)?"""
    return ends_in_legal_form([t.text for t in span])


def partners_at(doc: Doc, start: int, and_at: int, is_head: Callable[[Token], bool]) -> bool:
    """Whether doc[start:and_at] is one or two capitalised proper nouns before "and" that
    open a firm's name: no legal form, org word (`is_head`) or country of their own, no
    list before them ("Mobil, Shell and ...") and no name running on before them."""
    left = doc[start:and_at]
    if not 1 <= len(left) <= 2 or any(
        t.pos_ != "PROPN" or not t.is_title or t.ent_type_ in PLACE_LABELS for t in left
    ):
        return False  # "Hong Kong and Luso International Bank Ltd": a place, then a bank
    if start > 0 and doc[start - 1].pos_ not in OUTSIDE_A_NAME:
        return False  # "Cie des Machines Bull and NEC Corp": the name runs on before them
    if len(left) == 2 and all(t.ent_type_ == "ORG" for t in left):
        return False  # "Shell Canada and Norcen Energy Resources Ltd": a name of its own
    return not (
        legal_name(left)
        or any(country_lookup(t.text) or is_head(t) for t in left)
        or country_lookup(left.text)
    )


def with_partners(span: Span, is_head: Callable[[Token], bool]) -> Span:
    """NER's "Parsley Petroleum Co" after "Parker and": a name that ends in a legal form
    runs back over the partners' names it opens with (`partners_at`)."""
    doc = span.doc
    if span.start < 2 or doc[span.start - 1].lower_ not in ("and", "&"):
        return span
    if not legal_name(span):
        return span
    and_at = span.start - 1
    if legal_name(doc[span.start : span.start + 1]):
        # "E.C. Jordan and Co", "its subsidiary Mitsui and Co USA Inc": a legal form
        # straight after "and" names no firm by itself; the partners before it are the
        # name's start whatever NER and the word before them say
        start = and_at
        while start > 0 and start > and_at - 3 and _partner_word(doc[start - 1]):
            start -= 1
        return doc[start : span.end] if start < and_at else span
    for start in (and_at - 1, and_at - 2):
        if start >= 0 and partners_at(doc, start, and_at, is_head):
            return doc[start : span.end]
    return span


def _partner_word(tok: Token) -> bool:
    """A capitalised word of a partner's name ("Mitsui", "E.C.", "Jordan"): no place, no
    country, no legal form of its own."""
    return (
        tok.text[:1].isupper()
        and tok.pos_ in ("PROPN", "NOUN")
        and tok.ent_type_ not in PLACE_LABELS
        and (tok.ent_type_ == "PERSON" or not country_lookup(tok.text))  # "E.C. Jordan"
        and not legal_name(tok.doc[tok.i : tok.i + 1])
    )


def ticker_named_spans(doc: Doc, is_head: Callable[[Token], bool]) -> list[Span]:
    """The names a wire follows with a ticker ("Burlington Northern <BNI>", "Citicorp's
    <CCI>"): the capitalised words before the brackets, over wrapped lines and the words
    that join a name's parts. "of" is crossed only after an org word (`is_head`: "Union
    Bank of Switzerland <UBS>"), so a title and a person before it stay out ("Chairman
    John Smith of Acme Corp <ACM>" gives "Acme Corp"); "and" is crossed and left to the
    candidates' split of coordinated names."""
    out = []
    for tok in doc:
        if tok.text != "<" or tok.i < 1:
            continue
        close = next((t.i for t in doc[tok.i + 1 : tok.i + 5] if t.text == ">"), None)
        if close is None or not TICKER.fullmatch(doc[tok.i + 1 : close].text.replace(" ", "")):
            continue
        end = tok.i
        while end > 0 and inside_paragraph(doc[end - 1]):
            end -= 1
        if end > 0 and doc[end - 1].tag_ == "POS":
            end -= 1  # "Citicorp's <CCI> unit": the owner's name
        start = end
        while start > 0:
            prev = doc[start - 1]
            if (
                _name_word(prev)
                or (inside_paragraph(prev) and start < end)
                or (
                    prev.lower_ in _JOINERS
                    and start < end
                    and start >= 2
                    and _name_word(doc[start - 2])
                    and (prev.lower_ in ("and", "&") or is_head(doc[start - 2]))
                )
            ):
                start -= 1
            else:
                break
        while start < end and (doc[start].is_space or doc[start].lower_ == "the"):
            start += 1
        if start < end and any(t.is_alpha and t.text[:1].isupper() for t in doc[start:end]):
            out.append(doc[start:end])
    return out


def _name_word(tok: Token) -> bool:
    """A word of a firm's name: capitalised or a digit, not punctuation ("3M", "H.J.")."""
    return (tok.text[:1].isupper() or tok.text[:1].isdigit()) and not tok.is_punct
