"""The English lemmatizer's -e verb defect, mended (extractors/lemmas.py)."""

from __future__ import annotations

import spacy
from spacy.language import Language

from extractors.event_rules import EVENT_WORDS, load_lexicon
from extractors.lemmas import e_verb_exceptions, mend_lemmatizer


def test_the_inflections_of_an_e_verb_go_to_it_when_the_short_verb_would_double() -> None:
    index = frozenset({"hope", "hop", "bathe", "bath", "sign"})
    found = e_verb_exceptions(index)
    assert {form: lemma for form, (lemma, _) in found.items()} == {
        "hoped": "hope",
        "hopes": "hope",
        "hoping": "hope",
    }  # "bath" does not double ("bathed" could be either's): left to the model


def test_the_model_reads_e_verbs_and_their_short_twins_apart(nlp_model: Language) -> None:
    doc = nlp_model(
        "The minister hoped the regulator fined the miner, and hopes it rated the deal. "
        "She hopped off. Fines were paid. He is hoping, not hopping."
    )
    verbs = {t.text: t.lemma_ for t in doc if t.tag_.startswith("VB")}
    assert verbs["hoped"] == verbs["hopes"] == verbs["hoping"] == "hope"
    assert verbs["fined"] == "fine" and verbs["rated"] == "rate"
    assert verbs["hopped"] == verbs["hopping"] == "hop"
    assert [t.lemma_ for t in doc if t.text == "Fines"] == ["fine"]  # a noun, read as before


def test_every_verb_the_event_rules_read_is_lemmatised_to_itself(nlp_model: Language) -> None:
    """The event rules match verbs by lemma: each inflection of each verb of their
    tables must come back as that verb, or the rule silently never fires."""
    verbs = {t.pattern for t in load_lexicon().triggers.values() if t.pos == "VERB"}
    verbs |= {w for key, words in EVENT_WORDS.items() if key.endswith("_verb") for w in words}
    # the reporting words hold a noun too ("statement"): the verbs are those the model's
    # lemmatizer knows as verbs
    known = set(nlp_model.get_pipe("lemmatizer").lookups.get_table("lemma_index")["verb"])
    verbs = {v for v in verbs if " " not in v and v in known}
    assert {"hope", "sign", "say", "condemn"} <= verbs

    def inflections(verb: str) -> list[str]:
        stem = verb[:-1] if verb.endswith("e") else verb
        third = verb + "es" if verb.endswith(("s", "sh", "ch", "x", "z", "o")) else verb + "s"
        if verb.endswith("y") and verb[-2] not in "aeiou":
            third, past = verb[:-1] + "ies", verb[:-1] + "ied"
        else:
            past = verb + "d" if verb.endswith("e") else verb + "ed"
        return [third, past, stem + "ing"]

    misread = []
    for verb in sorted(verbs):
        for form in inflections(verb):
            doc = nlp_model(f"The ministry {form} it.")
            token = doc[2]
            if token.pos_ == "VERB" and token.lemma_ != verb:
                misread.append((form, token.lemma_))
    assert misread == []


def test_a_pipeline_without_a_rule_lemmatizer_is_left_alone() -> None:
    assert mend_lemmatizer(spacy.blank("en")) == 0
