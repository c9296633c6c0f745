"""SIGKILL `newswatch run --once` at random moments while it ingests; nothing is lost or doubled.

A real server on 127.0.0.1 serves a feed of 12 real article pages (the two
samples plus pages from ../shared/corpora/article_pages when present, else
variants of the samples). A clean run in one database gives the reference row
counts. Then, in other databases, the CLI is killed with SIGKILL at moments drawn
from a seeded RNG across the ingest (after a random number of stored articles,
plus a random fraction of a second), and after every kill:

- `PRAGMA integrity_check` is "ok" and `PRAGMA foreign_key_check` is empty;
- no article is stored twice (canonical URL, text hash) and nothing is orphaned;

and once a run finishes uninterrupted the database holds exactly the rows of
the clean run, and the killed runs are marked 'interrupted'.
NEWSWATCH_SOAK_KILLS=200 kills more (by hand; CI does 25).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
KILLS = int(os.environ.get("NEWSWATCH_SOAK_KILLS", "25"))
SEED = int(os.environ.get("NEWSWATCH_SOAK_SEED", "20260114"))
N_PAGES = 12  # enough batches to kill between; 25+ kills stay within a few minutes
RUN_TIMEOUT = 120

pytestmark = pytest.mark.integration

# Tables whose rows a run creates from the articles (runs/run_errors differ by design).
DATA_TABLES = (
    "articles",
    "entities",
    "entity_keys",
    "article_entities",
    "mentions",
    "events",
    "event_participants",
)
ORPHANS = {
    "article_entities without article": "select count(*) from article_entities "
    "where article_id not in (select id from articles)",
    "article_entities without entity": "select count(*) from article_entities "
    "where entity_id not in (select id from entities)",
    "mentions without article": "select count(*) from mentions "
    "where article_id not in (select id from articles)",
    "mentions without entity": "select count(*) from mentions "
    "where entity_id not in (select id from entities)",
    "events without article": "select count(*) from events "
    "where article_id not in (select id from articles)",
    "participants without event": "select count(*) from event_participants "
    "where event_id not in (select id from events)",
}


def article_pages(shared: Path) -> list[bytes]:
    """The two samples, then real pages from ../shared, else sample variants."""
    pages = [(SAMPLES / n).read_bytes() for n in ("seed-000.html", "seed-003.html")]
    aeb = shared / "corpora" / "article_pages" / "aeb"
    if (aeb / "gold.jsonl").is_file():
        for line in (aeb / "gold.jsonl").open():
            if len(pages) >= N_PAGES:
                break
            record = json.loads(line)
            if len(record.get("body") or "") > 800:  # enough text to be an article
                pages.append(gzip.decompress((aeb / record["html_path"]).read_bytes()))
    n = 0
    while len(pages) < N_PAGES:  # no ../shared: the samples with other texts
        base = pages[n % 2]
        extra = f"<p>Update {n}: officials in Canberra said on Tuesday that talks would resume.</p>"
        pages.append(base.replace(b"</article>", extra.encode() + b"</article>", 1))
        n += 1
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from tests.httpserver import LocalHTTPServer

    shared = REPO.parent / "shared"
    pages = article_pages(shared)
    with LocalHTTPServer() as server:
        items = []
        for i, body in enumerate(pages):
            server.route(f"/a/{i}.html", body=body, content_type="text/html; charset=utf-8")
            items.append(
                f"<item><title>Story {i}</title><link>{server.url(f'/a/{i}.html')}</link></item>"
            )
        # Real feeds carry validators: a crash must not make the next run skip the rest.
        server.route(
            "/feed.xml",
            content_type="application/rss+xml",
            etag='"crash-feed-v1"',
            last_modified="Wed, 14 Jan 2026 04:00:00 GMT",
            body=f'<rss version="2.0"><channel><title>c</title>{"".join(items)}</channel></rss>',
        )
        yield server, tmp_path_factory.mktemp("crash")


def write_config(directory: Path, feed_url: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(
        f'[storage]\npath = "{directory / "nw.db"}"\n\n'
        "[fetch]\nallow_private_networks = true\ntimeout = 10.0\nper_host_delay = 0.0\n\n"
        "[nlp]\nbatch_size = 2\n\n"  # small batches: articles are stored as they go
        f'[[feeds]]\nname = "crash"\nurl = "{feed_url}"\n'
    )
    return path


def start_run(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "run", "--once"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def article_count(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("select count(*) from articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0  # not created or not migrated yet


def counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in DATA_TABLES}
    finally:
        conn.close()


def check_consistent(db_path: Path, where: str) -> None:
    if not db_path.exists():
        return
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        assert conn.execute("pragma integrity_check").fetchall() == [("ok",)], where
        assert conn.execute("pragma foreign_key_check").fetchall() == [], where
        if not conn.execute("select 1 from sqlite_master where name = 'articles'").fetchone():
            return  # killed before the schema was committed
        for key in ("canonical_url", "text_hash"):
            dupes = conn.execute(
                f"select {key}, count(*) from articles group by {key} having count(*) > 1"
            ).fetchall()
            assert dupes == [], f"{where}: duplicate {key}: {dupes}"
        for what, sql in ORPHANS.items():
            assert conn.execute(sql).fetchone()[0] == 0, f"{where}: {what}"
    finally:
        conn.close()


def wait_for_articles(proc: subprocess.Popen[bytes], db_path: Path, target: int) -> bool:
    """True once `target` articles are stored while `proc` still runs; False if it ended."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if article_count(db_path) >= target:
            return True
        time.sleep(0.02)
    raise AssertionError(f"no progress to {target} articles in {RUN_TIMEOUT}s")


