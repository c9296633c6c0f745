"""The small typed records that the stages hand each other.

feeds → fetch → text → NLP → store: each arrow is one of these dataclasses, so a
stage can be tested alone and none of them reaches into another's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from storage.records import Validators

__all__ = [
    "ArticleText",
    "FeedItem",
    "FeedPoll",
    "Page",
    "RunSummary",
    "Source",
    "SourceKind",
    "Validators",
]

SourceKind = Literal["http", "file", "folder"]


@dataclass(frozen=True)
class Source:
    """A configured feed, resolved: `location` is an http(s) URL or an absolute path."""

    name: str
    location: str
    kind: SourceKind
    tags: tuple[str, ...] = ()
    interval: int = 30


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed (or one file of a folder source)."""

    source: str
    link: str  # absolute http(s) URL, or file:// URL for local sources
    title: str | None = None
    published: str | None = None  # ISO 8601, UTC when the feed gave a zone
    authors: tuple[str, ...] = ()
    summary: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class FeedPoll:
    """What polling one source gave: new items, a 304, or an error with its reason."""

    source: str
    status: Literal["ok", "not_modified", "error"]
    items: tuple[FeedItem, ...] = ()
    validators: Validators = field(default_factory=Validators)
    http_status: int | None = None
    error: str | None = None  # "reason: message" when status == "error"
    ttl_minutes: int | None = None  # RSS <ttl>, for the scheduler


@dataclass(frozen=True)
class Page:
    """The bytes of one fetched article page (or local file)."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    content_type: str | None
    body: bytes


@dataclass(frozen=True)
class ArticleText:
    """Main text and metadata of one article, ready for NLP and storage."""

    source: str
    url: str  # final URL of the page
    canonical_url: str
    title: str | None
    authors: tuple[str, ...]
    published: str | None  # ISO date or datetime; the feed's when the page has none
    language: str | None
    text: str
    text_hash: str
    html: bytes | None = None  # raw page, kept (compressed) for reprocessing
    dateline: str | None = None  # "Washington, Jan 14 (IANS)" when the text opens with one


@dataclass
class RunSummary:
    """What one run did; printed by the CLI and stored in the runs table."""

    run_id: int | None = None
    sources_polled: int = 0
    sources_not_modified: int = 0
    new_articles: int = 0
    unchanged: int = 0  # items already stored (same canonical URL or same text)
    errors: list[str] = field(default_factory=list)
    db_path: str = ""
    # Errors past the first ones listed per source: counted by source and reason, and
    # listed as one line each at the end (a feed of 100,000 broken links is one line).
    unlisted: dict[str, dict[str, int]] = field(default_factory=dict)
