"""Events (issue 17, item 4): statements are formal positions of officials and public
bodies, not of companies; what analysts and sources agree is no event; an event with no
time of its own in a dated story takes the story's date. Real model; sibling outputs
filled by hand."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractors import event_rules
from extractors.events import Component
from extractors.nlp import register_extensions
from tests.test_events import run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def events(nlp_model: Language) -> Component:
    register_extensions()
    return Component(nlp_model, event_rules.DEFAULT_TRIGGERS, ner_fallback=False)


def test_a_company_issues_no_formal_statement(nlp_model, events):
    text = "Airbus welcomed the decision on subsidies."
    company = run(nlp_model, events, text, orgs=(("Airbus", "Airbus", "company"),))
    assert [e["type"] for e in company] == []
    text = "The Commission welcomed the decision on subsidies."
    body = run(nlp_model, events, text, orgs=(("Commission", "Commission", "government"),))
    assert [e["type"] for e in body] == ["statement"]


def test_a_country_word_inside_a_company_subject_does_not_speak(nlp_model, events):
    text = "The US company said it would expand its air freight capacity."
    found = run(nlp_model, events, text, countries=(("US", "United States"),))
    assert [e for e in found if e["type"] == "statement"] == []
    text = "The US said it would expand its tariffs on steel."
    found = run(nlp_model, events, text, countries=(("US", "United States"),))
    assert "statement" in [e["type"] for e in found] or "trade_measure" in [
        e["type"] for e in found
    ]


def test_what_analysts_or_sources_agree_is_no_event(nlp_model, events):
    text = "Trading sources agreed it would be cheaper to ship the copper to China."
    found = run(nlp_model, events, text, countries=(("China", "China"),))
    assert [e for e in found if e["type"] == "agreement"] == []


def test_an_event_with_no_time_of_its_own_takes_the_story_date(nlp_model, events):
    text = "India said it would cut import duties on lithium."
    found = run(
        nlp_model,
        events,
        text,
        published="2025-03-18",
        countries=(("India", "India"),),
        minerals=(("lithium", "lithium"),),
    )
    assert found and all(e["date"] == "2025-03-18" for e in found)
    undated_story = run(
        nlp_model, events, text, countries=(("India", "India"),), minerals=(("lithium", "lithium"),)
    )
    assert undated_story and all(e["date"] is None for e in undated_story)
    month_only = "India said in June 2024 it would cut import duties on lithium."
    found = run(
        nlp_model,
        events,
        month_only,
        published="2025-03-18",
        countries=(("India", "India"),),
        minerals=(("lithium", "lithium"),),
    )
    assert found and all(e["date"] is None for e in found)


def test_a_stated_date_wins_over_the_story_date_when_reports_merge(nlp_model, events):
    text = (
        "The Commission opened an anti-dumping inquiry into Chinese steel. "
        "The Commission opened the anti-dumping inquiry into Chinese steel on Friday."
    )
    doc = nlp_model(text)
    doc._.nw_meta = {"id": "t", "published": "2025-03-18", "dateline": None, "body_offset": 0}
    starts = [i for i in range(len(text)) if text.startswith("Commission", i)]
    doc._.nw_organizations = [
        {
            "name": "Commission",
            "acronym": None,
            "kind": "government",
            "mentions": [
                {"canonical": "Commission", "start": i, "end": i + 10, "text": "Commission"}
                for i in starts
            ],
        }
    ]
    doc._.nw_countries, doc._.nw_minerals, doc._.nw_officials = [], [], []
    measures = [e for e in events(doc)._.nw_events if e["type"] == "trade_measure"]
    assert len(measures) == 1  # one inquiry, reported twice
    assert measures[0]["date"] == "2025-03-14"  # the Friday the text states


def test_a_data_release_is_no_statement(nlp_model, events):
    org = (("Federal Labour Office", "Federal Labour Office", "government"),)
    text = "Unemployment fell to 2.41 mln in March, the Federal Labour Office said."
    assert [e for e in run(nlp_model, events, text, orgs=org) if e["type"] == "statement"] == []
    text = "The Federal Labour Office said the government must cut payroll taxes."
    assert [e["type"] for e in run(nlp_model, events, text, orgs=org)] == ["statement"]


def test_a_data_release_under_a_wire_headline_is_no_statement(nlp_model, events):
    org = (("Statistics Norway", "Statistics Norway", "government"),)
    headline = "NORWAY MAY LEADING INDICATOR UP 0.4 PCT\n"
    lead = (
        "Norway's leading composite indicator\nclimbed 0.4 pct in May after gaining 0.4"
        " pct in the two\nprevious months, Statistics Norway said."
    )
    # the parser runs a wire headline in capitals into the lead: what the office said is
    # read from the lead's own verb, not from the headline's words
    found = run(nlp_model, events, headline + lead, orgs=org, body_offset=len(headline))
    assert [e for e in found if e["type"] == "statement"] == []


def test_a_figure_moved_by_any_verb_of_movement_is_a_data_release(nlp_model, events):
    org = (("Statistics Norway", "Statistics Norway", "government"),)
    for text in (
        "Norway's leading indicator advanced 0.4 pct, Statistics Norway said.",
        "The trade surplus rebounded to 2.1 billion crowns, Statistics Norway said.",
        "The jobless rate improved to 3.1 pct, Statistics Norway said.",
    ):
        found = run(nlp_model, events, text, orgs=org)
        assert [e for e in found if e["type"] == "statement"] == [], text


def test_a_private_persons_quote_is_no_event(nlp_model, events):
    text = '"We have signed a peace treaty with them," said the tourist, Khaled Hijazi.'
    found = run(nlp_model, events, text, countries=())
    assert [e for e in found if e["type"] == "agreement"] == []
    official = '"We have signed a peace treaty with them," said Jordan\'s foreign minister.'
    found = run(nlp_model, events, official, countries=(("Jordan", "Jordan"),))
    assert "agreement" in [e["type"] for e in found]


def test_a_country_describing_a_private_speaker_does_not_make_the_quote_public(nlp_model, events):
    # the speaker is named by "Jane Doe"; "a Danish bank" describes her, it does not speak
    quote = '"The two states have signed a trade agreement," said '
    text = quote + "Jane Doe, an analyst at a Danish bank."
    found = run(nlp_model, events, text, countries=(("Danish", "Denmark"),))
    assert [e for e in found if e["type"] == "agreement"] == []
    text = quote + "Denmark's trade minister."
    found = run(nlp_model, events, text, countries=(("Denmark", "Denmark"),))
    assert "agreement" in [e["type"] for e in found]


def test_a_meeting_needs_an_official_a_state_or_a_public_body(nlp_model, events):
    text = "Battle Mountain began talks with Niugini Mining on Thursday."
    companies = (
        ("Battle Mountain", "Battle Mountain Gold", "company"),
        ("Niugini Mining", "Niugini Mining Ltd", "company"),
    )
    assert [e for e in run(nlp_model, events, text, orgs=companies) if e["type"] == "meeting"] == []
    text = "India began talks with Australia on lithium on Thursday."
    states = (("India", "India"), ("Australia", "Australia"))
    assert "meeting" in [e["type"] for e in run(nlp_model, events, text, countries=states)]


def test_a_private_person_described_by_a_country_does_not_make_it_speak(nlp_model, events):
    text = "Nick Kaufman, a British lawyer, warned that the sanctions would fail."
    found = run(nlp_model, events, text, countries=(("British", "United Kingdom"),))
    assert [e for e in found if e["type"] == "statement"] == []


def test_dumping_goods_on_a_market_is_a_trade_measure_when_said_as_a_verb(nlp_model, events):
    # the noun was a trigger ("anti-dumping duties"); its verb reports the same measure
    text = (
        "The European Commission said it has opened an investigation into allegations that "
        "Chinese producers are dumping steel exports on the European market."
    )
    commission = (("European Commission", "European Commission", "government"),)
    found = run(nlp_model, events, text, orgs=commission, countries=(("Chinese", "China"),))
    assert [e["type"] for e in found] == ["trade_measure"]
    # without a trade word or a commodity, dumping is anything but trade
    text = "The European Commission said it was dumping the old logo."
    found = run(nlp_model, events, text, orgs=commission)
    assert "trade_measure" not in [e["type"] for e in found]


def test_a_trigger_word_that_only_describes_a_named_party_is_no_event(nlp_model, events):
    # "investment" says what kind of firm Saxo Bank is; "Treaty" is a word of NATO's name
    text = (
        "Oil output could double by 2030, said Ole Hansen, an analyst at Danish "
        "investment company Saxo Bank, on Monday."
    )
    saxo = (("Saxo Bank", "Saxo Bank", "company"),)
    found = run(nlp_model, events, text, orgs=saxo, countries=(("Danish", "Denmark"),))
    assert [e for e in found if e["type"] == "investment"] == []
    text = (
        "The North Atlantic Treaty Organisation's spokesman on Saturday declined all "
        "comment on reports of armed conflict in northern Iraq."
    )
    nato = (("North Atlantic Treaty Organisation", "NATO", "intergovernmental"),)
    found = run(nlp_model, events, text, orgs=nato, countries=(("Iraq", "Iraq"),))
    assert [e for e in found if e["type"] == "agreement"] == []


def test_a_trigger_that_heads_a_name_or_is_said_as_such_still_counts(nlp_model, events):
    text = (
        "Prime Minister Anthony Albanese will attend the Commonwealth Heads of Government "
        "Meeting in Samoa in October."
    )
    albanese = (("Anthony Albanese", ("Anthony Albanese",), "Australia"),)
    found = run(nlp_model, events, text, officials=albanese, countries=(("Samoa", "Samoa"),))
    assert "meeting" in [e["type"] for e in found]
    text = "Rio Tinto announced an investment of $2 billion in a lithium mine in Argentina."
    rio = (("Rio Tinto", "Rio Tinto", "company"),)
    found = run(nlp_model, events, text, orgs=rio, countries=(("Argentina", "Argentina"),))
    assert "investment" in [e["type"] for e in found]


# A stated plan of a public body, said on a day before the story's Tuesday.
CONTROLS = (
    "China's Ministry of Commerce said on Thursday it would impose export controls "
    "on gallium and germanium from August 1."
)
MINISTRY = (("Ministry of Commerce", "Ministry of Commerce", "government"),)
CHINA = (("China", "China"),)


def test_a_day_right_after_said_dates_the_saying_not_what_is_said(nlp_model, events):
    # the parser hangs "on Thursday" on "would impose"; the day is the saying's, before
    # the story's Tuesday, not the Thursday after it
    found = run(
        nlp_model, events, CONTROLS, published="2024-05-07", orgs=MINISTRY,
        countries=CHINA, minerals=(("gallium", "gallium"),),
    )  # fmt: skip
    assert found and {e["date"] for e in found} == {"2024-05-02"}


def test_would_reported_by_a_past_said_is_a_stated_plan_not_a_hedge(nlp_model, events):
    found = run(nlp_model, events, CONTROLS, orgs=MINISTRY, countries=CHINA)
    assert "trade_measure" in [e["type"] for e in found]
    # another modal is still a hedge, and so is "would" under a present "says" (a view)
    for text in (
        "China's Ministry of Commerce said it could impose tariffs on steel imports.",
        "China's Ministry of Commerce says it would impose tariffs on steel imports.",
    ):
        found = run(nlp_model, events, text, orgs=MINISTRY, countries=CHINA)
        assert "trade_measure" not in [e["type"] for e in found], text


def test_what_an_analyst_says_is_no_event_unless_it_dates_it(nlp_model, events):
    text = (
        "When tariffs are high enough, firms will pass the increase on to U.S. consumers, "
        "said Monica de Bolle, a senior fellow at the Peterson Institute."
    )
    opinion = run(nlp_model, events, text, countries=(("U.S.", "United States"),))
    assert [e for e in opinion if e["type"] == "trade_measure"] == []
    # a fact they mention in passing, with its own day, still happened
    text = (
        "The U.S. threat on Friday to impose tariffs on Chinese steel hit markets, analysts said."
    )
    fact = run(
        nlp_model,
        events,
        text,
        published="2019-05-13",
        countries=(("U.S.", "United States"), ("Chinese", "China")),
    )
    assert [e["type"] for e in fact] == ["trade_measure"]


def test_what_an_analyst_believes_or_expects_is_opinion_too(nlp_model, events):
    countries = (("Poland", "Poland"), ("Chilean", "Chile"))
    for text in (
        "Analysts believe Poland imposed tariffs on Chilean steel.",
        "Analysts see Poland imposing tariffs on Chilean steel.",
        "Poland imposed tariffs on Chilean steel, analysts believe.",
    ):
        assert run(nlp_model, events, text, countries=countries) == [], text
    # the same clause, said by the government that acts, is its news
    text = "Poland imposed tariffs on Chilean steel, the government said."
    assert [e["type"] for e in run(nlp_model, events, text, countries=countries)] == [
        "trade_measure"
    ]


def test_a_dated_account_of_what_happened_is_no_statement(nlp_model, events):
    ministry = (("Defence Ministry", "Defence Ministry", "government"),)
    text = "The Defence Ministry said its forces shot down 33 drones overnight into Sunday."
    account = run(nlp_model, events, text, published="2024-11-24", orgs=ministry)
    assert [e for e in account if e["type"] == "statement"] == []
    # a past tense with no time of its own is as often a reported position
    text = "The Defence Ministry said the government backed the new export rules."
    position = run(nlp_model, events, text, published="2024-11-24", orgs=ministry)
    assert [e["type"] for e in position] == ["statement"]


def test_a_period_that_describes_a_noun_leaves_the_story_date(nlp_model, events):
    text = "The Commission said it would seek full-year funding for lithium refining."
    found = run(
        nlp_model,
        events,
        text,
        published="2019-01-02",
        orgs=(("Commission", "Commission", "government"),),
        minerals=(("lithium", "lithium"),),
    )
    assert found and all(e["date"] == "2019-01-02" for e in found)


def test_a_sentence_whose_times_lie_years_back_is_history_not_news(nlp_model, events):
    venezuela = (("Venezuela", "Venezuela"),)
    text = "In the 1990s Venezuela signed an agreement with China on oil supplies."
    history = run(nlp_model, events, text, published="2024-05-07", countries=venezuela)
    assert history == []
    text = "In March Venezuela signed an agreement with China on oil supplies."
    news = run(nlp_model, events, text, published="2024-05-07", countries=venezuela)
    assert [e["type"] for e in news] == ["agreement"]
    # a story of its own time: the same years are news
    old_story = run(
        nlp_model,
        events,
        "In 1996 Venezuela signed an agreement with China on oil supplies.",
        published="1996-08-30",
        countries=venezuela,
    )
    assert [e["type"] for e in old_story] == ["agreement"]


def test_what_describes_a_speaker_or_their_reference_is_no_event_unless_dated(nlp_model, events):
    # who the speaker is: a clause or apposition about them frames the saying
    text = (
        "The industry is doing well, said Jane Roe, who heads the Steel Users Council, "
        "a group that has applauded Poland's tariff decisions."
    )
    found = run(
        nlp_model,
        events,
        text,
        countries=(("Poland", "Poland"),),
        orgs=(("Steel Users Council", "Steel Users Council", "other"),),
    )
    assert [e for e in found if e["type"] == "trade_measure"] == []
    # what they refer to, described by a clause, is background too
    text = (
        "It is a good model, said Jane Roe, referring to Poland's programme that funded "
        "the development of its lithium mines."
    )
    found = run(
        nlp_model,
        events,
        text,
        countries=(("Poland", "Poland"),),
        minerals=(("lithium", "lithium"),),
    )
    assert [e for e in found if e["type"] == "investment"] == []
    # a description that dates what it tells still reports a happening
    text = (
        "The official, a member of the Polish delegation to the trade talks earlier this "
        "year, said no new round was planned."
    )
    found = run(nlp_model, events, text, published="2019-05-13", countries=(("Polish", "Poland"),))
    assert [e["type"] for e in found] == ["meeting"]
