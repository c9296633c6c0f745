"""newswatch_organizations on hand-written sentences with the real model."""

from __future__ import annotations

import pytest

from extractors.pipeline import make_doc
from extractors.records import ExtractInput

pytestmark = pytest.mark.integration


def orgs(nlp, text: str, title: str | None = None, dateline: str | None = None) -> dict:
    item = ExtractInput(id="t", text=text, title=title, dateline=dateline)
    doc = nlp(make_doc(nlp, item))
    return {o["name"]: o for o in doc._.nw_organizations}


def test_long_forum_name_comes_out_whole_with_its_acronym(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "The advocacy group the US–India Strategic Partnership Forum (USISPF) welcomed the "
        "talks. USISPF said cooperation on lithium would grow.",
    )
    forum = found["US-India Strategic Partnership Forum"]  # en-dash normalised
    assert forum["acronym"] == "USISPF"
    assert forum["kind"] == "forum"
    assert "USISPF" not in found  # the bare acronym is linked, not a second record
    assert len(forum["mentions"]) >= 2


def test_signing_agency_and_reporting_outlets_are_not_orgs(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "Washington, Jan 14 (IANS) The World Trade Organisation opened talks on Monday. "
        "A trader told Reuters that copper prices would rise.",
        dateline="Washington, Jan 14 (IANS)",
    )
    assert "IANS" not in found and "Reuters" not in found
    assert found["World Trade Organisation"]["kind"] == "intergovernmental"


def test_quoted_agency_is_kept_as_other(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "Indonesia will expand tin exports, the governor was quoted as saying by the "
        "official Antara news agency. Antara quoted him as saying prices would recover.",
    )
    assert found["Antara"]["kind"] == "other"


def test_portfolio_in_a_title_is_not_an_org_but_a_treasury_is(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "Japan was represented by Taro Yamada, Minister for Railways, Information and "
        "Broadcasting. The meeting was hosted by US Treasury Secretary Scott Bessent.",
    )
    assert not any("Railways" in name for name in found)
    assert found["US Treasury"]["kind"] == "government"


def test_generic_phrases_and_countries_are_out(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "The government said the Central Bank would cut rates, and Indian officials agreed "
        "with China on new quotas.",
    )
    assert {"Central Bank", "government", "China"}.isdisjoint(found)


def test_us_spelling_variants_merge_into_one_record(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "The U.S. Treasury sold bonds on Monday. Analysts said the US Treasury would sell "
        "more next week.",
    )
    treasuries = [name for name in found if "Treasury" in name]
    assert treasuries == ["U.S. Treasury"]


def test_company_suffix_gives_kind_and_short_form_links(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "Hecla Mining Co said it agreed to buy a stake in the mine. Hecla said production "
        "would start next year.",
    )
    assert found["Hecla Mining Co"]["kind"] == "company"
    assert "Hecla" not in found


def test_title_case_headline_is_not_read_as_an_org(nlp_full) -> None:
    found = orgs(
        nlp_full,
        "India and the United States have embarked on a plan to cooperate on minerals.",
        title="India and the United States Aim to Strengthen Trade Relations on Minerals",
    )
    assert not any("Strengthen" in name or "Aim" in name for name in found)
