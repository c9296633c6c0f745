"""Organisation candidates the field's libraries reject (extractors/org_world.py), and
the library-backed lexicons themselves (extractors/field_libraries.py)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from extractors.field_libraries import (
    ends_in_legal_form,
    given_names,
    person_titles,
    place_key,
    place_names,
    stock_indices,
)
from extractors.lexicons import DATA_DIR
from extractors.org_lexicons import OrgLexicons
from extractors.org_world import short_references, world_rejects


@pytest.fixture(scope="module")
def lex():
    return OrgLexicons.load(DATA_DIR)


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def candidate(nlp, text: str, name: str, ner: bool = True) -> Span:
    """The span `name` inside `text`, tagged ORG by "NER" unless ner=False."""
    doc: Doc = nlp(text)
    start = text.index(name)
    span = doc.char_span(start, start + len(name))
    assert span is not None
    if ner:
        doc.ents = [Span(doc, span.start, span.end, label="ORG")]
    return doc[span.start : span.end]


def test_library_lexicons_hold_what_the_rules_ask():
    places = place_names()
    assert {"penticton", "anaheim", "west sussex", "california", "ca", "europe"} <= places
    assert "bank of japan" not in places
    assert {"brett", "martha", "viktor", "chris"} <= given_names()
    assert "security" not in given_names()
    assert {"ceo", "founder", "administrator", "dr"} <= person_titles()
    assert {place_key(n) for n in ("Nasdaq", "S&P 500", "MSCI")} <= stock_indices()
    assert ends_in_legal_form(["Hecla", "Mining", "Co."])
    assert ends_in_legal_form(["Grupo", "Mexico", "S.A.", "de", "C.V."])
    assert ends_in_legal_form(["Siemens", "AG"])
    assert not ends_in_legal_form(["Trade", "Council"])
    assert place_key("The Hague") == "hague" and place_key("Zürich") == "zurich"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Crowds gathered in Penticton on Friday.", "Penticton"),  # a town
        ("The storm hit West Sussex hardest.", "West Sussex"),  # a county
        ("The Nasdaq fell 2 percent on Monday.", "Nasdaq"),  # a stock index
        ("The Bloomberg Commodity index rose.", "Bloomberg Commodity"),  # followed by "index"
        ("Brett Payne won the race.", "Brett Payne"),  # a person
        ("Lesotho passed the Cyber Security Bill in May.", "Cyber Security Bill"),  # a law
        ("Fans flocked to the Busch Light Clash.", "Busch Light Clash"),  # an event
        ("Visitors packed the Los Angeles Auto Show.", "Los Angeles Auto Show"),  # a show
        ("She won the Philip K. Dick Award in 2019.", "Philip K. Dick Award"),  # an award
        ("He sold the Online Business Success Roadmap.", "Online Business Success Roadmap"),
        ("He met the Berea District Administrator.", "Berea District Administrator"),  # office
        ("Costs worried U.S. Firms last year.", "U.S. Firms"),  # country and a plain word
        ("Here is the Current Roster Of Games today.", "Current Roster Of Games"),  # headline
        ("Read: Infant Abandonment Cases In India rise.", "Infant Abandonment Cases In India"),
        ("Tutu was enthroned as Archbishop of Cape Town.", "Archbishop of Cape Town"),  # office
        ("Talks on the disputed Nagorno-Karabakh region ended.", "Nagorno-Karabakh"),  # place
        ("It crashed on the Arctic island of Spitzbergen.", "Spitzbergen"),  # place after "of"
    ],
)
def test_rejected_classes(nlp, lex, text, name):
    span = candidate(nlp, text, name)
    countries = {t.idx: "United States" for t in span if t.text == "U.S."}
    assert world_rejects(span, name, lex, countries)


def test_a_word_ner_did_not_tag_as_an_org_is_a_fragment(nlp, lex):
    text = "Lauren Nel from Natural Justice says so."
    assert world_rejects(candidate(nlp, text, "Natural", ner=False), "Natural", lex)
    assert not world_rejects(candidate(nlp, "Google said so.", "Google"), "Google", lex)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Talks on the Nagorno-Karabakh region ended. Nagorno-Karabakh voted.", "Nagorno-Karabakh"),
        ("The island of Spitzbergen is cold. Spitzbergen has bears.", "Spitzbergen"),
    ],
)
def test_a_name_the_article_calls_a_place_is_that_place_where_it_stands_alone(nlp, lex, text, name):
    """One sense per article: the later mention, alone and tagged ORG, is the place the
    article named with a place word (NER tagged the first mention too)."""
    doc: Doc = nlp(text)
    first, last = text.index(name), text.rindex(name)
    place = doc.char_span(first, first + len(name))
    alone = doc.char_span(last, last + len(name))
    assert place is not None and alone is not None
    doc.ents = [Span(doc, place.start, place.end, "GPE"), Span(doc, alone.start, alone.end, "ORG")]
    assert world_rejects(doc[alone.start : alone.end], name, lex)
    # the same name with no place word anywhere in the article stays
    other = candidate(nlp, text.replace(" region", " talks").replace("island of ", ""), name)
    assert not world_rejects(other, name, lex)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hecla Mining Co. will buy the stake.", "Hecla Mining Co."),  # legal form
        ("The Bank of Japan intervened.", "Bank of Japan"),  # org head word
        ("Shares of Goldman Sachs rose.", "Goldman Sachs"),  # not a given name
        ("Toblerone changed its shape.", "Toblerone"),  # NER's one-word org stays
        ("The US-India Strategic Partnership Forum said.", "US-India Strategic Partnership Forum"),
        ("Officials of the Minerals Security Partnership met.", "Minerals Security Partnership"),
        # a company named after a place: the place word inside the name is no place
        ("Battle Mountain had initiated talks.", "Battle Mountain"),
        ("Governor of the Bank of England Mark Carney spoke.", "Governor of the Bank of England"),
        ("Workers at the Silicon Valley Bank branch left.", "Silicon Valley Bank"),
    ],
)
def test_organisations_stay(nlp, lex, text, name):
    assert not world_rejects(candidate(nlp, text, name), name, lex)


def test_one_word_short_references_fold_into_the_longer_name():
    names = ["Bank of Japan", "Bank", "European Community", "Community", "Fed", "Toblerone"]
    known = [False, False, False, False, True, False]
    assert short_references(names, known) == {1, 3}
    assert short_references(["Fed", "Federal Reserve"], [True, False]) == set()


def test_countries_take_iso_official_names_from_pycountry():
    from extractors.gazetteer import country_lookup

    assert country_lookup("Federative Republic of Brazil") == "Brazil"
    assert country_lookup("Russian Federation") == "Russia"
    assert country_lookup("Republic of Korea") == "South Korea"
    # our own rows still decide the short news names and the one-word ones
    assert country_lookup("U.S.") == "United States"
    assert country_lookup("Congo") == "Democratic Republic of the Congo"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "candidate_text", "name"),
    [
        (
            "Activity rose, said Lynn Reaser of Barnett Banks Inc. on Friday.",
            "Lynn Reaser of Barnett Banks Inc.",
            "Barnett Banks Inc.",
        ),
        (
            "The August National Association of Purchasing Management index rose.",
            "August National Association of Purchasing Management",
            "National Association of Purchasing Management",
        ),
        (
            "Shares of Douglas & Lomason Co rose 5 percent.",
            "Shares of Douglas & Lomason Co",
            "Douglas & Lomason Co",
        ),
        (
            "But Stephen Roach of Morgan Stanley and Co Inc said rates would rise.",
            "But Stephen Roach of Morgan Stanley and Co Inc",
            "Morgan Stanley and Co Inc",
        ),
        (
            "The rise was noted by David Green's Institute for Fiscal Studies.",
            "David Green's Institute for Fiscal Studies",
            "Institute for Fiscal Studies",
        ),
        (
            "Harvard University's Kennedy School of Government said so.",
            "Harvard University's Kennedy School of Government",
            "Harvard University's Kennedy School of Government",
        ),
        (
            "Contracts went to California - Sierra Nevada Corporation and others.",
            "California - Sierra Nevada Corporation",
            "Sierra Nevada Corporation",
        ),
        (
            "Gold Fields of South Africa Ltd said output fell.",
            "Gold Fields of South Africa Ltd",
            "Gold Fields of South Africa Ltd",
        ),
    ],
)
def test_trim_name_cuts_dates_and_people_around_a_name(nlp_model, text, candidate_text, name):
    from extractors.org_world import trim_name

    doc = nlp_model(text)
    start = text.index(candidate_text)
    span = doc.char_span(start, start + len(candidate_text), alignment_mode="expand")
    assert trim_name(span).text == name
