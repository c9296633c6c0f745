"""Politeness: per-host throttle, Retry-After windows, robots.txt, next-poll arithmetic."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.politeness import Politeness, max_age, next_poll_delay, parse_retry_after
from pipeline.core.config import FetchConfig
from pipeline.core.errors import DeferredError, HTTPStatusError, RobotsDisallowedError

NOW = datetime(2026, 1, 14, 4, 0, 0, tzinfo=UTC)
HTML = b"<html><body><p>An article.</p></body></html>"


def fetcher(**overrides: object) -> Fetcher:
    values: dict[str, object] = {"allow_private_networks": True, "timeout": 5.0}
    values.update(overrides)
    config = FetchConfig(**values)  # type: ignore[arg-type]
    return Fetcher(config, client=httpx.Client(), politeness=Politeness(config))


def arrivals(server, path: str) -> int:
    return len(server.requests_to(path))


def test_retry_after_parses_seconds_and_dates():
    assert parse_retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert parse_retry_after("Wed, 14 Jan 2026 05:00:00 GMT", NOW) == NOW + timedelta(hours=1)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_max_age_reads_the_directive_only():
    assert max_age("public, max-age=600") == 600
    assert max_age("s-maxage=60, no-cache") is None
    assert max_age(None) is None


def test_next_poll_honours_freshness_ttl_and_backs_off():
    assert next_poll_delay(600) == 600
    assert next_poll_delay(600, fresh_for=1800) == 1800  # max-age longer than the interval
    assert next_poll_delay(600, fresh_for=60) == 600  # never shorter than the interval
    assert next_poll_delay(600, ttl_minutes=60) == 3600
    assert [next_poll_delay(60, failures=n, cap=1000) for n in (1, 2, 3, 5)] == [
        120,
        240,
        480,
        1000,
    ]


def test_requests_to_one_host_are_spaced_and_user_agent_names_a_contact(http_server):
    http_server.route("/a.html", body=HTML, content_type="text/html")
    with fetcher(per_host_delay=0.4, contact_url="https://desk.example/contact") as f:
        started = time.monotonic()
        for _ in range(3):
            f.fetch_page(http_server.url("/a.html"))
        elapsed = time.monotonic() - started
    assert elapsed >= 0.8  # two pauses between three requests
    ua = http_server.requests_to("/a.html")[0].headers["user-agent"]
    assert ua.endswith("(+https://desk.example/contact)") and ua.startswith("newswatch/")


def test_retry_after_closes_the_host_and_nothing_is_sent_inside_the_window(http_server):
    http_server.route("/busy.html", status=429, headers={"Retry-After": "60"})
    http_server.route("/other.html", body=HTML, content_type="text/html")
    with fetcher(per_host_delay=0) as f:
        with pytest.raises(HTTPStatusError) as info:
            f.fetch_page(http_server.url("/busy.html"))
        assert info.value.status == 429 and info.value.retry_after == "60"
        with pytest.raises(DeferredError):
            f.fetch_page(http_server.url("/other.html"))
    assert arrivals(http_server, "/other.html") == 0


def test_a_short_retry_after_is_waited_out(http_server):
    http_server.route("/busy.html", status=503, headers={"Retry-After": "1"})
    http_server.route("/other.html", body=HTML, content_type="text/html")
    with fetcher(per_host_delay=0, max_retry_wait=5) as f:
        with pytest.raises(HTTPStatusError):
            f.fetch_page(http_server.url("/busy.html"))
        refused_at = time.monotonic()
        f.fetch_page(http_server.url("/other.html"))
        assert time.monotonic() - refused_at >= 0.9


def test_robots_txt_is_fetched_once_and_obeyed_for_pages(http_server):
    http_server.route("/robots.txt", body="User-agent: *\nDisallow: /private/\n")
    http_server.route("/private/a.html", body=HTML, content_type="text/html")
    http_server.route("/public/a.html", body=HTML, content_type="text/html")
    with fetcher(per_host_delay=0) as f:
        with pytest.raises(RobotsDisallowedError):
            f.fetch_page(http_server.url("/private/a.html"))
        f.fetch_page(http_server.url("/public/a.html"))
        f.fetch_page(http_server.url("/public/a.html"))
    assert arrivals(http_server, "/private/a.html") == 0
    assert arrivals(http_server, "/robots.txt") == 1


def test_missing_robots_txt_allows_and_an_erroring_one_defers(http_server):
    http_server.route("/a.html", body=HTML, content_type="text/html")
    with fetcher(per_host_delay=0) as f:
        f.fetch_page(http_server.url("/a.html"))  # /robots.txt is a 404: no rules
    http_server.route("/robots.txt", status=500)
    with fetcher(per_host_delay=0) as f, pytest.raises(RobotsDisallowedError):
        f.fetch_page(http_server.url("/a.html"))
    assert arrivals(http_server, "/a.html") == 1
