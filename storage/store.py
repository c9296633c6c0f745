"""The writer's API over the database: feeds, articles with their extraction, runs.

`Store` holds the one writer connection. Exactly one process may write: this
Python links SQLite 3.40.1, which has the WAL-reset bug (two writers
checkpointing one WAL file can corrupt it; fixed in 3.51.3). `Store.open` takes
`storage.lock.WriterLock` before opening, so a second writer fails at once
with LockedError; readers use `open_database(path, readonly=True)` freely.

`Store` is the public contract (its method docstrings say what each does); the
SQL for the larger concerns lives in helper modules that take the writer's
connection, so each file stays small and holds one table's worth of writing:

    storage/sources_write.py     the `sources` table: validators, polls, health
    storage/articles_write.py    adding, reprocessing and pruning articles
    storage/extraction_write.py  one article's entity records, mentions, events

Runs (a handful of one-statement methods) and the lifecycle stay here.
`SourceState` is re-exported because callers import it from this module.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import sqlite_utils

from extractors.records import Extraction
from storage import articles_write, sources_write
from storage.clock import Clock, iso, utc_now
from storage.db import MEMORY, open_database
from storage.errors import LockedError
from storage.lock import WriterLock
from storage.records import ArticleRecord, PollRecord, RunRecord, SourceRecord, Validators
from storage.redact import redact_optional, redact_userinfo
from storage.sources_write import SourceState

if TYPE_CHECKING:
    from storage.stories.clusters import StoryClusters

__all__ = ["COUNTED_TABLES", "SourceState", "Store"]

COUNTED_TABLES = ("sources", "articles", "entities", "mentions", "events", "runs", "run_errors")


class Store:
    """Single-writer access to a newswatch database (see the module docstring for why)."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        lock: WriterLock | None = None,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self.db = db
        self._lock = lock  # released by close(): the lock this Store took itself
        self._clock = clock
        self._stories: StoryClusters | None = None

    def now(self) -> str:
        """The injected clock's time, as every write of this Store stamps it."""
        return iso(self._clock())

    @property
    def stories(self) -> StoryClusters:
        """Story clustering for this writer; its index is built on first use and kept."""
        if self._stories is None:
            # Imported here: clustering pulls in datasketch and numpy (about 2 s),
            # which readers opening a Store for queries never need.
            from storage.stories.clusters import StoryClusters

            self._stories = StoryClusters(self.db)
        return self._stories

    @classmethod
    def open(
        cls, path: str | Path, *, clock: Clock = utc_now, lock_held: WriterLock | None = None
    ) -> Store:
        """The one way to open the writer: lock `<path>.lock`, then open and migrate.

        A caller that holds the lock for longer than one Store (the daemon holds it
        for its whole life and opens a Store per job) passes it as `lock_held`; the
        Store then leaves it to that caller on close.
        """
        if str(path) == MEMORY:
            return cls(open_database(path), clock=clock)
        if lock_held is not None:
            if not lock_held.held:
                raise LockedError(f"the writer lock {lock_held.path} is not held")
            return cls(open_database(path), clock=clock)
        lock = WriterLock(path)
        lock.acquire()
        try:
            # A one-shot writer checks the file first: a damaged one is refused whole.
            return cls(open_database(path, check=True), lock, clock=clock)
        except BaseException:
            lock.release()
            raise

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- feeds (storage/sources_write.py) ----------------------------------------------

    def feed_validators(self, name: str) -> Validators:
        return sources_write.feed_validators(self.db, name)

    def record_poll(self, source: SourceRecord, poll: PollRecord, at: str) -> None:
        """Count one poll. Validators are not touched here: see `save_validators`."""
        sources_write.record_poll(self.db, source, poll, at)

    def save_validators(self, name: str, validators: Validators) -> None:
        """Keep the validators of a fresh feed answer, to send back next time.

        The run calls this only once every item of that answer is stored (or has
        failed for good): saved earlier, a run killed mid-feed would get a 304 next
        time and never ingest the rest of the items.
        """
        sources_write.save_validators(self.db, name, validators)

    # --- source health (pipeline/health.py decides, this stores) ---------------------

    def source_state(self, name: str) -> SourceState:
        """What the scheduler needs to know about one source (defaults before its first poll)."""
        return sources_write.source_state(self.db, name)

    def record_health(
        self,
        name: str,
        *,
        kind: str,
        next_poll_at: str,
        retry_after_until: str | None,
        disable_reason: str | None,
        feed_ttl: int | None,
        at: str,
    ) -> None:
        """After `record_poll`: the grade of the poll ("ok", "soft", "hard", "deferred")
        and when to poll next; a `disable_reason` disables the source."""
        sources_write.record_health(
            self.db,
            name,
            kind=kind,
            next_poll_at=next_poll_at,
            retry_after_until=retry_after_until,
            disable_reason=disable_reason,
            feed_ttl=feed_ttl,
            at=at,
        )

    def count_articles_tried(self, name: str, attempted: int, failed: int) -> None:
        """Article pages tried for a source and how many of them were lost (fetch or text)."""
        sources_write.count_articles_tried(self.db, name, attempted, failed)

    def set_disabled(self, name: str, disabled: bool, reason: str | None, at: str) -> bool:
        """Disable or re-enable a source by hand; False when no poll ever recorded it.

        Re-enabling clears the failure counters and makes the source due at once.
        """
        return sources_write.set_disabled(self.db, name, disabled, reason, at)

    # --- maintenance ---------------------------------------------------------------------

    def optimize(self) -> None:
        """Merge the FTS index's segments and let SQLite refresh its query statistics."""
        with self.db.atomic():
            self.db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        self.db.execute("PRAGMA optimize")

    def prune_articles(self, fetched_before: str) -> int:
        """Delete articles fetched before `fetched_before` with everything extracted from them.

        Entities they touched are recomputed from what is left, or deleted when
        nothing is left; run history older than the cutoff goes too.
        """
        if self._stories is not None:
            self._stories.forget()  # its index may hold pruned articles
        return articles_write.prune_articles(self.db, fetched_before)

    # --- articles (storage/articles_write.py) ------------------------------------------

    def article_exists(
        self, canonical_url: str | None = None, text_hash: str | None = None
    ) -> bool:
        """True when an article with this canonical URL or this text hash is stored."""
        return articles_write.article_exists(self.db, canonical_url, text_hash)

    def add_article(
        self, article: ArticleRecord, extraction: Extraction | None, fetched_at: str
    ) -> int | None:
        """Store an article and everything extracted from it, all or nothing.

        Returns the new article id, or None when the same canonical URL or text
        is already stored. Extraction offsets are into the text the extractor
        read: `ExtractInput(text=article.text, title=article.title).doc_text`.
        A record that does not fit (offsets outside the text, unknown event
        type) raises StorageError and nothing of the article is kept.
        """
        # The clock is read here, not in the helper, so that every time a Store
        # writes comes from its one injected clock.
        return articles_write.add_article(self.db, article, extraction, fetched_at, self.now())

    def replace_extraction(
        self, article_id: int, article: ArticleRecord, extraction: Extraction, processed_at: str
    ) -> None:
        """Reprocessing: replace a stored article's text fields and extraction, all or nothing.

        Entities it named are recomputed from what is left (or deleted when nothing
        is), its events leave their story events before they are rewritten.
        """
        articles_write.replace_extraction(self.db, article_id, article, extraction, processed_at)

    def raw_html(self, article_id: int) -> bytes | None:
        return articles_write.raw_html(self.db, article_id)

    # --- runs --------------------------------------------------------------------------

    def start_run(self, at: str) -> int:
        """Open a run. Runs still 'running' belong to a killed process: this one holds the
        writer lock, so no other writer can be alive. They become 'interrupted'."""
        with self.db.atomic():
            self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cur = self.db.execute(
                "INSERT INTO runs (started_at, status) VALUES (?, 'running')", [at]
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def record_error(
        self,
        run_id: int,
        source: str | None,
        url: str | None,
        reason: str,
        message: str,
        at: str | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO run_errors (run_id, source, url, reason, message, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                run_id,
                source,
                redact_optional(url),
                reason,
                redact_userinfo(message),
                at or self.now(),
            ],
        )

    def finish_run(
        self, run_id: int, summary: RunRecord, status: str, at: str | None = None
    ) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, sources_polled = ?, not_modified = ?, "
            "new_articles = ?, unchanged = ?, errors = ? WHERE id = ?",
            [
                at or self.now(),
                status,
                summary.sources_polled,
                summary.sources_not_modified,
                summary.new_articles,
                summary.unchanged,
                len(summary.errors),
                run_id,
            ],
        )

    def counts(self) -> dict[str, int]:
        """Row counts for the CLI summary, plus entities per type ("entities.official")."""
        result = {
            t: int(self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
            for t in COUNTED_TABLES
        }
        for type_, n in self.db.execute("SELECT type, count(*) FROM entities GROUP BY type"):
            result[f"entities.{type_}"] = int(n)
        return result
