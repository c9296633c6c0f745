"""SOURCES: resolving feeds and polling http, file and folder sources into FeedPolls."""

from __future__ import annotations

import json
import os
import shutil
import ssl
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.sources import poll_source, read_local_page, resolve_source, resolve_sources
from pipeline.core.config import FeedConfig, FetchConfig
from pipeline.core.errors import BlockedURLError, ConfigError, FetchError
from pipeline.core.models import Source, Validators
from tests import httpserver

http_server = httpserver.http_server  # the fixture, until conftest re-exports it

FIXTURES = Path(__file__).parent / "data" / "feeds"


@pytest.fixture(scope="module")
def tls() -> ssl.SSLContext:
    return httpx.create_ssl_context()


@pytest.fixture
def fetcher(tls):
    config = FetchConfig(allow_private_networks=True, timeout=5.0)
    with httpx.Client(verify=tls) as client:
        yield Fetcher(config, client=client)


def http_source(server, path: str, name: str = "wire") -> Source:
    return Source(name=name, location=server.url(path), kind="http")


# -- resolve_source --------------------------------------------------------------


def test_resolve_http_feed_keeps_url_and_settings(tmp_path):
    feed = FeedConfig(name="wire", url="https://news.example.org/rss", tags=("a",), interval=15)
    assert resolve_source(feed, tmp_path) == Source(
        "wire", "https://news.example.org/rss", "http", ("a",), 15
    )


def test_resolve_relative_file_and_folder_against_base_dir(tmp_path):
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "local.xml").write_bytes(b"<rss/>")
    (tmp_path / "inbox").mkdir()
    file_source = resolve_source(FeedConfig("f", "feeds/local.xml"), tmp_path)
    folder_source = resolve_source(FeedConfig("d", "inbox"), tmp_path)
    assert file_source.kind == "file"
    assert file_source.location == str((tmp_path / "feeds" / "local.xml").resolve())
    assert folder_source.kind == "folder"
    assert folder_source.location == str((tmp_path / "inbox").resolve())


def test_resolve_file_url(tmp_path):
    path = tmp_path / "a b.xml"
    path.write_bytes(b"<rss/>")
    source = resolve_source(FeedConfig("f", path.as_uri()), Path("/elsewhere"))
    assert (source.kind, source.location) == ("file", str(path.resolve()))


def test_missing_local_path_names_the_feed(tmp_path):
    feeds = [FeedConfig("ok", "https://x.example/"), FeedConfig("gone", "nowhere/feed.xml")]
    with pytest.raises(ConfigError) as info:
        resolve_sources(feeds, tmp_path)
    message = str(info.value)
    assert "feeds[1]" in message and "gone" in message and "nowhere/feed.xml" in message


@pytest.mark.parametrize(
    "url", ["ftp://x.example/feed", "gopher://x/", "file://server/share/f.xml"]
)
def test_unusable_urls_are_config_errors(tmp_path, url):
    with pytest.raises(ConfigError) as info:
        resolve_source(FeedConfig("bad", url), tmp_path, index=0)
    assert "feeds[0]" in str(info.value)


# -- http sources ----------------------------------------------------------------------


def test_http_feed_items_are_absolute_and_normalised(http_server, fetcher):
    http_server.route(
        "/news/feed.xml",
        body=(FIXTURES / "rss_relative_links.xml").read_bytes(),
        content_type="application/rss+xml",
        etag='"r1"',
    )
    poll = poll_source(http_source(http_server, "/news/feed.xml"), fetcher, Validators())
    assert poll.status == "ok", poll.error
    assert poll.http_status == 200
    assert poll.validators == Validators(etag='"r1"')
    assert poll.ttl_minutes == 45
    # The entry without a link and the one pointing at a local file are dropped.
    assert [i.link for i in poll.items] == [
        http_server.url("/news/articles/lithium.html"),
        "https://other.example.net/cobalt?id=7",
    ]
    first, second = poll.items
    assert first.source == "wire"
    assert first.title == "Lithium output rises"
    assert first.published == "2025-01-01T08:30:00+00:00"  # +0200 converted to UTC
    assert first.authors == ("Ana Ruiz",)
    assert first.guid == "minerals-0001"
    assert first.summary is not None and "12%" in first.summary
    assert second.title == "Cobalt talks resume"
    assert second.published == "2025-01-03T04:15:00+00:00"  # -0500 crosses midnight


