"""The newswatch_events component on small hand-written texts with the real model.

Sibling outputs (countries, organisations, officials, minerals) are filled by hand
so these tests pin down what events do with them, whatever those components find.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from extractors import event_rules
from extractors.events import Component
from extractors.pipeline import register_extensions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def events(nlp_model: Language) -> Component:
    register_extensions()
    return Component(nlp_model, event_rules.DEFAULT_TRIGGERS, ner_fallback=False)


def _mention(text: str, word: str, canonical: str, nth: int = 0) -> dict[str, Any]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return {"canonical": canonical, "start": start, "end": start + len(word), "text": word}


def run(
    nlp: Language,
    component: Component,
    text: str,
    *,
    published: str | None = None,
    countries: tuple[tuple[str, str], ...] = (),
    orgs: tuple[tuple[str, str, str], ...] = (),
    officials: tuple[tuple[str, tuple[str, ...], str | None], ...] = (),
    minerals: tuple[tuple[str, str], ...] = (),
) -> list[dict[str, Any]]:
    doc: Doc = nlp(text)
    doc._.nw_meta = {"id": "t", "published": published, "dateline": None, "body_offset": 0}
    doc._.nw_countries = [_mention(text, w, c) for w, c in countries]
    doc._.nw_minerals = [_mention(text, w, c) for w, c in minerals]
    doc._.nw_organizations = [
        {"name": name, "acronym": None, "kind": kind, "mentions": [_mention(text, word, name)]}
        for word, name, kind in orgs
    ]
    doc._.nw_officials = [
        {
            "name": name,
            "role": None,
            "country": country,
            "mentions": [_mention(text, w, name, words[:i].count(w)) for i, w in enumerate(words)],
        }
        for name, words, country in officials
    ]
    result: list[dict[str, Any]] = component(doc)._.nw_events
    for event in result:
        assert event["evidence"] in text
        assert text[event["evidence_start"] : event["evidence_end"]] == event["evidence"]
    return result


def test_lexicon_rows_are_checked(tmp_path: Path) -> None:
    lexicon = event_rules.load_lexicon()
    assert {t.type for t in lexicon.triggers.values()} == {
        "meeting", "agreement", "statement", "investment",
        "licensing", "trade_measure", "supply", "price",
    }  # fmt: skip
    bad = tmp_path / "bad.tsv"
    bad.write_text("type\tpattern\tpos\tguard\tnote\n\tmeet\tVERB\tactor\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        event_rules.load_lexicon(bad)


def test_welcome_by_an_organisation_is_a_statement(nlp_model: Language, events: Component) -> None:
    text = "The Minerals Forum welcomed India's decision to auction lithium blocks."
    found = run(
        nlp_model,
        events,
        text,
        countries=(("India", "India"),),
        orgs=(("Minerals Forum", "Minerals Forum", "forum"),),
        minerals=(("lithium", "lithium"),),
    )
    statements = [e for e in found if e["type"] == "statement"]
    assert len(statements) == 1
    assert statements[0]["participants"][0] == "Minerals Forum"
    assert "India" in statements[0]["participants"]
    assert statements[0]["minerals"] == ["lithium"]


def test_analysts_saying_is_not_a_statement(nlp_model: Language, events: Component) -> None:
    text = "Japan's economy is weakening, analysts said."
    assert run(nlp_model, events, text, countries=(("Japan", "Japan"),)) == []


def test_an_officials_said_is_a_statement_with_full_name(
    nlp_model: Language, events: Component
) -> None:
    text = (
        "Treasury Secretary Scott Bessent met Japanese officials in Tokyo. "
        "Bessent said the United States would protect its supply chains."
    )
    found = run(
        nlp_model,
        events,
        text,
        countries=(("Japanese", "Japan"), ("United States", "United States")),
        officials=(("Scott Bessent", ("Scott Bessent", "Bessent", "Bessent"), "United States"),),
    )
    by_type = {e["type"]: e for e in found}
    assert by_type["statement"]["participants"][0] == "Scott Bessent"  # surname mapped
    assert "United States" in by_type["statement"]["participants"]
    assert by_type["meeting"]["location"] == "Tokyo"


def test_hedged_measures_are_dropped_and_real_ones_dated(
    nlp_model: Language, events: Component
) -> None:
    countries = (("United States", "United States"), ("Japanese", "Japan"))
    hedged = "The United States could impose tariffs on Japanese goods."
    assert run(nlp_model, events, hedged, countries=countries) == []
    real = "The United States imposed tariffs on Japanese goods on Friday."
    found = run(nlp_model, events, real, published="1987-03-31", countries=countries)
    assert [e["type"] for e in found] == ["trade_measure"]
    assert found[0]["date"] == "1987-03-27"  # the Friday before Tuesday 31 March 1987


def test_repeated_reports_merge_into_the_first(nlp_model: Language, events: Component) -> None:
    text = (
        "Kenya and Ghana signed a pact on cobalt mining on Monday. "
        "The weather was fine. "
        "The pact was signed by Kenya and Ghana after long talks."
    )
    found = run(
        nlp_model,
        events,
        text,
        published="2024-06-05",
        countries=(("Kenya", "Kenya"), ("Ghana", "Ghana")),
        minerals=(("cobalt", "cobalt"),),
    )
    agreements = [e for e in found if e["type"] == "agreement"]
    assert len(agreements) == 1
    assert agreements[0]["evidence"].startswith("Kenya and Ghana signed")
    assert agreements[0]["date"] == "2024-06-03"


def test_price_moves_of_a_commodity(nlp_model: Language, events: Component) -> None:
    text = "Copper rose 0.9% to $5,880 a tonne. Shares of the bank rose 2%."
    found = run(nlp_model, events, text, minerals=(("Copper", "copper"),))
    assert [(e["type"], e["minerals"]) for e in found] == [("price", ["copper"])]


def test_military_strikes_are_not_supply(nlp_model: Language, events: Component) -> None:
    text = "Indian strikes hit nine sites in Pakistan overnight."
    found = run(nlp_model, events, text, countries=(("Indian", "India"), ("Pakistan", "Pakistan")))
    assert all(e["type"] != "supply" for e in found)


def test_full_pipeline_keeps_evidence_verbatim(nlp_full: Language) -> None:
    from extractors.pipeline import extract
    from extractors.records import ExtractInput

    item = ExtractInput(
        id="x",
        title="MINISTERS MEET ON LITHIUM",
        text="The ministers of Chile and Argentina met in Santiago on Monday.\n\n"
        "They agreed to sign a lithium\npact next year, Chile's mining minister said.",
        published="2024-05-08",
    )
    (extraction,) = list(extract(nlp_full, [item]))
    assert extraction.events, "a meeting between two ministers should be found"
    for event in extraction.events:
        assert event.evidence in item.doc_text
        assert event.evidence_start >= item.body_offset  # never from the headline
    meeting = next(e for e in extraction.events if e.type == "meeting")
    assert meeting.date == "2024-05-06"
