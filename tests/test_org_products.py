"""org_products: a product named after a firm of the article; firm_words_build."""

from __future__ import annotations

import csv

from extractors.firm_words_build import firm_words, issuers, main, name_words
from extractors.lexicons import DATA_DIR
from extractors.names import KindClassifier, name_key
from extractors.org_lexicons import COMPANY_FORMS
from extractors.org_merge import OrgRecord
from extractors.org_products import product_keys, read_firm_words

KINDS = KindClassifier.load(DATA_DIR / "org_kinds.tsv")
FIRM_WORDS = read_firm_words(DATA_DIR / "listed_firm_words.txt")
HEADS = frozenset(KINDS.heads) | COMPANY_FORMS


def products(*names: str, marked: str = "", acronym: str = "") -> set[str]:
    records = {}
    for name in names:
        rec = OrgRecord(name, name_key(name), marked=name == marked)
        rec.acronym = "X" if name == acronym else None
        records[rec.key] = rec
    return {records[k].name for k in product_keys(records, KINDS, FIRM_WORDS, HEADS)}


def test_a_firm_s_name_and_words_no_firm_s_name_is_made_of_is_its_product() -> None:
    assert products("Apple", "Apple Watch", "Apple TV Channels") == {
        "Apple Watch",
        "Apple TV Channels",
    }
    assert products("Amazon Music Unlimited", "Amazon") == {"Amazon Music Unlimited"}
    # the maker must be named on its own: a longer name alone is left to the other rules
    assert products("Apple Watch") == set()


def test_a_firm_s_own_longer_name_is_no_product() -> None:
    # words of listed firms' names, head words, legal forms and kind cue words
    assert products("GateHouse", "GateHouse Media") == set()
    assert products("Battle Mountain", "Battle Mountain Gold") == set()
    assert products("Antonson", "Antonson Machines AB") == set()
    assert products("House", "House Science Committee") == set()
    # a name the wire marks, or one given with its acronym, is a body whatever it adds
    assert products("Dräger", "Dräger Infinity", marked="Dräger Infinity") == set()
    assert products("Dräger", "Dräger Infinity", acronym="Dräger Infinity") == set()


def test_a_place_makes_nothing_and_a_firm_s_place_is_its_arm() -> None:
    assert products("China", "China Daily") == set()
    assert products("Texaco", "Texaco Canada") == set()


def test_listed_firm_words_are_words_of_companies_names_not_products() -> None:
    assert {"media", "healthcare", "gold", "systems", "beauty"} <= FIRM_WORDS
    assert not {"watch", "tv", "channels", "arcade", "induction"} & FIRM_WORDS


def test_firm_words_come_from_issuers_named_twice_without_their_legal_forms() -> None:
    rows = [
        ("Symbol", "Security Name"),
        ("LMCA", "Liberty Media Corporation - Series A Common Stock"),
        ("AMC", "AMC Global Media Inc. - Class A Common Stock"),
        ("ACHC", "Acadia Healthcare Company, Inc. - Common Stock"),
        ("QQQ", "Invesco QQQ Trust, Series 1"),  # a fund: no operating company
        ("ZZZ", "Zeta Widgets Ltd - Ordinary Shares"),
    ]
    names = issuers(rows)
    assert names == {
        "Liberty Media Corporation",
        "AMC Global Media Inc.",
        "Acadia Healthcare Company, Inc.",
        "Zeta Widgets Ltd",
    }
    assert name_words("Acadia Healthcare Company, Inc.") == ["acadia", "healthcare"]
    # "media" stands after the first word in two names; "healthcare", "widgets" in one
    assert firm_words(names) == ["media"]


def test_the_builder_writes_the_words_and_refuses_a_missing_listing(tmp_path, capsys) -> None:
    listing = tmp_path / "listed.csv"
    with listing.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [("Symbol", "Security Name"), ("A", "Alpha Gold Corp"), ("B", "Beta Gold Inc.")]
        )
    out = tmp_path / "words.txt"
    assert main([str(listing), "--out", str(out)]) == 0
    assert read_firm_words(out) == {"gold"}
    assert main([str(tmp_path / "missing.csv"), "--out", str(out)]) == 2
    assert "no listing" in capsys.readouterr().err
