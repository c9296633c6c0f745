"""The single writer of a backfill: outcomes committed in batches, the ledger in step.

Each batch of outcomes is one transaction. An extracted article goes through the
run's own storing path (`pipeline.run.store_article`: dedup by canonical URL and
text hash, entity linking, events, story clustering) inside a savepoint, and its
ledger row (storage/backfill_ledger.py) is written in the same transaction, so a
backfill killed at any moment leaves no article without its ledger row nor a
ledger row without its article: a rerun redoes exactly the unrecorded records.
Skipped and failed records are also written to `run_errors` with their reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from extractors.records import ExtractionFailure
from pipeline.backfill.progress import BackfillSummary
from pipeline.backfill.records import DUPLICATE, Outcome
from pipeline.core.models import RunSummary
from pipeline.run import RunContext, store_article
from storage import StorageError, Store
from storage.backfill_ledger import LedgerEntry, LedgerStatus, mark

log = logging.getLogger(__name__)


class BackfillWriter:
    def __init__(self, store: Store, context: RunContext, summary: BackfillSummary) -> None:
        self.store = store
        self.context = context
        self.summary = summary
        # What store_article counts (the summary keeps its own); with the run's id, so
        # that what it records goes under this backfill.
        self._counts = RunSummary(run_id=summary.run_id)

    def commit(self, outcomes: Iterable[Outcome]) -> None:
        """Write `outcomes` in one transaction (all of them, or none after a crash)."""
        start = time.perf_counter()
        try:
            with self.store.db.atomic():
                for outcome in outcomes:
                    self._write(outcome)
        except BaseException:
            self.store.stories.forget()  # its index may hold articles the rollback undid
            raise
        finally:
            self.summary.writer_seconds += time.perf_counter() - start

    def _write(self, outcome: Outcome) -> None:
        if outcome.whole_file:
            self._error(outcome, outcome.reason or "failed", outcome.message)
            return
        article_id: int | None = None
        status: LedgerStatus
        reason, message = outcome.reason, outcome.message
        if outcome.status == "extracted":
            assert outcome.article is not None
            try:
                with self.store.db.atomic():  # a savepoint: this article or nothing of it
                    article_id = store_article(
                        self.store, self.context, outcome.article, outcome.extraction, self._counts
                    )
            except StorageError as exc:
                status, reason, message = "failed", "storage", str(exc)
            else:
                status = "stored" if article_id is not None else "duplicate"
                if article_id is None:
                    reason, message = "duplicate", DUPLICATE
                elif isinstance(outcome.extraction, ExtractionFailure):
                    # Stored with its text for `reprocess`; store_article recorded the error.
                    reason, message = "nlp", outcome.extraction.reason
                    self.summary.errors.add(f"{outcome.url}: nlp: {message}")
        else:
            status = outcome.status
        if status in ("skipped", "failed"):
            self._error(outcome, reason or status, message)
        key = outcome.key
        entry = LedgerEntry(
            key.file, key.byte_offset, key.part, outcome.url, status, reason, message, article_id
        )
        mark(self.store.db, entry, self.summary.run_id, self.store.now())
        self.summary.count(status, extracted=outcome.status == "extracted")

    def _error(self, outcome: Outcome, reason: str, message: str | None) -> None:
        """A record (or file) not stored: in run_errors with its reason, and in the summary."""
        where = outcome.url or str(outcome.key)
        self.summary.errors.add(f"{where}: {reason}: {message}")
        if self.summary.run_id is not None:
            source = outcome.article.source if outcome.article else None
            self.store.record_error(self.summary.run_id, source, where, reason, message or "")
