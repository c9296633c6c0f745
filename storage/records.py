"""What the store reads from its callers, and the one record it hands back.

`storage` does not import the application: the writes take any object with the
attributes below (a structural `Protocol`, the seam), so the application's own stage
records (`pipeline.core.models`) are stored as they are, with no copying, and a test
of `storage` alone can pass a plain dataclass of its own. `Validators` is the one
record the store builds (from the `sources` table), so it is defined here and the
application re-exports it.
"""

from __future__ import annotations

from collections.abc import Sequence, Sized
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators for one feed, stored byte-exact and sent back verbatim."""

    etag: str | None = None
    last_modified: str | None = None


class ArticleRecord(Protocol):
    """Main text and metadata of one article (the text stage's output)."""

    @property
    def source(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def canonical_url(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def published(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def text_hash(self) -> str: ...
    @property
    def html(self) -> bytes | None: ...
    @property
    def dateline(self) -> str | None: ...


class SourceRecord(Protocol):
    """A configured feed: its name, where it is read from, and how."""

    @property
    def name(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def tags(self) -> Sequence[str]: ...


class PollRecord(Protocol):
    """What polling one source gave ("ok", "not_modified" or "error")."""

    @property
    def status(self) -> str: ...
    @property
    def http_status(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def items(self) -> Sized: ...


class RunRecord(Protocol):
    """The counts of one run, for the runs table."""

    @property
    def sources_polled(self) -> int: ...
    @property
    def sources_not_modified(self) -> int: ...
    @property
    def new_articles(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def errors(self) -> Sized: ...
