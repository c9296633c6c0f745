"""Readers while the scheduler writes: no "database is locked" ever reaches a user.

The real `newswatch schedule` daemon runs as a subprocess with sub-second
intervals against a feed on 127.0.0.1 that grows by a few items on every poll,
so the single writer keeps storing articles, mentions, events and runs rows.
For a fixed window (NEWSWATCH_CONTENTION_SECONDS, default 35 s) everything that
reads hammers the same database at once:

- `newswatch search/events/export/status` as CLI subprocesses, each in a loop;
- threads in this process: `open_database(readonly=True)`, FTS5 queries and the
  library's `search` and `events`;
- `newswatch serve` (Datasette) answering article searches and event pages.

What keeps them apart, and what this checks end to end: WAL (readers never
wait for the writer), the busy timeout (a reader that meets a checkpoint or the
WAL reset waits instead of failing) and the WriterLock (a second writer fails at
once with a clear message instead of racing the daemon).
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.queries import events
from pipeline.search import search
from storage import open_database
from tests.httpserver import LocalHTTPServer, RecordedRequest, Reply

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
WINDOW = float(os.environ.get("NEWSWATCH_CONTENTION_SECONDS", "35"))
LOCK_WORDS = ("database is locked", "database is busy")
ITEMS_PER_POLL = 2  # new feed items per feed request: a few articles per run
MAX_ITEMS = 500  # the feed stops growing here (far more than a window stores)
REAL_PAGES = 24  # at most this many pages from ../shared, then sample variants
STEP_TIMEOUT = 180.0  # one subprocess or HTTP call, on a loaded 2-core machine

pytestmark = pytest.mark.integration


# --- the changing site --------------------------------------------------------------------


def base_pages(shared: Path) -> list[bytes]:
    """The two samples (they mention lithium), then real pages from ../shared when present."""
    pages = [(SAMPLES / n).read_bytes() for n in ("seed-000.html", "seed-003.html")]
    aeb = shared / "corpora" / "article_pages" / "aeb"
    if (aeb / "gold.jsonl").is_file():
        with (aeb / "gold.jsonl").open(encoding="utf-8") as lines:
            for line in lines:
                if len(pages) >= REAL_PAGES:
                    break
                record = json.loads(line)
                if len(record.get("body") or "") > 800:  # enough text to be an article
                    pages.append(gzip.decompress((aeb / record["html_path"]).read_bytes()))
    return pages


def variant(n: int, samples: list[bytes]) -> bytes:
    """A sample page with a paragraph of its own, so its text (and hash) is new."""
    extra = (
        f"<p>Update {n}: officials in Canberra said on Tuesday that talks on lithium "
        f"and cobalt supply would resume in round {n}.</p>"
    )
    return samples[n % 2].replace(b"</article>", extra.encode() + b"</article>", 1)


class GrowingFeed:
    """/feed.xml: every request lists ITEMS_PER_POLL more items than the one before.

    The pages of the new items are registered as the feed announces them, and the
    feed carries no validators, so every poll is a full one with new work in it.
    """

    def __init__(self, server: LocalHTTPServer, pages: list[bytes]) -> None:
        self.server, self.pages = server, pages
        self.samples = pages[:2]
        self.listed = 0
        self._lock = threading.Lock()

    def page(self, i: int) -> bytes:
        return self.pages[i] if i < len(self.pages) else variant(i, self.samples)

    def __call__(self, request: RecordedRequest) -> Reply:
        with self._lock:
            first, self.listed = self.listed, min(self.listed + ITEMS_PER_POLL, MAX_ITEMS)
            for i in range(first, self.listed):
                self.server.route(
                    f"/a/{i}.html", body=self.page(i), content_type="text/html; charset=utf-8"
                )
            listed = self.listed
        items = "".join(
            f"<item><title>Story {i}</title><link>{self.server.url(f'/a/{i}.html')}</link>"
            f"<guid>story-{i}</guid></item>"
            for i in range(listed)
        )
        body = f'<rss version="2.0"><channel><title>growing</title>{items}</channel></rss>'
        return Reply(200, {"Content-Type": "application/rss+xml"}, body.encode())


# --- what every reader reports -------------------------------------------------------------


@dataclass
class Tally:
    """Calls per reader, and every failure with what the user would have seen."""

    calls: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    articles_seen: set[int] = field(default_factory=set)  # article counts readers saw
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, reader: str, problem: str | None) -> None:
        with self._lock:
            self.calls[reader] += 1
            if problem is not None:
                self.failures.append(f"{reader}: {problem[-2000:]}")


def lock_words_in(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in LOCK_WORDS)


def cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "--config", str(config), *args]


def parse_json(stdout: str) -> Any:
    return json.loads(stdout)


def parse_jsonl(stdout: str) -> Any:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# (reader name, CLI arguments, parser that must accept the whole stdout)
CLI_READERS: list[tuple[str, tuple[str, ...], Callable[[str], Any]]] = [
    ("search", ("search", "lithium", "--format", "json"), parse_json),
    ("events", ("events", "--format", "json"), parse_json),
    ("export", ("export", "--what", "mentions", "--format", "jsonl"), parse_jsonl),
    ("status", ("status", "--format", "json"), parse_json),
]


def cli_reader(
    name: str,
    args: tuple[str, ...],
    parse: Callable[[str], Any],
    config: Path,
    until: float,
    tally: Tally,
) -> None:
    while time.monotonic() < until:
        proc = subprocess.run(
            cli(config, *args),
            capture_output=True,
            text=True,
            cwd=config.parent,
            timeout=STEP_TIMEOUT,
        )
        problem = None
        if proc.returncode != 0 or lock_words_in(proc.stdout + proc.stderr):
            problem = f"exit {proc.returncode}: {proc.stderr}"
        else:
            try:
                parse(proc.stdout)  # all of it: a reader cut short is a failure too
            except ValueError as exc:
                problem = f"unreadable output ({exc}): {proc.stdout[-500:]}"
        tally.record(name, problem)


def library_reader(db_path: Path, until: float, tally: Tally) -> None:
    """What a notebook does: open read-only, search, list events, count, close; repeat."""
    while time.monotonic() < until:
        problem = None
        try:
            db = open_database(db_path, readonly=True)
            try:
                hits = search(db, "lithium", limit=5)
                matched = db.execute(
                    "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'lithium'"
                ).fetchone()[0]
                events(db, limit=20)
                db.execute("SELECT count(*) FROM mentions").fetchone()
                tally.articles_seen.add(db.execute("SELECT count(*) FROM articles").fetchone()[0])
                if not hits or matched < len(hits):
                    problem = f"{len(hits)} hits, {matched} FTS matches"
            finally:
                db.close()
        except Exception as exc:  # anything at all is what the user would see
            problem = repr(exc)
        tally.record("library", problem)
        time.sleep(0.05)  # leave the 2 cores to the writer and the other readers too


def web_reader(base: str, until: float, tally: Tally) -> None:
    paths = (
        "/newswatch/articles?_search=lithium",
        "/newswatch/event_list",
        "/newswatch/events.json?_shape=array",
    )
    with httpx.Client(base_url=base, timeout=STEP_TIMEOUT) as client:
        while time.monotonic() < until:
            for path in paths:
                problem = None
                try:
                    reply = client.get(path)
                    if reply.status_code != 200 or lock_words_in(reply.text):
                        problem = f"{path}: HTTP {reply.status_code}: {reply.text[:500]}"
                except httpx.HTTPError as exc:
                    problem = f"{path}: {exc!r}"
                tally.record("datasette", problem)


# --- the processes -------------------------------------------------------------------------


def write_config(tmp_path: Path, feed_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{tmp_path / "nw.db"}"\n\n'
        "[fetch]\nallow_private_networks = true\ntimeout = 30.0\nper_host_delay = 0.0\n\n"
        "[nlp]\nbatch_size = 2\n\n"  # small batches: articles are committed as they go
        '[schedule]\ntick = 0.5\ndigest_time = ""\nmaintenance_time = ""\n\n'
        f'[[feeds]]\nname = "growing"\nurl = "{feed_url}"\ninterval_seconds = 1\n'
    )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Logged:
    """A child process whose output goes to a file (a pipe nobody reads would stall it)."""

    proc: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = STEP_TIMEOUT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


def start(args: list[str], log: Path, cwd: Path) -> Logged:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    return Logged(proc, log)


def wait_for(condition: Callable[[], bool], what: str, child: Logged, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if child.proc.poll() is not None:
            pytest.fail(f"{what}: process exited {child.proc.returncode}:\n{child.text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s:\n{child.text()[-3000:]}")
        time.sleep(0.2)


def counts(db_path: Path) -> dict[str, int]:
    if not db_path.is_file():
        return {}
    db = open_database(db_path, readonly=True)
    try:
        return {
            table: int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("articles", "mentions", "events", "runs")
        }
    finally:
        db.close()


def stored_any(db_path: Path) -> bool:
    try:
        return counts(db_path).get("articles", 0) > 0
    except Exception:  # schema still being created by the daemon's first open
        return False


def web_ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/newswatch.json", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def site() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as server:
        server.route("/feed.xml", handler=GrowingFeed(server, base_pages(REPO.parent / "shared")))
        yield server


@pytest.fixture
def children() -> Iterator[list[Logged]]:
    """Every child process the test starts; whatever is still running is stopped."""
    started: list[Logged] = []
    yield started
    for child in started:
        if child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait()


# --- the test -------------------------------------------------------------------------------


def test_readers_never_see_a_locked_database_while_the_scheduler_writes(
    site: LocalHTTPServer, children: list[Logged], tmp_path: Path
) -> None:
    config = write_config(tmp_path, site.url("/feed.xml"))
    db_path = tmp_path / "nw.db"
    # --for is only the safety net: the test stops the daemon with SIGTERM below.
    daemon = start(cli(config, "-v", "schedule", "--for", "600"), tmp_path / "daemon.log", tmp_path)
    children.append(daemon)
    wait_for(lambda: stored_any(db_path), "first stored article", daemon, timeout=240)

    port = free_port()
    web = start(cli(config, "serve", "--port", str(port)), tmp_path / "serve.log", tmp_path)
    children.append(web)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: web_ready(base), "Datasette answering", web, timeout=120)

    tally = Tally()
    before = counts(db_path)
    began = time.monotonic()
    until = began + WINDOW
    readers = [
        threading.Thread(target=cli_reader, args=(name, args, parse, config, until, tally))
        for name, args, parse in CLI_READERS
    ]
    readers += [
        threading.Thread(target=library_reader, args=(db_path, until, tally)) for _ in range(2)
    ]
    readers.append(threading.Thread(target=web_reader, args=(base, until, tally)))
    for reader in readers:
        reader.start()

    # A second writer in the middle of the window is refused at once, by the lock.
    time.sleep(WINDOW / 3)
    second = subprocess.run(
        cli(config, "run", "--once"),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=STEP_TIMEOUT,
    )
    mid = counts(db_path)

    for reader in readers:
        reader.join(timeout=WINDOW + 2 * STEP_TIMEOUT)
    assert not any(r.is_alive() for r in readers), "a reader hung"
    elapsed = time.monotonic() - began
    after = counts(db_path)
    assert daemon.proc.poll() is None, f"the daemon died during the window:\n{daemon.text()}"

    assert web.stop() in (0, -signal.SIGTERM)
    assert daemon.stop() == 0, daemon.text()[-3000:]
    print(
        f"\ncontention: {elapsed:.0f} s window, reader calls {dict(tally.calls)}, "
        f"before {before}, mid {mid}, after {after}"
    )

    # Every reader call succeeded, and none saw the database locked or busy.
    assert not tally.failures, "\n".join(tally.failures[:10])
    assert set(tally.calls) == {name for name, _, _ in CLI_READERS} | {"library", "datasette"}
    assert all(n >= 2 for n in tally.calls.values()), tally.calls
    for child in (daemon, web):
        output = child.text()
        assert not lock_words_in(output), output[-3000:]
        assert "Traceback" not in output, output[-3000:]

    assert second.returncode == 1, (second.stdout, second.stderr)
    assert "another newswatch writer" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr

    # The writer kept writing while they read: several runs, new articles and mentions,
    # and the readers themselves saw the database at several sizes.
    assert after["runs"] >= before["runs"] + 2, (before, after)
    assert after["articles"] >= before["articles"] + 2, (before, mid, after)
    assert after["mentions"] > before["mentions"], (before, after)
    assert len(tally.articles_seen) >= 3, sorted(tally.articles_seen)

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        failed = conn.execute("SELECT count(*) FROM runs WHERE status = 'failed'").fetchone()[0]
        stored_events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    conn.close()
    assert failed == 0
    assert stored_events > 0
