"""Readers while the scheduler writes: no "database is locked" ever reaches a user.

The real `newswatch schedule` daemon runs as a subprocess with sub-second
intervals against a feed on 127.0.0.1 that grows by a few items on every poll,
so the single writer keeps storing articles, mentions, events and runs rows.
For a window of NEWSWATCH_CONTENTION_SECONDS (default 30; on a loaded machine
the last calls in flight stretch it to ~45 s) everything that reads hammers the
same database at once:

- `newswatch search/events/export/status` as CLI subprocesses, each in a loop;
- threads in this process: `open_database(readonly=True)` with FTS5 queries and
  the library's `search` and `events`, and one that only opens, reads, closes;
- `newswatch serve` (Datasette) answering article searches and event pages, in
  the second half only: its connections stay open, and the first half should
  see what people running commands beside the daemon see, short-lived readers.

Measured: with the busy timeout forced to 0 by hand, this test failed in one run
of two with "database is locked" from `open_database`; with it, never.

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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipeline.read.queries import events
from pipeline.read.search import search
from storage import open_database
from tests.httpserver import LocalHTTPServer, RecordedRequest, Reply

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
WINDOW = float(os.environ.get("NEWSWATCH_CONTENTION_SECONDS", "30"))
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
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    failures: list[str] = field(default_factory=list)
    articles_seen: set[int] = field(default_factory=set)  # article counts readers saw
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, reader: str, started: float, problem: str | None) -> None:
        with self._lock:
            self.calls[reader] += 1
            self.seconds[reader] += time.monotonic() - started
            if problem is not None:
                self.failures.append(f"{reader}: {problem[-2000:]}")


def lock_words_in(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in LOCK_WORDS)


def cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "--config", str(config), *args]


def parse_json(stdout: str) -> Any:
    return json.loads(stdout)


def parse_hits(stdout: str) -> Any:
    hits = json.loads(stdout)
    if not hits:  # the sample pages mention lithium, and they are stored first
        raise ValueError("no search hits")
    return hits


def parse_jsonl(stdout: str) -> Any:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# (reader name, CLI arguments, parser that must accept the whole stdout)
CLI_READERS: list[tuple[str, tuple[str, ...], Callable[[str], Any]]] = [
    ("search", ("search", "lithium", "--format", "json"), parse_hits),
    ("events", ("events", "--format", "json"), parse_json),
    ("export", ("export", "--what", "mentions", "--format", "jsonl"), parse_jsonl),
    ("status", ("status", "--format", "json"), parse_json),
]


def cli_reader(
    name: str,
    args: tuple[str, ...],
    parse: Callable[[str], Any],
    config: Path,
    stop: threading.Event,
    tally: Tally,
) -> None:
    while not stop.is_set():
        started = time.monotonic()
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
        tally.record(name, started, problem)


def library_reader(db_path: Path, stop: threading.Event, tally: Tally) -> None:
    """What a notebook does: open read-only, search, list events, count, close; repeat.

    A fresh connection each time on purpose: the first read of a new connection is
    where SQLite answers SQLITE_BUSY(_RECOVERY) when the daemon has just closed or
    reopened the last connection, i.e. where the busy timeout earns its keep.
    """
    while not stop.is_set():
        started, problem = time.monotonic(), None
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
        tally.record("library", started, problem)
        stop.wait(0.02)  # leave the 2 cores to the writer and the other readers too


def opener(db_path: Path, stop: threading.Event, tally: Tally) -> None:
    """Open, read one row, close, as fast as a short pause allows.

    Most connections the daemon sees come and go like this; the more of them meet
    the daemon's own close (the last connection checkpoints and removes the WAL)
    and reopen (WAL recovery), the likelier a missing busy timeout shows here.
    """
    while not stop.is_set():
        started, problem = time.monotonic(), None
        try:
            db = open_database(db_path, readonly=True)
            try:
                db.execute("SELECT count(*) FROM articles").fetchone()
            finally:
                db.close()
        except Exception as exc:
            problem = repr(exc)
        tally.record("opener", started, problem)
        stop.wait(0.005)


def web_reader(base: str, stop: threading.Event, tally: Tally) -> None:
    paths = (
        "/newswatch/articles?_search=lithium",
        "/newswatch/event_list",
        "/newswatch/events.json?_shape=array",
    )
    with httpx.Client(base_url=base, timeout=STEP_TIMEOUT) as client:
        while not stop.is_set():
            for path in paths:
                started, problem = time.monotonic(), None
                try:
                    reply = client.get(path)
                    if reply.status_code != 200 or lock_words_in(reply.text):
                        problem = f"{path}: HTTP {reply.status_code}: {reply.text[:500]}"
                except httpx.HTTPError as exc:
                    problem = f"{path}: {exc!r}"
                tally.record("datasette", started, problem)


# --- the processes -------------------------------------------------------------------------


def write_config(tmp_path: Path, feed_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{tmp_path / "nw.db"}"\n\n'
        "[fetch]\nallow_private_networks = true\ntimeout = 30.0\nper_host_delay = 0.0\n\n"
        "[nlp]\nbatch_size = 2\n\n"  # small batches: articles are committed as they go
        '[schedule]\ntick = 0.25\ndigest_time = ""\nmaintenance_time = ""\n\n'
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
            # What is it doing? The daemon writes every thread's stack on SIGUSR1.
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(3)
            self.proc.kill()
            self.proc.wait()
            pytest.fail(
                f"not stopped {timeout:.0f} s after SIGTERM; its stacks:\n{self.text()[-8000:]}"
            )


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


def stored_at_least(db_path: Path, articles: int) -> bool:
    """Whether the database is migrated (readable) and holds that many articles."""
    try:
        return counts(db_path).get("articles", -1) >= articles
    except Exception:  # no file yet, or the daemon's first open is still migrating
        return False


def listening(port: int) -> bool:
    """Whether the server accepts connections; no request, so it opens no database connection."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
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
    wait_for(lambda: stored_at_least(db_path, 0), "a migrated database", daemon, timeout=240)
    # Datasette starts now, while the daemon loads its model: its start-up is slow on
    # a loaded machine. It gets no request before the second half of the window, and
    # until its first request it holds no connection.
    port = free_port()
    web = start(cli(config, "serve", "--port", str(port)), tmp_path / "serve.log", tmp_path)
    children.append(web)
    wait_for(lambda: stored_at_least(db_path, 1), "first stored article", daemon, timeout=240)

    tally, stop = Tally(), threading.Event()
    before = counts(db_path)
    began = time.monotonic()
    readers = [
        threading.Thread(target=cli_reader, args=(name, args, parse, config, stop, tally))
        for name, args, parse in CLI_READERS
    ]
    readers += [
        threading.Thread(target=library_reader, args=(db_path, stop, tally)) for _ in range(2)
    ]
    readers.append(threading.Thread(target=opener, args=(db_path, stop, tally)))
    for reader in readers:
        reader.start()

    # First half: only short-lived reader connections, as when people run commands
    # beside the daemon. A second writer in there is refused at once, by the lock.
    time.sleep(WINDOW / 4)
    second: list[subprocess.CompletedProcess[str]] = []
    second_writer = threading.Thread(
        target=lambda: second.append(
            subprocess.run(
                cli(config, "run", "--once"),
                capture_output=True,
                text=True,
                cwd=tmp_path,
                timeout=STEP_TIMEOUT,
            )
        )
    )
    second_writer.start()
    readers.append(second_writer)
    time.sleep(max(0.0, began + WINDOW / 2 - time.monotonic()))
    mid = counts(db_path)

    # Second half: Datasette joins, holding its connections open between requests.
    wait_for(lambda: listening(port), "Datasette listening", web, timeout=120)
    web_from = time.monotonic() - began
    browsing = threading.Thread(target=web_reader, args=(f"http://127.0.0.1:{port}", stop, tally))
    browsing.start()
    readers.append(browsing)
    time.sleep(WINDOW / 2)

    stop.set()
    stopped_at = time.monotonic() - began
    for reader in readers:
        reader.join(timeout=2 * STEP_TIMEOUT)
    assert not any(r.is_alive() for r in readers), "a reader hung"
    elapsed = time.monotonic() - began
    after = counts(db_path)
    assert daemon.proc.poll() is None, f"the daemon died during the window:\n{daemon.text()}"

    assert web.stop() in (0, -signal.SIGTERM)
    assert daemon.stop() == 0, daemon.text()[-3000:]
    per_call = {k: round(tally.seconds[k] / n, 2) for k, n in tally.calls.items()}
    print(
        f"\ncontention: {elapsed:.0f} s of reads (Datasette from {web_from:.0f} s, "
        f"stop at {stopped_at:.0f} s), calls {dict(tally.calls)}, seconds per call "
        f"{per_call}, rows before {before}, mid {mid}, after {after}"
    )

    # Every reader call succeeded, and none saw the database locked or busy.
    assert not tally.failures, "\n".join(tally.failures[:10])
    assert set(tally.calls) == {name for name, _, _ in CLI_READERS} | {
        "library",
        "opener",
        "datasette",
    }
    for child in (daemon, web):
        output = child.text()
        assert not lock_words_in(output), output[-3000:]
        assert "Traceback" not in output, output[-3000:]

    assert len(second) == 1
    assert second[0].returncode == 1, (second[0].stdout, second[0].stderr)
    assert "another newswatch writer" in second[0].stderr, second[0].stderr
    assert "Traceback" not in second[0].stderr

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
