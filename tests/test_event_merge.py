"""Events across articles: reports of one real-world event merge into one story event."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from extractors.records import Event, ExtractInput, Extraction, Mention, Official
from pipeline.core.models import ArticleText
from pipeline.read.queries import events as query_events
from storage import Store, open_database
from storage.event_merge import story_event, story_event_of

# Invented reports, written the way different outlets would word one meeting.
BESSENT_VAISHNAW = [
    (
        "alpha",
        "2026-01-13T08:00:00+00:00",
        "Scott Bessent met Ashwini Vaishnaw in Washington on Monday to discuss critical minerals.",
        "2026-01-12",
    ),
    (
        "beta",
        "2026-01-12T21:00:00+00:00",
        "US Treasury Secretary Scott Bessent held talks with Ashwini Vaishnaw on rare earths.",
        "2026-01-12",
    ),
    (
        "gamma",
        "2026-01-14T06:00:00+00:00",
        "Ashwini Vaishnaw and Scott Bessent met this week to discuss supply chains.",
        None,  # the resolver found no date: the article's day stands in
    ),
]


def store_report(
    store: Store,
    slug: str,
    published: str,
    sentence: str,
    date: str | None,
    people: tuple[str, ...] = ("Scott Bessent", "Ashwini Vaishnaw"),
    type_: str = "meeting",
) -> int:
    """Store one article whose single sentence reports an event between `people`."""
    doc = ExtractInput(id=slug, text=sentence, title=slug.title()).doc_text
    start = doc.index(sentence)
    officials = [
        Official(p, mentions=[Mention(p, doc.index(p), doc.index(p) + len(p), p)])
        for p in people
        if p in doc
    ]
    event = Event(
        type_, sentence, start, start + len(sentence), date=date, participants=list(people)
    )
    article_id = store.add_article(
        _article(slug, sentence, published),
        Extraction(slug, officials=officials, events=[event], extractor_version="t"),
        fetched_at=published,
    )
    assert article_id is not None
    return article_id


def _article(slug: str, text: str, published: str) -> ArticleText:
    return ArticleText(
        source=f"outlet-{slug}",
        url=f"https://{slug}.example/story",
        canonical_url=f"https://{slug}.example/story",
        title=slug.title(),
        authors=(),
        published=published,
        language="en",
        text=text,
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def event_of(store: Store, article_id: int) -> int:
    row = store.db.execute("SELECT id FROM events WHERE article_id = ?", [article_id]).fetchone()
    story = story_event_of(store.db, row[0])
    assert story is not None
    return story


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "nw.db") as s:
        yield s


def test_a_meeting_reported_by_three_articles_is_one_event_with_three_mentions(store):
    ids = [store_report(store, *report) for report in BESSENT_VAISHNAW]

    stories = {event_of(store, i) for i in ids}
    assert len(stories) == 1
    merged = story_event(store.db, stories.pop())
    assert merged is not None and merged.type == "meeting"
    assert len(merged.mentions) == 3
    # each report's own sentence supports it, earliest report first
    assert [m.evidence for m in merged.mentions] == [
        BESSENT_VAISHNAW[1][2],
        BESSENT_VAISHNAW[0][2],
        BESSENT_VAISHNAW[2][2],
    ]
    assert merged.first_reported == "2026-01-12T21:00:00+00:00"  # beta, not the first stored
    assert merged.date == "2026-01-12"


def test_other_participants_or_far_dates_or_other_types_stay_separate(store):
    first = store_report(store, *BESSENT_VAISHNAW[0])
    others = store_report(
        store, "delta", "2026-01-13T09:00:00+00:00",
        "Piyush Goyal met Penny Wong in Canberra on Monday.", "2026-01-12",
        people=("Piyush Goyal", "Penny Wong"),
    )  # fmt: skip
    later = store_report(
        store, "epsilon", "2026-03-01T09:00:00+00:00",
        "Scott Bessent met Ashwini Vaishnaw again in New Delhi.", "2026-03-01",
    )  # fmt: skip
    agreement = store_report(
        store, "zeta", "2026-01-13T10:00:00+00:00",
        "Scott Bessent and Ashwini Vaishnaw signed a pact on Monday.", "2026-01-12",
        type_="agreement",
    )  # fmt: skip

    stories = [event_of(store, i) for i in (first, others, later, agreement)]
    assert len(set(stories)) == 4


def test_one_shared_country_is_not_enough_overlap(store):
    store_report(
        store, "eta", "2026-01-13T08:00:00+00:00",
        "Scott Bessent met Ashwini Vaishnaw and India officials.", "2026-01-12",
        people=("Scott Bessent", "Ashwini Vaishnaw", "India"),
    )  # fmt: skip
    store_report(
        store, "theta", "2026-01-13T09:00:00+00:00",
        "Penny Wong met Piyush Goyal and India officials.", "2026-01-12",
        people=("Penny Wong", "Piyush Goyal", "India"),
    )  # fmt: skip

    assert store.db.execute("SELECT count(*) FROM story_events").fetchone()[0] == 2


def test_events_query_reports_how_many_articles_support_each_event(store, tmp_path):
    for report in BESSENT_VAISHNAW:
        store_report(store, *report)
    reader = open_database(tmp_path / "nw.db", readonly=True)
    try:
        rows = query_events(reader, type="meeting")
    finally:
        reader.close()
    assert len(rows) == 3  # three articles, not syndicated copies: each report is listed
    assert {r.reports for r in rows} == {3}
    assert len({r.story_event_id for r in rows}) == 1
