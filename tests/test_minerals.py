"""newswatch_minerals and the minerals gazetteer: hand-written sentences, real model;
plus the Reuters metal-story recall floor (benchmarks/reuters_metals.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from extractors.errors import LexiconError
from extractors.gazetteer import load_minerals, mineral_lookup
from extractors.nlp import make_doc  # registers the components and doc extensions
from extractors.records import ExtractInput


def minerals_in(nlp, text: str, title: str | None = None) -> set[str]:
    doc = nlp(make_doc(nlp, ExtractInput(id="t", text=text, title=title)))
    return {m["canonical"] for m in doc._.nw_minerals}


@pytest.fixture(scope="module")
def nlp_minerals():
    """The real model plus only the country and mineral components (its own copy)."""
    from extractors.model import load_model

    nlp = load_model("en_core_web_sm")
    nlp.add_pipe("newswatch_countries")
    nlp.add_pipe("newswatch_minerals")
    return nlp


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("aluminium", "aluminum"),
        ("Caesium", "cesium"),
        ("rare earths", "rare earth elements"),
        ("rare-earth metals", "rare earth elements"),
        ("REEs", "rare earth elements"),
        ("PGMs", "platinum group metals"),
        ("platinum-group metals", "platinum group metals"),
        ("iron ore", "iron ore"),
        ("steel", None),
        ("coal", None),
        ("critical minerals", None),
    ],
)
def test_mineral_lookup(surface, expected):
    assert mineral_lookup(surface) == expected


def test_gazetteer_holds_the_spec_minerals_and_lists():
    entries = {e.canonical: e for e in load_minerals()}
    for name in ("copper", "gold", "silver", "lead", "iron ore", "uranium", "potash", "phosphate"):
        assert name in entries
    assert entries["neodymium"].group == "rare earth elements"
    assert entries["palladium"].group == "platinum group metals"
    assert "USGS2022" in entries["gallium"].lists and "IN2023" in entries["gallium"].lists
    assert all(e.canonical == e.canonical.lower() for e in entries.values())


def test_malformed_minerals_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(LexiconError, match="cannot read"):
        load_minerals(tmp_path / "missing.tsv")


def test_blank_pipeline_matches_names_and_spellings():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("newswatch_minerals")
    found = minerals_in(nlp, "Prices of aluminium, caesium and nickel rose.")
    assert found == {"aluminum", "cesium", "nickel"}


@pytest.mark.integration
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Demand for lithium-ion batteries lifts cobalt.", {"lithium", "cobalt"}),
        (
            "China limits exports of rare earths such as neodymium.",
            {"rare earth elements", "neodymium"},
        ),
        ("South Africa produces most PGMs.", {"platinum group metals"}),
        ("Li and Co prices fell on Monday.", {"lithium", "cobalt"}),
        ("Smith & Co Ltd reported higher profit.", set()),
        ("Oil, gas, coal and steel prices rose.", set()),
        ("The talks covered critical minerals.", set()),
        ("Copper Mountain Mining said output rose.", set()),
        ("Shares of Gold Fields and Barrick Gold rose.", set()),
        ("Shares of Gold Fields rose as gold prices climbed.", {"gold"}),
        ("She won a gold medal in Paris.", set()),
        ("Shelling left mangled tin sheets of a school's roof.", set()),
        ("The move will lead to higher costs.", set()),
        ("Refined lead output fell, and zinc and lead stocks rose.", {"lead", "zinc"}),
        ("Output was 777,000 lbs of lead.", {"lead"}),
        ("The mine yields iron\nore and copper.", {"iron ore", "copper"}),
    ],
)
def test_minerals_in_sentences(nlp_minerals, text, expected):
    assert minerals_in(nlp_minerals, text) == expected


@pytest.mark.integration
def test_reuters_capital_title_is_read(nlp_minerals):
    found = minerals_in(
        nlp_minerals,
        "Malaysian miners said the sales hurt prices.",
        title="U.S. SELLING TOO MUCH TIN",
    )
    assert found == {"tin"}


@pytest.mark.integration
def test_company_tag_in_reuters_text_is_not_a_mineral(nlp_minerals):
    text = "It sold its stake in <Columbia Aluminium Corp> last year."
    assert minerals_in(nlp_minerals, text) == set()


@pytest.mark.integration
@pytest.mark.shared
def test_reuters_metal_recall_at_or_above_floor(nlp_full, shared_dir):
    from benchmarks.reuters_metals import FLOORS_PATH, load_metal_stories, measure

    floors = json.loads(FLOORS_PATH.read_text())
    stories = load_metal_stories(shared_dir, limit=floors["stories"])
    assert len(stories) == floors["stories"]
    results = measure(nlp_full, stories)
    for metric in ("mineral_recall", "country_recall"):
        assert results[metric].value >= floors[metric], (metric, results[metric].missed[:20])


@pytest.mark.integration
def test_lead_as_a_noun_beside_other_metals(nlp_minerals):
    text = "Tin was unchanged, so did zinc at 6,300 rupees and lead at 4,900 rupees."
    assert minerals_in(nlp_minerals, text) == {"tin", "zinc", "lead"}
    assert minerals_in(nlp_minerals, "Zinc miners took the lead in the talks.") == {"zinc"}


@pytest.mark.integration
def test_group_acronyms_count_even_when_tagged_org(nlp_minerals):
    text = "Anglo American Platinum cut its PGM output forecast as REE prices fell."
    assert minerals_in(nlp_minerals, text) == {"platinum group metals", "rare earth elements"}


def test_caps_headline_company_word_needs_the_body(nlp_minerals):
    # an all-caps wire headline shortens a company name the body spells out
    found = minerals_in(
        nlp_minerals,
        "Consolidated Gold Fields Plc said its pretax profit rose 12 pct.",
        title="CONS GOLD SAYS PROFITS UP",
    )
    assert "gold" not in found
    confirmed = minerals_in(
        nlp_minerals,
        "Output of gold at the mine rose 5 pct to 40,000 ounces.",
        title="CONS GOLD OUTPUT UP",
    )
    assert "gold" in confirmed
