"""The TEXT stage: pages and plain-text files → ArticleText."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.errors import EmptyTextError, FetchError
from pipeline.core.models import FeedItem, Page
from pipeline.text.authors import clean_author
from pipeline.text.extract import article_from_text, extract_article, find_dateline
from pipeline.text.fields import normalize_date
from pipeline.text.sitenames import strip_site_name
from pipeline.text.urls import text_hash

PAGES = Path(__file__).parent / "data" / "pages"
STORY_URL = "https://www.example-times.test/business/lithium-miners?utm_source=rss#top"


def page(body: bytes, url: str = STORY_URL, content_type: str | None = "text/html") -> Page:
    return Page(url=url, final_url=url, status=200, content_type=content_type, body=body)


def fixture(name: str) -> bytes:
    return (PAGES / name).read_bytes()


FEED_ITEM = FeedItem(
    source="example",
    link=STORY_URL,
    title="Feed headline",
    published="2024-01-02T03:04:05+00:00",
    authors=("Feed Author",),
)


# --- pages with structured metadata ----------------------------------------------


def test_jsonld_page_gives_headline_authors_date_and_language() -> None:
    art = extract_article(page(fixture("jsonld_article.html")), FEED_ITEM, "example")
    # og:title and <title> carry " | Example Times" / " - Example Times"; JSON-LD does not.
    assert art.title == "Lithium miners brace for a slower year"
    # "By " stripped, the case-insensitive duplicate dropped, and the author of the
    # related story listed in the same JSON-LD graph not credited.
    assert art.authors == ("Jane Doe", "John Smith")
    assert art.published == "2024-03-03T09:15:00+01:00"  # datePublished, not dateModified
    assert art.language == "en"
    assert art.source == "example"


def test_body_is_the_article_without_navigation_or_headline() -> None:
    body = fixture("jsonld_article.html")
    art = extract_article(page(body))
    assert art.text.startswith("LONDON, March 3 (Reuters) - Lithium producers")
    assert "royalty rules" in art.text
    assert "Copyright" not in art.text and "Home" not in art.text
    assert art.text_hash == text_hash(art.text)
    assert art.html == body  # raw bytes kept for reprocessing


def test_dateline_is_found_and_text_left_alone() -> None:
    art = extract_article(page(fixture("jsonld_article.html")))
    assert art.dateline == "LONDON, March 3 (Reuters)"
    assert art.text.startswith("LONDON, March 3 (Reuters) -")


def test_canonical_url_from_relative_link_rel_is_absolute_and_clean() -> None:
    art = extract_article(page(fixture("jsonld_article.html")))
    assert art.url == STORY_URL
    assert art.canonical_url == "https://www.example-times.test/business/lithium-miners?page=1"


def test_canonical_pointing_to_another_site_is_ignored() -> None:
    url = "https://news.example-daily.test/cafes?utm_campaign=x"
    art = extract_article(page(fixture("meta_only_latin1.html"), url=url))
    assert art.canonical_url == "https://news.example-daily.test/cafes"


def test_meta_page_title_prefix_author_byline_and_charset() -> None:
    art = extract_article(page(fixture("meta_only_latin1.html")), FEED_ITEM)
    assert art.title == "Café owners protest new rules"  # "Example Daily: " removed
    assert art.authors == ("Marie Dupont", "Paul Martin")  # "By", "and", job title
    assert "cafés across the city" in art.text  # iso-8859-1 from the meta http-equiv


def test_feed_item_date_when_page_has_none() -> None:
    art = extract_article(page(fixture("meta_only_latin1.html")), FEED_ITEM)
    assert art.published == "2024-01-02T03:04:05+00:00"


def test_page_date_wins_over_feed_date() -> None:
    art = extract_article(page(fixture("jsonld_article.html")), FEED_ITEM)
    assert art.published == "2024-03-03T09:15:00+01:00"


def test_header_charset_wins_over_guessing() -> None:
    body = (
        "<html><body><article><p>"
        + "Ein Bericht über Größe und Maße der Straßen in München, sagte er. " * 5
        + "</p></article></body></html>"
    ).encode("cp1252")
    art = extract_article(page(body, content_type="text/html; charset=windows-1252"))
    assert "Größe und Maße der Straßen" in art.text


def test_utf8_page_mislabelled_as_latin1_is_read_as_utf8() -> None:
    body = (
        '<html><head><meta charset="iso-8859-1"></head><body><article><p>'
        + "Die Bürger in Zürich stimmten über die neue Straßenbahn ab, hieß es. " * 5
        + "</p></article></body></html>"
    ).encode("utf-8")
    art = extract_article(page(body))
    assert "Bürger in Zürich" in art.text
    assert "Ã" not in art.text


# --- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n\t ",
        b"\x00\x01\x02\x03<html>",
        b"%PDF-1.7\n\x00\x00\xff\xfe binary",
        b"<html><body><p>Too short.</p></body></html>",
        b"<<<>>><html<<body></",
        b"<html>" + b"<div>" * 3000,
    ],
    ids=["empty", "whitespace", "control-bytes", "pdf", "stub", "broken", "deep"],
)
def test_unusable_pages_raise_empty_text(body: bytes) -> None:
    with pytest.raises(EmptyTextError) as info:
        extract_article(page(body))
    assert info.value.reason == "empty-text"
    assert isinstance(info.value, FetchError)
    assert info.value.url == STORY_URL


def test_random_bytes_raise_empty_text() -> None:
    with pytest.raises(EmptyTextError):
        extract_article(page(os.urandom(20_000)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from([None, "text/html; charset=bogus", "text/html"]))
def test_any_bytes_give_text_or_empty_text_error(body: bytes, content_type: str | None) -> None:
    try:
        art = extract_article(page(body, content_type=content_type))
    except EmptyTextError:
        return
    assert art.text.strip()


def test_broken_html_still_yields_its_text() -> None:
    body = (
        b"<html><head><title>Broken page</title><body><div><p>"
        + b"Unclosed tags do not stop the reader from finding this paragraph of text. " * 4
        + b"<p><b>More text <i>here</b></div>"
    )
    art = extract_article(page(body))
    assert "Unclosed tags do not stop the reader" in art.text


# --- fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Markets fall again | Example Times", "Markets fall again"),
        ("Markets fall again - Example Times", "Markets fall again"),
        ("Markets fall again – EXAMPLE TIMES", "Markets fall again"),
        ("Example Times: Markets fall again", "Markets fall again"),
        ("Markets fall again | Business | Example Times", "Markets fall again | Business"),
        ("Markets fall again | example-times.test", "Markets fall again"),
        ("Strike: What it means for you", "Strike: What it means for you"),
        ("Rail - the last mile", "Rail - the last mile"),
    ],
)
def test_strip_site_name(title: str, expected: str) -> None:
    assert strip_site_name(title, ["Example Times", "example-times.test"]) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe", ["Jane Doe"]),
        ("Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
        ("Jane Doe, John Smith", ["Jane Doe", "John Smith"]),
        ("Von Anna Müller", ["Anna Müller"]),
        ("Jane Doe (jd)", ["Jane Doe"]),
        ("jane.doe@example.test", []),
        ("https://example.test/authors/jane-doe", []),
        ("jane-doe", []),
        ("Staff Reporter", []),
        ("Updated 12 March 2024, 10:30", []),
    ],
)
def test_clean_author(raw: str, expected: list[str]) -> None:
    assert clean_author(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-03T09:15:00Z", "2024-03-03T09:15:00+00:00"),
        ("2024-03-03T09:15:00.123+0100", "2024-03-03T09:15:00+01:00"),
        ("2024-03-03", "2024-03-03"),
        ("Sun, 03 Mar 2024 09:15:00 GMT", "2024-03-03T09:15:00+00:00"),
        ("03.03.2024", "2024-03-03"),
        ("1709457300", "2024-03-03T09:15:00+00:00"),
        ("yesterday", None),
        ("0001-01-01", None),
    ],
)
def test_normalize_date(raw: str, expected: str | None) -> None:
    assert normalize_date(raw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Washington, Jan 14 (IANS) Eminent American trade", "Washington, Jan 14 (IANS)"),
        ("NEW DELHI, March 3 (Reuters) - India said", "NEW DELHI, March 3 (Reuters)"),
        ("LONDON (Reuters) - Britain's economy", "LONDON (Reuters)"),
        ("NEW YORK, Jan. 5, 2024 (AP) — Stocks rose", "NEW YORK, Jan. 5, 2024 (AP)"),
        ("WASHINGTON — The president said", "WASHINGTON"),
        ("  Beijing (Xinhua) -- China said", "Beijing (Xinhua)"),
    ],
)
def test_find_dateline(text: str, expected: str) -> None:
    assert find_dateline(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Mr Smith (Reuters) said on Monday",
        "In a significant move, India and the US agreed",
        "The company (NYSE: ABC) reported",
        "",
    ],
)
def test_no_dateline(text: str) -> None:
    assert find_dateline(text) is None


# --- plain-text articles -----------------------------------------------------------


def test_text_article_title_repeated_as_first_paragraph_is_dropped() -> None:
    headline = "India and the US Aim to Strengthen Trade Relations"
    body = "In a significant move, the two countries agreed to cooperate.\n\nMore follows."
    art = article_from_text(
        f"{headline}\n\n{headline}\n\n{body}\n", "file:///tmp/a.txt#x", None, "f"
    )
    assert art.title == headline
    assert art.text == body
    assert art.canonical_url == "file:///tmp/a.txt"
    assert art.html is None
    assert art.language == "en" or art.language is None


def test_text_article_without_title_line_keeps_its_first_paragraph() -> None:
    text = "Washington, Jan 14 (IANS) The forum welcomed India's participation.\n\nSecond."
    item = FeedItem(
        source="f", link="file:///tmp/b.txt", title="From the feed", published="2026-01-14"
    )
    art = article_from_text(text, item.link, item, "f")
    assert art.title == "From the feed"
    assert art.text == text
    assert art.dateline == "Washington, Jan 14 (IANS)"
    assert art.published == "2026-01-14"


def test_empty_text_article_raises() -> None:
    with pytest.raises(EmptyTextError):
        article_from_text("Only a title\n\n", "file:///tmp/c.txt", None, "f")


@pytest.mark.shared
def test_seed_article_drops_duplicated_title(shared_dir: Path) -> None:
    seed = next((shared_dir / "seeds").glob("000_*.txt"))
    raw = seed.read_text(encoding="utf-8")
    first_line = raw.strip().splitlines()[0].strip()
    art = article_from_text(raw, seed.as_uri(), None, "seeds")
    assert art.title == first_line
    assert not art.text.startswith(first_line)
    assert art.text.startswith("In a significant move")


# --- quality gate against plain trafilatura ------------------------------------------


@pytest.mark.shared
def test_quality_not_below_trafilatura_and_floors(shared_dir: Path) -> None:
    """Every third page of both corpora (~120 pages, ~45 s on the 2-core machine).

    Titles have no floor here since issue 14: the old one was the in-sample fit of a
    rule that lost to trafilatura on unseen publishers. They are floored on the
    publisher-held-out split (tests/test_text_quality_split.py), with every field.
    """
    from benchmarks.text_quality import METRICS, compare, load_floors

    result = compare(shared_dir, every=3)
    ours, theirs, floors = result["newswatch"], result["trafilatura"], load_floors()
    assert set(floors) == set(METRICS) - {"fundus_title_exact"}
    for metric in METRICS:
        assert ours[metric] >= theirs[metric], (metric, ours[metric], theirs[metric])
        if metric in floors:
            assert ours[metric] >= floors[metric], (metric, ours[metric], floors[metric])


def test_the_text_stage_runs_one_page_at_a_time_across_threads(monkeypatch) -> None:
    """lxml and trafilatura called from several threads at once corrupt the heap now and
    then (a run died with "double free or corruption"; trafilatura issues #840, #925): a
    run fetches with several threads, so the text stage itself must take turns."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import trafilatura

    inside, most = 0, 0
    count = threading.Lock()
    real = trafilatura.bare_extraction

    def watched(*args, **kwargs):
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        try:
            time.sleep(0.05)  # widen the window in which another thread could come in
            return real(*args, **kwargs)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(trafilatura, "bare_extraction", watched)
    body = (Path(__file__).parents[1] / "samples/seeds/seed-000.html").read_bytes()
    page = Page("https://example.com/a", "https://example.com/a", 200, "text/html", body)
    with ThreadPoolExecutor(4) as pool:
        articles = list(pool.map(lambda _: extract_article(page, None, "s"), range(8)))
    assert most == 1
    assert len({a.text for a in articles}) == 1 and "lithium" in articles[0].text.lower()
