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
from extractors.datelines import lead_offset
from extractors.errors import LexiconError
from extractors.events import Component
from extractors.nlp import register_extensions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def events(nlp_model: Language) -> Component:
    register_extensions()
    return Component(nlp_model, event_rules.DEFAULT_TRIGGERS, ner_fallback=False)


@pytest.fixture(scope="module")
def nlp_paragraphs() -> Language:
    """The model with `newswatch_sentence_bounds` before its parser, as build_nlp has it:
    a paragraph break starts a sentence."""
    from extractors.model import load_model

    nlp = load_model("en_core_web_sm")
    nlp.add_pipe("newswatch_sentence_bounds", before="parser")
    return nlp


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
    offices: dict[str, tuple[str | None, str | None]] | None = None,
    body_offset: int = 0,
) -> list[dict[str, Any]]:
    """`offices`: an official's role as the text states it and the KB's office;
    `body_offset`: where the body starts, after a title."""
    doc: Doc = nlp(text)
    meta = {"id": "t", "published": published, "dateline": None, "body_offset": body_offset}
    doc._.nw_meta = meta
    doc._.nw_countries = [_mention(text, w, c) for w, c in countries]
    doc._.nw_minerals = [_mention(text, w, c) for w, c in minerals]
    doc._.nw_organizations = [
        {"name": name, "acronym": None, "kind": kind, "mentions": [_mention(text, word, name)]}
        for word, name, kind in orgs
    ]
    doc._.nw_officials = [
        {
            "name": name,
            "role": (offices or {}).get(name, (None, None))[0],
            "kb_office": (offices or {}).get(name, (None, None))[1],
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
    with pytest.raises(LexiconError, match=r"bad\.tsv:2: the column 'type' is empty"):
        event_rules.load_lexicon(bad)
    # a guard the component does not know would let its trigger through unchecked
    typo = tmp_path / "typo.tsv"
    typo.write_text("type\tpattern\tpos\tguard\tnote\nmeeting\tmeet\tVERB\tactors\t\n", "utf-8")
    with pytest.raises(LexiconError, match=r"typo\.tsv: trigger 'meet' has unknown guard 'actors'"):
        event_rules.load_lexicon(typo)


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


def test_questions_and_whether_clauses_report_no_occurrence(
    nlp_model: Language, events: Component
) -> None:
    countries = (("United States", "United States"), ("Japanese", "Japan"))
    asked = "Will the United States impose tariffs on Japanese goods?"
    assert run(nlp_model, events, asked, countries=countries) == []
    open_question = "Whether the United States will impose tariffs on Japanese goods is unclear."
    assert run(nlp_model, events, open_question, countries=countries) == []
    told = "The United States imposed tariffs on Japanese goods."
    assert [e["type"] for e in run(nlp_model, events, told, countries=countries)] == [
        "trade_measure"
    ]


def test_a_price_move_is_a_commoditys(nlp_model: Language, events: Component) -> None:
    gadget = "Apple dropped prices on its popular AirPods on Monday."
    orgs = (("Apple", "Apple", "company"),)
    assert run(nlp_model, events, gadget, orgs=orgs) == []
    metal = "Magma Copper lowered its copper price to 66 cents on Monday."
    found = run(nlp_model, events, metal, minerals=(("copper", "copper"),))
    assert [e["type"] for e in found] == ["price"]
    # a business named after a commodity is no commodity ("metals companies")
    listed = "The Treasury added 12 Russian metals companies to its sanctions list on Tuesday."
    found = run(nlp_model, events, listed, countries=(("Russian", "Russia"),))
    assert [e["type"] for e in found] == ["trade_measure"]


def test_licences_are_minerals_and_duties_are_trade(nlp_model: Language, events: Component) -> None:
    countries = (("Mexico", "Mexico"), ("Japan", "Japan"))
    talks = "Officials from Mexico and Japan made concessions on Monday."
    assert run(nlp_model, events, talks, countries=countries) == []
    mining = "Mexico granted a lithium mining concession on Monday."
    found = run(
        nlp_model, events, mining, countries=countries[:1], minerals=(("lithium", "lithium"),)
    )
    assert [e["type"] for e in found] == ["licensing"]
    on_duty = "The Japan coast guard officer died on duty, Mexico said."
    assert all(
        e["type"] != "trade_measure" for e in run(nlp_model, events, on_duty, countries=countries)
    )
    levied = "Japan imposed anti-dumping duties on Mexican steel imports."
    assert "trade_measure" in [
        e["type"] for e in run(nlp_model, events, levied, countries=countries[1:])
    ]


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


def test_reports_dated_to_different_days_are_two_occurrences(
    nlp_model: Language, events: Component
) -> None:
    def agreements(text: str) -> list[str | None]:
        ruto = (("William Ruto", ("William Ruto", "William Ruto"), "Kenya"),)
        found = run(
            nlp_model,
            events,
            text,
            published="2024-06-05",
            officials=ruto,
            minerals=(("cobalt", "cobalt"),),
        )
        return sorted(e["date"] for e in found if e["type"] == "agreement")

    first = "President William Ruto signed a pact on cobalt mining on Monday. "
    # the same party, two days the text states: two pacts, not one record
    assert agreements(first + "William Ruto signed a pact on cobalt exports on May 20.") == [
        "2024-05-20",
        "2024-06-03",
    ]
    # a repeat dated to the same day, or not dated at all, is the one occurrence
    assert agreements(first + "William Ruto signed the cobalt pact on June 3.") == ["2024-06-03"]
    assert agreements(first + "William Ruto signed the cobalt pact in Nairobi.") == ["2024-06-03"]


def test_one_type_done_by_two_actors_in_a_sentence_is_two_occurrences(
    nlp_model: Language, events: Component
) -> None:
    def measures(text: str, countries: tuple[tuple[str, str], ...]) -> int:
        found = run(nlp_model, events, text, published="2024-06-05", countries=countries)
        return sum(e["type"] == "trade_measure" for e in found)

    japan_vietnam = (("Japan", "Japan"), ("Vietnam", "Vietnam"), ("Vietnamese", "Vietnam"))
    lead = "Japan filed a complaint against Vietnam over rice subsidies, prompting a "
    # each complaint has its own doer: the grammar names Japan, then Vietnam
    assert measures(lead + "Vietnamese complaint over car quotas.", japan_vietnam) == 2
    # a second one whose doer the grammar does not name may be Japan's again
    assert measures(lead + "second complaint over car quotas.", japan_vietnam[:2]) == 1
    # one doer's two measures in one breath stay the sentence's one event
    one_doer = "Japan imposed tariffs on rice imports and a ban on steel exports."
    assert measures(one_doer, (("Japan", "Japan"),)) == 1


def test_the_doer_is_the_actor_a_phrase_is_headed_by(nlp_model: Language) -> None:
    from extractors.event_actors import Actor, own_actor

    text = "Australian rail unit Serco sold its stake to Allegro Funds."
    doc = nlp_model(text)
    sold = next(t for t in doc if t.lower_ == "sold")
    actors = [
        Actor("Australia", "country", 0, len("Australian")),
        Actor("Serco", "org", text.index("Serco"), text.index("Serco") + 5),
    ]
    # the demonym describes the unit; the subject's head word names who sold
    assert own_actor(sold, actors) == "Serco"
    # with no actor at the head word, one inside the phrase still speaks for it
    assert own_actor(sold, actors[:1]) == "Australia"
    assert own_actor(sold, []) is None


@pytest.mark.integration
def test_a_repeat_folded_into_the_first_report_is_named_on_the_record(nlp_full: Language) -> None:
    from extractors.nlp import extract
    from extractors.records import ExtractInput

    text = (
        "Kenya and Ghana signed a pact on cobalt mining on Monday. "
        "The weather was fine. "
        "The pact was signed by Kenya and Ghana after long talks."
    )
    (found,) = extract(nlp_full, [ExtractInput(id="t", text=text, published="2024-06-05")])
    (pact,) = [e for e in found.events if e.type == "agreement"]
    assert pact.evidence.startswith("Kenya and Ghana signed")
    # the repeat is not lost: the record names the report it folded in (what the event
    # filter's training reads to find a judged report again, event_scores_train)
    assert pact.folded == ["The pact was signed by Kenya and Ghana after long talks."]
    assert "folded" not in pact.to_spec()  # not part of the extraction contract


def test_price_moves_of_a_commodity(nlp_model: Language, events: Component) -> None:
    text = "Copper rose 0.9% to $5,880 a tonne. Shares of the bank rose 2%."
    found = run(nlp_model, events, text, minerals=(("Copper", "copper"),))
    assert [(e["type"], e["minerals"]) for e in found] == [("price", ["copper"])]


def test_military_strikes_are_not_supply(nlp_model: Language, events: Component) -> None:
    text = "Indian strikes hit nine sites in Pakistan overnight."
    found = run(nlp_model, events, text, countries=(("Indian", "India"), ("Pakistan", "Pakistan")))
    assert all(e["type"] != "supply" for e in found)


def test_full_pipeline_keeps_evidence_verbatim(nlp_full: Language) -> None:
    from extractors.nlp import extract
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


def test_output_figures_are_supply_not_price(nlp_model: Language, events: Component) -> None:
    text = "Kenyan copper production rose 3.2 pct to 113,000 tonnes in the quarter."
    found = run(nlp_model, events, text, minerals=(("copper", "copper"),))
    assert [e["type"] for e in found] == ["supply"]


def test_a_sales_figure_is_no_deal(nlp_model: Language, events: Component) -> None:
    codelco = (("Codelco", "Codelco", "company"),)
    for figure in (
        "Codelco said its copper sales rose 12 pct in March.",
        "Codelco's sales fell 5 pct to 2.1 billion dollars in 1986.",
    ):
        found = run(nlp_model, events, figure, orgs=codelco)
        assert "investment" not in [e["type"] for e in found], figure
    # a sale that took place still is one
    sale = "Codelco completed the sale of its smelter on Monday."
    assert [e["type"] for e in run(nlp_model, events, sale, orgs=codelco)] == ["investment"]


def test_suspending_or_blocking_trade_is_a_trade_measure(
    nlp_model: Language, events: Component
) -> None:
    congo = (("Congo", "Democratic Republic of the Congo"),)
    mexico = (("Mexico", "Mexico"),)
    for text, countries in (
        ("Congo suspended cobalt exports for four months on Saturday.", congo),
        ("Mexico blocked imports of steel from Asia on Monday.", mexico),
    ):
        found = run(nlp_model, events, text, countries=countries)
        assert [e["type"] for e in found] == ["trade_measure"], text
    # what is suspended must be trade itself, not talks about it
    talks = "Mexico suspended the talks on trade on Monday."
    found = run(nlp_model, events, talks, countries=mexico)
    assert "trade_measure" not in [e["type"] for e in found]


def test_announced_sanctions_are_a_trade_measure(nlp_model: Language, events: Component) -> None:
    text = "Norway announced a program of economic sanctions against Chile."
    countries = (("Norway", "Norway"), ("Chile", "Chile"))
    found = run(nlp_model, events, text, countries=countries)
    assert [e["type"] for e in found] == ["trade_measure"]
    assert found[0]["participants"] == ["Norway", "Chile"]


def test_definite_back_reference_joins_the_earlier_event(
    nlp_model: Language, events: Component
) -> None:
    text = (
        "Peru and Chile signed a memorandum of understanding on lithium on Monday. "
        "The agreement covers exports to Argentina and Brazil. "
        "The deal comes weeks after Bolivia restricted exports of tin."
    )
    found = run(
        nlp_model,
        events,
        text,
        published="2024-06-05",
        countries=tuple((c, c) for c in ("Peru", "Chile", "Argentina", "Brazil", "Bolivia")),
        minerals=(("lithium", "lithium"), ("tin", "tin")),
    )
    # "The agreement" shares no party with the first report, but points back at it
    assert sorted(e["type"] for e in found) == ["agreement", "trade_measure"]
    agreement = next(e for e in found if e["type"] == "agreement")
    assert agreement["evidence"].startswith("Peru and Chile signed")


@pytest.mark.parametrize(
    "text",
    [
        "Poland is seeking pacts with Chile on taxation.",
        "Poland did not sign the accord with Chile.",
        "Poland flatly ruled out talks with Chile.",
        # a wish whatever the verb's form (the model's lemmatizer read "hopes" as "hop")
        "Poland hopes to sign an accord with Chile.",
        "Poland hoped to sign an accord with Chile.",
        # what hangs from a noun of wish or aim is sought, not done
        "Poland paired ambitious goals for a trade pact with Chile with threats.",
        "Poland's letter was seen as an attempt to win an accord with Chile on taxation.",
        "Poland made every effort to sign an accord with Chile.",
        # the verbs of those nouns, and of preference
        "Poland is attempting to sign an accord with Chile.",
        "Poland prefers to sign an accord with Chile.",
        # and what hangs from a noun of possibility is possible, not done
        "The prospects for an accord between Poland and Chile are uncertain.",
    ],
)
def test_wishes_aims_negations_and_refusals_are_no_events(
    nlp_model: Language, events: Component, text: str
) -> None:
    countries = (("Poland", "Poland"), ("Chile", "Chile"))
    assert run(nlp_model, events, text, countries=countries) == []


def test_a_noun_of_aim_that_does_not_govern_the_trigger_hedges_nothing(
    nlp_model: Language, events: Component
) -> None:
    countries = (("Poland", "Poland"), ("Chile", "Chile"))
    done = "Poland signed a trade pact with Chile, the goal of years of talks."
    assert [e["type"] for e in run(nlp_model, events, done, countries=countries)] == ["agreement"]


def test_a_trade_measure_named_bare_is_the_kind_not_one_imposed(
    nlp_model: Language, events: Component
) -> None:
    def types(text: str) -> list[str]:
        chile = ("Chilean", "Chile") if "Chilean" in text else ("Chile", "Chile")
        countries = tuple(c for c in (("Poland", "Poland"), chile) if c[0] in text)
        found = run(nlp_model, events, text, countries=countries, published="2024-06-05")
        return [e["type"] for e in found]

    for kind in (
        "Tariffs have strengthened Poland's hand against Chile.",
        "The threat of tariffs pushed Chile to make concessions to Poland.",
        # a relative clause after a comma says more of the kind, picks out none
        "Poland's revenue will come from tariffs, which are paid by importers in Chile.",
        # nor is the measure done when it is only favoured
        "Poland pursued an agenda favoring tariffs on Chilean steel.",
    ):
        assert types(kind) == [], kind
    for imposed in (
        "Poland imposed tariffs on Chile.",
        "Tariffs were imposed on steel from Chile by Poland.",
        "Tariffs on Chilean steel took effect in Poland.",
        "Tariffs took effect in Poland on Monday.",  # a time of its own
    ):
        assert types(imposed) == ["trade_measure"], imposed


def test_standing_facts_are_not_deals_or_supply(nlp_model: Language, events: Component) -> None:
    facts = (
        "Foreign sales of silver and zinc earn Peru half of its export income. "
        "The company has a 17 pct stake in the mine. "
        "The bar, which is sold across Europe, costs more."
    )
    minerals = (("silver", "silver"), ("zinc", "zinc"))
    assert run(nlp_model, events, facts, countries=(("Peru", "Peru"),), minerals=minerals) == []
    sale = "The United States sold 5,000 tonnes of tin from its stockpile."
    found = run(
        nlp_model,
        events,
        sale,
        countries=(("United States", "United States"),),
        minerals=(("tin", "tin"),),
    )
    assert [e["type"] for e in found] == ["supply"]


def test_disruption_on_the_way_to_the_mines_is_supply(
    nlp_model: Language, events: Component
) -> None:
    text = "Guerrillas derailed a train in Chile, interrupting traffic to the copper mines."
    found = run(
        nlp_model, events, text, countries=(("Chile", "Chile"),), minerals=(("copper", "copper"),)
    )
    assert [e["type"] for e in found] == ["supply"]


def test_a_day_named_elsewhere_in_the_sentence_dates_the_event(
    nlp_model: Language, events: Component
) -> None:
    text = "The U.S. threat on Friday to impose tariffs on Japanese goods angered Tokyo."
    found = run(
        nlp_model,
        events,
        text,
        published="1987-03-31",
        countries=(("U.S.", "United States"), ("Japanese", "Japan")),
    )
    assert [(e["type"], e["date"]) for e in found] == [("trade_measure", "1987-03-27")]


def test_would_reads_forward_for_a_yearless_date(nlp_model: Language, events: Component) -> None:
    text = "Sweden said its ban on trade with Chile will take effect from July 1."
    found = run(
        nlp_model,
        events,
        text,
        published="1987-03-12",
        countries=(("Sweden", "Sweden"), ("Chile", "Chile")),
    )
    assert found and all(e["date"] in (None, "1987-07-01") for e in found)


def test_lead_offset_skips_a_repeated_headline_and_a_dateline_line() -> None:
    title = "Polish minister to visit Chile ."
    body = f"{title}\nWARSAW 1996-08-30\nThe minister will visit Chile on Tuesday ."
    text = f"{title}\n\n{body}"
    offset = lead_offset(text, len(title) + 2)
    assert text[offset:].startswith("The minister will visit")
    plain = "Headline words here\n\nBody sentence one."
    assert lead_offset(plain, len("Headline words here") + 2) == plain.index("Body")


def test_named_meeting_in_a_statement_joins_its_later_mention(nlp_full: Language) -> None:
    from extractors.nlp import extract
    from extractors.records import ExtractInput

    item = ExtractInput(
        id="m",
        title="Chile joins lithium talks",
        text="The Chilean Mining Council welcomed Chile's participation in the Energy "
        "Ministerial on Building Battery Supply Chains in Ottawa.\n\n"
        "Chile was represented at the meeting by Mining Minister Aurora Williams.",
        published="2024-05-08",
    )
    (extraction,) = list(extract(nlp_full, [item]))
    meetings = [e for e in extraction.events if e.type == "meeting"]
    assert len(meetings) == 1
    meeting = meetings[0]
    assert meeting.name == "Energy Ministerial on Building Battery Supply Chains"
    assert meeting.location == "Ottawa"
    assert meeting.evidence.startswith("Chile was represented at the meeting")
    assert "Chile" in meeting.participants


def test_a_date_of_another_noun_does_not_date_the_event(
    nlp_model: Language, events: Component
) -> None:
    text = "Australia said on Friday that Japan was behind the March 3 attack on its ships."
    found = run(
        nlp_model,
        events,
        text,
        published="2025-03-18",
        countries=(("Australia", "Australia"), ("Japan", "Japan")),
    )
    assert [e["type"] for e in found] == ["statement"]
    assert found[0]["date"] == "2025-03-14"  # the Friday, not the attack's March 3
    undated = "Australia said Japan was behind the March 3 attack on its ships."
    found = run(
        nlp_model,
        events,
        undated,
        published="2025-03-18",
        countries=(("Australia", "Australia"), ("Japan", "Japan")),
    )
    assert [(e["type"], e["date"]) for e in found] == [("statement", None)]


def test_time_of_day_keeps_its_weekday(nlp_model: Language, events: Component) -> None:
    text = "Peru's president convened a meeting of the cabinet on Wednesday morning."
    found = run(nlp_model, events, text, published="2025-05-07", countries=(("Peru", "Peru"),))
    assert [(e["type"], e["date"]) for e in found] == [("meeting", "2025-05-07")]


def test_two_occurrences_in_one_sentence_are_two_events(
    nlp_model: Language, events: Component
) -> None:
    dated = (
        "Chile's Boric and Peru's Boluarte made their first visit to Lima since their "
        "Dec. 11 meeting with Lula."
    )
    found = run(
        nlp_model,
        events,
        dated,
        published="2019-01-02",
        countries=(("Chile", "Chile"), ("Peru", "Peru")),
        officials=(("Lula", ("Lula",), "Brazil"),),
    )
    assert sorted((e["type"], e["date"] or "") for e in found) == [
        ("meeting", ""),
        ("meeting", "2018-12-11"),
    ]
    one = "Chile's minister visited Lima on Monday to discuss trade."
    found = run(nlp_model, events, one, published="2019-01-02", countries=(("Chile", "Chile"),))
    assert [e["type"] for e in found] == ["meeting"]


def test_coordinated_triggers_of_two_types_are_two_events(
    nlp_model: Language, events: Component
) -> None:
    text = (
        "India's minister met his Chilean counterpart on Monday and signed an agreement "
        "on lithium supplies."
    )
    found = run(
        nlp_model,
        events,
        text,
        published="2024-06-05",
        countries=(("India", "India"), ("Chilean", "Chile")),
        minerals=(("lithium", "lithium"),),
    )
    assert sorted(e["type"] for e in found) == ["agreement", "meeting"]
    meeting = next(e for e in found if e["type"] == "meeting")
    assert meeting["date"] == "2024-06-03"


def test_a_bare_quote_is_no_statement(nlp_model: Language, events: Component) -> None:
    officials = (("Anna Lind", ("Lind",), "Sweden"),)
    remark = "“They are now feeling the heat,” Lind said."
    assert run(nlp_model, events, remark, officials=officials) == []
    policy = "“Sweden will ban exports of cobalt to Russia,” Lind said."
    found = run(
        nlp_model,
        events,
        policy,
        officials=officials,
        countries=(("Sweden", "Sweden"), ("Russia", "Russia")),
        minerals=(("cobalt", "cobalt"),),
    )
    assert found and all(e["participants"] for e in found)


def test_a_person_s_plain_said_is_a_statement_only_with_a_position(
    nlp_model: Language, events: Component
) -> None:
    # "said" with an account of events: no position on policy, no statement ...
    officials = (("Marco Rubio", ("Rubio",), "United States"),)
    told = "Rubio said the talks ended late at night in Geneva."
    assert not [
        e for e in run(nlp_model, events, told, officials=officials) if e["type"] == "statement"
    ]
    # ... a modal or a wish in what was said is one
    urged = "Rubio said Washington should reconsider its policy on chips."
    found = run(nlp_model, events, urged, officials=officials)
    assert any(e["type"] == "statement" and "Marco Rubio" in e["participants"] for e in found)
    # ("would" with a measure under a past "said" reports the measure: a stated plan)
    planned = "Rubio said Washington would impose new export controls on chips."
    found = run(nlp_model, events, planned, officials=officials)
    assert any(e["type"] == "trade_measure" and "Marco Rubio" in e["participants"] for e in found)
    # ... a guess ("could", "might") or a modal in a clause of its own takes none
    for guess in (
        "Rubio said Congress could prompt retaliation if it changed the rules on chips.",
        "Rubio said the envoys had accepted the gifts so they could look their best.",
    ):
        found = run(nlp_model, events, guess, officials=officials)
        assert not [e for e in found if e["type"] == "statement"], guess
    # ... and a plain "said" under an office speaks for the office
    titled = "Secretary of State Rubio said the talks ended in Geneva."
    found = run(nlp_model, events, titled, officials=officials)
    assert any(e["type"] == "statement" for e in found)
    # unless what it reports is an account of what happened when (event_positions)
    dated = "Secretary of State Rubio said the talks ended late at night in Geneva."
    found = run(nlp_model, events, dated, officials=officials)
    assert not [e for e in found if e["type"] == "statement"]


def test_the_office_alone_speaks_for_its_holder_named_before(
    nlp_model: Language, events: Component
) -> None:
    def statements(text: str, offices: dict[str, tuple[str | None, str | None]]) -> list[Any]:
        officials = (("Chris Bowen", ("Chris Bowen",), "Australia"),)
        found = run(nlp_model, events, text, officials=officials, offices=offices)
        return [e["participants"] for e in found if e["type"] == "statement"]

    said = "In a statement, the minister said Australia would keep its 2030 target."
    named = "Chris Bowen released the forecast on Monday. "
    # "the minister" is the minister the article named last ...
    assert statements(named + said, {"Chris Bowen": ("Energy Minister", None)}) == [
        ["Chris Bowen", "Australia"]
    ]
    # ... by the office the text gives him or, failing that, the KB's
    kb = {"Chris Bowen": (None, "Minister for Climate Change and Energy")}
    assert statements(named + said, kb) == [["Chris Bowen", "Australia"]]
    # no minister named before it, an office of another head ("the ministry" is no
    # holder of a "ministry spokesman"'s office), or more than the office: no one speaks
    assert statements(said + " " + named, {"Chris Bowen": ("Energy Minister", None)}) == []
    ministry = named + said.replace("the minister", "the ministry")
    assert statements(ministry, {"Chris Bowen": ("Energy Ministry spokesman", None)}) == []
    prime = named + said.replace("the minister", "the prime minister")
    assert statements(prime, {"Chris Bowen": ("Energy Minister", None)}) == []


def test_a_meeting_needs_a_public_party_in_its_own_clause(
    nlp_model: Language, events: Component
) -> None:
    text = 'Australia said it was "one of the best meetings we can recall".'
    assert run(nlp_model, events, text, countries=(("Australia", "Australia"),)) == []
    text = "Australia said the company had held a meeting with its bankers."
    found = run(nlp_model, events, text, countries=(("Australia", "Australia"),))
    assert [e["type"] for e in found] == ["statement"]  # Australia's; no meeting of its
    text = "Trump's remarks came at what was billed as the first Cabinet meeting of 2019."
    officials = (("Donald Trump", ("Trump",), "United States"),)
    found = run(nlp_model, events, text, officials=officials)
    assert [e["type"] for e in found] == ["meeting"]


def test_a_trigger_in_a_sentence_without_a_verb_is_judged_and_returns(
    nlp_model: Language, events: Component
) -> None:
    # the clause search climbs to the root; a verbless root (a table row, a headline
    # fragment) must end the climb, not loop on itself
    text = "Summit of Japan and China in Tokyo on Monday."
    doc = nlp_model(text)
    assert not any(t.pos_ in ("VERB", "AUX") for t in doc)
    countries = (("Japan", "Japan"), ("China", "China"))
    found = run(nlp_model, events, text, countries=countries)
    assert [e["type"] for e in found] == ["meeting"]  # no subject: the sentence's actors


def test_an_investment_needs_a_commodity_a_public_party_or_a_size(
    nlp_model: Language, events: Component
) -> None:
    orgs = (("Google", "Google", "company"),)
    retail = "You buy whichever game you want to play from Google, then stream it."
    assert run(nlp_model, events, retail, orgs=orgs) == []
    orgs = (("Rio Tinto", "Rio Tinto", "company"), ("Arcadium", "Arcadium", "company"))
    sized = "Rio Tinto agreed to buy Arcadium for $6.7 billion in cash."
    found = run(nlp_model, events, sized, orgs=orgs)
    assert [e["type"] for e in found] == ["investment"]


def test_agreeing_with_a_view_signing_a_person_or_signing_up_is_no_agreement(
    nlp_model: Language, events: Component
) -> None:
    countries = (("Canada", "Canada"), ("Mexico", "Mexico"))
    concur = "Canada agreed that the Mexico talks had been useful."
    assert [e["type"] for e in run(nlp_model, events, concur, countries=countries)] != ["agreement"]
    orgs = (("UCLA", "UCLA", "other"),)
    hire = "The team signed UCLA star Kenny Washington on March 21."
    assert all(e["type"] != "agreement" for e in run(nlp_model, events, hire, orgs=orgs))
    enrol = "Canada users signed up for the Disney package on Monday."
    found = run(nlp_model, events, enrol, countries=countries[:1])
    assert all(e["type"] != "agreement" for e in found)
    deal = "Canada and Mexico agreed on a framework for critical minerals trade."
    found = run(nlp_model, events, deal, countries=countries)
    assert "agreement" in [e["type"] for e in found]


def test_an_invitation_or_a_host_of_things_is_no_meeting(
    nlp_model: Language, events: Component
) -> None:
    countries = (("Canada", "Canada"),)
    invite = "Visit the Canada pavilion at the Pennsylvania National Horse Show."
    assert run(nlp_model, events, invite, countries=countries) == []
    korea = (("South Korea", "South Korea"),)
    has = "South Korea also hosts several polysilicon manufacturers."
    assert run(nlp_model, events, has, countries=korea) == []
    held = "South Korea will host the summit of Asian trade ministers in Seoul."
    assert [e["type"] for e in run(nlp_model, events, held, countries=korea)] == ["meeting"]


def test_a_share_price_is_no_commoditys_price(nlp_model: Language, events: Component) -> None:
    text = "Shares in copper miner Zambezi Copper Ltd jumped 12 cents on Monday."
    orgs = (("Zambezi Copper Ltd", "Zambezi Copper Ltd", "company"),)
    found = run(nlp_model, events, text, orgs=orgs, minerals=(("copper", "copper"),))
    assert "price" not in [e["type"] for e in found]
    metal = "Copper jumped 12 cents on Monday as Zambezi Copper Ltd cut output."
    found = run(nlp_model, events, metal, orgs=orgs, minerals=(("Copper", "copper"),))
    assert "price" in [e["type"] for e in found]


def test_a_day_on_another_happenings_verb_does_not_date_the_event(
    nlp_model: Language, events: Component
) -> None:
    text = (
        "Shares in gold miner Andes Gold Corp surged 40 cents early on Friday following "
        "confirmation on Thursday from Pacific Metals Corp that it was considering "
        "acquiring the 45 percent of Andes it did not already own."
    )
    orgs = (
        ("Andes Gold Corp", "Andes Gold Corp", "company"),
        ("Pacific Metals Corp", "Pacific Metals Corp", "company"),
    )
    found = run(nlp_model, events, text, published="2024-06-08", orgs=orgs)
    assert [(e["type"], e["date"]) for e in found] == [("investment", "2024-06-06")]


@pytest.mark.parametrize(
    ("verb", "negated"),
    [
        ("criticised", "did not criticise"),
        ("welcomed", "has not yet welcomed"),
        ("condemned", "never condemned"),
        # the negation on the verb the statement's infinitive hangs from
        ("condemned", "did not want to condemn"),
        ("criticised", "refused to criticise"),
        ("welcomed", "wants to welcome"),
    ],
)
def test_a_negated_statement_verb_is_no_statement(
    nlp_model: Language, events: Component, verb: str, negated: str
) -> None:
    def statements(text: str) -> list[dict[str, Any]]:
        countries = (("Poland", "Poland"), ("Chile", "Chile"))
        found = run(nlp_model, events, text, countries=countries)
        return [e for e in found if e["type"] == "statement"]

    # a statement's verb is not hedged as a refusal ("rejected") or by a modal around it,
    # but a statement that was not made is none
    assert statements(f"Poland {verb} the tariffs Chile imposed on copper.")
    assert not statements(f"Poland {negated} the tariffs Chile imposed on copper.")
    assert statements("Poland rejected the tariffs Chile imposed on copper.")


def test_a_subhead_is_no_event_and_no_longer_runs_into_its_paragraph(
    nlp_paragraphs: Language,
) -> None:
    """A subhead repeats its paragraph in headline grammar, as the title repeats the lead;
    run into the paragraph (before paragraph breaks started sentences), the subhead's
    verb made the reported account of an attack pass for Zelenskyy's statement."""
    text = (
        "Russia hits Kyiv with ballistic missile, damages buildings and schools\n\n"
        "Russia used the Oreshnik ballistic missile during an attack on Kyiv on Sunday that "
        "killed at least two people, Ukrainian President Volodymyr Zelenskyy said Sunday.\n\n"
        "Pakistan's Sharif convenes national security committee\n\n"
        "Pakistan's prime minister convened a meeting of the National Security Committee on "
        "Wednesday, according to a government announcement."
    )
    found = run(
        nlp_paragraphs,
        Component(nlp_paragraphs, event_rules.DEFAULT_TRIGGERS, ner_fallback=False),
        text,
        published="2026-05-24",
        countries=(("Russia", "Russia"), ("Ukrainian", "Ukraine"), ("Pakistan", "Pakistan")),
        orgs=(("National Security Committee", "National Security Committee", "government"),),
        officials=(("Volodymyr Zelenskyy", ("Volodymyr Zelenskyy",), "Ukraine"),),
        offices={"Volodymyr Zelenskyy": ("President", None)},
    )
    assert [(e["type"], e["evidence"][:40]) for e in found] == [
        ("meeting", "Pakistan's prime minister convened a mee")
    ]
