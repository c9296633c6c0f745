"""A paragraph break starts a sentence (extractors/doc_bounds.py, issue 17).

A title or subhead has no full stop, so the parser ran it into the paragraph after it:
"Russia hits Kyiv with ballistic missile ... schools" + "Russia used the missile ...,
Zelenskyy said Sunday" parsed as one sentence whose root was "hits", and the account
of the attack passed as Zelenskyy's statement. Now `newswatch_sentence_bounds` presets a
sentence start after every blank line (an all-capitals wire headline aside: the tagger
cannot read it alone, and its verb names the event of the lead it heads); a subhead is
no event of its own (it repeats its paragraph, as the title repeats the lead: see
tests/test_events.py), and an official named under it takes its country as if it were
named in his sentence."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors.doc_bounds import SentenceBounds, is_heading
from extractors.docs import make_doc
from extractors.records import ExtractInput

KYIV = (
    "Russia used the powerful hypersonic Oreshnik ballistic missile during an attack on "
    "Kyiv on Sunday that killed at least two people, Ukrainian President Volodymyr "
    "Zelenskyy said Sunday.\n\n"
    "Pakistan's Sharif convenes national security committee\n\n"
    "Pakistan's prime minister convened a meeting of the National Security Committee "
    "on Wednesday, according to a government announcement.\n\n"
    "Emergency declared in hospitals in Pakistan-controlled Kashmir\n\n"
    "Waqar Noor, the region's interior minister, says authorities have declared an "
    "emergency in local hospitals.\n\n"
    "\u201cWe will not allow this,\u201d he said.\n\n"
    "Officials met in Islamabad on Monday."
)
KYIV_TITLE = "Russia hits Kyiv with ballistic missile, damages buildings and schools"


def _doc(nlp: Language, title: str | None, text: str) -> Doc:
    return nlp(make_doc(nlp, ExtractInput("t", text, title, "2026-05-24", None)))


def _sentences(nlp: Language, title: str | None, text: str) -> list[str]:
    return [s.text.strip() for s in _doc(nlp, title, text).sents]


def test_every_blank_line_presets_a_sentence_start_on_the_next_word() -> None:
    doc = spacy.blank("en")("A title without a stop\n\nThe first sentence ends.\nIt goes on")
    SentenceBounds()(doc)
    starts = [t.text for t in doc if t.is_sent_start]
    # the word after the blank line starts a sentence; the one after it is held to it
    assert "The" in starts and doc[doc.text.split().index("The") + 2].is_sent_start is False
    # a single line break (a wrapped line, or a page's line) is left to the parser
    assert "It" not in starts


def test_an_all_capitals_wire_headline_is_left_to_the_parser() -> None:
    doc = spacy.blank("en")("SPRINKEL URGES GREATER GROWTH IN JAPAN\n\nBeryl Sprinkel said so.")
    SentenceBounds()(doc)
    beryl = next(t for t in doc if t.text == "Beryl")
    assert beryl.is_sent_start is None  # unset: the parser decides


@pytest.mark.integration
def test_the_title_and_each_subhead_are_sentences_of_their_own(nlp_full: Language) -> None:
    sents = _sentences(nlp_full, KYIV_TITLE, KYIV)
    assert sents[0] == KYIV_TITLE
    assert sents[1].startswith("Russia used") and sents[1].endswith("said Sunday.")
    assert "Pakistan's Sharif convenes national security committee" in sents


@pytest.mark.integration
def test_a_paragraph_keeps_its_first_word(nlp_full: Language) -> None:
    """Handed a preset start, the parser cut after the paragraph's first word ("PM" |
    "suggests he will continue ...")."""
    body = (
        "PM suggests he will continue to accept donations from peer and prominent party "
        "donor who was given pass to access Downing Street\n\nSir Keir Starmer has "
        "defended accepting gifts from a millionaire Labour donor."
    )
    sents = _sentences(nlp_full, "Starmer defiant over taking gifts from Lord Alli", body)
    assert sents[1].startswith("PM suggests he will continue"), sents


@pytest.mark.integration
def test_headings_are_paragraphs_without_a_stop(nlp_full: Language) -> None:
    headings = [s.text.strip() for s in _doc(nlp_full, KYIV_TITLE, KYIV).sents if is_heading(s)]
    assert headings == [
        KYIV_TITLE,
        "Pakistan's Sharif convenes national security committee",
        "Emergency declared in hospitals in Pakistan-controlled Kashmir",
    ]  # the quote ending in a closing mark after its stop is no heading


@pytest.mark.integration
def test_an_official_under_a_subhead_takes_its_country(nlp_full: Language) -> None:
    doc = _doc(nlp_full, KYIV_TITLE, KYIV)
    officials = {o["name"]: o for o in doc._.nw_officials or []}
    assert officials["Waqar Noor"]["country"] == "Pakistan"
