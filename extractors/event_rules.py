"""The trigger lexicon and the parse-based checks that turn a trigger into an event.

A trigger (a lemma or phrase from data/event_triggers.tsv) only proposes an
event type; the dependency parse decides whether the sentence really reports one:
who the subject is (analysts' opinions are not statements) and whether a supply or
price word is about a commodity at all ("Indian strikes" are not mine strikes).
Whether the verb is hedged ("could impose tariffs") is event_moods.py's.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from extractors.doc_bounds import entity_of, ents_within, sentence_of
from extractors.errors import LexiconError
from extractors.event_senses import (
    SUBJECT_DEPS,
    agrees_on_something,
    hosts_a_gathering,
    imperative,
    signs_a_person,
    signs_up,
)
from extractors.lexicons import DATA_DIR, read_table, read_word_lists

DEFAULT_TRIGGERS = DATA_DIR / "event_triggers.tsv"

# Grammar words (closed classes) stay here; the content words the checks read are in
# data/event_words.tsv, which says what each list is for.
MODALS = ("could", "might", "may", "would", "should", "can")
CONDITIONAL_MARKS = ("if", "unless", "whether")

EVENT_WORDS = read_word_lists(
    DATA_DIR / "event_words.tsv",
    (
        "aspire_verb", "aspire_noun", "refuse_verb", "volume_noun", "launch_verb", "price_verb",
        "facility_word", "transaction_verb", "holding_verb", "descriptive_verb",
        "stake_word", "reporting_verb", "announcing_verb", "company_suffix", "commodity_alias",
    ),
    meanings=("commodity_alias",),
)  # fmt: skip
ASPIRE_VERBS = tuple(EVENT_WORDS["aspire_verb"])
ASPIRE_NOUNS = frozenset(EVENT_WORDS["aspire_noun"])
# Verbs that report speech or a happening ("said", "announced"): what they report is
# the speaker's.
REPORTED_SPEECH_VERBS = (*EVENT_WORDS["reporting_verb"], *EVENT_WORDS["announcing_verb"])
REFUSE_VERBS = tuple(EVENT_WORDS["refuse_verb"])
VOLUME_NOUNS = tuple(EVENT_WORDS["volume_noun"])
LAUNCH_VERBS = tuple(EVENT_WORDS["launch_verb"])
PRICE_VERBS = tuple(EVENT_WORDS["price_verb"])
FACILITY_WORDS = tuple(EVENT_WORDS["facility_word"])
TRANSACTION_VERBS = tuple(EVENT_WORDS["transaction_verb"])
HOLDING_VERBS = tuple(EVENT_WORDS["holding_verb"])
DESCRIPTIVE_VERBS = tuple(EVENT_WORDS["descriptive_verb"])
STAKE_WORDS = tuple(EVENT_WORDS["stake_word"])


@dataclass(frozen=True)
class Trigger:
    type: str
    pattern: str
    pos: str  # VERB | NOUN | ANY
    guard: str


@dataclass
class Lexicon:
    triggers: dict[str, Trigger]  # match key -> trigger
    words: dict[str, frozenset[str]]  # "commodity", "nonspeaker", "officeword" -> lemmas

    @functools.cached_property
    def gatherings(self) -> frozenset[str]:
        """What a meeting is called in this table ("summit", "talks", "visit", ...), and a
        delegation: what "host" must have as its object to report a meeting."""
        nouns = {
            t.pattern.split()[-1]
            for t in self.triggers.values()
            if t.type == "meeting" and t.pos in ("NOUN", "ANY")
        }
        return frozenset(nouns | {"delegation"})


# What a trigger's sentence must hold (the trigger table's header says what each means).
GUARDS = frozenset(
    {"actor", "speaker", "commodity", "subject_commodity", "trade", "trade_object", "business"}
)


def load_lexicon(path: Path = DEFAULT_TRIGGERS) -> Lexicon:
    """Read the trigger table; a malformed row is a clear error, not a traceback later."""
    triggers: dict[str, Trigger] = {}
    words: dict[str, set[str]] = {}
    columns = ("type", "pattern", "pos", "guard", "note")
    for row in read_table(path, columns, required=2, header=True):
        kind, pattern = row[0], row[1]
        if kind.startswith("lexicon:"):
            words.setdefault(kind.split(":", 1)[1], set()).add(pattern.lower())
            continue
        pos = (row[2] or "ANY").upper()
        guard = row[3] or "actor"
        if guard not in GUARDS:  # an unknown guard would let the trigger through unchecked
            raise LexiconError(f"{path}: trigger {pattern!r} has unknown guard {guard!r}")
        triggers[f"{kind}|{pattern}|{pos}"] = Trigger(kind, pattern.lower(), pos, guard)
    return Lexicon(triggers, {k: frozenset(v) for k, v in words.items()})


class TriggerMatcher:
    """Every trigger and lexicon word, found in one pass per doc.

    Two PhraseMatchers (hash lookups, linear in the doc) replace a token Matcher
    with hundreds of `IN` patterns, which cost more than spaCy's own NER. A
    pattern matches a token's lemma (in lower, Capital or UPPER case, since the
    lemmatizer keeps proper-noun case) or its lowercase form, token by token.
    """

    def __init__(self, nlp: Language, lexicon: Lexicon) -> None:
        self.vocab = nlp.vocab
        self.by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        for key, trig in lexicon.triggers.items():
            self._add(key, [trig.pattern.split()])
        for name, entries in lexicon.words.items():
            self._add(f"lexicon:{name}", [w.split() for w in entries])

    def _add(self, key: str, phrases: list[list[str]]) -> None:
        lemma_docs, lower_docs = [], []
        for words in phrases:
            variants = [(w, w.capitalize(), w.upper()) for w in words]
            for lemmas in itertools.product(*variants):
                doc = Doc(self.vocab, words=list(lemmas))
                for token, lemma in zip(doc, lemmas, strict=True):
                    token.lemma_ = lemma
                lemma_docs.append(doc)
            lower_docs.append(Doc(self.vocab, words=words))
        self.by_lemma.add(key, lemma_docs)
        self.by_lower.add(key, lower_docs)

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        found = set(self.by_lemma(doc)) | set(self.by_lower(doc))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))


def build_matcher(nlp: Language, lexicon: Lexicon) -> TriggerMatcher:
    """One matcher for every trigger and lexicon word: a single pass per doc."""
    return TriggerMatcher(nlp, lexicon)


def pos_ok(token: Token, pos: str) -> bool:
    if pos == "VERB":
        # "agreed cuts", "the proposed plan": a participle used as an adjective
        if token.dep_ == "amod":
            return False
        return token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB")
    if pos == "NOUN":
        return token.pos_ in ("NOUN", "PROPN")
    return True


def governing_verb(token: Token) -> Token | None:
    """The verb the token belongs to: itself, or the first verb up its head chain."""
    for tok in (token, *token.ancestors):
        if tok.pos_ in ("VERB", "AUX"):
            return tok
    return None


def subject_span(token: Token) -> Span | None:
    """The trigger's subject (or passive agent); for a noun, its verb's or possessor."""
    verb = token if token.pos_ in ("VERB", "AUX") else None
    if verb is None:
        for child in token.children:
            if child.dep_ == "poss":
                return token.doc[child.left_edge.i : child.right_edge.i + 1]
        # "said in a statement": the statement's speaker is the saying verb's subject
        if token.head.dep_ == "prep" and token.head.head.pos_ == "VERB":
            verb = token.head.head
        else:
            return None
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS and child.dep_ != "nsubjpass":
            return token.doc[child.left_edge.i : child.right_edge.i + 1]
    for child in verb.children:
        if child.dep_ == "agent":
            for pobj in child.children:
                return token.doc[pobj.left_edge.i : pobj.right_edge.i + 1]
    if verb.dep_ in ("xcomp", "conj") and verb.head.i != verb.i:
        return subject_span(verb.head)
    return None


def lemmas(span: Iterable[Token]) -> set[str]:
    return {t.lemma_.lower() for t in span} | {t.lower_ for t in span}


def specific_check(
    trig: Trigger, token: Token, commodity: frozenset[str], gatherings: frozenset[str]
) -> str | None:
    """Trigger-specific parse conditions; returns the (possibly changed) type or None."""
    lemma = trig.pattern.split()[-1]
    heads = {token.head.lemma_.lower(), *(a.lemma_.lower() for a in list(token.ancestors)[:2])}
    kids = {c.lower_ for c in token.children}
    if lemma == "conference" and kids & {"news", "press"}:
        return None
    if lemma in ("partnership", "framework") and not heads & set(LAUNCH_VERBS):
        return None
    if lemma == "call" and not (
        kids & {"on", "for"} or any(c.dep_ == "xcomp" for c in token.children)
    ):
        return None
    # a call between two parties: "has spoken (to) Secretary Rubio"
    if lemma == "speak" and not any(
        c.dep_ == "dobj" or (c.dep_ == "prep" and c.lower_ in ("to", "with"))
        for c in token.children
    ):
        return None
    if lemma == "review" and not lemmas(sentence_of(token)) & {
        "mining",
        "mine",
        "contract",
        "licence",
        "license",
    }:
        return None
    if lemma == "price" and not (
        token.dep_ in ("nsubj", "dobj", "nsubjpass") and token.head.lemma_.lower() in PRICE_VERBS
    ):
        return None
    if lemma == "kill" and not lemmas(sentence_of(token)) & {*FACILITY_WORDS, "refinery"}:
        return None
    if trig.type in ("investment", "supply") and _descriptive(token, lemma):
        return None
    if trig.type != "meeting" and token.pos_ in ("NOUN", "PROPN") and describes_a_name(token):
        # "investment company Saxo Bank", "North Atlantic Treaty Organisation"; a
        # gathering's word names its meeting ("the Energy Ministerial on ... Supply Chains")
        return None
    if trig.type == "price" and trig.pos == "VERB":
        subjects = {c.lemma_.lower() for c in token.children if c.dep_ in SUBJECT_DEPS}
        if subjects & set(VOLUME_NOUNS):
            return None  # "copper production rose": an output figure, not a price move
    if lemma == "sale" and token.dep_ in SUBJECT_DEPS and token.head.lemma_.lower() in PRICE_VERBS:
        return None  # "sales rose 5 pct": a sales figure, as "copper production rose" is
    if lemma in ("sell", "sale"):
        obj = [c for c in token.children if c.dep_ in ("dobj", "prep")]
        words = set().union(*(lemmas(c.subtree) for c in obj)) if obj else set()
        if words & commodity and not words & set(STAKE_WORDS):
            # stockpile sales count as supply (NOTES) when they are a quantity sold;
            # "foreign sales of silver earn Peru half its income" is a standing fact
            sold = any(t.like_num for c in obj for t in c.subtree)
            return "supply" if sold else None
    if lemma == "agree" and any(
        c.dep_ == "xcomp" and c.lemma_.lower() in TRANSACTION_VERBS for c in token.children
    ):
        return None  # "agreed to sell its smelter": the sale is the event
    if lemma == "agree" and token.pos_ == "VERB" and not agrees_on_something(token):
        return None  # "Smith agreed: ...", "analysts agree that ...": concurring, no deal
    if token.pos_ == "VERB" and imperative(token):
        return None  # "VISIT the Horse Show", "Be sure to visit us on Facebook": an invitation
    if lemma == "host" and token.pos_ == "VERB" and not hosts_a_gathering(token, gatherings):
        return None  # "South Korea hosts several polysilicon makers": has, not holds
    if lemma == "sign" and token.pos_ == "VERB" and (signs_a_person(token) or signs_up(token)):
        # "the team signed UCLA star Kenny Washington": a hire; "sign up for": enrolling
        return None
    return trig.type


def describes_a_name(token: Token) -> bool:
    """A trigger noun that is part of a name or only describes a named party: a word
    inside an organisation's name, neither its head nor its last word ("the North
    Atlantic Treaty Organisation", "European Investment Bank"; those name the thing
    itself: "the US-Japan Trade Agreement"), or a compound modifier whose chain of
    heads ends in a name ("US investment banking giant Goldman Sachs", "investment
    company Saxo Bank"). "tariff money" and "trade talks" end in a common noun."""
    if token.ent_type_ == "ORG":
        name = entity_of(token)
        return token != name.root and token.i != name.end - 1
    head = token
    while head.dep_ == "compound" and head.head is not head:
        head = head.head
        if head.ent_type_ in ("ORG", "PERSON"):
            return True
    return False


def _descriptive(token: Token, lemma: str) -> bool:
    """A holding ("has a stake", "at stake") or a description of goods or producers
    ("which is sold in Britain", "producers, which produce the bulk of tin")."""
    if lemma in ("stake", "investment", "interest") and token.pos_ == "NOUN":
        if token.head.lower_ == "at" and token.dep_ == "pobj":
            return True  # "credibility was at stake"
        verb = governing_verb(token)
        return verb is not None and verb.lemma_.lower() in HOLDING_VERBS and token.dep_ == "dobj"
    if lemma in DESCRIPTIVE_VERBS and token.dep_ in ("relcl", "acl"):
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)
        return passive or token.tag_ in ("VBZ", "VBP")
    return False


