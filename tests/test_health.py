"""Feed health: grading, backoff, disabling after hard failures, re-enabling."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.acquire.health import assess, grade, transport_failure
from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.core.errors import DeferredError, HTTPStatusError, TransportError
from pipeline.core.models import FeedPoll
from pipeline.run import RunContext, run_once
from storage import Store, open_database
from storage.store import SourceState

NOW = datetime(2026, 1, 14, 4, 0, 0, tzinfo=UTC)
FEED = FeedConfig(name="wire", url="https://x.test/rss", interval=10)


def failed(status: int | None = None, error: str = "http-status: x") -> FeedPoll:
    return FeedPoll("wire", "error", http_status=status, error=error)


def transport(message: str, context: BaseException | None = None) -> TransportError:
    try:
        try:
            if context is not None:
                raise context
        finally:
            raise TransportError(message) from None
    except TransportError as exc:
        return exc


@pytest.mark.parametrize(
    ("status", "expected"),
    [(404, "hard"), (410, "hard"), (403, "hard"), (500, "soft"), (503, "soft"), (429, "soft")],
)
def test_http_statuses_are_graded(status, expected):
    error = HTTPStatusError("x", status=status)
    assert grade(failed(status), error) == expected


def test_transport_failures_are_graded_by_cause():
    dns = transport("x: ConnectError", socket.gaierror(-2, "Name or service not known"))
    assert transport_failure(dns) == "dns" and grade(failed(), dns) == "hard"
    tls = transport("x: ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert grade(failed(), tls) == "hard"
    timeout = transport("x: timed out after 5s")
    assert transport_failure(timeout) == "timeout" and grade(failed(), timeout) == "soft"
    refused = transport("x: ConnectError: [Errno 111] Connection refused")
    assert grade(failed(), refused) == "soft"


def test_parse_failures_and_deferrals():
    assert grade(failed(error="not-a-feed: x: no RSS")) == "hard"
    assert grade(failed(error="malformed-feed: x: bad")) == "soft"
    deferred = DeferredError("x", until=NOW)
    assert grade(failed(error="deferred: x"), deferred) == "deferred"
    assert grade(FeedPoll("wire", "not_modified")) == "ok"


def test_backoff_doubles_and_retry_after_is_a_floor():
    config = FetchConfig(max_backoff=60)
    first = assess(failed(500), SourceState("wire"), FEED, config, NOW)
    third = assess(failed(500), SourceState("wire", consecutive_failures=2), FEED, config, NOW)
    assert first.next_poll_at == NOW + timedelta(minutes=20)
    assert third.next_poll_at == NOW + timedelta(minutes=60)  # 80 capped at max_backoff
    limited = assess(failed(429), SourceState("wire"), FEED, config, NOW, retry_after="3000")
    assert limited.retry_after_until == NOW + timedelta(seconds=3000)
    assert limited.next_poll_at == NOW + timedelta(seconds=3000)


def test_n_hard_failures_in_a_row_disable():
    config = FetchConfig(max_hard_failures=3)
    error = HTTPStatusError("gone", status=410)
    almost = assess(
        failed(410), SourceState("wire", hard_failures=1), FEED, config, NOW, error=error
    )
    assert almost.disable_reason is None
    third = assess(
        failed(410), SourceState("wire", hard_failures=2), FEED, config, NOW, error=error
    )
    assert third.disable_reason and "3 hard failures" in third.disable_reason
    soft = assess(failed(503), SourceState("wire", hard_failures=2), FEED, config, NOW)
    assert soft.disable_reason is None


def test_a_dead_feed_is_disabled_skipped_and_enabled_again(http_server, tmp_path):
    http_server.route("/gone.xml", status=410, body=b"gone")
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, per_host_delay=0, max_hard_failures=2),
        feeds=(FeedConfig(name="gone", url=http_server.url("/gone.xml")),),
        base_dir=tmp_path,
    )
    for _ in range(3):
        run_once(config, RunContext())
    assert len(http_server.requests_to("/gone.xml")) == 2  # the third run skipped it
    db = open_database(config.db_path, readonly=True)
    row = next(db.query("SELECT * FROM sources"))
    db.close()
    assert row["disabled"] == 1 and row["hard_failures"] == 2
    assert "410" in row["disabled_reason"]

    with Store.open(config.db_path) as store:
        assert store.set_disabled("gone", False, None, "2026-01-14T04:00:00+00:00")
    run_once(config, RunContext())
    assert len(http_server.requests_to("/gone.xml")) == 3
