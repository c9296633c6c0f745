"""The records a backfill hands from stage to stage: WARC reader → engine → writer.

A `WarcItem` is one HTTP response read from a WARC file, small enough to send to
a Dask worker (its payload bytes and the few headers the text stage needs). An
`Outcome` is what became of it, in the shape the writer commits: an article with
its extraction, or a status with a reason. Both are plain frozen dataclasses of
built-in types and the pipeline's own records, so they pickle cheaply, and no
spaCy object ever crosses a process boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pipeline.core.models import ArticleText

if TYPE_CHECKING:
    from extractors import Extraction, ExtractionFailure

OutcomeStatus = Literal["extracted", "duplicate", "skipped", "failed"]


@dataclass(frozen=True)
class RecordKey:
    """Where a record is: its file, byte offset (its gzip member's) and place in that member."""

    file: str
    byte_offset: int
    part: int = 0

    def __str__(self) -> str:
        suffix = f"#{self.part}" if self.part else ""
        return f"{self.file}@{self.byte_offset}{suffix}"


@dataclass(frozen=True)
class Problem:
    """Why a record is not worth sending to the text stage (found while reading it)."""

    status: Literal["skipped", "failed"]
    reason: str  # a short tag, as in run_errors: content-type, too-large, truncated...
    message: str


@dataclass(frozen=True)
class WarcItem:
    """One response record. `payload` is the HTTP body as archived (maybe still encoded)."""

    key: RecordKey
    url: str
    date: str | None  # WARC-Date (when it was captured), ISO 8601
    source: str = ""  # what its article is stored under (see warc.source_for)
    content_type: str | None = None  # the HTTP Content-Type header, verbatim
    content_encoding: str | None = None
    transfer_encoding: str | None = None
    payload: bytes = b""
    problem: Problem | None = None  # set: payload is empty and the record goes no further


@dataclass(frozen=True)
class Outcome:
    """What became of one record; `article` (and maybe `extraction`) when it was extracted."""

    key: RecordKey
    url: str
    status: OutcomeStatus
    reason: str | None = None
    message: str | None = None
    article: ArticleText | None = None
    # None with an article: not in [nlp] languages; a failure: NLP failed on this one.
    extraction: Extraction | ExtractionFailure | None = None
    # About the whole file (it cannot be read on), not one record: not in the ledger,
    # so a later backfill of the same file, complete by then, reads all of it.
    whole_file: bool = False

    @classmethod
    def of_problem(cls, item: WarcItem, problem: Problem) -> Outcome:
        """The outcome of a record with a problem found while reading it."""
        return cls(item.key, item.url, problem.status, problem.reason, problem.message)


# The one wording of a duplicate, whether it was caught by its URL before any work
# (job.py) or by its URL or text when stored (writer.py): which of the two catches it
# depends on what is in flight, and the ledger must not.
DUPLICATE = "an article with this URL or text is stored"

Work = WarcItem | Outcome  # what an engine takes: records to process, or already decided