def test_http_feed_links_resolve_against_the_final_url(http_server, fetcher):
    http_server.redirect("/feed", "/moved/atom.xml", status=301)
    http_server.route(
        "/moved/atom.xml",
        body=(FIXTURES / "atom_authors.xml").read_bytes(),
        content_type="application/atom+xml",
    )
    poll = poll_source(http_source(http_server, "/feed"), fetcher, Validators())
    assert poll.status == "ok", poll.error
    rare, note = poll.items
    assert rare.link == http_server.url("/wire/rare-earths")
    assert rare.authors == ("Li Wei", "Sam Okoro")  # duplicates dropped, order kept
    assert rare.published == "2025-02-03T07:00:00+00:00"  # from <updated>, zone applied
    assert note.published is None
    assert note.guid == "tag:policy.example.com,2025:note"


def test_http_feed_second_poll_is_not_modified(http_server, fetcher):
    http_server.route(
        "/f.xml",
        body=(FIXTURES / "atom_authors.xml").read_bytes(),
        content_type="application/atom+xml",
        etag='"e-1"',
        last_modified="Mon, 03 Feb 2025 09:00:00 GMT",
    )
    source = http_source(http_server, "/f.xml")
    first = poll_source(source, fetcher, Validators())
    second = poll_source(source, fetcher, first.validators)
    assert second.status == "not_modified"
    assert second.items == ()
    assert second.validators == first.validators
    assert http_server.requests[1].headers["if-none-match"] == '"e-1"'


@pytest.mark.parametrize("status", [404, 500])
def test_http_error_status_is_recorded_not_raised(http_server, fetcher, status):
    http_server.route("/f.xml", status=status, body=b"oops", content_type="text/html")
    poll = poll_source(http_source(http_server, "/f.xml"), fetcher, Validators())
    assert poll.status == "error"
    assert poll.http_status == status
    assert poll.error is not None and (poll.error or "").startswith("http-status: ")
    assert http_server.url("/f.xml") in poll.error


def test_transport_and_blocked_errors_are_recorded(http_server, tls):
    with httpx.Client(verify=tls) as client:
        strict = Fetcher(FetchConfig(), client=client)
        blocked = poll_source(http_source(http_server, "/f.xml"), strict, Validators())
        lenient = Fetcher(FetchConfig(allow_private_networks=True), client=client)
        source = Source("dns", "http://nonexistent.invalid/feed", "http")
        unresolvable = poll_source(source, lenient, Validators())
    assert blocked.status == "error" and (blocked.error or "").startswith("blocked: ")
    assert unresolvable.status == "error" and (unresolvable.error or "").startswith("transport: ")


def test_html_page_is_not_a_feed(http_server, fetcher):
    http_server.route(
        "/home", body=(FIXTURES / "not_a_feed.html").read_bytes(), content_type="text/html"
    )
    poll = poll_source(http_source(http_server, "/home"), fetcher, Validators())
    assert poll.status == "error"
    assert poll.error is not None and (poll.error or "").startswith("not-a-feed: ")
    assert poll.items == ()


def test_malformed_feed_with_entries_keeps_them(http_server, fetcher):
    http_server.route(
        "/broken.xml",
        body=(FIXTURES / "malformed_entries.xml").read_bytes(),
        content_type="application/rss+xml",
    )
    poll = poll_source(http_source(http_server, "/broken.xml"), fetcher, Validators())
    assert poll.status == "ok"
    assert [i.link for i in poll.items] == [
        "https://broken.example.com/a",
        "https://broken.example.com/b",
    ]


def test_truncated_feed_without_entries_is_an_error(http_server, fetcher):
    http_server.route(
        "/cut.xml",
        body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>cut',
        content_type="application/rss+xml",
    )
    poll = poll_source(http_source(http_server, "/cut.xml"), fetcher, Validators())
    assert poll.status == "error"
    assert poll.error is not None and (poll.error or "").startswith("malformed-feed: ")


