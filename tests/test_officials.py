"""newswatch_officials on hand-written sentences with the real model."""

from __future__ import annotations

import pytest

from extractors.nlp import make_doc
from extractors.records import ExtractInput

pytestmark = pytest.mark.integration


def officials(nlp, text: str) -> dict:
    doc = nlp(make_doc(nlp, ExtractInput(id="t", text=text)))
    return {o["name"]: o for o in doc._.nw_officials}


def test_pre_modifier_title_gives_role_without_the_country_word(nlp_full) -> None:
    found = officials(
        nlp_full, "The ministerial was hosted by US Treasury Secretary Scott Bessent."
    )
    assert found["Scott Bessent"]["role"] == "Treasury Secretary"
    assert found["Scott Bessent"]["country"] == "United States"


def test_apposition_keeps_the_whole_portfolio_list(nlp_full) -> None:
    found = officials(
        nlp_full,
        "India was represented at the meeting by Rakesh Sharma, Minister for Railways, "
        "Information and Broadcasting, and Electronics and Information Technology.",
    )
    official = found["Rakesh Sharma"]
    assert official["role"] == (
        "Minister for Railways, Information and Broadcasting, and Electronics and "
        "Information Technology"
    )
    assert official["country"] == "India"


def test_surname_mentions_fold_into_the_full_name(nlp_full) -> None:
    found = officials(
        nlp_full,
        "Japanese Prime Minister Yasuhiro Nakasone will visit Washington. Nakasone said "
        "he hoped to ease trade friction.",
    )
    assert list(found) == ["Yasuhiro Nakasone"]
    assert found["Yasuhiro Nakasone"]["role"] == "Prime Minister"
    assert found["Yasuhiro Nakasone"]["country"] == "Japan"
    assert len(found["Yasuhiro Nakasone"]["mentions"]) == 2


def test_honorific_dropped_and_igo_official_has_no_country(nlp_full) -> None:
    found = officials(
        nlp_full,
        "The warning came in a letter from Sir Roy Denman, head of the EC delegation in "
        "Washington, to the U.S. House of Representatives.",
    )
    assert found["Roy Denman"]["role"] == "head of the EC delegation in Washington"
    assert found["Roy Denman"]["country"] is None


@pytest.mark.parametrize(
    "text",
    [
        "Prices fell sharply, Commerzbank analyst Carsten Fritsch said on Tuesday.",
        "Louise Richardson, president of the Carnegie Corporation, said the risk was high.",
        "Bill Jordan, general secretary of the International Confederation of Free Trade "
        "Unions, said the union would protest.",
        "Thousands demanded that black nationalist leader Nelson Mandela be released.",
        "Miguel Alfaro, president of the agricultural league of the sugar cane industry, "
        "said exports would fall.",
        "The film was made by Irish director Neil Jordan in Dublin.",
    ],
)
def test_non_officials_are_left_out(nlp_full, text: str) -> None:
    assert officials(nlp_full, text) == {}


def test_rank_abbreviation_and_military_spokesperson(nlp_full) -> None:
    found = officials(
        nlp_full,
        "Military spokesperson Lt. Gen. Ahmed Sharif said Pakistani jets were on patrol. "
        "Col. Sofiya Qureshi, an Indian army officer, said the strikes were measured.",
    )
    assert found["Ahmed Sharif"]["role"] == "Military spokesperson"
    assert found["Sofiya Qureshi"]["role"] == "Colonel"
    assert found["Sofiya Qureshi"]["country"] == "India"


def test_weak_role_counts_for_a_government_body(nlp_full) -> None:
    found = officials(
        nlp_full,
        "The committee wrote to FBI Director Christopher Wray on Wednesday about the "
        "United States investigation.",
    )
    assert found["Christopher Wray"]["role"] == "FBI Director"
    assert found["Christopher Wray"]["country"] == "United States"