def event_name(trigger: Token) -> str | None:
    """A capitalised name around a title-case trigger: "Finance Ministerial on ... Chains"."""
    span = event_name_span(trigger)
    return span.text if span is not None else None


def event_name_span(trigger: Token) -> Span | None:
    """The tokens of the capitalised name around a title-case trigger, if any."""
    if not trigger.is_title or sentence_of(trigger).start == trigger.i:
        return None
    doc, sent = trigger.doc, sentence_of(trigger)
    start = trigger.i
    while start - 1 > sent.start and doc[start - 1].is_title and doc[start - 1].pos_ == "PROPN":
        start -= 1
    end = trigger.i + 1
    while end < sent.end:
        tok = doc[end]
        in_name = tok.is_title and tok.pos_ in ("PROPN", "NOUN", "VERB")
        joins = tok.lower_ in ("on", "of", "for", "and") and end + 1 < sent.end
        if in_name or (joins and doc[end + 1].is_title):
            end += 1
        else:
            break
    if end - start < 2:
        return None
    return doc[start:end]


def named_location(sent: Span, name: Span) -> str | None:
    """A place right after a meeting's name ("the Summit on X in Washington"): the
    parse hangs "in Washington" off the name's last word, not off the trigger."""
    for ent in ents_within(sent):
        prep = ent.root.head
        if (
            ent.label_ in ("GPE", "LOC", "FAC")
            and ent.root.dep_ == "pobj"
            and prep.lower_ in ("in", "at")
            and name.start <= prep.head.i < name.end
        ):
            return ent.text.replace("\n", " ")
    return None