def test_empty_but_valid_feed_is_ok(http_server, fetcher):
    http_server.route(
        "/empty.xml",
        body=b'<rss version="2.0"><channel><title>quiet</title></channel></rss>',
        content_type="application/rss+xml",
    )
    poll = poll_source(http_source(http_server, "/empty.xml"), fetcher, Validators())
    assert (poll.status, poll.items) == ("ok", ())


# -- file sources -------------------------------------------------------------------------


def test_file_feed_links_become_file_urls_and_unchanged_file_is_not_modified(tmp_path, fetcher):
    feed_path = tmp_path / "local" / "feed.xml"
    feed_path.parent.mkdir()
    shutil.copy(FIXTURES / "rss_relative_links.xml", feed_path)
    source = resolve_source(FeedConfig("local", str(feed_path)), tmp_path)

    first = poll_source(source, fetcher, Validators())
    assert first.status == "ok", first.error
    assert first.items[0].link == (tmp_path / "local" / "articles" / "lithium.html").as_uri()
    assert first.items[1].link == "https://other.example.net/cobalt?id=7"
    assert first.validators.etag and first.validators.last_modified

    assert poll_source(source, fetcher, first.validators).status == "not_modified"
    # Touching the file without changing it is still "not modified": the hash decides.
    os.utime(feed_path, (1_000_000_000, 1_000_000_000))
    assert poll_source(source, fetcher, first.validators).status == "not_modified"

    feed_path.write_bytes(feed_path.read_bytes().replace(b"Lithium", b"Nickel"))
    changed = poll_source(source, fetcher, first.validators)
    assert changed.status == "ok"
    assert changed.items[0].title == "Nickel output rises"
    assert changed.validators.etag != first.validators.etag


def test_malformed_local_file_is_recorded_as_error(tmp_path, fetcher):
    path = tmp_path / "page.xml"
    shutil.copy(FIXTURES / "not_a_feed.html", path)
    poll = poll_source(Source("x", str(path), "file"), fetcher, Validators())
    assert poll.status == "error" and (poll.error or "").startswith("not-a-feed: ")


def test_deleted_file_source_is_recorded_as_error(tmp_path, fetcher):
    poll = poll_source(Source("x", str(tmp_path / "gone.xml"), "file"), fetcher, Validators())
    assert poll.status == "error" and (poll.error or "").startswith("io: ")


def test_oversized_local_feed_is_refused(tmp_path, tls):
    path = tmp_path / "big.xml"
    shutil.copy(FIXTURES / "rss_relative_links.xml", path)
    with httpx.Client(verify=tls) as client:
        small = Fetcher(FetchConfig(max_feed_bytes=100), client=client)
        poll = poll_source(Source("x", str(path), "file"), small, Validators())
    assert poll.status == "error" and (poll.error or "").startswith("too-large: ")


# -- folder sources -----------------------------------------------------------------------


def test_folder_items_are_sorted_files_and_unchanged_folder_is_not_modified(tmp_path, fetcher):
    for name in ("b.html", "a.txt", "c.HTM", "notes.md", ".hidden.html", "image.png"):
        (tmp_path / name).write_text(f"content of {name}")
    (tmp_path / "sub.html").mkdir()  # a directory with an article-like name is not an item
    source = resolve_source(FeedConfig("inbox", str(tmp_path)), Path("/"))

    first = poll_source(source, fetcher, Validators())
    assert first.status == "ok"
    assert [i.link for i in first.items] == [
        (tmp_path / n).as_uri() for n in ("a.txt", "b.html", "c.HTM")
    ]
    assert all(i.title is None and i.source == "inbox" for i in first.items)

    second = poll_source(source, fetcher, first.validators)
    assert second.status == "not_modified"

    (tmp_path / "d.htm").write_text("new")
    third = poll_source(source, fetcher, second.validators)
    assert third.status == "ok"
    assert third.items[-1].link == (tmp_path / "d.htm").as_uri()


