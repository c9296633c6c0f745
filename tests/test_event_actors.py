"""The events' actor index: NER stands in only for a component that is not there."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

from extractors.docs import register_extensions
from extractors.event_actors import build_index


def _doc():
    register_extensions()
    doc = spacy.blank("en")("Kansai Power Aims To Grow said Ann Lee in Osaka.")
    doc.ents = [
        Span(doc, 0, 5, label="ORG"),  # a headline NER took for a name
        Span(doc, 6, 8, label="PERSON"),
        Span(doc, 9, 10, label="GPE"),
    ]
    return doc


def test_ner_stands_in_for_components_that_did_not_run():
    doc = _doc()  # no newswatch component ran: every doc._ value is None
    kinds = {a.kind: a.canonical for a in build_index(doc, ner_fallback=True).actors}
    assert kinds == {"org": "Kansai Power Aims To Grow", "official": "Ann Lee", "country": "Osaka"}
    assert build_index(doc, ner_fallback=False).actors == []


def test_a_component_that_found_nothing_is_an_answer_not_a_gap():
    doc = _doc()
    doc._.nw_organizations, doc._.nw_officials = [], []  # ran, named none
    kinds = [a.kind for a in build_index(doc, ner_fallback=True).actors]
    assert kinds == ["country"]  # countries did not run: GPE still stands in


def _parsed(words: list[str], heads: list[int], deps: list[str], gpe: list[int]):
    """A blank-pipeline doc with a hand-given parse and GPE entities (token indexes)."""
    from spacy.tokens import Doc

    register_extensions()
    doc = Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps)
    doc.ents = [Span(doc, i, i + 1, label="GPE") for i in gpe]
    doc._.nw_countries = []  # the countries component ran and found no country name
    return doc


def test_a_capital_that_acts_stands_for_its_state_and_a_place_does_not():
    # "Washington announced tariffs on Tokyo 's goods in Beijing"
    words = ["Washington", "announced", "tariffs", "on", "Tokyo", "'s", "goods", "in", "Beijing"]
    heads = [1, 1, 1, 2, 6, 4, 3, 1, 7]
    deps = ["nsubj", "ROOT", "dobj", "prep", "poss", "case", "pobj", "prep", "pobj"]
    doc = _parsed(words, heads, deps, gpe=[0, 4, 8])
    actors = build_index(doc, ner_fallback=False).actors
    assert [(a.canonical, a.kind) for a in actors] == [
        ("United States", "country"),
        ("Japan", "country"),
    ]  # Beijing is where it happened, not who acted


def test_brussels_is_no_metonym_for_belgium():
    doc = _parsed(["Brussels", "filed", "a", "complaint"], [1, 1, 3, 1],
                  ["nsubj", "ROOT", "det", "dobj"], gpe=[0])  # fmt: skip
    assert build_index(doc, ner_fallback=False).actors == []