def test_country_word_inside_a_title_moves_to_country(nlp_full) -> None:
    found = officials(
        nlp_full, "Former Iranian president Abolhassan Banisadr said the report was false."
    )
    assert found["Abolhassan Banisadr"]["role"].lower() == "former president"
    assert found["Abolhassan Banisadr"]["country"] == "Iran"


def test_lowercase_portfolios_before_the_name(nlp_full) -> None:
    found = officials(
        nlp_full,
        "The talks were held between Malian natural resources minister Amadou Keita and "
        "Ghanaian minister of mines and energy Kofi Mensah.",
    )
    assert found["Amadou Keita"]["role"] == "natural resources minister"
    assert found["Amadou Keita"]["country"] == "Mali"
    assert found["Kofi Mensah"]["role"] == "minister of mines and energy"
    assert found["Kofi Mensah"]["country"] == "Ghana"


def test_portfolio_cue_words_do_not_make_a_minister_private(nlp_full) -> None:
    # "Resources" is a company cue and "Union" a trade-union cue; ministers stay public
    found = officials(
        nlp_full,
        "Canada's Resources Minister Jonathan Wilkinson met Union Minister of Mines "
        "G. Kishan Reddy in Delhi.",
    )
    assert found["Jonathan Wilkinson"]["role"] == "Resources Minister"
    assert found["Jonathan Wilkinson"]["country"] == "Canada"
    reddy = next(o for name, o in found.items() if name.endswith("Reddy"))
    assert reddy["role"] == "Union Minister of Mines"


def test_apposition_before_the_name_starts_at_its_determiner(nlp_full) -> None:
    found = officials(
        nlp_full,
        "Nyerere held talks with the U.S. special envoy to Burundi, Howard Wolpe, in Rome.",
    )
    assert found["Howard Wolpe"]["role"] == "special envoy to Burundi"
    assert found["Howard Wolpe"]["country"] == "United States"


def test_country_in_a_coordinated_object_is_not_the_speakers(nlp_full) -> None:
    found = officials(
        nlp_full,
        "Swedish officials met on Monday. Foreign Trade Minister Anna Lind said a trade ban "
        "on South Africa and neighbouring Namibia would start in May.",
    )
    assert found["Anna Lind"]["country"] == "Sweden"


def test_headline_words_before_of_are_no_title(nlp_full) -> None:
    doc = nlp_full(
        make_doc(
            nlp_full,
            ExtractInput(
                id="t",
                title="Protests Grow Over Dismissal of Defense Minister Petrenko",
                text="Ukraine's Defense Minister Ivan Petrenko was dismissed on Friday.",
            ),
        )
    )
    found = {o["name"]: o for o in doc._.nw_officials}
    assert found["Ivan Petrenko"]["role"] == "Defense Minister"


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        (
            "Australia's Treasurer Jim Chalmers said the government would set up a reserve.",
            "Jim Chalmers",
            "Treasurer",
        ),
        (
            "State Treasurer Fiona Ma said the pension fund would divest.",
            "Fiona Ma",
            "State Treasurer",
        ),
    ],
)
def test_offices_the_kb_holds_are_titles(nlp_full, text: str, name: str, role: str) -> None:
    # "Treasurer" is an office in the office-holder KB (Australia's finance minister, US
    # state treasurers) that no hand-listed title word named
    assert officials(nlp_full, text)[name]["role"] == role


def test_a_forums_staff_hold_no_public_office(nlp_full) -> None:
    # the spec leaves out company executives and forum staff
    found = officials(
        nlp_full,
        '"The overall impact is now over $4 billion per month in extra tariffs," said '
        "Daniel Anthony, vice president of the Trade Partnership.",
    )
    assert "Daniel Anthony" not in found
    found = officials(
        nlp_full,
        "Daniel Anthony, vice president of the European Commission, said the tariffs hurt.",
    )
    assert found["Daniel Anthony"]["role"] == "vice president of the European Commission"
