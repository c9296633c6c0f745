"""When an event happened: the date expression its sentence attaches to its trigger.

A date whose head chain reaches the trigger (or the trigger's verb) dates it; else a
day the sentence names elsewhere, unless that day belongs to another noun ("the March 3
attack") or another happening's verb ("surged on Friday"); else, in a dated story and a
sentence naming no time at all, the story's date (the spec's convention for "X said").
Expressions resolve against the story's anchor date (extractors.dates).
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Span, Token

from extractors.dates import resolve_date
from extractors.doc_bounds import ents_within
from extractors.event_rules import governing_verb
from extractors.records import Event

# "would" is the future of reported speech ("a boycott would take effect from July 1").
FUTURE_AUX = ("will", "shall", "'ll", "wo", "would")
# How a date hangs off a noun it dates ("the April 22 attack", "Friday's talks").
DATE_MODIFIER_DEPS = ("nmod", "compound", "amod", "poss")


def date_event(
    event: Event,
    sent: Span,
    token: Token,
    anchor: date | None,
    triggers: set[int],
    reporting: tuple[str, ...],
) -> None:
    """Set the event's date from its sentence (see the module docstring)."""
    attached = date_tokens_attached(sent, token)
    # else a day the sentence names elsewhere ("the U.S. threat on Friday to impose
    # tariffs"): the parse often hangs it off a noun between it and the trigger
    others = [
        e
        for e in ents_within(sent)
        if e.label_ in ("DATE", "TIME")
        and e not in attached
        and not dates_other_noun(e, token)
        and not dates_other_trigger(e, token, triggers, reporting)
    ]
    for ent in [*attached, *others]:
        when = reported_by(ent, reporting) or ent.root
        resolved = resolve_date(ent.text, anchor, future=is_future(when))
        if resolved:
            event.date = resolved.isoformat()
            event.date_text = ent.text
            return
    if anchor is not None and not any(
        e.label_ in ("DATE", "TIME") and not _describes_a_noun(e, anchor) for e in ents_within(sent)
    ):
        # the spec: an event reported with no other time expression in a dated story
        # takes the story's date ("X said"); a sentence naming any time ("in June
        # 2004", another event's "March 3") leaves it unknown, a period that only says
        # what kind of thing a noun is ("full-year funding") aside
        event.date = anchor.isoformat()


# Years before the story's at which a sentence reports history, not news.
HISTORY_YEARS = 3
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)(s?)\b")


def tells_history(sent: Span, anchor: date | None) -> bool:
    """Does every time the sentence names lie years before the story ("Caracas
    nationalized the industry in the 1970s, and in the 2000s ordered ...")? Background,
    not a happening the story reports (NOTES: historical background is not logged)."""
    if anchor is None:
        return False
    latest: list[int] = []
    for ent in ents_within(sent):
        if ent.label_ != "DATE":
            continue
        years = [int(y) + (9 if decade else 0) for y, decade in YEAR.findall(ent.text)]
        if not years:
            return False  # "last week", "on Friday": a time near the story
        latest.append(max(years))
    return bool(latest) and max(latest) <= anchor.year - HISTORY_YEARS


def _describes_a_noun(ent: Span, anchor: date) -> bool:
    """A period that says what kind of thing a noun is ("full-year funding", "a
    short-term spending bill"), not when anything happened; a day that dates a noun
    ("their Dec. 11 meeting") is another event's time."""
    return (
        ent.root.dep_ in ("amod", "compound", "nummod", "nmod")
        and ent.root.head.pos_ in ("NOUN", "PROPN")
        and resolve_date(ent.text, anchor) is None
    )


def date_tokens_attached(sent: Span, trigger: Token) -> list[Span]:
    """DATE/TIME entities of the sentence whose head chain reaches the trigger (or its verb)."""
    verb = governing_verb(trigger)
    targets = {trigger.i} | ({verb.i} if verb is not None else set())
    found = []
    for ent in ents_within(sent):
        if ent.label_ not in ("DATE", "TIME") or dates_other_noun(ent, trigger):
            continue
        chain = [ent.root, *list(ent.root.ancestors)[:4]]
        if any(t.i in targets for t in chain):
            found.append(ent)
    return found


def dates_other_noun(ent: Span, trigger: Token) -> bool:
    """A date that modifies a noun other than the trigger ("the April 22 attack",
    "their Dec. 11 meeting"): it dates that noun's happening, not the trigger's."""
    root = ent.root
    return (
        root.dep_ in DATE_MODIFIER_DEPS
        and root.head.i != trigger.i
        and root.head.pos_ in ("NOUN", "PROPN")
        # "Wednesday morning": the head is the rest of the time expression
        and root.head.ent_type_ not in ("DATE", "TIME")
    )


def dates_other_trigger(
    ent: Span, trigger: Token, triggers: set[int], reporting: tuple[str, ...]
) -> bool:
    """A date on another happening's verb ("Shares surged on Friday following confirmation
    on Thursday that it was considering acquiring ..."): it dates that verb's happening.
    A reporting verb's date ("said on Tuesday that ...") and that of a verb the trigger
    is coordinated with ("met on Monday and signed ...") still date the trigger."""
    head = ent.root.head.head if ent.root.dep_ == "pobj" else ent.root.head
    if head.pos_ != "VERB" or head.i not in triggers or head.i == trigger.i:
        return False
    if head.lemma_.lower() in reporting:
        return False
    return not (trigger.dep_ == "conj" and trigger.head.i == head.i)


def reported_by(ent: Span, reporting: tuple[str, ...]) -> Token | None:
    """The reporting verb right before a date ("said on Thursday it would impose ...",
    "announced Friday"): the date is the saying's, past or future as that verb is, even
    where the parser hangs it on the reported verb ("would impose")."""
    doc, k = ent.doc, ent.start - 1
    if k >= 0 and doc[k].lower_ == "on":
        k -= 1
    if k >= 0 and doc[k].pos_ in ("VERB", "AUX") and doc[k].lemma_.lower() in reporting:
        return doc[k]
    return None


def own_date(trigger: Token) -> bool:
    """Whether a trigger noun carries its own date modifier ("their Dec. 11 meeting")."""
    return trigger.pos_ in ("NOUN", "PROPN") and any(
        c.dep_ in DATE_MODIFIER_DEPS and c.ent_type_ == "DATE" for c in trigger.children
    )


def is_future(token: Token) -> bool:
    """Whether the verb that governs `token` speaks of something still to come."""
    verb = governing_verb(token)
    if verb is None:
        return False
    for tok in (verb, *list(verb.ancestors)[:2]):
        kids = list(tok.children)
        if any(c.dep_ == "aux" and c.lower_ in FUTURE_AUX for c in kids):
            return True
        if tok.lemma_ in ("due", "schedule", "plan") or any(c.lower_ == "due" for c in kids):
            return True
        if (
            tok.tag_ == "VBG"
            and not any(c.dep_ == "aux" for c in kids)
            and tok.dep_ in ("acl", "ROOT")
        ):
            return True
        if tok.tag_ in ("VBD", "VBN"):
            return False
    return False
