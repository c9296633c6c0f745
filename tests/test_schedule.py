"""The `newswatch schedule` daemon, run for real as a subprocess against local servers.

Short intervals (feeds' `interval_seconds`, [schedule] tick) make a few seconds
of daemon time cover many polls. Every request is recorded by the servers.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from storage import WriterLock, open_database
from tests.httpserver import LocalHTTPServer, RecordedRequest, Reply

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
EMPTY_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>e</title></channel></rss>'

pytestmark = pytest.mark.integration


def sample_feed(base_url: str) -> bytes:
    # Without its <ttl>: honoured, it would hold the next poll back for an hour.
    text = re.sub(r"<ttl>\d+</ttl>", "", (SAMPLES / "feed.xml").read_text())
    for name in ("seed-000.html", "seed-003.html"):
        text = text.replace(f"<link>{name}</link>", f"<link>{base_url}/pages/{name}</link>")
    return text.encode()


def write_config(tmp_path: Path, feeds: dict[str, str], **fetch: object) -> Path:
    lines = [
        f'[storage]\npath = "{tmp_path / "nw.db"}"',
        "[fetch]\nallow_private_networks = true\ntimeout = 5.0\nper_host_delay = 0.1",
        *(f"{k} = {json.dumps(v)}" for k, v in fetch.items()),
        '[schedule]\ntick = 0.5\ndigest_time = ""\nmaintenance_time = ""',
    ]
    for name, url in feeds.items():
        lines.append(f'[[feeds]]\nname = "{name}"\nurl = "{url}"\ninterval_seconds = 1')
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "--config", str(config), *args]


def daemon(config: Path, seconds: float, tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        cli(config, "-v", "schedule", "--for", str(seconds)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


class Timed:
    """A route handler that records when each request arrived and how many overlapped."""

    def __init__(self, answer, delay: float = 0.0) -> None:
        self.answer, self.delay = answer, delay
        self.times: list[float] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.times.append(time.time())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.delay)
            return self.answer(request, len(self.times))
        finally:
            with self._lock:
                self.in_flight -= 1


@pytest.fixture
def limited_server():
    with LocalHTTPServer() as server:  # another port: another host for the throttle
        yield server


def test_daemon_polls_politely_and_status_tells_the_truth(http_server, limited_server, tmp_path):
    http_server.serve_directory("/pages/", SAMPLES)
    http_server.route(
        "/feed.xml",
        body=sample_feed(http_server.base_url),
        content_type="application/rss+xml",
        etag='"feed-v1"',
    )
    broken = Timed(lambda r, n: Reply(500, {}, b"down"))
    http_server.route("/broken.xml", handler=broken)
    slow = Timed(lambda r, n: Reply(200, {"Content-Type": "application/rss+xml"}, EMPTY_FEED), 0.8)
    http_server.route("/slow.xml", handler=slow)

    def limited_answer(request: RecordedRequest, n: int) -> Reply:
        if n == 1:
            return Reply(429, {"Retry-After": "3"}, b"slow down")
        return Reply(200, {"Content-Type": "application/rss+xml", "ETag": '"l1"'}, EMPTY_FEED)

    limited = Timed(limited_answer)
    limited_server.route("/limited.xml", handler=limited)
    config = write_config(
        tmp_path,
        {
            "wire": http_server.url("/feed.xml"),
            "broken": http_server.url("/broken.xml"),
            "slow": http_server.url("/slow.xml"),
            "limited": limited_server.url("/limited.xml"),
        },
    )
    proc = daemon(config, 120, tmp_path)  # stopped below, once there is enough to judge

    def enough() -> bool:
        return (
            len(http_server.requests_to("/feed.xml")) >= 4
            and len(broken.times) >= 3
            and len(limited.times) >= 2
            and len(slow.times) >= 3
        )

    try:
        wait_for(enough, timeout=90)
        # A second writer is refused at once; a reader is not blocked.
        second = subprocess.run(
            cli(config, "run", "--once"), capture_output=True, text=True, cwd=tmp_path, timeout=60
        )
        assert second.returncode == 1, (second.stdout, proc.poll())
        assert "another newswatch writer" in second.stderr
        status = subprocess.run(
            cli(config, "status", "--format", "json"),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=60,
        )
        assert status.returncode == 0, status.stderr
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err

    # Unchanged feed: every poll after the first is conditional and answered 304.
    feed = http_server.requests_to("/feed.xml")
    assert len(feed) >= 4, err
    assert all(r.headers.get("if-none-match") == '"feed-v1"' for r in feed[1:])
    assert len(http_server.requests_to("/pages/seed-000.html")) == 1

    # Nothing was sent to the rate-limited host inside its 3 s Retry-After window.
    assert len(limited.times) >= 2
    assert limited.times[1] - limited.times[0] >= 3.0

    # The failing feed backs off: after n failures it waits at least 2^n intervals (1 s),
    # so it is asked less often than the healthy feed with the same interval.
    gaps = [b - a for a, b in zip(broken.times, broken.times[1:], strict=False)]
    assert all(gap >= 2 ** (n + 1) * 0.9 for n, gap in enumerate(gaps)), gaps
    assert len(broken.times) < len(feed)

    # One poll of a feed at a time, even when a poll takes longer than the tick.
    assert slow.max_in_flight == 1 and len(slow.times) >= 3

    report = {
        s["name"]: s
        for s in json.loads(
            subprocess.run(
                cli(config, "status", "--format", "json"),
                capture_output=True,
                text=True,
                cwd=tmp_path,
                timeout=60,
                check=True,
            ).stdout
        )["sources"]
    }
    wire = report["wire"]
    assert wire["state"] == "ok" and wire["articles"] == 2 and wire["extraction_rate"] == 1.0
    assert wire["polls"] == len(feed)
    assert wire["not_modified_share"] == pytest.approx((len(feed) - 1) / len(feed))
    db = open_database(tmp_path / "nw.db", readonly=True)
    published = [r["published"] for r in db.query("SELECT published FROM articles")]
    db.close()
    assert wire["undated_share"] == published.count(None) / 2
    assert report["broken"]["state"] == "failing" and report["broken"]["failure_kind"] == "soft"
    assert report["broken"]["consecutive_failures"] == len(broken.times)
    assert report["limited"]["state"] == "ok" and report["limited"]["last_error"]
    table = subprocess.run(
        cli(config, "status"), capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert "broken: last error" in table.stdout and "HTTP 500" in table.stdout


def test_sigterm_mid_batch_loses_nothing_and_releases_the_lock(http_server, tmp_path):
    page_times: list[float] = []
    for name in ("seed-000.html", "seed-003.html"):
        body = (SAMPLES / name).read_bytes()

        def answer(request: RecordedRequest, body: bytes = body) -> Reply:
            page_times.append(time.time())
            time.sleep(1.0)
            return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body)

        http_server.route(f"/pages/{name}", handler=answer)
    http_server.route(
        "/feed.xml",
        body=sample_feed(http_server.base_url),
        content_type="application/rss+xml",
        etag='"feed-v1"',
    )
    config = write_config(tmp_path, {"wire": http_server.url("/feed.xml")}, concurrency=1)
    proc = daemon(config, 60, tmp_path)
    try:
        wait_for(lambda: len(page_times) >= 1)
        proc.send_signal(signal.SIGTERM)  # while the first page is being served
        _out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "finishing the current batch" in err
    db = open_database(tmp_path / "nw.db", readonly=True)
    try:
        stored = [r["canonical_url"] for r in db.query("SELECT canonical_url FROM articles")]
        run = next(db.query("SELECT status, new_articles FROM runs"))
    finally:
        db.close()
    assert len(stored) == 2  # the feed's batch was finished and committed
    assert run == {"status": "ok", "new_articles": 2}
    with WriterLock(tmp_path / "nw.db"):
        pass  # released: a new writer gets it at once


def test_sigusr1_writes_every_thread_s_stack_and_the_daemon_goes_on(http_server, tmp_path):
    """What is a daemon that does not stop doing? `kill -USR1` shows it, and costs nothing."""
    served: list[float] = []
    body = (SAMPLES / "seed-000.html").read_bytes()

    def slow(request: RecordedRequest) -> Reply:
        served.append(time.time())
        time.sleep(3.0)  # the poll job is inside a fetch while the stacks are written
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"}, body)

    http_server.route("/pages/seed-000.html", handler=slow)
    http_server.route("/pages/seed-003.html", handler=slow)
    http_server.route(
        "/feed.xml", body=sample_feed(http_server.base_url), content_type="application/rss+xml"
    )
    config = write_config(tmp_path, {"wire": http_server.url("/feed.xml")}, concurrency=1)
    proc = daemon(config, 60, tmp_path)
    try:
        wait_for(lambda: len(served) >= 1, timeout=120)
        proc.send_signal(signal.SIGUSR1)
        time.sleep(1.0)
        assert proc.poll() is None  # still running
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Current thread" in err or "Thread 0x" in err, err[-2000:]
    assert "run_once" in err  # the poll job's frames, down to where it waits
