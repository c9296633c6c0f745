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
