"""The office-holder KB library (extractors/kb.py), its shipped data, the newswatch_kb
component on blank pipelines, and the Wikidata refresh parser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Span

from extractors.docs import register_extensions
from extractors.errors import LexiconError
from extractors.kb import KBRow, OfficeHolderKB, name_keys, office_key, read_rows, write_rows
from extractors.kb_officials import KBOfficialsComponent
from extractors.records import Official, from_plain, to_plain
from pipeline.kb.build import merge_tenures
from pipeline.kb.wikidata import rows_from_results

DATA = Path(__file__).parent / "data" / "kb"


def _kb() -> OfficeHolderKB:
    return OfficeHolderKB.from_rows(
        [
            KBRow("George Bush", "Vice President", "United States", "1981-01-20", "1989-01-20",
                  qid="Q23505", aliases=("George H. W. Bush",), pid="Q23505"),
            KBRow("George Bush", "President", "United States", "1989-01-20", "1993-01-20",
                  qid="Q23505", pid="Q23505"),
            KBRow("George W. Bush", "President", "United States", "2001-01-20", "2009-01-20",
                  qid="Q207", pid="Q207"),
            KBRow("Theresa May", "Prime Minister", "United Kingdom", "2016-07-13", "2019-07-24",
                  qid="Q264766", pid="Q264766"),
            KBRow("Theresa May", "Home Secretary", "United Kingdom", "2010-05-12", "2016-07-13",
                  qid="Q264766", pid="Q264766"),
            KBRow("Narendra Modi", "Prime Minister of India", "India", "2014", None,
                  qid="Q1058", pid="Q1058"),
            KBRow("John Smith", "Senator", "United States", "2001", "2007", pid="a:1"),
            KBRow("John Smith", "Minister of Mines", "Canada", "2003", "2005", pid="b:2"),
        ]
    )  # fmt: skip


def test_who_answers_by_office_country_and_date_whatever_the_office_label():
    kb = _kb()
    assert [p.name for p, _ in kb.who("President", "United States", "1990-06-01")] == [
        "George Bush"
    ]
    assert [p.qid for p, _ in kb.who("Prime Minister", "India", "2020-01-01")] == ["Q1058"]
    assert [p.qid for p, _ in kb.who("prime minister of india", "India", "2020-01-01")] == ["Q1058"]
    assert kb.who("Prime Minister", "India", "2013-12-31") == []  # before the tenure
    assert kb.who("Prime Minister", "United Kingdom", "2019-07-25") == []  # after it


def test_link_picks_the_one_person_and_the_tenure_covering_the_date():
    kb = _kb()
    link = kb.link("Theresa May", on="2012-03-01")
    assert link is not None and link.kb_id == "Q264766"
    assert link.tenure is not None and link.tenure.office == "Home Secretary" and link.covers_date
    later = kb.link("Theresa May", on="2021-01-01")
    assert later is not None and not later.covers_date and later.tenure.office == "Prime Minister"
    # "George Bush" is two people: the date tells them apart, a namesake is never guessed.
    assert kb.link("George Bush", on="1987-05-01").kb_id == "Q23505"
    assert kb.link("George Bush", on="2005-05-01").kb_id == "Q207"
    assert kb.link("George Bush") is None
    assert kb.link("John Smith", country="Canada").person.pid == "b:2"
    assert kb.link("John Smith", on="2010") is None
    assert kb.link("Nobody Atall") is None


def test_names_are_found_folded_and_without_middle_initials():
    assert name_keys("George W. Bush") == ["george w. bush", "george bush"]
    kb = OfficeHolderKB.from_rows([KBRow("Shinzō Abe", "Prime Minister", "Japan", qid="Q132345")])
    assert [p.qid for p in kb.find("SHINZO ABE")] == ["Q132345"]
    assert [p.qid for p in _kb().find("George H. W. Bush")] == ["Q23505"]  # exact name first
    assert {p.qid for p in _kb().find("George Bush")} == {"Q23505", "Q207"}
    assert office_key("Federal Chancellor of Germany", "Germany") == office_key("Chancellor")


def test_rows_on_top_replace_a_persons_office_and_add_names():
    kb = _kb()
    corrected = kb.with_rows(
        [
            KBRow("Narendra Modi", "Prime Minister", "India", "2014-05-26", None, source="analyst"),
            KBRow("Narendra Modi", aliases=("NaMo",), source="analyst"),
            KBRow("Scott Bessent", "Secretary of the Treasury", "United States", "2025-01-28",
                  qid="Q7436010", source="analyst"),
        ]
    )  # fmt: skip
    modi = corrected.find("NaMo")
    assert [p.qid for p in modi] == ["Q1058"]
    assert [(t.office, t.start) for t in modi[0].tenures] == [("Prime Minister", "2014-05-26")]
    assert corrected.link("Scott Bessent", on="2025-06-01").kb_id == "Q7436010"
    # the original is untouched
    assert kb.find("NaMo") == [] and kb.find("Narendra Modi")[0].tenures[0].start == "2014"


def test_kb_files_round_trip(tmp_path):
    rows = [
        KBRow("A B", "Minister", "India", "2020", None, qid="Q1", aliases=("A. B.",), pid="Q1"),
        KBRow("C D", None, None, pid="x:1", source="s"),
    ]
    path = tmp_path / "kb.tsv.gz"
    assert write_rows(path, rows) == 2
    assert list(read_rows(path)) == rows
    first = path.read_bytes()
    write_rows(path, rows)
    assert path.read_bytes() == first  # reproducible bytes
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\n")
    with pytest.raises(LexiconError, match=r"bad\.tsv:1: expected the header row"):
        list(read_rows(bad))


def test_build_merges_one_persons_overlapping_tenures_from_two_sources():
    rows = [
        KBRow("Boris Johnson", "Prime Minister", "United Kingdom", "2019-07-24", None,
              qid="Q180589", pid="Q180589", source="uk-cabinet"),
        KBRow("Boris Johnson", "Prime Minister of the United Kingdom", "United Kingdom", "2019",
              "2022", qid="Q180589", pid="Q180589", source="world-leaders"),
        KBRow("Boris Johnson", "Foreign Secretary", "United Kingdom", "2016-07-13", "2018-07-09",
              qid="Q180589", pid="Q180589", source="ifg"),
    ]  # fmt: skip
    merged = sorted(merge_tenures(rows), key=lambda r: r.start or "")
    assert [(r.office, r.start, r.end) for r in merged] == [
        ("Foreign Secretary", "2016-07-13", "2018-07-09"),
        ("Prime Minister", "2019-07-24", "2022"),
    ]
    assert merged[1].source == "uk-cabinet+world-leaders"


def test_the_shipped_kb_answers_the_issues_questions():
    from extractors.kb import shipped_kb

    kb = shipped_kb()
    assert [(p.name, p.qid) for p, _ in kb.who("President", "United States", "2010-06-01")] == [
        ("Barack Obama", "Q76")
    ]
    assert [(p.name, p.qid) for p, _ in kb.who("Prime Minister", "India", "2020-01-01")] == [
        ("Narendra Modi", "Q1058")
    ]
    assert [p.name for p, _ in kb.who("Prime Minister", "United Kingdom", "2017-06-01")] == [
        "Theresa May"
    ]
    link = kb.link("Ashwini Vaishnaw", "India", "2025-01-10")
    assert link is not None and link.kb_id == "Q75184694" and link.covers_date
    assert kb.link("Ronald Reagan", on="1987-03-01").tenure.office == "President"


# -- the component, on a blank pipeline ------------------------------------------------------
def _doc(text: str, people: list[tuple[int, int]], officials: list[Official], published=None):
    register_extensions()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp(text)
    doc.ents = [Span(doc, s, e, label="PERSON") for s, e in people]
    doc._.nw_meta = {"id": "t", "published": published, "dateline": None, "body_offset": 0}
    doc._.nw_officials = [to_plain(o) for o in officials]
    return doc


def test_component_links_officials_and_fills_a_country_only_for_a_covering_tenure():
    component = KBOfficialsComponent(_kb())
    text = "Home Secretary Theresa May met the envoy. Narendra Modi spoke later."
    may = Official("Theresa May", "Home Secretary", None)
    doc = component(_doc(text, [(2, 4), (8, 10)], [may], published="2016-04-02"))
    found = {o.name: o for o in (from_plain(Official, d) for d in doc._.nw_officials)}
    assert found["Theresa May"].kb_id == "Q264766"
    assert found["Theresa May"].kb_office == "Home Secretary"
    assert found["Theresa May"].country == "United Kingdom"  # tenure covers April 2016
    assert found["Theresa May"].role == "Home Secretary"  # as the article states it
    # named without an office, in office on the story's date: found, role null
    modi = found["Narendra Modi"]
    assert (modi.role, modi.country, modi.kb_id) == (None, "India", "Q1058")
    assert modi.mentions and modi.mentions[0].text == "Narendra Modi"


def test_component_leaves_people_who_held_no_office_yet_and_igo_officials_alone():
    component = KBOfficialsComponent(_kb())
    text = "Narendra Modi visited. Theresa May, the IMF adviser, spoke."
    may = Official("Theresa May", "IMF adviser", None)
    doc = component(_doc(text, [(0, 2), (4, 6)], [may], published="2010-01-05"))
    found = [from_plain(Official, d) for d in doc._.nw_officials]
    assert [o.name for o in found] == ["Theresa May"]  # Modi took office in 2014
    # the one Theresa May in the KB, but no tenure covers January 2010: no country is
    # filled in for an official whose text gives none (an IMF official has none)
    assert found[0].kb_id == "Q264766" and found[0].country is None


def test_an_office_the_kb_confirms_says_whose_government_an_official_serves():
    kb = OfficeHolderKB.from_rows(
        [
            KBRow("Hage Gottfried Geingob", "President of the Republic of Namibia", "Namibia",
                  "2015-03-21", "2024-02-04", qid="Q1568274", pid="Q1568274"),
            KBRow("Ibrahim Idris", "Governor of Kogi State", "Nigeria", "2016", None,
                  qid="Q3510788", pid="Q3510788"),
        ]
    )  # fmt: skip
    # news drops middle names: a fallback for an official the article gives an office
    assert kb.find("Hage Geingob") == []
    assert [p.qid for p in kb.find("Hage Geingob", middle_names=True)] == ["Q1568274"]
    component = KBOfficialsComponent(kb)
    text = "President Hage Geingob flew home from the United States. Ibrahim Idris spoke."
    # the sentence's country was the text's only guess for him
    geingob = Official("Hage Geingob", "President", "United States")
    idris = Official("Ibrahim Idris", "Inspector-General of Police", "United States")
    doc = component(_doc(text, [(1, 3), (11, 13)], [geingob, idris], published="2020-02-20"))
    found = {o.name: o for o in (from_plain(Official, d) for d in doc._.nw_officials)}
    assert (found["Hage Geingob"].country, found["Hage Geingob"].kb_id) == ("Namibia", "Q1568274")
    assert found["Hage Geingob"].role == "President"  # as the article states it
    # a namesake in another office is not the KB's person: nothing linked or changed
    assert (found["Ibrahim Idris"].country, found["Ibrahim Idris"].kb_id) == ("United States", None)


def test_the_wikidata_answer_becomes_kb_rows():
    answer = json.loads((DATA / "sparql_heads.json").read_text())
    refresh = rows_from_results(answer)
    assert refresh.skipped == 1  # no label, unknown country
    by_name = {r.name: r for r in refresh.rows}
    biden = by_name["Joe Biden"]
    assert (biden.qid, biden.office, biden.country) == (
        "Q6279",
        "President of the United States",
        "United States",
    )
    assert (biden.start, biden.end) == ("2021-01-20", "2025-01-20")
    assert set(biden.aliases) == {"Joseph Robinette Biden Jr.", "Joseph Biden"}
    assert by_name["Donald Trump"].end is None