def run_statuses(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [row[0] for row in conn.execute("select status from runs order by id")]
    finally:
        conn.close()


def test_sigkill_at_random_moments_loses_and_doubles_nothing(site):
    server, root = site
    feed = server.url("/feed.xml")

    # The reference: one uninterrupted run.
    clean = write_config(root / "clean", feed)
    proc = start_run(clean)
    assert proc.wait(timeout=RUN_TIMEOUT) == 0, proc.stderr.read().decode() if proc.stderr else ""
    reference = counts(root / "clean" / "nw.db")
    total = reference["articles"]
    assert total >= N_PAGES // 2, reference

    # Kill moments are drawn by progress, not by the clock, so they stay inside the
    # ingest window however loaded the machine is: wait until a random number of
    # the remaining articles is stored (none: a kill during start-up, polling or
    # fetching), then a random fraction of a second more (mid-batch, mid-commit).
    rng = random.Random(SEED)
    kills = 0
    killed_with_articles = 0
    db_round = 0
    while kills < KILLS:
        db_round += 1
        config = write_config(root / f"crash-{db_round}", feed)
        db_path = root / f"crash-{db_round}" / "nw.db"
        while kills < KILLS and (done := article_count(db_path)) < total:
            target = done + rng.randint(0, total - done)  # done: start-up; total: the end
            jitter = rng.uniform(0.0, 0.6)
            proc = start_run(config)
            if not wait_for_articles(proc, db_path, target):
                break  # the run finished first: nothing left to interrupt
            time.sleep(jitter)
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            kills += 1
            killed_with_articles += article_count(db_path) > 0
            check_consistent(db_path, f"after kill {kills} (at {target}+ articles)")
        final = start_run(config)  # an uninterrupted run finishes whatever is left
        assert final.wait(timeout=RUN_TIMEOUT) == 0, (
            final.stderr.read().decode() if final.stderr else ""
        )
        check_consistent(db_path, f"after the final run of round {db_round}")
        assert counts(db_path) == reference, f"round {db_round} after {kills} kills"
        runs = run_statuses(db_path)
        assert runs[-1] == "ok" and "running" not in runs, runs  # killed runs: 'interrupted'
    print(f"{kills} kills over {db_round} databases, {killed_with_articles} after a stored article")
    assert killed_with_articles >= KILLS // 3, "kills should land inside the ingest window"
