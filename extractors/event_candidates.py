"""One event per occurrence (issue 17): the candidates the trigger rules find in a
sentence, the one (or few) each sentence reports, and the merge of repeated reports of
the same occurrence across the article into one record."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.records import Event


@dataclass
class Candidate:
    """An event before merging, with what merging needs to compare."""

    event: Event
    keys: set[str]  # the actors that identify this occurrence
    order: int
    depth: int = 0  # the trigger's distance from the sentence root
    reported: bool = False  # a bare "said": only when nothing else happens in the sentence
    anaphoric: bool = False  # "the agreement": a repeat of an earlier report of its type
    secondary: bool = False  # a named meeting mentioned in a sentence about something else
    # for a named meeting: its location and the participants of its own phrase, used
    # when the sentence is about something else (see named_mentions)
    mention_location: str | None = None
    mention_participants: list[str] | None = None
    trigger_i: int = -1  # the trigger token and the word it hangs off
    trigger_head_i: int = -1
    trigger_dep: str = ""
    own_date: bool = False  # a trigger noun with its own date ("their Dec. 11 meeting")
    split: bool = False  # a second occurrence reported in the same sentence as another
    own_actor: str | None = None  # who does it, by the trigger's grammar (event_actors)


def pick_main(cands: list[Candidate]) -> Candidate:
    """The sentence's one event: its main happening, not a bare "said" around it.

    "The Commission said it has opened an enquiry into dumping" reports a trade
    measure; the saying only counts when nothing else happens in the sentence.
    """
    return min(cands, key=lambda c: (c.reported or c.anaphoric, c.depth, c.event.evidence_start))


def second_events(cands: list[Candidate], main: Candidate) -> list[Candidate]:
    """Further occurrences a sentence reports beside its main one: a coordinated verb of
    another type ("met X on Monday and signed an agreement on lithium"), a trigger
    noun dated apart from the main event ("their first visit since their Dec. 11
    meeting"), or one of the same type that another actor does ("The US filed a
    complaint ..., prompting a retaliatory EU complaint"). Each has a trigger,
    arguments and (for the last two) a date or a doer of its own."""
    out: list[Candidate] = []
    for cand in cands:
        if cand is main or cand.reported or cand.anaphoric:
            continue
        same_type = [c for c in (main, *out) if c.event.type == cand.event.type]
        by_another = bool(same_type) and _done_by_another(cand, same_type)
        if same_type and not (cand.own_date or by_another):
            continue
        coordinated = cand.trigger_dep == "conj" and cand.trigger_head_i == main.trigger_i
        dated_apart = cand.own_date and cand.event.date != main.event.date
        if coordinated or dated_apart or by_another:
            cand.split = True
            out.append(cand)
    return out


def _done_by_another(cand: Candidate, same_type: list[Candidate]) -> bool:
    """Does the grammar name a doer for this trigger and for every event of its type the
    sentence already reports (`same_type`), each a different one? Two actors' acts are
    two occurrences (spec: one record per real-world occurrence); a doer the grammar
    does not name ("the tariffs and the quotas") may be the same one."""
    return cand.own_actor is not None and all(
        c.own_actor is not None and c.own_actor != cand.own_actor for c in same_type
    )


def named_mentions(cands: list[Candidate], main: Candidate) -> list[Candidate]:
    """Named meetings ("the Finance Ministerial on ...") that a sentence mentions while
    reporting something else ("X welcomed India's participation in ..."): each is an
    occurrence of its own, with the sentence as provisional evidence."""
    out = []
    for cand in cands:
        if cand is main or cand.event.type != "meeting" or not cand.event.name:
            continue
        if main.event.type == "meeting" and main.event.name == cand.event.name:
            continue
        cand.secondary = True
        cand.event.location = cand.mention_location
        cand.event.participants = cand.mention_participants or []
        out.append(cand)
    return out


def merge(candidates: list[Candidate]) -> list[Event]:
    """One record per occurrence: same type and a shared identifying actor (or name);
    a definite back-reference joins the latest report of its type. Two reports the text
    dates to different days are two occurrences, whoever takes part (the ministers who
    "met on Monday" and "will meet again on May 20"; tariffs imposed on one day and
    more due on another): the spec's record is one per real-world occurrence, and a
    day of its own is what tells one occurrence from the next."""
    kept: list[Candidate] = []
    for cand in candidates:
        same_type = [k for k in kept if k.event.type == cand.event.type]
        if cand.anaphoric and same_type:
            _absorb(same_type[-1], cand)
            continue
        for other in kept:
            if other.event.type != cand.event.type:
                continue
            if cand.split and other.event.evidence_start == cand.event.evidence_start:
                continue  # split from this very sentence on purpose
            if _dated_apart(cand.event, other.event):
                continue
            same_name = bool(cand.event.name) and cand.event.name == other.event.name
            if same_name or (cand.keys and cand.keys & other.keys):
                _absorb(other, cand)
                break
        else:
            kept.append(cand)
    return [c.event for c in kept]


def _dated_apart(a: Event, b: Event) -> bool:
    """Do both reports state a date of their own (not the story's date given by
    default), and different ones?"""
    return bool(a.date_text and b.date_text and a.date and b.date and a.date != b.date)


def _absorb(into: Candidate, other: Candidate) -> None:
    """Fold a repeat into the first report: fill what the first one lacked."""
    ev, new = into.event, other.event
    ev.folded.extend([new.evidence, *new.folded])
    if other.anaphoric:
        # "India was represented at the meeting by X": who took part, said later
        ev.participants = list(dict.fromkeys(ev.participants + new.participants))
        if into.secondary and not other.secondary and new.participants:
            # a sentence about taking part states the meeting better than the one
            # that only mentioned it
            ev.folded[ev.folded.index(new.evidence)] = ev.evidence
            ev.evidence, ev.evidence_start, ev.evidence_end = (
                new.evidence,
                new.evidence_start,
                new.evidence_end,
            )
            into.secondary = False
    # a date the text states wins over the story's date given by default (no date_text)
    if new.date and (not ev.date or (ev.date_text is None and new.date_text)):
        ev.date, ev.date_text = new.date, new.date_text
    ev.location = ev.location or new.location
    ev.name = ev.name or new.name
    ev.minerals = list(dict.fromkeys(ev.minerals + new.minerals))
    into.keys |= other.keys
