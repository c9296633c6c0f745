"""Bounded sentences and linear-time lookups, so every rule costs the same per character.

A page with no sentence punctuation (a run of repeated words, a list flattened into
one line) gives the parser one "sentence" of any length, and NER an entity as long
as that sentence. Rules that look at "the sentence" or "the entity" of each mention
then cost the whole text per mention: time grows with the square of the length.
Two bounds keep it linear:

- `newswatch_sentence_bounds` runs before the parser and starts a new sentence
  after every `MAX_SENTENCE_TOKENS` tokens without one of `.`, `!`, `?` or a line
  break. The parser keeps preset boundaries, and NER does not cross them, so parse
  trees and entities are bounded too. Ordinary prose never has a run that long
  (the longest dev sentence is 92 tokens), so nothing about it changes. It also
  starts a sentence after every blank line (`_start_paragraphs`), so a title or
  subhead without a full stop is a sentence of its own (`is_heading`), not the
  first words of the paragraph after it.
- `sentence_index` / `sentence_of` give the rules the sentence of a token from one
  pass over `doc.sents` (`Token.sent` walks to the sentence's ends on every call),
  and cut any sentence the parser still made longer than the bound into windows.

`newswatch_line_entities` runs after NER and cuts an entity at a line break of a
text whose lines are paragraphs (a page's extracted text): the statistical NER reads
"Dell eGift Card" at the end of one paragraph and "One of Dell's deals" at the start
of the next as one name. A hard-wrapped text (wire copy wrapped at a fixed width,
its lines ending mid-sentence) keeps its entities whole.

`ents_within(span)` is `span.ents` by bisection: spaCy's walks every entity of the
doc on each call. The index of a doc is built once, when first asked for, and
kept for that doc only (one doc at a time per thread; `release` drops it).
"""

from __future__ import annotations

import bisect
import math
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

T = TypeVar("T")

MAX_SENTENCE_TOKENS = 256
# A text is hard-wrapped when nine lines in ten fit this width: wire copy is wrapped at
# 60-80 characters, a page's paragraphs run far longer.
WRAP_WIDTH = 80
# Tokens after which the parser may start a sentence; a run without any is cut.
SENTENCE_ENDS = frozenset({".", "!", "?", "…", "。"})


@Language.factory(
    "newswatch_sentence_bounds",
    assigns=["token.is_sent_start"],
    requires=[],  # the tokens alone: it runs before the parser
    default_config={"max_tokens": MAX_SENTENCE_TOKENS},
)
def make_sentence_bounds(nlp: Language, name: str, max_tokens: int) -> SentenceBounds:
    return SentenceBounds(max_tokens)


class SentenceBounds:
    """Presets a sentence start after each blank line, and after `max_tokens` tokens with
    no sentence end or line break."""

    def __init__(self, max_tokens: int = MAX_SENTENCE_TOKENS) -> None:
        self.max_tokens = max_tokens

    def __call__(self, doc: Doc) -> Doc:
        limit = self.max_tokens
        # Array access: no Token object for every word of a long text.
        spaces = doc.to_array("IS_SPACE").nonzero()[0].tolist()
        stops = [i for i in spaces if "\n" in doc[i].text]
        _start_paragraphs(doc, stops)
        if len(doc) <= limit:
            return doc
        ends = {doc.vocab.strings[s] for s in SENTENCE_ENDS}
        orth = doc.to_array("ORTH").tolist()
        stops += [i for i, o in enumerate(orth) if o in ends]
        stops = sorted(set(stops))
        previous = -1
        for stop in [*stops, len(doc)]:
            for k in range(previous + 1 + limit, stop, limit):
                doc[k].is_sent_start = True
            previous = stop
        return doc


def _start_paragraphs(doc: Doc, breaks: list[int]) -> None:
    """Preset a sentence start after each blank line among `breaks` (line-break tokens).

    A title or subhead has no full stop, so the parser ran it into the paragraph after
    it ("Russia hits Kyiv with ballistic missile" + "Russia used the missile ...,
    Zelenskyy said Sunday" parsed with "hits" as the root). An all-capitals paragraph
    (a wire headline: "SPRINKEL URGES GREATER GROWTH IN JAPAN") is left to the parser:
    the tagger cannot read it alone, and read with the lead it heads, its verb names the
    lead's event. A single line break is left alone: in wire copy it wraps a line, and
    where it parts a page's paragraphs the check set's events got worse with it."""
    paragraph = 0
    for i in breaks:
        if "\n\n" not in doc[i].text:
            continue
        shouting = all(t.is_upper or not t.is_alpha for t in doc[paragraph:i])
        paragraph = i + 1
        if shouting or i + 1 >= len(doc):
            continue
        doc[i + 1].is_sent_start = True
        # Handed a preset start, the parser sometimes cuts again after the first word
        # ("PM" | "suggests he will continue ..."): a paragraph's first word is no
        # sentence of its own unless it ends one.
        after = i + 2
        if after < len(doc) and not doc[after].is_space and doc[i + 1].text not in SENTENCE_ENDS:
            doc[after].is_sent_start = False


def is_heading(sent: Span) -> bool:
    """Is the sentence a paragraph of its own that ends without a sentence end: a title
    or a subhead ("Pakistan's Sharif convenes national security committee")?"""
    doc = sent.doc
    words = [t for t in sent if not t.is_space]
    last = len(words) - 1
    while last >= 0 and (words[last].is_quote or words[last].is_right_punct):
        last -= 1  # a closing quote or bracket after the full stop: '... he said.”'
    if last < 0 or words[last].text in SENTENCE_ENDS:
        return False
    opens = sent.start == 0 or "\n\n" in doc[sent.start - 1].text_with_ws
    tail = "".join(t.text_with_ws for t in doc[words[-1].i : sent.end + 1])
    return opens and "\n\n" in tail