def mention_scope(trigger: Token) -> Span:
    """The phrase a mentioned meeting belongs to: "India's participation in the
    Ministerial" (the noun the trigger's preposition hangs off), else the trigger's own."""
    head = trigger.head
    if trigger.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in ("NOUN", "PROPN"):
        head = head.head
    else:
        head = trigger
    return trigger.doc[head.left_edge.i : head.right_edge.i + 1]


def event_location(sent: Span, trigger: Token) -> str | None:
    """A place introduced by "in"/"at" and attached near the trigger."""
    for ent in ents_within(sent):
        if ent.label_ not in ("GPE", "LOC", "FAC"):
            continue
        prep = ent.root.head
        if ent.root.dep_ == "pobj" and prep.lower_ in ("in", "at"):
            chain = [prep.head, *list(prep.head.ancestors)[:3]]
            if any(t.i == trigger.i for t in chain) or prep.head.i == trigger.i:
                return ent.text.replace("\n", " ")
    return None


# Determiners that point back at something already reported ("The agreement was signed").
ANAPHORIC_DETS = ("the", "this", "that")


def is_anaphoric(token: Token, named: bool) -> bool:
    """A bare definite trigger noun ("The deal comes weeks after...") that names no
    new occurrence of its own, only points back at one already reported."""
    if token.pos_ not in ("NOUN", "PROPN") or named:
        return False
    kids = list(token.children)
    # "represented at the meeting by X": the parse often hangs the agent off the noun
    return any(c.dep_ == "det" and c.lower_ in ANAPHORIC_DETS for c in kids) and all(
        c.dep_ in ("det", "punct") or (c.dep_ == "prep" and c.lower_ == "by") for c in kids
    )
