"""Re-run: the same sources, unchanged, polled again right after a cold run.

The cold run stores every page (the 500+ served pages of bench_end_to_end). The
second run must cost a few conditional feed GETs and nothing else: every feed
answered 304, no page fetched, no row added, and a time at most 5% of the cold
run's. The re-run is timed a few times (median), all against the same database.
"""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import harness
from benchmarks.bench_end_to_end import FEEDS, PAGES, bench_config, build_pages, serve_pages
from extractors import build_nlp
from pipeline.core.config import NLPConfig
from pipeline.run import RunContext, run_once
from storage import open_database

TARGET = 0.05
RERUNS = 3
COUNTED = ("articles", "mentions", "events", "entities", "article_entities", "articles_fts")


def run(quick: bool = False) -> dict[str, Any]:
    shared = harness.shared_dir()
    pages = build_pages(shared, PAGES[quick])
    chunks = harness.split_evenly(pages, FEEDS[quick])
    nlp = build_nlp(NLPConfig())
    with tempfile.TemporaryDirectory(prefix="nw-rerun-") as tmp, serve_pages(chunks) as served:
        server, feed_urls = served
        config = bench_config(Path(tmp) / "rerun.db", feed_urls)
        cold, cold_seconds = harness.timed(lambda: run_once(config, RunContext(nlp=nlp)))
        rows_before = _counts(config.db_path)
        requests_before = len(server.requests)
        load_before = os.getloadavg()[0]
        reruns = [
            harness.timed(lambda: run_once(config, RunContext(nlp=nlp))) for _ in range(RERUNS)
        ]
        load_after = os.getloadavg()[0]
        rows_after = _counts(config.db_path)
        rerun_requests = server.requests[requests_before:]
    rerun_seconds = statistics.median(s for _, s in reruns)
    ratio = rerun_seconds / cold_seconds
    new_rows = sum(rows_after[t] - rows_before[t] for t in COUNTED)
    not_modified = min(summary.sources_not_modified for summary, _ in reruns)
    page_gets = sum(1 for r in rerun_requests if r.path.startswith("/pages/"))
    conditional = sum(
        1
        for r in rerun_requests
        if "if-none-match" in r.headers or "if-modified-since" in r.headers
    )
    all_304 = not_modified == len(chunks) and page_gets == 0
    return harness.result(
        name="rerun",
        figures=[
            harness.figure("re-run time / cold run time (median of re-runs)", 100 * ratio, "%"),
            harness.figure("re-run", rerun_seconds * 1000, "ms"),
            harness.figure("cold run", cold_seconds, "s"),
            harness.figure("new rows on re-run", new_rows, "rows"),
            harness.figure("feeds answered 304 (of each re-run)", not_modified, "feeds"),
        ],
        target=f"<= {100 * TARGET:.0f}% of cold, 0 new rows, every feed 304",
        met=ratio <= TARGET and new_rows == 0 and all_304,
        notes=(
            f"cold run stored {cold.new_articles} of {len(pages)} pages from {len(chunks)} "
            f"feeds ({len(cold.errors)} errors) in {cold_seconds:.1f}s; {RERUNS} re-runs took "
            f"{', '.join(f'{s * 1000:.0f}' for _, s in reruns)} ms; re-runs sent "
            f"{len(rerun_requests)} requests ({conditional} conditional, {page_gets} page GETs); "
            f"rows per table before/after: "
            f"{', '.join(f'{t} {rows_before[t]}/{rows_after[t]}' for t in COUNTED)}; "
            f"1-min load average {load_before:.1f} -> {load_after:.1f}"
        ),
    )


def _counts(db_path: Path) -> dict[str, int]:
    db = open_database(db_path, readonly=True)
    try:
        return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in COUNTED}
    finally:
        db.close()