def hard_wrapped(text: str) -> bool:
    """Whether the line breaks of `text` are a fixed-width wrap rather than paragraphs:
    nine in ten of its lines (the last, often short, aside) fit WRAP_WIDTH."""
    lengths = sorted(len(line.rstrip()) for line in text.split("\n")[:-1] if line.strip())
    return bool(lengths) and lengths[math.ceil(0.9 * len(lengths)) - 1] <= WRAP_WIDTH


def inside_paragraph(tok: Token) -> bool:
    """Is this whitespace token a break inside one paragraph: spaces, or a single line
    break where the text is hard-wrapped (Reuters wire)? A page's single line break ends
    its paragraph ("Best of the Bench" + "The Naramata Bench Wineries Association")."""
    if not tok.is_space or "\n\n" in tok.text:
        return False
    doc = tok.doc
    return "\n" not in tok.text or per_doc(
        doc, "doc_bounds.hard_wrapped", lambda: hard_wrapped(doc.text)
    )


@Language.factory(
    "newswatch_line_entities",
    assigns=["doc.ents"],
    requires=["doc.ents"],
)
def make_line_entities(nlp: Language, name: str) -> LineEntities:
    return LineEntities()


class LineEntities:
    """Cuts every entity that runs across a paragraph break into its pieces on either
    side (each keeping the label); a piece with no letter is dropped."""

    def __call__(self, doc: Doc) -> Doc:
        ents = doc.ents
        crossing = [e for e in ents if "\n" in e.text]
        if not crossing or hard_wrapped(doc.text):
            return doc
        out: list[Span] = []
        for ent in ents:
            if "\n" not in ent.text:
                out.append(ent)
                continue
            start = ent.start
            for i in [*(t.i for t in ent if t.is_space and "\n" in t.text), ent.end]:
                piece = doc[start:i]
                while len(piece) and (piece[0].is_space or piece[0].is_punct):
                    piece = doc[piece.start + 1 : piece.end]
                while len(piece) and (piece[-1].is_space or piece[-1].is_punct):
                    piece = doc[piece.start : piece.end - 1]
                if any(t.is_alpha for t in piece):
                    out.append(Span(doc, piece.start, piece.end, label=ent.label_))
                start = i + 1
        doc.ents = out
        return doc


class DocIndex:
    """The sentence of every token and the entities in order, for one doc."""

    def __init__(self, doc: Doc, max_tokens: int = MAX_SENTENCE_TOKENS) -> None:
        self.doc_ref = weakref.ref(doc)
        self.length = len(doc)
        self.max_tokens = max_tokens
        self._sent_at: list[Span] | None = None
        self._ents: tuple[Span, ...] | None = None
        self._ent_starts: list[int] = []
        self.memo: dict[str, Any] = {}

    def sent_at(self, doc: Doc) -> list[Span]:
        if self._sent_at is None:
            out: list[Span] = []
            for sent in doc.sents:
                for start in range(sent.start, sent.end, self.max_tokens):
                    window = doc[start : min(start + self.max_tokens, sent.end)]
                    out.extend([window] * len(window))
            self._sent_at = out
        return self._sent_at

    def ents(self, doc: Doc) -> tuple[Span, ...]:
        if self._ents is None:
            self._ents = tuple(doc.ents)
            self._ent_starts = [e.start for e in self._ents]
        return self._ents


_local = threading.local()


def doc_index(doc: Doc) -> DocIndex:
    """The index of `doc`, built on first use and kept while the same doc is asked about."""
    cached: DocIndex | None = getattr(_local, "index", None)
    if cached is not None and cached.doc_ref() is doc and cached.length == len(doc):
        return cached
    index = DocIndex(doc)
    _local.index = index
    return index


def release(doc: Doc) -> None:
    """Forget the index of `doc` (its spans keep the doc alive): called once it is read."""
    cached: DocIndex | None = getattr(_local, "index", None)
    if cached is not None and cached.doc_ref() is doc:
        _local.index = None


def sentence_index(doc: Doc) -> list[Span]:
    """The sentence of every token, by token index, at most MAX_SENTENCE_TOKENS long."""
    return doc_index(doc).sent_at(doc)


def sentence_of(item: Token | Span) -> Span:
    """The (bounded) sentence holding a token, or a span's first token: `Token.sent`."""
    doc = item.doc
    return sentence_index(doc)[item.i if isinstance(item, Token) else item.start]


def entity_of(token: Token) -> Span:
    """The entity span holding `token`, by its IOB tags (no walk over `doc.ents`)."""
    doc, start, end = token.doc, token.i, token.i + 1
    while doc[start].ent_iob_ == "I" and start > 0:
        start -= 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end]


def ents_within(span: Span) -> list[Span]:
    """`span.ents` (the entities wholly inside it, in order) without walking them all."""
    index = doc_index(span.doc)
    ents = index.ents(span.doc)
    out = []
    for k in range(bisect.bisect_left(index._ent_starts, span.start), len(ents)):
        if ents[k].end > span.end:
            break  # as spaCy's: the first entity running past the span ends the list
        out.append(ents[k])
    return out


def per_doc(doc: Doc, key: str, compute: Callable[[], T]) -> T:
    """A value computed once per doc (a whole-doc fact a rule asks about per mention)."""
    memo = doc_index(doc).memo
    if key not in memo:
        memo[key] = compute()
    value: T = memo[key]
    return value
