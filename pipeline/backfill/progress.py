"""What a backfill did: the counts, the summary line, and live progress at a terminal (rich).

`BackfillSummary` is also the run's record for the `runs` table (it has the
fields `Store.finish_run` reads). Progress is drawn on stderr only when the
caller says it is a terminal; piped or in a test, a backfill prints nothing
until its summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

SHOWN_ERRORS = 10  # problems listed under the summary line; all are in run_errors


@dataclass
class ErrorLog:
    """How many problems a backfill met, with the first few spelled out."""

    count: int = 0
    first: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.count += 1
        if len(self.first) < SHOWN_ERRORS:
            # URLs and messages come from the archive: no control character reaches a terminal.
            self.first.append("".join(c if c.isprintable() else " " for c in message))

    def __len__(self) -> int:
        return self.count


@dataclass
class BackfillSummary:
    db_path: str = ""
    run_id: int | None = None
    files: int = 0
    read: int = 0  # response records read
    already_done: int = 0  # in the ledger from an earlier backfill
    outside_window: int = 0  # WARC-Date outside --since/--until
    extracted: int = 0  # through the text stage (and NLP, in a configured language)
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0
    errors: ErrorLog = field(default_factory=ErrorLog)  # failed and skipped records, bad files
    started: float = field(default_factory=time.perf_counter)
    writer_seconds: float = 0.0  # inside the writer's transactions

    # --- what Store.finish_run reads (storage.records.RunRecord) ---
    @property
    def sources_polled(self) -> int:
        return self.files

    @property
    def sources_not_modified(self) -> int:
        return 0

    @property
    def new_articles(self) -> int:
        return self.stored

    @property
    def unchanged(self) -> int:
        return self.duplicates + self.already_done

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def count(self, status: str, *, extracted: bool) -> None:
        """Count one written record by its ledger status."""
        self.extracted += extracted
        if status == "stored":
            self.stored += 1
        elif status == "duplicate":
            self.duplicates += 1
        elif status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1

    def line(self) -> str:
        seconds = self.seconds
        rate = self.read / seconds if seconds > 0 else 0.0
        share = self.writer_seconds / seconds if seconds > 0 else 0.0
        return (
            f"backfill {self.run_id}: {self.files} files, {self.read} records read "
            f"({self.already_done} done before, {self.outside_window} outside the dates), "
            f"{self.stored} stored, {self.duplicates} duplicates, {self.skipped} skipped, "
            f"{self.failed} failed in {seconds:.1f} s ({rate:.1f} records/s, "
            f"writer {share:.0%} of the time)"
        )

    def report(self) -> str:
        lines = [self.line()]
        lines += [f"  error  {message}" for message in self.errors.first]
        if self.errors.count > len(self.errors.first):
            lines.append(f"  ... {self.errors.count - len(self.errors.first)} more in run_errors")
        lines.append(f"database: {self.db_path}")
        return "\n".join(lines)


class Progress:
    """Records read, extracted, stored and per second, redrawn on stderr at a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            self._bar.start()
            self._task = self._bar.add_task("backfill: starting", total=None)
        return self

    def update(self, summary: BackfillSummary) -> None:
        if self._bar is None:
            return
        seconds = summary.seconds
        rate = summary.read / seconds if seconds > 0 else 0.0
        self._bar.update(
            self._task,
            description=(
                f"{summary.read:,} read · {summary.extracted:,} extracted · "
                f"{summary.stored:,} stored · {summary.failed + summary.skipped:,} not stored · "
                f"{rate:,.1f} records/s"
            ),
        )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