def test_folder_edit_changes_the_listing(tmp_path, fetcher):
    article = tmp_path / "a.html"
    article.write_text("one")
    source = Source("inbox", str(tmp_path), "folder")
    first = poll_source(source, fetcher, Validators())
    article.write_text("one, longer now")
    assert poll_source(source, fetcher, first.validators).status == "ok"


# -- read_local_page ------------------------------------------------------------------------


def test_read_local_page_guesses_the_type(tmp_path):
    html = tmp_path / "story one.html"
    html.write_bytes(b"<p>hi</p>")
    text = tmp_path / "story.txt"
    text.write_bytes(b"plain")
    page = read_local_page(html.as_uri())
    assert (page.body, page.content_type, page.status) == (b"<p>hi</p>", "text/html", 200)
    assert page.url == page.final_url == html.as_uri()
    assert read_local_page(text.as_uri()).content_type == "text/plain"


def test_read_local_page_errors(tmp_path):
    with pytest.raises(FetchError) as info:
        read_local_page((tmp_path / "missing.html").as_uri())
    assert "missing.html" in str(info.value)
    with pytest.raises(BlockedURLError):
        read_local_page("https://example.com/a.html")
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 50)
    with pytest.raises(FetchError) as too_big:
        read_local_page(big.as_uri(), max_bytes=10)
    assert too_big.value.reason == "too-large"


# -- real feed snapshots from ../shared -------------------------------------------------------


def _snapshots(shared_dir: Path) -> tuple[Path, list[dict]]:
    root = shared_dir / "corpora" / "feeds" / "snapshots"
    inventory = root / "inventory.jsonl"
    if not inventory.is_file():
        pytest.skip(f"{inventory} not present")
    rows = [json.loads(line) for line in inventory.read_text().splitlines() if line.strip()]
    return root, rows


@pytest.mark.shared
def test_real_snapshots_served_over_http_match_the_inventory(shared_dir, http_server, fetcher):
    """Every snapshot whose entries all carry absolute links yields exactly those links."""
    root, rows = _snapshots(shared_dir)
    http_server.serve_directory("/snap/", root)
    checked = 0
    for row in rows:
        relative = row["path"].removeprefix("feeds/")
        links = row["item_links"]
        path = root / relative
        # feedparser needs ~1 s per MB; the small ones (over 100 feeds) keep this test quick.
        if not path.is_file() or not row["version"] or path.stat().st_size > 50_000:
            continue
        if len(links) != row["entries"] or not all(
            urlsplit(link).scheme in ("http", "https") for link in links
        ):
            continue
        url = http_server.url("/snap/" + relative)
        poll = poll_source(Source("snap", url, "http"), fetcher, Validators())
        if row["bozo"] and not row["entries"]:
            assert poll.status == "error", relative  # broken and empty: nothing to keep
            continue
        assert poll.status == "ok", (relative, poll.error)
        assert [i.link for i in poll.items] == [urljoin(url, link) for link in links], relative
        for item in poll.items:
            if item.published is not None:
                assert datetime.fromisoformat(item.published).utcoffset() == UTC.utcoffset(None)
        checked += 1
    assert checked >= 100, f"only {checked} snapshots were comparable"


@pytest.mark.shared
def test_a_few_real_snapshots_as_local_files(shared_dir, fetcher):
    root, rows = _snapshots(shared_dir)
    wanted = ("guardian.rss", "TechCrunch.xml", "atom_example_2.xml")
    picked = [r for r in rows if r["path"].endswith(wanted)]
    if not picked:
        pytest.skip("the expected snapshots are not in this copy of ../shared")
    for row in picked:
        path = root / row["path"].removeprefix("feeds/")
        poll = poll_source(Source("snap", str(path), "file"), fetcher, Validators())
        assert poll.status == "ok", (path, poll.error)
        assert len(poll.items) == row["entries"]
        assert all(i.title for i in poll.items), path
        assert poll_source(Source("snap", str(path), "file"), fetcher, poll.validators).status == (
            "not_modified"
        )
