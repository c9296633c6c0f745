"""Title by agreement between the page's candidates; authors cleaned with nameparser."""

from __future__ import annotations

import pytest

from pipeline.core.models import FeedItem
from pipeline.text.authors import choose_authors, clean_author, looks_like_person
from pipeline.text.metadata import PageMetadata
from pipeline.text.titles import choose_title

URL = "https://www.example-times.test/politics/story"
SITE = {"og:site_name": ["Example Times"]}


def meta(**fields: object) -> PageMetadata:
    page = PageMetadata()
    for name, value in fields.items():
        setattr(page, name, value)
    return page


# --- titles ----------------------------------------------------------------------


def test_site_suffix_goes_when_another_candidate_lacks_it() -> None:
    og_title = "Rates rise again - National | Example Times"
    page = meta(meta={"og:title": [og_title]}, h1=["Rates rise again"])
    # trafilatura returns og:title as it is; the <h1> shows what the label is.
    assert choose_title(page, og_title, URL, None) == "Rates rise again"


def test_site_prefix_and_suffix_both_go() -> None:
    page = meta(ld_headlines=["Rates rise again"], meta=SITE)
    title = "Example Times: Rates rise again | Example Times Online"
    assert choose_title(page, title, URL, None) == "Rates rise again"


def test_a_kicker_that_the_h1_leaves_out_stays() -> None:
    page = meta(h1=["Nairobi from below"], meta=SITE)
    assert choose_title(page, "Kenya: Nairobi from below", URL, None) == "Kenya: Nairobi from below"


def test_a_suffix_that_does_not_name_the_site_stays() -> None:
    page = meta(h1=["Forest fires: the latest"], meta=SITE)
    title = "Forest fires: the latest - Current news"
    assert choose_title(page, title, URL, None) == title


def test_trafilatura_wins_a_disagreement_in_wording() -> None:
    # The social-card title and the on-page headline were edited apart; three
    # candidates agree with each other, but they do not outvote trafilatura's choice.
    page = meta(
        meta={"og:title": ["Putin speaks of an attempt to break up Russia"]},
        ld_headlines=["Why Putin warns of a break-up"],
        h1=["Why Putin warns of a break-up"],
        title_tag="Why Putin warns of a break-up",
    )
    title = "Putin speaks of an attempt to break up Russia"
    assert choose_title(page, title, URL, None) == title


def test_the_label_is_cut_but_trafilaturas_characters_kept() -> None:
    page = meta(ld_headlines=["Roommate agrees to talk to Kohberger’s lawyers"])
    title = "Roommate agrees to talk to Kohberger's lawyers | Example Times | by Jane Doe"
    assert choose_title(page, title, URL, None) == "Roommate agrees to talk to Kohberger's lawyers"


def test_a_declared_site_name_goes_even_when_no_candidate_lacks_it() -> None:
    page = meta(meta=SITE, title_tag="Example Times: Cafe owners protest")
    assert choose_title(page, "Example Times: Cafe owners protest", URL, None) == (
        "Cafe owners protest"
    )


def test_an_h1_that_is_the_site_name_confirms_nothing() -> None:
    page = meta(h1=["Example Times"], meta=SITE)
    assert choose_title(page, "Rates rise | Daily", URL, None) == "Rates rise | Daily"


def test_without_trafilaturas_title_the_candidates_vote() -> None:
    page = meta(
        meta={"og:title": ["Rates rise again | Example Times"]},
        ld_headlines=["Rates rise again"],
        h1=["Example Times"],
        title_tag="Rates rise again - Example Times",
    )
    assert choose_title(page, None, URL, None) == "Rates rise again"
    # trafilatura's choice being the site's name counts as no choice.
    assert choose_title(page, "Example Times", URL, None) == "Rates rise again"


def test_the_feed_item_title_is_the_last_resort() -> None:
    item = FeedItem(source="s", link=URL, title="From the feed")
    assert choose_title(PageMetadata(), None, URL, item) == "From the feed"
    assert choose_title(PageMetadata(), None, URL, None) is None


def test_a_title_with_very_many_separators_is_kept_as_it_is() -> None:
    title = " - ".join(["word"] * 5000)
    assert choose_title(meta(h1=["word"]), title, URL, None) == title


