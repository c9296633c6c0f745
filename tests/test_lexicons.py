"""The one lexicon reader: its format, its one error policy, and every shipped file through it."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.errors import LexiconError
from extractors.lexicons import DATA_DIR, read_table, read_word_lists


def write(tmp_path: Path, text: str, name: str = "words.tsv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_comments_blank_lines_padding_and_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "# sources\n\n  # indented comment\nUS \t United States\nUK\n")
    rows = read_table(path, ("alias", "name"))
    assert [row.cells for row in rows] == [("US", "United States"), ("UK", "")]
    assert [row.line for row in rows] == [4, 5]


def test_a_header_row_is_checked_and_skipped(tmp_path: Path) -> None:
    good = write(tmp_path, "# c\ntype\tpattern\nmeeting\tmeet\n")
    assert [r.cells for r in read_table(good, ("type", "pattern"), header=True)] == [
        ("meeting", "meet")
    ]
    swapped = write(tmp_path, "pattern\ttype\nmeet\tmeeting\n", "swapped.tsv")
    with pytest.raises(LexiconError, match=r"swapped\.tsv:1: expected the header row type"):
        read_table(swapped, ("type", "pattern"), header=True)
    empty = write(tmp_path, "# only comments\n", "empty.tsv")
    with pytest.raises(LexiconError, match=r"empty\.tsv: no header row"):
        read_table(empty, ("type", "pattern"), header=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a\tb\tc\n", r"words\.tsv:1: 3 tab-separated cells, at most 2 expected \(kind, word\)"),
        ("# x\n\tword\n", r"words\.tsv:2: the column 'kind' is empty"),
        ("kind\n", r"words\.tsv:1: the column 'word' is empty"),
    ],
)
def test_a_malformed_row_names_its_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message) as info:
        read_table(write(tmp_path, text), ("kind", "word"), required=2)
    assert "\n" not in str(info.value)


def test_an_unreadable_file_is_a_lexicon_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match=r"missing\.tsv: cannot read lexicon file"):
        read_table(tmp_path / "missing.tsv", ("word",))
    latin1 = tmp_path / "latin1.tsv"
    latin1.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(LexiconError, match=r"latin1\.tsv: cannot read lexicon file"):
        read_table(latin1, ("word",))


def test_word_lists_by_kind_with_meanings(tmp_path: Path) -> None:
    path = write(tmp_path, "verb\tsay\nverb\ttell\nalias\tcrude\toil\n")
    lists = read_word_lists(path, ("verb", "noun", "alias"), meanings=("alias",))
    assert lists == {"verb": {"say": "", "tell": ""}, "noun": {}, "alias": {"crude": "oil"}}
    assert list(lists["verb"]) == ["say", "tell"]  # file order


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("adverb\tsoon\n", r"words\.tsv:1: unknown kind 'adverb' \(known: verb, alias\)"),
        ("alias\tcrude\n", r"words\.tsv:1: kind 'alias' needs a meaning in the third column"),
        ("verb\tsay\tspeak\n", r"words\.tsv:1: kind 'verb' takes no third column"),
    ],
)
def test_word_list_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        read_word_lists(write(tmp_path, text), ("verb", "alias"), meanings=("alias",))


def test_every_shipped_lexicon_loads_through_its_reader() -> None:
    """Each data file is read by the module that interprets it, all through read_table."""
    from extractors import event_rules, org_lexicons, titles
    from extractors.gazetteer import load_countries, load_minerals, load_name_context
    from extractors.names import KindClassifier, NewsAgencies, OfficeLexicon
    from extractors.org_place_compounds import load_compound_places
    from storage import names

    assert len(load_countries().entries) >= 195
    assert load_minerals() and load_name_context()["pronoun_us_after"]
    assert KindClassifier.load().exact and NewsAgencies.load().canonical
    assert OfficeLexicon.load().abbrev
    assert "EU" in load_compound_places(DATA_DIR / "compound_places.txt")
    assert event_rules.load_lexicon().triggers
    assert all(event_rules.EVENT_WORDS.values())  # every kind has words
    assert all(titles.TITLE_WORDS.values()) and all(org_lexicons.ORG_WORDS.values())
    assert names.official_key("Shri Ashwini Vaishnaw Jr") == "ashwini vaishnaw"
