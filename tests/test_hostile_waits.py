"""Waits a host asks for are read into a bounded range (issue 13, class 1).

A twelve-digit Retry-After on a feed raised an uncaught ValueError from
datetime.fromtimestamp (the feeds after it never polled, every run again); on an
article page it closed the host for decades, max_backoff not applied. Every number a
host sends about waiting (Retry-After seconds or date, Crawl-delay, max-age, <ttl>)
is now read into a bounded value, and no politeness delay per host outlasts
`[fetch] max_backoff`; a run never sleeps through a long one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.politeness import Politeness, max_age, parse_retry_after
from pipeline.acquire.sources import _ttl
from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.core.errors import DeferredError, HTTPStatusError
from pipeline.run import RunContext, run_once
from storage import open_database

NOW = datetime(2026, 1, 14, 4, 0, 0, tzinfo=UTC)
HUGE = "999999999999"  # twelve digits of seconds: 31,700 years
ENORMOUS = "9" * 5000  # past what int() converts from text
HTML = b"<html><body><article><p>An article about lithium.</p></article></body></html>"


def test_retry_after_of_any_size_is_a_bounded_date():
    day = 86400.0
    assert parse_retry_after(HUGE, NOW, day) == NOW + timedelta(days=1)
    assert parse_retry_after(ENORMOUS, NOW, day) == NOW + timedelta(days=1)
    assert parse_retry_after(HUGE, NOW) is not None  # no cap given: still a real date
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", NOW, day) == NOW + timedelta(days=1)
    assert parse_retry_after("Mon, 01 Jan 1900 00:00:00 GMT", NOW, day) == NOW  # past: now
    assert max_age(f"max-age={ENORMOUS}") is not None
    assert _ttl(ENORMOUS) == 525_600


def fetcher(**overrides: object) -> Fetcher:
    values: dict[str, object] = {"allow_private_networks": True, "timeout": 5.0}
    values.update(overrides)
    config = FetchConfig(**values)  # type: ignore[arg-type]
    return Fetcher(config, client=httpx.Client(), politeness=Politeness(config))


def test_a_page_cannot_close_its_host_for_longer_than_max_backoff(http_server):
    http_server.route("/robots.txt", status=404)
    http_server.route("/busy.html", status=429, headers={"Retry-After": HUGE})
    with fetcher(max_backoff=60.0) as f:  # minutes
        with pytest.raises(HTTPStatusError):
            f.fetch_page(http_server.url("/busy.html"))
        assert f.politeness is not None
        until = f.politeness.blocked_until(http_server.url("/busy.html"))
    assert until is not None
    assert until <= datetime.now(UTC) + timedelta(minutes=60, seconds=5)


def test_a_huge_crawl_delay_defers_pages_instead_of_sleeping(http_server):
    http_server.route("/robots.txt", body=f"User-agent: *\nCrawl-delay: {HUGE}\n".encode())
    http_server.route("/a.html", body=HTML, content_type="text/html")
    # robots.txt was the host's first request: the page waits its turn, 60 minutes
    # (max_backoff) rather than 31,700 years, and a run defers it instead of sleeping
    with (
        fetcher(max_retry_wait=1.0, per_host_delay=0.0, max_backoff=60.0) as f,
        pytest.raises(DeferredError, match="3600s between requests"),
    ):
        f.fetch_page(http_server.url("/a.html"))
    assert not http_server.requests_to("/a.html")


@pytest.mark.integration
def test_a_feed_with_a_huge_retry_after_does_not_stop_the_feeds_after_it(
    http_server, tmp_path: Path, nlp_full
):
    base = http_server.base_url
    other_host = base.replace("127.0.0.1", "localhost")  # its own politeness slot
    http_server.route("/robots.txt", status=404)
    http_server.route("/busy.xml", status=503, headers={"Retry-After": HUGE})
    http_server.route("/page.html", body=HTML, content_type="text/html")
    feed = (
        "<rss version='2.0'><channel><title>t</title>"
        f"<item><title>a</title><link>{other_host}/page.html</link></item></channel></rss>"
    )
    http_server.route("/good.xml", body=feed.encode(), content_type="application/rss+xml")
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(
            allow_private_networks=True, timeout=5.0, per_host_delay=0.0, max_backoff=120.0
        ),
        feeds=(
            FeedConfig(name="busy", url=f"{base}/busy.xml"),
            FeedConfig(name="good", url=f"{other_host}/good.xml"),
        ),
        base_dir=tmp_path,
    )
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert summary.sources_polled == 2 and summary.new_articles == 1
    db = open_database(config.db_path, readonly=True)
    busy = dict(next(db.query("select * from sources where name = 'busy'")))
    db.close()
    latest = datetime.now(UTC) + timedelta(minutes=120, seconds=5)
    assert datetime.fromisoformat(busy["next_poll_at"]) <= latest
    assert datetime.fromisoformat(busy["retry_after_until"]) <= latest
