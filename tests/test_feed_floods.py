"""Duplicate and oversized feeds cost one fetch per page and a bounded error list
(issue 13, class 12).

2,000 items with one link caused 2,000 GETs of the same page (deduplication came
after fetching; about 33 minutes at the default per-host delay); a 100k-item feed of
broken links printed 100k error lines and added 19 MB to run_errors. Items are now
deduplicated by canonical link before fetching, and a source lists at most
MAX_LISTED_ERRORS errors per run, the rest counted on one line.
"""

from __future__ import annotations

from pathlib import Path

import spacy

from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.run import MAX_LISTED_ERRORS, RunContext, run_once
from storage import open_database

STORY = b"Copper prices rose on Monday in London as supply from Chile fell. " * 5


def rss(links: list[str]) -> bytes:
    items = "".join(f"<item><title>{n}</title><link>{u}</link></item>" for n, u in enumerate(links))
    return f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()


def run(http_server, tmp_path: Path, links: list[str]):  # type: ignore[no-untyped-def]
    http_server.route("/robots.txt", status=404)
    http_server.route("/feed.xml", body=rss(links), content_type="application/rss+xml")
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=5.0, per_host_delay=0.0),
        feeds=(FeedConfig(name="flood", url=http_server.url("/feed.xml")),),
        base_dir=tmp_path,
    )
    return config, run_once(config, RunContext(nlp=spacy.blank("en")))


def test_one_page_listed_2000_times_is_fetched_once(http_server, tmp_path):
    http_server.route("/story.txt", body=STORY, content_type="text/plain")
    page = http_server.url("/story.txt")
    # the same page under the spellings canonicalisation folds together
    spellings = [page, f"{page}?utm_source=rss", f"{page}#top", f"{page}?fbclid=1&utm_medium=x"]
    summary = run(http_server, tmp_path, [spellings[n % 4] for n in range(2000)])[1]

    assert len(http_server.requests_to("/story.txt")) == 1
    assert (summary.new_articles, summary.unchanged, summary.errors) == (1, 1999, [])


def test_a_feed_of_broken_links_lists_a_bounded_number_of_errors(http_server, tmp_path):
    links = [http_server.url(f"/gone/{n}.txt") for n in range(300)]  # every one a 404
    config, summary = run(http_server, tmp_path, links)

    assert len(summary.errors) == MAX_LISTED_ERRORS + 1
    assert summary.errors[-1] == (
        f"flood: more-errors: {300 - MAX_LISTED_ERRORS} more errors not listed "
        f"(http-status {300 - MAX_LISTED_ERRORS})"
    )
    db = open_database(config.db_path, readonly=True)
    reasons = [r["reason"] for r in db.query("select reason from run_errors order by id")]
    db.close()
    assert reasons == ["http-status"] * MAX_LISTED_ERRORS + ["more-errors"]