# --- authors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Maria Di Stefano", ["Maria Di Stefano"]),  # "Di" here is a particle, not "by"
        ("Di Stefano", ["Di Stefano"]),
        ("Von Anna Müller", ["Anna Müller"]),
        ("Ursula Von Der Leyen", ["Ursula Von Der Leyen"]),
        ("Capital Von Jemima Kelly", ["Jemima Kelly"]),
        ("Senior Correspondent Jane Doe", ["Jane Doe"]),
        ("Jane Doe Senior Writer", ["Jane Doe"]),
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Jane Doe Staff Writer", []),  # any "staff" credit is the outlet's
        ("Phil Helsel is a reporter", ["Phil Helsel"]),
        ("AP National Security Writer", []),
        ("Reuters Staff", []),
        ("HNN Staff", []),
        ("Staff", []),
        ("Senior Editor", []),
        ("JANE E DOE AND JOHN SMITH", ["JANE E DOE", "JOHN SMITH"]),  # E is an initial
        ("Jane E Doe and John Smith", ["Jane E Doe", "John Smith"]),
        ("Posted by Jane Doe", ["Jane Doe"]),
        ("March 3, 2024", []),
    ],
)
def test_clean_author_with_nameparser(raw: str, expected: list[str]) -> None:
    assert clean_author(raw) == expected


def test_looks_like_person() -> None:
    assert looks_like_person("Jane Doe")
    assert looks_like_person("박준석")  # Korean names are written without a space
    assert not looks_like_person("Heryadi")  # a single name is kept, but as a last resort
    assert not looks_like_person("jane doe")
    assert not looks_like_person("Route 66 Diner")


def choose(page: PageMetadata, fallback: str | None = None) -> tuple[str, ...]:
    return choose_authors(page, fallback, None, URL)


def test_the_site_name_is_never_credited_next_to_a_person() -> None:
    page = meta(ld_authors=["Example Times", "Jane Doe"], meta=SITE)
    assert choose(page) == ("Jane Doe",)


def test_a_person_in_a_later_source_beats_the_site_name() -> None:
    page = meta(meta={**SITE, "author": ["Example Times"]}, byline=["By Jane Doe"])
    assert choose(page) == ("Jane Doe",)


def test_the_site_name_alone_in_an_author_tag_is_the_last_resort() -> None:
    page = meta(meta={**SITE, "author": ["Example Times"]})
    assert choose(page) == ("Example Times",)


def test_the_publisher_as_json_ld_organisation_author_is_the_last_resort() -> None:
    page = meta(ld_organisation_authors=["Example Times"], meta=SITE)
    assert choose(page) == ("Example Times",)
    assert choose(meta(ld_organisation_authors=["Example Times"], meta=SITE), "Jane Doe") == (
        "Jane Doe",
    )


def test_an_agency_is_preferred_to_the_site_name() -> None:
    page = meta(meta={**SITE, "author": ["Example Times"]}, itemprop_authors=["dpa"])
    assert choose(page) == ("dpa",)


def test_json_ld_people_come_before_json_ld_organisations() -> None:
    page = meta(ld_authors=["Jane Doe"], ld_organisation_authors=["dpa"], byline=["Max Muster"])
    assert choose(page) == ("Jane Doe", "dpa")


def test_dates_and_staff_credits_are_never_authors() -> None:
    page = meta(meta={"author": ["Updated 12 March 2024, 10:30"]}, byline=["Reuters Staff"])
    assert choose(page, "Staff Writer") == ()


def test_json_ld_organisation_authors_are_kept_apart_from_people() -> None:
    from lxml import html

    from pipeline.text.metadata import collect_metadata

    tree = html.document_fromstring(
        """<html><head><script type="application/ld+json">{"@type": "NewsArticle",
        "headline": "H", "author": [{"@type": "Person", "name": "Jane Doe"},
        {"@type": "Organization", "name": "dpa"}, "John Smith"]}</script></head>
        <body><p>x</p></body></html>"""
    )
    found = collect_metadata(tree)
    assert found.ld_authors == ["Jane Doe", "John Smith"]
    assert found.ld_organisation_authors == ["dpa"]
