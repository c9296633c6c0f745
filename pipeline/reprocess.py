"""Reprocessing: re-run text and NLP extraction on stored pages when the extractors change.

Every article keeps its raw page (zlib, `articles.raw_html`) and the version of the
extractor that produced its rows. `reprocess` picks the articles whose version is
not the current `EXTRACTOR_VERSION` (or every article with `all=True`, either
narrowed to those published, else fetched, on or after `since`), extracts their
main text from the stored page again (plain-text articles keep their stored text),
runs NLP, and replaces the article's extraction rows in one transaction per
article. The report says, per article, which entities, mentions and events were
added, removed or changed, by comparing snapshots taken before and after.

Running it twice changes nothing the second time: the first run stamps the
current version (so the default selection is then empty), and with `all=True`
the same page through the same extractors gives the same rows, so the diff is empty.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.core.config import Config
from pipeline.core.errors import FetchError
from pipeline.core.models import ArticleText, FeedItem, Page
from pipeline.process import extract_articles
from pipeline.read.queries import time_filters
from pipeline.run import RunContext, open_writer
from storage import StorageError, Store
from storage.clock import iso

log = logging.getLogger(__name__)

Snapshot = dict[str, dict[str, str]]  # kind → key label → value


@dataclass
class Changes:
    """Labels of the records added, removed and changed (same key, other fields)."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def counts(self) -> str:
        return f"+{len(self.added)} -{len(self.removed)} ~{len(self.changed)}"


@dataclass
class ArticleDiff:
    article_id: int
    url: str
    text_changed: bool = False
    entities: Changes = field(default_factory=Changes)
    mentions: Changes = field(default_factory=Changes)
    events: Changes = field(default_factory=Changes)

    @property
    def changed(self) -> bool:
        return self.text_changed or bool(self.entities or self.mentions or self.events)


