"""Deciding whether a cleaned candidate names an organisation.

A capitalised span is often something else: a country NER called an org, a person's
surname, a meeting's title or its topic ("Summit on Critical Minerals"), a portfolio
inside a minister's title, a place after a verb of travel, a headline fragment, or
the outlet that reports the story ("told Reuters").
"""

from __future__ import annotations

import re

from spacy.tokens import Span

from extractors.field_libraries import ends_in_legal_form
from extractors.gazetteer import country_lookup
from extractors.names import POSSESSIVES, lower_unaccented, name_key
from extractors.org_lexicons import (
    AFFILIATION_NOUNS,
    COMPANY_FORMS,
    EVENT_TITLE_HEADS,
    LEGAL_FORMS,
    MOTION_VERBS,
    PART_NOUNS,
    REPORTING,
    TYPE_NOUNS,
    OrgLexicons,
)
from extractors.org_world import world_rejects


def acceptable(
    span: Span, name: str, countries: dict[int, str], people: set[str], lex: OrgLexicons
) -> bool:
    first = span[0]
    if not (name[0].isupper() or name[0].isdigit()):
        return span[-1].lower_ == "ministry" and len(span) == 2
    kind = lex.kinds.kind(name)
    prev_word = span.doc[span.start - 1].lower_ if span.start > 0 else ""
    gerund = first.lower_.endswith("ing") and (
        first.tag_ == "VBG" or prev_word in ("on", "for", "of", "in")
    )  # "Ministerial on Securing Critical Minerals Supply Chains": a title
    last = lower_unaccented(span[-1].text).rstrip(".")
    headed = last in lex.kinds.heads or last in COMPANY_FORMS
    if re.search(r"[\"“”@/]", name) or (gerund and not headed and kind != "exclude"):
        return False  # "@POTUS", "Securing Critical Minerals Supply Chains" (a title)
    if event_title_tail(span) and name_key(name) not in lex.kinds.exact:
        return False  # "the Summit on Critical Minerals": the subject of a meeting
    if len(span) > 1 and name.isupper() and lower_unaccented(span[-1].text) not in LEGAL_FORMS:
        return False  # an all-caps headline fragment ("CUT EXPORT", "SOCCER - LEAGUE")
    if country_lookup(name):
        return False  # a country NER called an org
    alpha = [t for t in span if t.is_alpha]
    if alpha and all(t.idx in countries for t in alpha):
        return False  # a country NER called an org ("G-7" has no alphabetic token)
    if kind in ("exclude", "platform"):
        return False
    known_agency = lex.agencies.lookup(name) is not None  # knowledge outranks NER's guess
    if (
        kind is None
        and not known_agency
        and set(lower_unaccented(name).split()) <= people
        # a legal form (cleanco) makes a company whatever NER thought: "Pirelli SpA"
        and not (len(span) > 1 and ends_in_legal_form(name.split()))
    ):
        return False  # "Trump", "Nakasone" tagged ORG ("Antara quoted him": NER says PERSON)
    if kind is None and world_rejects(span, name, lex, countries, agency=known_agency):
        return False  # a place, a person, a stock index, a fragment (extractors/org_world.py)
    root = span.root
    if (
        kind is None
        and root.dep_ == "pobj"
        and root.head.lower_ in ("to", "in", "from")
        and root.head.head.lemma_.lower() in MOTION_VERBS
    ):
        return False  # "will travel to Buenos Aires": a place
    prev = span.doc[span.start - 1] if span.start > 0 else None
    if prev is not None and prev.lower_.rstrip(".") in lex.honorifics:
        return False
    return not inside_portfolio(span)


def event_title_tail(span: Span) -> bool:
    """Is the span a meeting's name, or the topic part of one ("Finance Ministerial
    on Securing ...", "Summit on Critical Minerals", "Conference on Mining")?

    A whole name counts only with a gerund after the meeting word ("Trade Ministerial
    on Strengthening ..."): "Conference on Disarmament" is a standing UN body.
    """
    doc = span.doc
    for tok in span[:-1]:
        after = doc[tok.i + 1]
        if (
            tok.text[:1].isupper()
            and tok.lower_ in EVENT_TITLE_HEADS
            and after.lower_ in ("on", "for")
            and after.i + 1 < span.end
            and doc[after.i + 1].tag_ == "VBG"
        ):
            return True
    if span.start < 2 or doc[span.start - 1].lower_ not in ("on", "of", "for"):
        return False
    head = doc[span.start - 2]
    return head.text[:1].isupper() and head.lower_ in EVENT_TITLE_HEADS


