"""Wire recognition: datelines, signatures, credit lines and bylines, not passing mentions."""

from __future__ import annotations

import pytest

from storage.stories.wires import WIRES, originating_wire, strip_wire_marks, wire_evidence

BODY = "The ministry announced an auction of 20 critical mineral blocks on Tuesday.\n\n"


@pytest.mark.parametrize(
    ("text", "wire"),
    [
        ("Washington, Jan 14 (IANS) US President said on Tuesday ...", "IANS"),
        ("NEW DELHI (PTI) The Union Cabinet on Wednesday approved ...", "PTI"),
        ("LONDON (Reuters) - Copper prices fell on Monday as ...", "Reuters"),
        ("LONDON, March 3 (Reuters) - Copper prices fell ...", "Reuters"),
        ("WASHINGTON (AP) — The Senate voted on Thursday ...", "AP"),
        ("(AP) — A wildfire forced evacuations ...", "AP"),
        ("Beijing, May 3 (Xinhua) -- China's exports rose ...", "Xinhua"),
        ("SEOUL, Jan 5 (Yonhap) -- North Korea fired ...", "Yonhap"),
        (BODY + "Officials said bids close next month.\n--IANS\nlkj/rs", "IANS"),
        (BODY + "Officials said bids close next month. -- IANS vm/arm", "IANS"),
        (BODY + "(With inputs from PTI)", "PTI"),
        (BODY + "Bids close next month. (With inputs from IANS)", "IANS"),
        (BODY + "© Agence France-Presse", "AFP"),
        (BODY + "Copyright 2024 The Associated Press. All rights reserved.", "AP"),
        ("Shr 10 cts vs 12 cts\nNet 1.2 mln vs 1.4 mln\nReuter", "Reuters"),
    ],
)
def test_recognises_wire_from_anchored_evidence(text, wire):
    assert originating_wire(text) == wire


@pytest.mark.parametrize(
    ("byline", "authors", "wire"),
    [
        ("By Reuters Staff", (), "Reuters"),
        (None, ("ANI |",), "ANI"),
        ("PTI | Updated: 14 Jan 2024", (), "PTI"),
        ("By Bloomberg News", (), "Bloomberg"),
    ],
)
def test_recognises_wire_from_byline(byline, authors, wire):
    assert originating_wire(BODY, byline=byline, authors=authors) == wire


@pytest.mark.parametrize(
    "text",
    [
        BODY + "Reuters reported that the auction had been delayed, citing two sources.",
        BODY + "According to Bloomberg, the company is weighing a sale. AP and AFP also ran it.",
        "The Associated Press style guide says datelines are capitalised.",
        "Xinhua, the state news agency, said talks would resume.",
        "He said the (ap) plan was off.",  # lowercase abbreviation, not the agency
    ],
)
def test_passing_mentions_are_not_evidence(text):
    assert originating_wire(text) is None


def test_human_author_is_not_a_wire():
    assert originating_wire(BODY, byline="By Anita Joshua", authors=("Apurva Reddy",)) is None


def test_byline_outranks_a_credit_line():
    text = BODY + "(With inputs from IANS)"
    assert [e.kind for e in wire_evidence(text, byline="By Reuters Staff")] == ["byline", "credit"]
    assert originating_wire(text, byline="By Reuters Staff") == "Reuters"


def test_dateline_outranks_a_credit_line_for_another_wire():
    text = "NEW DELHI (PTI) The government said ...\n\n(With additional inputs from ANI)"
    assert originating_wire(text) == "PTI"


def test_strip_wire_marks_removes_dateline_and_signature_keeps_body():
    text = "New Delhi, Jan 14 (IANS) " + BODY + "Bids close next month.\n--IANS\nlkj/rs"
    stripped = strip_wire_marks(text)
    assert stripped.startswith("The ministry announced")
    assert stripped.endswith("Bids close next month.")


def test_every_canonical_name_is_its_own_alias():
    for wire, aliases in WIRES.items():
        assert originating_wire(f"PARIS ({aliases[0]}) - Text follows.") == wire


def test_non_text_is_a_clear_error():
    with pytest.raises(TypeError, match="text must be a str"):
        originating_wire(None)  # type: ignore[arg-type]