@dataclass
class ReprocessReport:
    extractor_version: str
    selected: int = 0
    diffs: list[ArticleDiff] = field(default_factory=list)  # articles whose rows changed
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)  # "url: reason", article left as it was

    @property
    def changed(self) -> bool:
        return bool(self.diffs)

    def totals(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for kind in ("entities", "mentions", "events"):
            parts = [getattr(d, kind) for d in self.diffs]
            out[kind] = {
                "added": sum(len(c.added) for c in parts),
                "removed": sum(len(c.removed) for c in parts),
                "changed": sum(len(c.changed) for c in parts),
            }
        return out


def reprocess(
    config: Config,
    context: RunContext | None = None,
    since: str | None = None,
    all: bool = False,
) -> ReprocessReport:
    """Re-extract the selected stored articles; see the module docstring."""
    context = context or RunContext()
    if context.store is not None:
        return _reprocess(config, context, context.store, since, all)
    with open_writer(config, context) as store:
        return _reprocess(config, context, store, since, all)


def _reprocess(
    config: Config, context: RunContext, store: Store, since: str | None, every: bool
) -> ReprocessReport:
    from extractors import EXTRACTOR_VERSION, Extraction, ExtractionFailure

    report = ReprocessReport(EXTRACTOR_VERSION)
    ids = _selected(store, EXTRACTOR_VERSION, since, every)
    report.selected = len(ids)
    if not ids:
        return report
    # By canonical URL, which the stored identity keeps (article_from_row).
    pending: dict[str, tuple[int, Snapshot, bool]] = {}

    def articles() -> Iterator[ArticleText]:
        for article_id in ids:
            row = dict(next(store.db.query("SELECT * FROM articles WHERE id = ?", [article_id])))
            try:
                article = article_from_row(row)
            except FetchError as exc:
                report.failed.append(f"{row['url']}: {exc.reason}: {exc}")
                continue
            text_changed = (article.text, article.title) != (row["text"], row["title"])
            before = snapshot(store.db, article_id)
            pending[article.canonical_url] = (article_id, before, text_changed)
            yield article

    any_text_changed = False
    # The run's own step: the languages filter and n_process apply here as in a run.
    for article, found in extract_articles(config, context, articles()):
        article_id, before, text_changed = pending.pop(article.canonical_url)
        if isinstance(found, ExtractionFailure):  # its stored rows stay as they were
            report.failed.append(f"{article.url}: nlp: {found.reason}")
            continue
        # An article outside [nlp] languages keeps its text and loses its rows,
        # as a run would have stored it.
        extraction = found or Extraction(id=str(article_id), extractor_version=EXTRACTOR_VERSION)
        try:
            store.replace_extraction(article_id, article, extraction, iso(context.clock()))
        except StorageError as exc:
            report.failed.append(f"{article.url}: {exc}")
            continue
        diff = diff_snapshots(article_id, article.url, before, snapshot(store.db, article_id))
        diff.text_changed = text_changed
        any_text_changed |= text_changed
        if diff.changed:
            report.diffs.append(diff)
        else:
            report.unchanged += 1
    if any_text_changed:
        store.stories.rebuild()  # copies are compared on their text: recluster
    return report


def _selected(store: Store, version: str, since: str | None, every: bool) -> list[int]:
    where: list[str] = []
    params: dict[str, Any] = {"version": version}
    if not every:
        where.append("(extractor_version IS NULL OR extractor_version != :version)")
    where += time_filters("coalesce(published, fetched_at)", since, None, params)
    sql = f"SELECT id FROM articles {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id"
    return [int(r[0]) for r in store.db.execute(sql, params)]


def article_from_row(row: dict[str, Any]) -> ArticleText:
    """The article's text as the current text stage reads its stored page."""
    from pipeline.text.extract import extract_article

    authors = tuple(json.loads(row["authors"] or "[]"))
    if row["raw_html"] is None:  # a plain-text article: its stored text is the source
        return ArticleText(
            row["source"], row["url"], row["canonical_url"], row["title"], authors,
            row["published"], row["language"], row["text"], row["text_hash"],
            dateline=row["dateline"],
        )  # fmt: skip
    page = Page(row["url"], row["url"], 200, "text/html", zlib.decompress(row["raw_html"]))
    item = FeedItem(row["source"], row["url"], row["title"], row["published"], authors)
    fresh = extract_article(page, item, row["source"])
    # The stored identity stays: the canonical URL is how the article is known.
    return ArticleText(
        fresh.source, row["url"], row["canonical_url"], fresh.title, fresh.authors,
        fresh.published, fresh.language, fresh.text, fresh.text_hash, dateline=fresh.dateline,
    )  # fmt: skip


# --- snapshots and diffs ------------------------------------------------------------------


def snapshot(db: Any, article_id: int) -> Snapshot:
    """One article's extraction rows as comparable labels → values."""
    entities = {
        f"{t} {name}": attributes
        for t, name, attributes in db.execute(
            "SELECT type, name, attributes FROM article_entities WHERE article_id = ?",
            [article_id],
        )
    }
    mentions = {
        f"{text!r} at {start}-{end}": f"{t} {name}"
        for text, start, end, t, name in db.execute(
            'SELECT m.text, m.start, m."end", ae.type, ae.name FROM mentions m '
            "JOIN article_entities ae ON ae.id = m.article_entity_id WHERE m.article_id = ?",
            [article_id],
        )
    }
    events = {}
    for event_id, t, evidence, name, date, location, minerals in db.execute(
        "SELECT id, type, evidence, name, date, location, minerals FROM events "
        "WHERE article_id = ?",
        [article_id],
    ):
        people = sorted(
            r[0]
            for r in db.execute(
                "SELECT name FROM event_participants WHERE event_id = ?", [event_id]
            )
        )
        value = {"name": name, "date": date, "location": location, "minerals": json.loads(minerals)}
        events[f"{t}: {' '.join(evidence.split())}"] = json.dumps({**value, "participants": people})
    return {"entities": entities, "mentions": mentions, "events": events}


def diff_snapshots(article_id: int, url: str, before: Snapshot, after: Snapshot) -> ArticleDiff:
    diff = ArticleDiff(article_id, url)
    for kind in ("entities", "mentions", "events"):
        old, new = before[kind], after[kind]
        setattr(
            diff,
            kind,
            Changes(
                added=sorted(set(new) - set(old)),
                removed=sorted(set(old) - set(new)),
                changed=sorted(k for k in set(old) & set(new) if old[k] != new[k]),
            ),
        )
    return diff
