"""`newswatch schedule`: one long-lived process that polls, processes and maintains.

An APScheduler BlockingScheduler (UTC internally) runs three jobs:
- poll, every [schedule] tick: `run_once` over the feeds that are due. When a
  feed is due lives in the database (sources.next_poll_at, from its interval,
  max-age, <ttl>, Retry-After and backoff), so after downtime every overdue
  feed is polled once, not once per missed slot, and a restart loses nothing.
  Fetching, NLP and storing new articles happen in that same run.
- digest, daily at [schedule] digest_time in [schedule] timezone: yesterday's
  digest written to [digest] out_dir and, when [digest.email] host is set,
  emailed once (see `_email_once`).
- maintenance, daily at maintenance_time: FTS optimize and optional retention.

Threads: the process takes the WriterLock once and holds it. Jobs run in ONE
worker thread (a ThreadPoolExecutor with max_workers=1) plus max_instances=1
and coalesce=True, so no job ever overlaps another or itself: one poll of a
feed at a time, and one writer connection at a time inside the process too.
SQLite connections belong to the thread that opened them, and the pool thread
cannot be asked to close one after the scheduler has shut it down, so each job
opens its connection in the worker thread and closes it when it ends (cheap
next to a poll); the spaCy pipeline and the per-host politeness state are the
long-lived parts, shared through one RunContext.

Shutdown (SIGTERM, SIGINT, or --for running out): no new job starts, the
running poll finishes the feed it is on (every article is committed in its
own transaction), the lock is released, and the process exits 0.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import logging.handlers
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from pipeline.acquire.politeness import Politeness
from pipeline.core.config import Config, EmailConfig, LoggingConfig, parse_clock
from pipeline.core.encoders import TerminalSafeFormatter
from pipeline.core.errors import USER_ERRORS, NewswatchError
from pipeline.daemon.control import apply_queued_requests
from pipeline.run import RunContext, due_sources, run_once
from storage import Store, WriterLock, open_database
from storage.clock import iso, utc_now

if TYPE_CHECKING:
    from pipeline.digest.build import Digest

log = logging.getLogger(__name__)

DAILY_MISFIRE_GRACE = 6 * 3600  # a daily job up to 6 h late still runs (then once)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class Daemon:
    """The scheduler process; `run()` blocks until stopped and returns the exit code."""

    def __init__(self, config: Config, *, run_for: float | None = None) -> None:
        self.config = config
        self.run_for = run_for
        self.stopping = threading.Event()
        self.politeness = Politeness(config.fetch)
        self.lock = WriterLock(config.db_path)  # taken by run(), held for the process's life
        self.context = RunContext(
            politeness=self.politeness, due_only=True, should_stop=self.stopping.is_set
        )
        self._executor = ThreadPoolExecutor(max_workers=1)
        tick = config.schedule.tick
        self.scheduler = BlockingScheduler(
            timezone=UTC,
            executors={"default": self._executor},
            job_defaults={
                "coalesce": True,  # missed runs collapse into one
                "max_instances": 1,  # a slow job never overlaps itself
                "misfire_grace_time": max(1, int(tick)),  # later than a tick: skip it
            },
        )

    # -- lifecycle --------------------------------------------------------------

    def run(self) -> int:
        lock = self.lock
        lock.acquire()  # LockedError: another writer runs; the CLI exits 1 with its message
        try:
            # A damaged file is refused before the first job writes to it (StorageError:
            # the CLI exits 1 with one line); jobs then open it without re-checking.
            open_database(self.config.db_path, check=True).close()
            with _signals(self._on_signal):
                self._add_jobs()
                if self.run_for is not None:
                    timer = threading.Timer(self.run_for, self.stop)
                    timer.daemon = True
                    timer.start()
                log.info(
                    "schedule: %d feeds, pid lock %s; stop with SIGTERM or Ctrl-C",
                    len(self.config.feeds),
                    lock.path,
                )
                if not self.stopping.is_set():
                    self.scheduler.start()  # blocks until stop()
                # start() returns as soon as scheduling stops; the running job may not have.
                self._executor.shutdown(wait=True)
        finally:
            lock.release()
        log.info("schedule: stopped cleanly")
        return 0

    def stop(self) -> None:
        """Start no new job; the running one finishes its current feed."""
        self.stopping.set()
        self.politeness.stop.set()
        with suppress(SchedulerNotRunningError):
            self.scheduler.shutdown(wait=False)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            log.warning("%s again: still finishing the current batch", name)
            return
        log.info("%s: finishing the current batch, then exiting", name)
        # Not from the handler itself: it interrupted the main thread, which may hold
        # the scheduler's non-reentrant locks.
        threading.Thread(target=self.stop, name="newswatch-stop", daemon=True).start()

    # -- jobs ---------------------------------------------------------------------

    def _add_jobs(self) -> None:
        sched = self.config.schedule
        self.scheduler.add_job(
            self._guarded(self.poll),
            IntervalTrigger(seconds=sched.tick, timezone=UTC),
            id="poll",
            name="poll due feeds",
            next_run_time=datetime.now(UTC),  # overdue feeds are polled at once
        )
        zone = ZoneInfo(sched.timezone)
        for job_id, clock, job in (
            ("digest", sched.digest_time, self.digest),
            ("maintenance", sched.maintenance_time, self.maintenance),
        ):
            hour_minute = parse_clock(clock) if clock else None
            if hour_minute is None:
                continue
            self.scheduler.add_job(
                self._guarded(job),
                CronTrigger(hour=hour_minute[0], minute=hour_minute[1], timezone=zone),
                id=job_id,
                name=job_id,
                misfire_grace_time=DAILY_MISFIRE_GRACE,
            )

    def _guarded(self, job: Callable[[], None]) -> Callable[[], None]:
        """A job that logs its failure and lets the daemon go on (it must recover alone)."""

        def run() -> None:
            if self.stopping.is_set():
                return
            try:
                job()
            except USER_ERRORS as exc:
                log.error("%s: %s", job.__name__, exc)
            except Exception:
                log.exception("%s failed; the next run will try again", job.__name__)

        run.__name__ = job.__name__
        return run

    def poll(self) -> None:
        """Poll the due feeds, then fetch, extract and store what is new."""
        store = self._writer()
        try:
            for done in apply_queued_requests(store, self.config.db_path):
                log.info("applied queued request: %s", done)
            due = due_sources(self.config, store, self.context.clock())
            if not due:
                return  # no runs row for a tick with nothing to do
            self.context.store, self.context.sources = store, due
            summary = run_once(self.config, self.context)
            log.info(
                "run %s: %d polled, %d not modified, %d new articles, %d errors",
                summary.run_id,
                summary.sources_polled,
                summary.sources_not_modified,
                summary.new_articles,
                len(summary.errors),
            )
            if self.config.watch:  # [[watch]] alerts: decided, committed, then delivered
                from pipeline.alerts import process_alerts

                log.info("%s", process_alerts(store.db, self.config, self.context.clock).line())
        finally:
            self.context.store = None
            store.close()

    def digest(self, day: date | None = None) -> None:
        """A day's digest (default yesterday, complete by digest_time) as files, then mail.

        The files are written first, so a mail failure never loses them; it is
        logged with the server's answer and the job returns normally (the
        scheduler goes on, tomorrow's digest is sent as usual).
        """
        from pipeline.digest.build import build_digest
        from pipeline.digest.render import write_digest

        settings = self.config.digest
        zone = ZoneInfo(settings.timezone)
        if day is None:
            day = (datetime.now(zone) - timedelta(days=1)).date()
        db = open_database(self.config.db_path, readonly=True)
        try:
            result = build_digest(db, day=day, tz=zone, top_stories=settings.top_stories)
        finally:
            db.close()
        written = write_digest(result, self.config.resolve(settings.out_dir))
        log.info("digest %s: %s", day, ", ".join(str(p) for p in written))
        if settings.email.host:
            markdown = next(p for p in written if p.suffix == ".md")
            _email_once(settings.email, result, markdown.with_suffix(".sent"))

    def maintenance(self) -> None:
        """FTS optimize and, with retention_days, deletion of old articles."""
        store = self._writer()
        try:
            store.optimize()
            days = self.config.schedule.retention_days
            if days:
                cutoff = iso(self.context.clock() - timedelta(days=days))
                removed = store.prune_articles(cutoff)
                log.info("maintenance: %d articles older than %d days removed", removed, days)
            log.info("maintenance: search index optimized")
        finally:
            store.close()

    def _writer(self) -> Store:
        """A Store for one job, under the lock the daemon holds for its whole life
        (a job called outside `run()`, as tests do, takes the lock for itself)."""
        held = self.lock if self.lock.held else None
        return Store.open(self.config.db_path, clock=self.context.clock, lock_held=held)


def _email_once(email: EmailConfig, result: Digest, marker: Path) -> None:
    """Send the digest unless `marker` says it was sent; write the marker after a send.

    Why a marker file beside the digest files and not a database row: the
    digest job is a reader (it opens the database read-only, like `newswatch
    digest`), a row would need a migration and the writer connection, and the
    marker lives and dies with the files it vouches for (delete the folder and
    the day can be sent again). It is written only after the server accepted
    the message, atomically (temp file + rename), so a failed send is retried
    by the next run for that day; a crash between the send and the rename can
    at worst send the day twice, never lose it.
    """
    from pipeline.digest.mailer import email_digest
    from pipeline.digest.render import mineral_chart

    if marker.exists():
        log.info("digest %s: already emailed (%s); not sent again", result.label, marker)
        return
    try:
        msg = email_digest(email, result, mineral_chart(result))
    except NewswatchError as exc:  # MailError, or ConfigError for a missing password
        log.error(
            "digest %s: written but NOT emailed: %s (resend with "
            "`newswatch digest --date %s --email`)",
            result.label,
            exc,
            result.label,
        )
        return
    record = {
        "sent_at": iso(utc_now()),
        "recipients": list(email.recipients),
        "message_id": msg["Message-ID"],
        "subject": msg["Subject"],
    }
    partial = marker.with_name(marker.name + ".tmp")
    partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    partial.replace(marker)
    log.info("digest %s: emailed to %s", result.label, ", ".join(email.recipients))


@contextmanager
def _signals(handler: Callable[[int, FrameType | None], Any]) -> Iterator[None]:
    """SIGTERM and SIGINT go to `handler`; SIGUSR1 writes every thread's stack to stderr
    (faulthandler, in C: it answers even when a job holds the GIL in a loop), so an
    operator can see what a daemon that does not stop is doing: `kill -USR1 <pid>`."""
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    dumps = hasattr(signal, "SIGUSR1") and sys.stderr is not None
    if dumps:
        faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    try:
        yield
    finally:
        if dumps:
            faulthandler.unregister(signal.SIGUSR1)
        for sig, old in previous.items():
            signal.signal(sig, old)


def configure_logging(settings: LoggingConfig, base_dir: Path, log_file: str | None) -> None:
    """Add the log file (--log-file, else [logging] file) next to stderr.

    INFO gives one line per poll and per article; DEBUG adds the reasons
    (skips, grades, next poll times). APScheduler is kept to errors unless
    something asks for DEBUG: its warnings are the skipped ticks and coalesced
    misfires that max_instances=1 and coalesce=True produce on purpose.
    """
    path = log_file or settings.file
    level = getattr(logging, settings.level.upper())
    root = logging.getLogger()
    if path:
        target = Path(path).expanduser()
        target = target if target.is_absolute() else base_dir / target
        handler = logging.handlers.RotatingFileHandler(
            target, maxBytes=10_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setLevel(level)
        # One safe line per record: a log file is read on a terminal too (tail -f).
        handler.setFormatter(TerminalSafeFormatter(LOG_FORMAT))
        for existing in root.handlers:  # stderr keeps the level -v/-q gave it
            if existing.level == logging.NOTSET:
                existing.setLevel(root.level)
        root.addHandler(handler)
        root.setLevel(min(root.level, level))
    if root.getEffectiveLevel() > logging.DEBUG:
        logging.getLogger("apscheduler").setLevel(logging.ERROR)
