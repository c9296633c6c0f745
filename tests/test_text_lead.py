"""The lead: the standfirst trafilatura's precision mode drops, the headline area it keeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from pipeline.core.models import Page
from pipeline.text.extract import _bare_extraction, extract_article, trafilatura_tree
from pipeline.text.lead import restored_lead, without_leading_furniture

PAGES = Path(__file__).parent / "data" / "pages"
URL = "https://www.example-times.test/city/bridge-repairs"
STANDFIRST = (
    "The city will spend two million euros on the old bridge, "
    "the council decided after a long debate."
)


def fixture_page() -> Page:
    body = (PAGES / "standfirst_in_header.html").read_bytes()
    return Page(url=URL, final_url=URL, status=200, content_type="text/html", body=body)


def test_precision_mode_drops_the_standfirst_that_the_default_mode_keeps() -> None:
    # The premise of lead.py, on the fixture: <header> holds the standfirst.
    tree = trafilatura_tree(fixture_page().body.decode())
    precise = _bare_extraction(tree, URL, with_metadata=False, favor_precision=True)
    default = _bare_extraction(tree, URL, with_metadata=False, favor_precision=False)
    assert precise is not None and default is not None
    assert STANDFIRST not in (precise.text or "")
    assert STANDFIRST in (default.text or "")


def test_the_standfirst_is_put_back_without_headline_byline_or_date() -> None:
    art = extract_article(fixture_page())
    assert art.text.startswith(STANDFIRST + "\nThe council met on Monday")
    assert "Bridge repairs approved" not in art.text
    assert "By Jane Doe" not in art.text and "Updated 15.59" not in art.text
    assert art.title == "Bridge repairs approved"
    assert art.authors == ("Jane Doe",)


def body(*blocks: tuple[str, str]) -> etree._Element:
    root = etree.Element("body")
    for tag, text in blocks:
        etree.SubElement(root, tag).text = text
    return root


FIRST = ("p", "The council met on Monday to discuss the budget for the coming year.")
SECOND = ("p", "Members argued for hours about the cost of repairs to the old bridge.")


def test_only_prose_above_the_first_paragraph_is_restored() -> None:
    default = body(
        ("head", "Bridge repairs approved"),  # the headline
        ("head", "City news in brief"),  # a section heading, not a sentence
        ("list", "Home City Sport Weather and more links"),  # a list is never a lead
        ("p", "By Jane Doe"),  # too short, and a byline
        ("p", "Updated 12.05.2024 15:59, two hours ago by the city desk"),  # a date line
        ("p", STANDFIRST),
        FIRST,
        SECOND,
    )
    precise = body(FIRST, SECOND)
    titles = ["Bridge repairs approved", "Bridge repairs approved | Example Times"]
    assert restored_lead(precise, default, titles) == [STANDFIRST]


def test_nothing_is_restored_when_the_two_modes_do_not_line_up() -> None:
    default = body(("p", STANDFIRST), SECOND)  # the precision text's first block is missing
    assert restored_lead(body(FIRST, SECOND), default, []) == []
    assert restored_lead(body(FIRST), body(FIRST, SECOND), []) == []  # nothing above it
    assert restored_lead(body(), body(FIRST), []) == []


def test_a_kicker_glued_to_the_headline_is_not_a_standfirst() -> None:
    default = body(("p", "MIDDLE EAST CRISIS Bridge repairs approved after a long debate"), FIRST)
    assert (
        restored_lead(body(FIRST), default, ["Bridge repairs approved after a long debate"]) == []
    )


TITLES = ["Bridge repairs approved", "Bridge repairs approved | Example Times"]
BODY = "The council met on Monday to discuss the budget for the coming year.\nMore follows."


@pytest.mark.parametrize(
    ("text", "authors"),
    [
        (f"Bridge repairs approved\n{BODY}", ()),
        (f"CITY NEWS\nBridge repairs approved\n{BODY}", ()),  # a kicker line above it
        (f"Polisen ber om tips\nUppdaterad 15.59 | Publicerad 14.14\n{BODY}", ()),
        (f"5:45 AM PST 11/19/2019 by Jane Doe\n{BODY}", ("Jane Doe",)),
        (f"Jane Doe\nCórdoba\n{BODY}", ("Jane Doe",)),  # byline, then a place line
        (f"\n18.05.2026\n- → Focus\n{BODY}", ()),
        (f"Bridge repairs approved\nImage: Example Times / Jane Doe\n{BODY}", ()),
    ],
)
def test_headline_area_is_dropped_down_to_the_first_sentence(
    text: str, authors: tuple[str, ...]
) -> None:
    assert without_leading_furniture(text, TITLES, authors) == BODY


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "The meeting starts at 10:30.\nThe council will vote on the bridge.",  # a sentence
        "Bridge repairs approved by the council on Monday after members argued for hours "
        "about the cost of the old bridge and its future.\nMore.",  # mentions the headline
        "Das Wichtigste im Überblick\n- Kinder bei Angriffen getötet (11.39 Uhr)\n"
        "- Bridge repairs approved (08.05 Uhr)\nMore.",  # a summary box is content
        "Short line\nAnother short line\nThird",  # no title or byline: nothing to cut to
        "Bridge repairs approved",  # nothing would be left
    ],
)
def test_text_without_a_headline_area_is_left_alone(text: str) -> None:
    assert without_leading_furniture(text, TITLES, ("Jane Doe",)) == text


@pytest.mark.parametrize(
    "dateline", ["WASHINGTON —", "NEW DELHI, March 3 (Reuters) -", "Beijing (Xinhua)"]
)
def test_a_dateline_on_its_own_line_stays_with_the_body(dateline: str) -> None:
    text = f"Bridge repairs approved\n{dateline}\n{BODY}"
    assert without_leading_furniture(text, TITLES, ()) == f"{dateline}\n{BODY}"
