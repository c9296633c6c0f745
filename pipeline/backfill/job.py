"""One backfill: WARC files → records not done yet → engine → the one writer.

The reading side runs in this process, lazily, pulled by the engine: each file's
finished records come from the ledger first, then every response record is
either left alone (done before, captured outside --since/--until), decided
at once (not a page, over the cap, truncated, its URL already stored: no work is
sent for it) or handed to the engine. Outcomes come back in record order and are
committed a batch per transaction (writer.py). A file that cannot be read on gives
a `whole_file` outcome in its place (run_errors: `corrupt-warc`), and the backfill
goes on with the next file.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pipeline.backfill.engines import Engine, EngineName, open_engine
from pipeline.backfill.progress import BackfillSummary, Progress
from pipeline.backfill.records import DUPLICATE, Outcome, RecordKey, Work
from pipeline.backfill.warc import WarcReadError, read_warc
from pipeline.backfill.writer import BackfillWriter
from pipeline.core.config import Config
from pipeline.read.query_filters import TimeBound, time_bound
from pipeline.run import RunContext
from pipeline.text.urls import canonicalize_url
from storage import Store
from storage.backfill_ledger import done_in
from storage.clock import Clock, iso, utc_now

log = logging.getLogger(__name__)

_OPS = {">=": operator.ge, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class BackfillOptions:
    engine: EngineName = "local"
    scheduler: str | None = None  # tcp://host:8786; None: a LocalCluster (dask engine)
    workers: int | None = None  # local: NLP processes; dask: LocalCluster workers
    since: str | None = None  # WARC-Date bounds, as --since/--until elsewhere
    until: str | None = None
    source_name: str | None = None  # None: each article's source is its site's host
    batch_size: int | None = None  # records per task and per commit ([nlp] batch_size)
    progress: bool = False  # draw progress on stderr (a terminal)


@dataclass(frozen=True)
class _Window:
    bounds: tuple[TimeBound, ...]

    def holds(self, date: str | None) -> bool:
        return date is None or all(_OPS[b.op](date, b.value) for b in self.bounds)


def backfill(
    config: Config,
    files: list[Path],
    options: BackfillOptions,
    *,
    clock: Clock = utc_now,
    engine: Engine | None = None,
) -> BackfillSummary:
    """Backfill `files` into the configured database; see the module docstring.

    `engine`: one already started (entered) by the caller, who also stops it (the
    benchmarks time work without start-up; tests make a worker die). None: the
    engine `options` name is started here and stopped at the end.
    """
    now = clock()
    bounds = (
        time_bound(options.since, end=False, now=now),
        time_bound(options.until, end=True, now=now),
    )
    window = _Window(tuple(b for b in bounds if b is not None))
    summary = BackfillSummary(db_path=str(config.db_path), files=len(files))
    batch = options.batch_size or config.nlp.batch_size
    with Store.open(config.db_path, clock=clock) as store:
        summary.run_id = store.start_run(iso(clock()))
        status = "failed"
        try:
            writer = BackfillWriter(store, RunContext(clock=clock), summary)
            own = engine is None
            running = engine or open_engine(
                options.engine, config, scheduler=options.scheduler, workers=options.workers,
                batch_size=options.batch_size,
            )  # fmt: skip
            with running if own else nullcontext(), Progress(options.progress) as progress:
                work = _work(files, store, config, options, window, summary)
                outcomes = running.outcomes(work)
                while chunk := list(islice(outcomes, batch)):
                    writer.commit(chunk)
                    progress.update(summary)
            status = "ok" if not summary.errors else "partial"
        finally:
            store.finish_run(summary.run_id, summary, status, iso(clock()))
    return summary


def _work(
    files: list[Path],
    store: Store,
    config: Config,
    options: BackfillOptions,
    window: _Window,
    summary: BackfillSummary,
) -> Iterator[Work]:
    for path in files:
        done = done_in(store.db, str(path))
        try:
            for item in read_warc(path, config.fetch.max_bytes, options.source_name):
                summary.read += 1
                key = item.key
                if (key.byte_offset, key.part) in done:
                    summary.already_done += 1
                elif not window.holds(item.date):
                    summary.outside_window += 1
                elif item.problem is not None:
                    yield Outcome.of_problem(item, item.problem)
                elif store.article_exists(canonical_url=canonicalize_url(item.url)):
                    yield Outcome(key, item.url, "duplicate", "duplicate", DUPLICATE)
                else:
                    yield item
        except WarcReadError as exc:
            log.warning("%s", exc)
            key = RecordKey(str(path), exc.after or 0)
            yield Outcome(key, str(path), "failed", exc.reason, str(exc), whole_file=True)
        except OSError as exc:  # unreadable: permissions, vanished
            key = RecordKey(str(path), 0)
            yield Outcome(key, str(path), "failed", "unreadable", str(exc), whole_file=True)
