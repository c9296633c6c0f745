"""Which sense of a trigger verb the parse shows: an accord or a view ("agreed on" /
"agreed that"), a hire or an accord ("signed a player"), an invitation ("Visit ..."),
holding a gathering or having something ("hosted the summit" / "hosts manufacturers").
Each is a question about the verb's own dependents, not about any article's words."""

from __future__ import annotations

from spacy.tokens import Token

SUBJECT_DEPS = ("nsubj", "nsubjpass")


def agrees_on_something(verb: Token) -> bool:
    """ "agreed to begin talks", "agreed a deal", "agreed on tariffs", "agreed with X":
    an accord has an object; an opinion ("agreed that ...", "agreed:") has a clause."""
    return any(
        c.dep_ in ("xcomp", "dobj") or (c.dep_ == "prep" and c.lower_ in ("on", "to", "with"))
        for c in verb.children
    )


def signs_a_person(verb: Token) -> bool:
    """Is who is signed a person ("signed Kenny Washington", "was signed to Universal")?"""
    return any(c.dep_ in ("dobj", "nsubjpass") and c.ent_type_ == "PERSON" for c in verb.children)


def signs_up(verb: Token) -> bool:
    """ "Sign up for the Disney+ package", "signed up 10,000 users": enrolling, not an
    accord ("signed up to the pact" is the pact's own trigger)."""
    return any(c.dep_ == "prt" and c.lower_ == "up" for c in verb.children)


def imperative(verb: Token) -> bool:
    """A verb in the imperative: the bare form heading its sentence with no subject
    ("Visit ...", "Be sure to visit ...")."""
    head = verb
    while head.dep_ in ("xcomp", "acomp") and head.head.i != head.i:
        head = head.head
    return (
        head.dep_ == "ROOT"
        and head.tag_ == "VB"
        and not any(c.dep_ in (*SUBJECT_DEPS, "aux", "expl") for c in head.children)
    )


def hosts_a_gathering(verb: Token, gatherings: frozenset[str]) -> bool:
    """ "hosted the summit", "will host Modi", "hosted talks": what is hosted is a meeting
    or somebody; "hosts several manufacturers" and "hosted rock concerts" are neither."""
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    if not objects:
        return True  # "India will host next year": the gathering is named elsewhere
    return any(
        o.ent_type_ in ("PERSON", "GPE", "NORP", "ORG") or {o.lemma_.lower(), o.lower_} & gatherings
        for o in objects
    )
