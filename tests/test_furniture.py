"""Outlet furniture: recurring lines of one site left out of the near-duplicate comparison."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.models import ArticleText
from storage import Store
from storage.stories.furniture import OutletFurniture, outlet_of
from storage.stories.neardup import similarity

# Invented texts (not from any outlet).
TEASERS = "\n".join(
    f"Teaser {n}: the outlet's own story about {topic} that it links from every page it prints"
    for n, topic in enumerate(("rail fares", "a film festival", "monsoon rains", "chess", "tax"))
)
STORIES = [
    "Zambia said on Monday it would license two new copper smelters near Kitwe, raising "
    "refining capacity as output from the Copperbelt mines recovers after a dry year.",
    "Indonesia will keep its ban on nickel ore exports in place and may extend it to "
    "bauxite, the energy minister told parliament, citing the growth of local plants.",
    "Chile's lithium producers asked the government for clearer rules on contracts with "
    "the state company, saying uncertainty was holding back new brine projects.",
    "Australia and Japan agreed to fund a rare earths processing plant in Western "
    "Australia, with offtake going to Japanese magnet makers over ten years.",
    "The Democratic Republic of Congo suspended cobalt exports for four months to lift "
    "prices, the regulator said, after a surge in supply pushed them to a nine-year low.",
]


def page(story: str, furniture: str = TEASERS) -> str:
    return f"{story}\n{story.replace(',', ';')} More detail follows in the report.\n{furniture}"


def test_lines_on_two_earlier_pages_of_the_outlet_are_left_out():
    furniture = OutletFurniture()
    for story in STORIES[:2]:
        furniture.observe("outlet.example", page(story))
    comparable = furniture.comparable_text("outlet.example", page(STORIES[2]))
    assert "Teaser" not in comparable
    assert STORIES[2] in comparable


def test_a_line_on_one_earlier_page_only_is_kept():
    # One earlier page sharing lines may be an earlier copy of the same story.
    furniture = OutletFurniture()
    furniture.observe("outlet.example", page(STORIES[0]))
    assert furniture.comparable_text("outlet.example", page(STORIES[1])) == page(STORIES[1])


def test_other_outlets_pages_do_not_count():
    furniture = OutletFurniture()
    for story in STORIES[:3]:
        furniture.observe("other.example", page(story))
    assert furniture.comparable_text("outlet.example", page(STORIES[3])) == page(STORIES[3])
    assert furniture.comparable_text("", page(STORIES[3])) == page(STORIES[3])


def test_furniture_older_than_the_window_is_forgotten():
    furniture = OutletFurniture(window=3, min_pages=2)
    furniture.observe("o", page(STORIES[0]))
    furniture.observe("o", page(STORIES[1]))
    assert "Teaser" not in furniture.comparable_text("o", page(STORIES[4]))
    for story in STORIES[2:4]:  # three pages without the teasers push both out
        furniture.observe("o", page(story, furniture=""))
    furniture.observe("o", page(STORIES[0], furniture=""))
    assert "Teaser" in furniture.comparable_text("o", page(STORIES[4]))


def test_a_page_that_would_be_left_with_almost_nothing_is_compared_whole():
    furniture = OutletFurniture()
    for story in STORIES[:2]:
        furniture.observe("o", page(story))
    only_furniture = TEASERS + "\nShort line."
    assert furniture.comparable_text("o", only_furniture) == only_furniture


@given(st.lists(st.text(max_size=200), max_size=8), st.text(max_size=300))
def test_comparable_text_is_made_of_the_pages_own_lines(history, text):
    furniture = OutletFurniture(window=4)
    for earlier in history:
        furniture.observe("o", earlier)
    comparable = furniture.comparable_text("o", text)
    assert set(comparable.splitlines()) <= set(text.splitlines())


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="min_pages"):
        OutletFurniture(window=1, min_pages=2)


@pytest.mark.parametrize(
    ("url", "source", "outlet"),
    [
        ("https://www.example.com/a/b", "feed", "example.com"),
        ("https://news.example.com/x", "feed", "news.example.com"),
        ("file:///srv/pages/a.html", "folder-feed", "folder-feed"),
    ],
)
def test_outlet_is_the_site_or_else_the_source(url, source, outlet):
    assert outlet_of(url, source) == outlet


def _article(host: str, slug: str, text: str) -> ArticleText:
    url = f"https://{host}/{slug}"
    return ArticleText(
        source=host,
        url=url,
        canonical_url=url,
        title=slug,
        authors=(),
        published="2026-03-03T09:00:00",
        language="en",
        text=text,
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def test_stored_stories_sharing_an_outlets_furniture_stay_apart(tmp_path):
    """Without the furniture model the two teaser-heavy pages below cluster (checked)."""
    db_path = tmp_path / "nw.db"
    with Store.open(db_path) as store:
        ids = []
        for n, story in enumerate(STORIES):
            article_id = store.add_article(
                _article("daily.example", f"s{n}", page(story)), None, "2026-03-03T12:00:00"
            )
            assert article_id is not None
            store.stories.assign(article_id)
            ids.append(article_id)
        copy = store.add_article(
            _article("herald.example", "copy", page(STORIES[4], furniture="Follow the Herald")),
            None,
            "2026-03-03T12:00:00",
        )
        assert copy is not None
        store.stories.assign(copy)
        # The outlet's first two pages are compared whole (nothing learned yet, and
        # they do pair through the teasers); from the third on, each story is apart.
        assert {store.stories.index.cluster_of(i).cluster_id for i in ids[2:]} == set(ids[2:])
        assert store.stories.index.cluster_of(copy).members == (ids[4], copy)
        rows = dict(store.db.execute("SELECT article_id, signature FROM article_signatures"))
    # The premise: whole texts of the last two stories look alike through the teasers.
    from storage.stories.neardup import signature

    assert similarity(signature(page(STORIES[3])), signature(page(STORIES[4]))) > 0.3
    assert similarity(rows[ids[3]], rows[ids[4]]) < 0.3
    # A rebuild from the database (a new writer) gives the same signatures.
    with Store.open(db_path) as store:
        assert store.stories.rebuild() == 4  # {1, 2}, {3}, {4}, {5, copy}
        again = dict(store.db.execute("SELECT article_id, signature FROM article_signatures"))
    assert again == rows
