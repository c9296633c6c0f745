"""An entity never runs across a paragraph break of a page's text (extractors/doc_bounds.py).

The statistical NER reads the name that ends one paragraph and the capitalised words
that open the next as one entity ("Dell eGift Card" + "One of Dell's deals"). In a
hard-wrapped wire story a line break is no paragraph break, and names keep running
across it."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

from extractors.doc_bounds import LineEntities, hard_wrapped

PARAGRAPHS = (
    "The price of the earbuds has dropped today to the lowest price we have ever seen "
    "at any retailer this year, and the offer is likely to end soon.\n"
    "Now $549 Plus $50 Dell eGift Card\n"
    "One of Dell's Black Friday deals has gone live early, with a discount on laptops."
)
WRAPPED = (
    "The European Community Commission said it has opened an\n"
    "enquiry into allegations that the Soviet Union is dumping\n"
    "mercury on the market at prices below those of the Bank of\n"
    "Montreal's forecast, a spokesman for the Commission said.\n"
)


def _with_entity(text: str, words: str) -> spacy.tokens.Doc:
    doc = spacy.blank("en")(text)
    span = doc.char_span(text.index(words), text.index(words) + len(words))
    assert span is not None
    doc.ents = [Span(doc, span.start, span.end, label="ORG")]
    return doc


def test_an_entity_across_a_paragraph_break_is_cut_into_its_pieces():
    doc = LineEntities()(_with_entity(PARAGRAPHS, "Dell eGift Card\nOne"))
    assert [(e.text, e.label_) for e in doc.ents] == [("Dell eGift Card", "ORG"), ("One", "ORG")]


def test_a_piece_without_a_letter_is_dropped():
    text = PARAGRAPHS.replace("One of", "\u2014 of")
    doc = LineEntities()(_with_entity(text, "Dell eGift Card\n\u2014"))
    assert [e.text for e in doc.ents] == ["Dell eGift Card"]


def test_a_hard_wrapped_story_keeps_a_name_across_its_lines():
    assert hard_wrapped(WRAPPED) and not hard_wrapped(PARAGRAPHS)
    doc = LineEntities()(_with_entity(WRAPPED, "Bank of\nMontreal"))
    assert [e.text for e in doc.ents] == ["Bank of\nMontreal"]


@pytest.mark.integration
def test_the_real_pipeline_reads_no_organisation_across_paragraphs(nlp_full):
    doc = nlp_full(PARAGRAPHS)
    assert not [e.text for e in doc.ents if "\n" in e.text]
    names = {o["name"] for o in doc._.nw_organizations or []}
    assert not any("One" in n for n in names), names
