"""Acronym fitting, "Long Name (ACR)" pairs, and the name/lexicon helpers they share."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from extractors.acronyms import fits, initials, looks_like_acronym, parenthesised_pairs
from extractors.errors import LexiconError
from extractors.names import KindClassifier, NewsAgencies, OfficeLexicon, name_key


@pytest.mark.parametrize(
    ("acronym", "name"),
    [
        ("ASEAN", "Association of Southeast Asian Nations"),
        ("USISPF", "US-India Strategic Partnership Forum"),
        ("Nato", "North Atlantic Treaty Organisation"),
        ("LeT", "Lashkar-e-Taiba"),
        ("FAO", "Food & Agriculture Organisation"),
        ("CNIEC", "China National Nonferrous Metals Import and Export Corp"),
    ],
)
def test_parenthesised_acronyms_fit_their_long_names(acronym: str, name: str) -> None:
    assert fits(acronym, name)


@pytest.mark.parametrize(
    ("acronym", "name"),
    [("UN", "Food & Agriculture Organisation"), ("MW", "Hecla Mining Co"), ("X", "Xinhua")],
)
def test_unrelated_short_forms_do_not_fit(acronym: str, name: str) -> None:
    assert not fits(acronym, name)


def test_strict_fit_accepts_only_initials() -> None:
    assert fits("BP", "British Petroleum Co PLC", strict=True)  # leading initials
    assert fits("EU", "European Union", strict=True)
    assert not fits("CNIEC", "China National Nonferrous Metals Import and Export Corp", True)
    assert not fits("HL", "Hecla Mining Co", strict=True)  # a ticker, not the initials


def test_initials_skip_function_words_and_split_hyphens() -> None:
    assert initials("Association of Southeast Asian Nations") == "ASAN"
    assert initials("US-India Strategic Partnership Forum") == "UISPF"


@pytest.mark.parametrize(("text", "expected"), [("WTO", True), ("Nato", True), ("the", False)])
def test_looks_like_acronym(text: str, expected: bool) -> None:
    assert looks_like_acronym(text) is expected


def test_parenthesised_pairs_reads_the_token_after_a_span() -> None:
    nlp = spacy.blank("en")
    doc = nlp("The Free Democratic Party (FDP) met the Green Party (XYZ) today.")
    spans = [doc[1:4], doc[8:10]]
    assert parenthesised_pairs(doc, spans) == {0: "FDP"}


def test_name_key_folds_dashes_us_and_the() -> None:
    assert name_key("The U.S. Treasury") == name_key("US Treasury")
    assert name_key("US\u2013India Forum") == name_key("US-India Forum")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("U.N. Security Council", "intergovernmental"),
        ("Ministry of Public Security", "government"),
        ("US-India Strategic Partnership Forum", "forum"),
        ("Gold Fields of South Africa Ltd", "company"),
        ("International Confederation of Free Trade Unions", "association"),
        ("Liberal Democratic Party", "other"),
        ("Central Bank", "exclude"),
        ("Airbus", None),
        # a place after "of"/"in"/"for" is a body's domain, not a place name's end
        ("Bank of America", "company"),
        ("Organisation for Security and Cooperation in Europe", "intergovernmental"),
        ("Latin America", "exclude"),
    ],
)
def test_kind_cues(name: str, kind: str | None) -> None:
    assert KindClassifier.load().kind(name) == kind


def test_office_lexicon_kinds_and_seats() -> None:
    lex = OfficeLexicon.load()
    assert lex.kind_of("Prime Minister") == "strong"
    assert lex.kind_of("spokesman") == "weak"
    assert lex.kind_of("Wing Commander") == "rank"
    assert lex.abbrev["lt. gen."] == "Lieutenant General"
    assert lex.seat_country("Senate Majority Leader") == "United States"
    assert lex.seat_country("member of the House of Lords") == "United Kingdom"
    assert lex.seat_country("Trade Minister") is None


def test_news_agency_aliases_resolve() -> None:
    agencies = NewsAgencies.load()
    assert agencies.lookup("the Associated Press") == agencies.lookup("AP") == "Associated Press"
    assert agencies.lookup("Reuter") == "Reuters"
    assert agencies.lookup("World Bank") is None


def test_bad_lexicon_lines_fail_with_the_file_problem(tmp_path: Path) -> None:
    bad = tmp_path / "office_titles.txt"
    bad.write_text("# comment\npotentate\temperor\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"office_titles\.txt:2: unknown office kind 'potent"):
        OfficeLexicon.load(bad)
    kinds = tmp_path / "org_kinds.tsv"
    kinds.write_text("Ministry\tgovernment\tsomewhere\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"org_kinds\.tsv:1: unknown match 'somewhere'"):
        KindClassifier.load(kinds)


def test_comma_appositive_and_leading_the_give_pairs() -> None:
    nlp = spacy.blank("en")
    doc = nlp(
        "Output fell, Kenya National Tin Mines, KNTM, said. The Nordic Ore Office (NOO) agreed."
    )
    spans = [doc[3:7], doc[12:16]]  # "Kenya National Tin Mines", "The Nordic Ore Office"
    assert parenthesised_pairs(doc, spans) == {0: "KNTM", 1: "NOO"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Minerals Council of Ghana", "association"),
        ("Tigers FC", "other"),
        ("Hamas", "other"),
        ("Al-Aqsa Brigades", "other"),
    ],
)
def test_kind_cues_for_industry_councils_and_non_firms(name: str, kind: str) -> None:
    assert KindClassifier.load().kind(name) == kind


def test_spelled_initials_keep_capitalised_codes_whole() -> None:
    from extractors.acronyms import spelled_initials

    assert spelled_initials("UK–Japan Trade Council") == "UKJTC"
    assert fits("EURMA", "EU Raw Materials Alliance", strict=True)
    assert not fits("EUMA", "EU Raw Materials Alliance", strict=True)
