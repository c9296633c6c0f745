"""newswatch_countries and gazetteer.country_lookup: hand-written sentences, real model."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from extractors.errors import LexiconError
from extractors.gazetteer import country_lookup, load_countries
from extractors.nlp import make_doc  # registers the components and doc extensions
from extractors.records import ExtractInput


def countries_in(nlp, text: str, title: str | None = None) -> set[str]:
    doc = nlp(make_doc(nlp, ExtractInput(id="t", text=text, title=title)))
    return {m["canonical"] for m in doc._.nw_countries}


@pytest.fixture(scope="module")
def nlp_countries():
    """The real model plus only this component (a copy, so the session model stays bare)."""
    from extractors.model import load_model

    nlp = load_model("en_core_web_sm")
    nlp.add_pipe("newswatch_countries")
    return nlp


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("US", "United States"),
        ("U.S.", "United States"),
        ("American", "United States"),
        ("Indian", "India"),
        ("Britain", "United Kingdom"),
        ("UK", "United Kingdom"),
        ("S. Korea", "South Korea"),
        ("S.Korea", "South Korea"),
        ("India's", "India"),
        ("USSR", "Soviet Union"),
        ("West German", "West Germany"),
        ("Ivory Coast", "Cote d'Ivoire"),
        ("CHINA", "China"),
    ],
)
def test_country_lookup_gives_canonical_name(surface, expected):
    assert country_lookup(surface) == expected


@pytest.mark.parametrize("surface", ["us", "Alaska", "Hong Kong", "European Union", "", "  "])
def test_country_lookup_gives_none_for_non_countries(surface):
    assert country_lookup(surface) is None


def test_gazetteer_covers_un_members_and_listed_extras():
    names = {entry.canonical for entry in load_countries().entries}
    assert len(names) >= 195
    assert {"Taiwan", "Kosovo", "Palestine", "Soviet Union", "West Germany"} <= names


def test_malformed_gazetteer_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "countries.tsv"
    bad.write_text("# header\n\tAlias\tDemonym\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"countries\.tsv:2: the column 'canonical' is empty"):
        load_countries(bad)
    with pytest.raises(LexiconError, match="cannot read"):
        load_countries(tmp_path / "missing.tsv")


def test_blank_pipeline_matches_names_without_ner():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("newswatch_countries")
    assert countries_in(nlp, "Exports from Chile and Peru rose.") == {"Chile", "Peru"}


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "High-level talks between Indian and American officials ended.",
            {"India", "United States"},
        ),
        ("An American advocacy group criticised the plan.", {"United States"}),
        (
            "The U.S. and the UK signed the deal with S.Korea.",
            {"United States", "United Kingdom", "South Korea"},
        ),
        ("Let us hope the talks in Geneva go well.", set()),
        ("He said the Italian word for nougat is torrone.", set()),
        ("Trade with Latin America and the Indian Ocean islands grew.", set()),
        ("The plant in Alaska and another in Idaho opened.", set()),
        ("Hong Kong and the EU welcomed the move.", set()),
        ("The company sold its stake in New Zealand Aluminium Smelters Ltd.", set()),
        ("British Petroleum Co PLC said profits rose.", set()),
        ("US Treasury Secretary Scott Bessent spoke.", {"United States"}),
        ("The Chinese Foreign Ministry said it opposed the tariffs.", {"China"}),
        ("The weak Australian dollar helped earnings.", {"Australia"}),
        ("Tariffs on U.S.-China trade rose.", {"United States", "China"}),
        ("They sell fine china and roast turkey.", set()),
        ("Bill Jordan, a union leader, spoke in Singapore.", {"Singapore"}),
        ("The firm is based in Atlanta, Georgia.", set()),
        ("Exports to the United\nStates fell.", {"United States"}),
    ],
)
def test_countries_in_sentences(nlp_countries, text, expected):
    assert countries_in(nlp_countries, text) == expected


@pytest.mark.integration
def test_reuters_capital_title(nlp_countries):
    found = countries_in(
        nlp_countries,
        "Malaysian tin miners said the sales were too large.",
        title="MALAYSIAN MINERS SAY U.S. SELLING TOO MUCH TIN",
    )
    assert found == {"Malaysia", "United States"}


@pytest.mark.integration
def test_bare_germany_in_a_west_german_story_is_west_germany(nlp_countries):
    text = "The West German Economics Minister spoke. He said the German economy would grow."
    assert countries_in(nlp_countries, text) == {"West Germany"}


@pytest.mark.integration
def test_mentions_carry_offsets_and_sentence(nlp_countries):
    text = "Rain fell. Output in Chile rose."
    doc = nlp_countries(make_doc(nlp_countries, ExtractInput(id="t", text=text)))
    [mention] = doc._.nw_countries
    assert text[mention["start"] : mention["end"]] == "Chile" == mention["text"]
    assert text[mention["sent_start"] : mention["sent_end"]] == "Output in Chile rose."


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ukraine beat Northern Ireland 1-0 in Belfast.", {"Ukraine"}),
        ("West Indian all-rounder Phil Simmons took four wickets.", set()),
        ("Growers in New Mexico and New Guinea were hit.", set()),
        ("Troops advanced in northern Iraq.", {"Iraq"}),
    ],
)
def test_regions_named_after_countries_are_not_countries(nlp_countries, text, expected):
    assert countries_in(nlp_countries, text) == expected


@pytest.mark.integration
def test_countries_the_tagger_calls_persons_still_count(nlp_countries):
    text = "The firm holds licences in Guinea, Mali and Burkina Faso."
    assert countries_in(nlp_countries, text) == {"Guinea", "Mali", "Burkina Faso"}


@pytest.mark.integration
def test_plural_demonyms_stand_for_the_country_but_not_in_team_names(nlp_countries):
    text = "The Americans and Pakistanis agreed, Britons said."
    assert countries_in(nlp_countries, text) == {"United States", "Pakistan", "United Kingdom"}
    assert countries_in(nlp_countries, "The Cleveland Indians won the game.") == set()
    assert country_lookup("Americans") == "United States"


@pytest.mark.integration
def test_a_negotiating_round_named_after_its_venue_is_no_country(nlp_full) -> None:
    text = "New Zealand ministers said the current Uruguay round of trade talks must succeed."
    doc = nlp_full(make_doc(nlp_full, ExtractInput(id="t", text=text)))
    assert {m["canonical"] for m in doc._.nw_countries} == {"New Zealand"}
