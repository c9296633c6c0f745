"""One run: feeds → fetch → text → NLP → store. The CLI and the scheduler both call `run_once`.

Articles stream through the stages: pages are fetched (a few at a time) while
earlier ones are in NLP, and each article is stored with all its extraction in one
transaction as soon as its batch leaves the pipeline, so a killed run loses at most
the batch in flight. The spaCy model is loaded only when there is a new article:
a run over unchanged sources costs a few conditional GETs and nothing more.

No one item can fail the run: a page the text stage raises on, an article NLP fails
on (stored with its text, the failure recorded for `reprocess`) and an article the
store refuses are each recorded with their reason, and the run goes on. A feed's
items are fetched once per canonical link, and each source lists at most
MAX_LISTED_ERRORS errors per run; the rest are counted on one line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import httpx

from extractors.records import ExtractionFailure
from pipeline.acquire import health
from pipeline.acquire.fetch import Fetcher
from pipeline.acquire.politeness import Politeness
from pipeline.acquire.sources import local_root, poll_source, read_local_page, resolve_source
from pipeline.core.config import Config
from pipeline.core.errors import FetchError, HTTPStatusError, StorageError, TextStageError
from pipeline.core.models import ArticleText, FeedItem, Page, RunSummary, Source, Validators
from pipeline.kb.entries import stored_rows
from pipeline.process import extract_articles
from pipeline.text.extract import article_from_text, extract_article
from pipeline.text.urls import canonicalize_url
from storage import Store
from storage.clock import Clock, iso, utc_now
from storage.redact import redact_userinfo

if TYPE_CHECKING:
    from spacy.language import Language

    from extractors import Extraction
    from extractors.kb import KBRow

log = logging.getLogger(__name__)

MAX_LISTED_ERRORS = 20  # per source and run; further errors are counted, not listed


def never() -> bool:
    return False


def no_progress(step: str, count: int) -> None:
    """The default progress sink: nothing (see RunContext.progress)."""


@dataclass
class RunContext:
    """What a run needs besides config; every part can be injected (tests, scheduler)."""

    client: httpx.Client | None = None  # the network seam
    nlp: Language | None = None  # reuse a loaded pipeline across scheduled runs
    clock: Clock = utc_now
    sources: list[str] | None = None  # only these feed names (None: all)
    # The scheduler's parts: an open Store whose WriterLock the caller holds, the
    # per-host politeness state kept across runs, polling only due feeds, and a
    # stop flag checked between feeds (a feed's items are always finished).
    store: Store | None = None
    politeness: Politeness | None = None
    due_only: bool = False
    should_stop: Callable[[], bool] = field(default=never)
    # Told as the run goes: ("feeds", n) once, then ("feed", 1) per feed handled,
    # ("pages", n) per feed's new items, ("page", 1) per page fetched, ("article", 1)
    # per article extracted and stored; the CLI draws a progress bar from it.
    progress: Callable[[str, int], None] = field(default=no_progress)

    def pipeline(self, config: Config) -> Language:
        if self.nlp is None:
            from extractors import build_nlp

            self.nlp = build_nlp(config.nlp)
        return self.nlp

    def kb_rows(self, config: Config) -> list[KBRow]:
        """The KB rows kept in the database, read afresh for each call (a daemon's
        poll sees an analyst's `kb add` of a minute ago)."""
        return stored_rows(config.db_path)


def run_once(config: Config, context: RunContext | None = None) -> RunSummary:
    """Poll every configured source once, store what is new, and say what happened."""
    context = context or RunContext()
    if context.store is not None:
        return _run(config, context, context.store)
    with open_writer(config, context) as store:
        return _run(config, context, store)


def open_writer(config: Config, context: RunContext) -> Store:
    """The writer for a one-shot command (run, reprocess, enable/disable): lock, open, migrate."""
    return Store.open(config.db_path, clock=context.clock)


def _run(config: Config, context: RunContext, store: Store) -> RunSummary:
    summary = RunSummary(db_path=str(config.db_path))
    summary.run_id = store.start_run(iso(context.clock()))
    status = "failed"
    try:
        politeness = context.politeness or Politeness(config.fetch)
        fresh_feeds: dict[str, Validators] = {}
        with Fetcher(config.fetch, client=context.client, politeness=politeness) as fetcher:
            articles = _new_articles(config, context, store, fetcher, summary, fresh_feeds)
            _extract_and_store(config, context, store, articles, summary)
        _list_unlisted_errors(store, summary)
        # Only now is every item of those answers stored: a run killed before this
        # point polls the same feeds unconditionally next time and finds the rest.
        for name, validators in fresh_feeds.items():
            store.save_validators(name, validators)
        status = "ok" if not summary.errors else "partial"
    finally:
        store.finish_run(summary.run_id, summary, status, iso(context.clock()))
    return summary


def _new_articles(
    config: Config,
    context: RunContext,
    store: Store,
    fetcher: Fetcher,
    summary: RunSummary,
    fresh_feeds: dict[str, Validators],
) -> Iterator[ArticleText]:
    """Poll the sources and yield the articles not stored yet (lazily, in feed order).

    Articles yielded earlier in this run may still be in NLP, not yet in the
    database, so the run also remembers the URLs and text hashes it has yielded.
    Feeds whose items were all handled land in `fresh_feeds` with their new
    validators; a feed with an item that may work next time (a timeout, a 5xx) is
    left out, so its next poll is unconditional and the item is tried again.
    """
    seen = _Seen(store)
    wanted = [f for f in config.feeds if context.sources is None or f.name in context.sources]
    context.progress("feeds", len(wanted))
    for feed in config.feeds:
        if context.sources is not None and feed.name not in context.sources:
            continue
        context.progress("feed", 1)
        if context.should_stop():
            log.info("stopping: %s and the sources after it wait for the next run", feed.name)
            break
        state = store.source_state(feed.name)
        skip = health.skip_reason(state, context.clock(), due_only=context.due_only)
        if skip is not None:
            log.log(logging.DEBUG if context.due_only else logging.INFO, "%s: %s", feed.name, skip)
            continue
        source = resolve_source(feed, config.base_dir)
        poll = poll_source(source, fetcher, store.feed_validators(source.name))
        note = fetcher.feed_note(source.location)
        verdict = health.record(
            store, source, feed, poll, state, note, config.fetch, context.clock()
        )
        if verdict.grade == "deferred":
            log.info("%s: %s", source.name, poll.error)
            continue
        summary.sources_polled += 1
        if poll.status == "error":
            _error(store, summary, source.name, source.location, poll.error or "error")
            continue
        if poll.status == "not_modified":
            summary.sources_not_modified += 1
            log.info("%s: not modified", source.name)
            continue
        log.info("%s: %d items", source.name, len(poll.items))
        fresh, links = [], set()
        for item in poll.items:  # each page once, however often the feed lists it
            link = canonicalize_url(item.link)
            if link in links or seen.known(canonical_url=link):
                summary.unchanged += 1
            else:
                links.add(link)
                fresh.append(item)
        context.progress("pages", len(fresh))
        workers = max(1, config.fetch.concurrency)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # map keeps feed order; fetching overlaps with NLP on earlier articles.
            results = pool.map(partial(_fetch_article, source, fetcher), fresh)
            failed = retryable = 0
            for item, result in zip(fresh, results, strict=True):
                context.progress("page", 1)
                if isinstance(result, FetchError):
                    failed += 1
                    retryable += _worth_retrying(result)
                    _error(store, summary, source.name, item.link, f"{result.reason}: {result}")
                elif seen.known(canonical_url=result.canonical_url, text_hash=result.text_hash):
                    summary.unchanged += 1
                else:
                    seen.add(result)
                    yield result
        store.count_articles_tried(source.name, len(fresh), failed)
        if not retryable:
            fresh_feeds[source.name] = poll.validators


def _worth_retrying(error: FetchError) -> bool:
    """Failures that may pass next time, as opposed to a 404 or a page with no text."""
    if isinstance(error, HTTPStatusError):
        return error.status == 429 or error.status >= 500
    return error.reason in ("transport", "deferred")


def due_sources(config: Config, store: Store, now: datetime) -> list[str]:
    """Names of the configured feeds the scheduler should poll now."""
    return [
        feed.name
        for feed in config.feeds
        if health.skip_reason(store.source_state(feed.name), now, due_only=True) is None
    ]


class _Seen:
    """Stored articles plus those yielded in this run, by canonical URL and text hash."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.urls: set[str] = set()
        self.hashes: set[str] = set()

    def known(self, canonical_url: str, text_hash: str | None = None) -> bool:
        if canonical_url in self.urls or (text_hash is not None and text_hash in self.hashes):
            return True
        return self.store.article_exists(canonical_url=canonical_url, text_hash=text_hash)

    def add(self, article: ArticleText) -> None:
        self.urls.add(article.canonical_url)
        self.hashes.add(article.text_hash)


def _fetch_article(source: Source, fetcher: Fetcher, item: FeedItem) -> ArticleText | FetchError:
    try:
        if item.link.startswith("file:"):
            # inside the source's own folder, within the page byte cap
            root = local_root(source)
            page = read_local_page(item.link, root=root, max_bytes=fetcher.config.max_bytes)
        else:
            page = fetcher.fetch_page(item.link)
        return article_from_page(page, item, source.name)
    except FetchError as exc:
        log.debug("%s: %s", item.link, exc)
        return exc
    except Exception as exc:  # a text-stage failure on this one page: the others go on
        log.debug("%s: text stage failed", item.link, exc_info=True)
        return TextStageError(f"{item.link}: {type(exc).__name__}: {exc}", url=item.link)


def article_from_page(page: Page, item: FeedItem, source: str) -> ArticleText:
    """The text stage for one page, fetched or read from an archive (`backfill`).

    A plain-text page is an article as it stands; anything else goes through the
    HTML text stage. Raises EmptyTextError when there is no main text.
    """
    if page.final_url.lower().endswith(".txt") or (page.content_type or "").startswith(
        "text/plain"
    ):
        text = page.body.decode("utf-8", errors="replace")
        return article_from_text(text, page.final_url, item, source)
    return extract_article(page, item, source)


def _extract_and_store(
    config: Config,
    context: RunContext,
    store: Store,
    articles: Iterator[ArticleText],
    summary: RunSummary,
) -> None:
    for article, extraction in extract_articles(config, context, articles):
        try:
            store_article(store, context, article, extraction, summary)
        except StorageError as exc:  # its transaction rolled back; the others are stored
            _error(store, summary, article.source, article.url, f"store: {exc}")
        context.progress("article", 1)


def store_article(
    store: Store,
    context: RunContext,
    article: ArticleText,
    extraction: Extraction | ExtractionFailure | None,
    summary: RunSummary,
) -> int | None:
    """Store one article with its extraction (None: kept without NLP) and cluster it.

    An ExtractionFailure stores the article with its text but no extraction (so
    `reprocess` tries it again) and records the failure with reason `nlp`.
    Returns the new article's id, or None when it was already stored.
    """
    if isinstance(extraction, ExtractionFailure):
        _error(store, summary, article.source, article.url, f"nlp: {extraction.reason}")
        extraction = None
    elif extraction is not None and extraction.truncated_to is not None:
        log.warning(
            "%s: NLP read the first %d of its %d characters ([nlp] max_chars)",
            article.url,
            extraction.truncated_to,
            extraction.text_chars or 0,
        )
    article_id = store.add_article(article, extraction, iso(context.clock()))
    if article_id is None:
        summary.unchanged += 1  # same text arrived twice in this run
        return None
    summary.new_articles += 1
    log.info("stored %s", article.canonical_url)
    # Clustered after the article's own transaction: the story index is an
    # in-memory structure over every stored copy, and a run killed here
    # leaves an unclustered article that the next index rebuild picks up.
    store.stories.assign(article_id)
    return article_id


def _error(store: Store, summary: RunSummary, source: str, url: str, message: str) -> None:
    message = redact_userinfo(message)  # a feed's login never reaches the output
    reason, _, detail = message.partition(": ")
    listed = sum(1 for line in summary.errors if line.startswith(f"{source}: "))
    if listed >= MAX_LISTED_ERRORS:
        unlisted = summary.unlisted.setdefault(source, {})
        unlisted[reason] = unlisted.get(reason, 0) + 1
        log.debug("%s: %s", source, message)
        return
    log.info("%s: %s", source, message)  # the summary shows it; -v logs it as it happens
    summary.errors.append(f"{source}: {message}")
    if summary.run_id is not None:
        store.record_error(summary.run_id, source, url, reason, detail or message)


def _list_unlisted_errors(store: Store, summary: RunSummary) -> None:
    """One line (and one run_errors row) per source for the errors past the listed ones."""
    for source, reasons in summary.unlisted.items():
        if not reasons:
            continue
        count = sum(reasons.values())
        kinds = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
        message = f"{count} more errors not listed ({kinds})"
        log.info("%s: %s", source, message)
        summary.errors.append(f"{source}: more-errors: {message}")
        if summary.run_id is not None:
            store.record_error(summary.run_id, source, None, "more-errors", message)