def inside_portfolio(span: Span) -> bool:
    """Is the span a portfolio inside "Minister for Railways, Information and ..."?"""
    k = span.start - 1
    while k >= 0 and k >= span.start - 12:
        tok = span.doc[k]
        if tok.lower_ in ("for", "of"):
            return k > 0 and span.doc[k - 1].lower_ in ("minister", "secretary", "commissioner")
        if not (
            tok.text in (",", "and", "&") or (tok.text[:1].isupper() and tok.ent_type_ != "PERSON")
        ):
            return False
        k -= 1
    return False


def reporting_use(span: Span) -> bool:
    """ "told Reuters", "AP photojournalist": the outlet reporting, not an actor."""
    doc = span.doc
    before = doc[max(0, span.start - 2) : span.start].text.lower()
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    return (
        bool(re.search(r"\b(told|to)\b", before))
        or after in REPORTING
        or (span.start > 0 and doc[span.start - 1].text == "(" and after == ")")
    )


def affiliated(span: Span, people: set[str]) -> bool:
    """Whether the parse ties the name to people who work for it, or has it speak: the
    object of "at"/"of"/"for" after a person or an affiliation noun ("analyst Paula
    Buratti at Indosuez", "former editor of Sereipheap Thmei"), the object of "of"/"in"
    after a part, a stake or shares of a body ("an affiliate of Investcorp", "a stake in
    Cominco"), or the subject of "said"
    when the name is several words NER reads as an organisation and none is a person's
    ("Offshore Data Services said"), or in apposition with the kind of body it is
    ("Arcadium Lithium, a lithium producer"). Products, places and laws said once in passing ("the
    repeal of Obamacare", "the Matterhorn") are not. (A compound before an affiliation
    noun, "Commerzbank analyst", was tried: it found as many names outside organisations
    as in them.)"""
    root = span.root
    head = root.head
    if any(c.dep_ == "appos" and c.lemma_.lower() in TYPE_NOUNS for c in root.children):
        return True  # "Krivorizhstal, the country's largest steel producer,"
    if root.dep_ == "pobj" and head.lower_ in ("of", "in") and head.head.lower_ in PART_NOUNS:
        return head.head.pos_ == "NOUN"  # "an affiliate of Investcorp", "a stake in Cominco"
    if root.dep_ == "pobj" and head.lower_ in ("at", "of", "for"):
        owner = head.head
        return owner.ent_type_ == "PERSON" or (
            owner.pos_ == "NOUN" and owner.lemma_.lower() in AFFILIATION_NOUNS
        )
    if root.dep_ == "nsubj" and head.lemma_ == "say" and len(span) > 1 and span.end <= head.i:
        # one word is as often a surname NER misread ("Trump said"), and a subject after
        # the verb is mostly a person described next ("said Haruo Muto, manager of ...")
        return all(t.ent_type_ == "ORG" for t in span) and not (
            {lower_unaccented(t.text) for t in span} & people
        )
    return False


# how a sentence has a name act: as a subject, a possessor, one of a list of names or
# a name in apposition
ACTING_DEPS = frozenset({"nsubj", "nsubjpass", "poss", "appos", "conj"})
# the prepositions of a party dealt with ("worked with the FBI", "a ruling by the SEC")
PARTY_PREPOSITIONS = frozenset({"by", "with", "from", "at"})


def acts(span: Span) -> bool:
    """Does the sentence have the name act as a party: the subject ("the NFL
    decided"), a possessor ("NASA's Ames Research Center"), the object of "by", "with",
    "from" or "at", or a name listed with others or in apposition ("Frost & Sullivan,
    CTIA and Ernst & Young")? A name that only modifies a noun ("AC routers", "HDR
    colour"), an object ("a LAN") or an adverb ("ASAP") does not, unless the noun it
    modifies says what kind of body it names ("the CGT union")."""
    root = span.root
    if root.dep_ in ACTING_DEPS or any(c.dep_ in ("conj", "appos") for c in root.children):
        return True
    if root.dep_ in ("compound", "nmod", "amod") and root.head.lemma_.lower() in TYPE_NOUNS:
        return True
    if span.end < len(span.doc) and span.doc[span.end].lower_ in POSSESSIVES:
        return True
    return root.dep_ == "pobj" and root.head.lower_ in PARTY_PREPOSITIONS
