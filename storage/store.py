"""The writer's API over the database: feeds, articles with their extraction, runs.

`Store` holds the one writer connection. Exactly one process may write: this
Python links SQLite 3.40.1, which has the WAL-reset bug (two writers
checkpointing one WAL file can corrupt it; fixed in 3.51.3). `Store.open` takes
`storage.lock.WriterLock` before opening, so a second writer fails at once
with LockedError; readers use `open_database(path, readonly=True)` freely.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import sqlite_utils

from extractors.records import ExtractInput, Extraction, Mention
from pipeline.models import ArticleText, FeedPoll, RunSummary, Source, Validators

from . import entities, event_merge
from .db import MEMORY, StorageError, open_database
from .entities import Sighting
from .lock import WriterLock
from .names import fold, official_key, org_key, surname


@dataclass(frozen=True)
class SourceState:
    """A source's scheduling state as stored (see migration v2 for the columns)."""

    name: str
    disabled: bool = False
    disabled_reason: str | None = None
    next_poll_at: str | None = None
    retry_after_until: str | None = None
    consecutive_failures: int = 0
    hard_failures: int = 0
    feed_ttl: int | None = None


COUNTED_TABLES = ("sources", "articles", "entities", "mentions", "events", "runs", "run_errors")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


if TYPE_CHECKING:
    from .stories import StoryClusters


class Store:
    """Single-writer access to a newswatch database (see the module docstring for why)."""

    def __init__(self, db: sqlite_utils.Database, lock: WriterLock | None = None) -> None:
        self.db = db
        self._lock = lock
        self._stories: StoryClusters | None = None

    @property
    def stories(self) -> StoryClusters:
        """Story clustering for this writer; its index is built on first use and kept."""
        if self._stories is None:
            # Imported here: clustering pulls in datasketch and numpy (about 2 s),
            # which readers opening a Store for queries never need.
            from .stories import StoryClusters

            self._stories = StoryClusters(self.db)
        return self._stories

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Lock `<path>.lock`, then open and migrate the database."""
        if str(path) == MEMORY:
            return cls(open_database(path))
        lock = WriterLock(path)
        lock.acquire()
        try:
            return cls(open_database(path), lock)
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

    # --- feeds -------------------------------------------------------------------------

    def feed_validators(self, name: str) -> Validators:
        row = self.db.execute(
            "SELECT etag, last_modified FROM sources WHERE name = ?", [name]
        ).fetchone()
        return Validators(etag=row[0], last_modified=row[1]) if row else Validators()

    def record_poll(self, source: Source, poll: FeedPoll, at: str) -> None:
        """Count one poll. Validators are not touched here: see `save_validators`."""
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO sources (name, location, kind, tags) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET location = excluded.location, "
                "kind = excluded.kind, tags = excluded.tags",
                [source.name, source.location, source.kind, json.dumps(list(source.tags))],
            )
            sets = [
                "polls = polls + 1",
                "last_polled = :at",
                "last_status = :status",
                "last_http_status = :http",
            ]
            if poll.status == "error":
                sets += ["consecutive_failures = consecutive_failures + 1", "last_error = :error"]
            else:
                sets += ["consecutive_failures = 0", "last_success = :at"]
            if poll.status == "not_modified":
                sets.append("not_modified_count = not_modified_count + 1")
            if poll.status == "ok":
                sets.append("items_seen = items_seen + :items")
            self.db.execute(
                f"UPDATE sources SET {', '.join(sets)} WHERE name = :name",
                {
                    "name": source.name,
                    "at": at,
                    "status": poll.status,
                    "http": poll.http_status,
                    "error": poll.error,
                    "items": len(poll.items),
                },
            )

    def save_validators(self, name: str, validators: Validators) -> None:
        """Keep the validators of a fresh feed answer, to send back next time.

        The run calls this only once every item of that answer is stored (or has
        failed for good): saved earlier, a run killed mid-feed would get a 304 next
        time and never ingest the rest of the items.
        """
        with self.db.atomic():
            self.db.execute(
                "UPDATE sources SET etag = ?, last_modified = ? WHERE name = ?",
                [validators.etag, validators.last_modified, name],
            )

    # --- source health (pipeline/health.py decides, this stores) ---------------------

    def source_state(self, name: str) -> SourceState:
        """What the scheduler needs to know about one source (defaults before its first poll)."""
        row = self.db.execute(
            "SELECT disabled, disabled_reason, next_poll_at, retry_after_until, "
            "consecutive_failures, hard_failures, feed_ttl FROM sources WHERE name = ?",
            [name],
        ).fetchone()
        if row is None:
            return SourceState(name)
        return SourceState(name, bool(row[0]), row[1], row[2], row[3], row[4], row[5], row[6])

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
        self.db.execute(
            "UPDATE sources SET next_poll_at = :next, feed_ttl = :ttl, "
            "retry_after_until = coalesce(:retry, CASE WHEN retry_after_until > :at "
            "THEN retry_after_until END), "
            "hard_failures = CASE WHEN :kind = 'hard' THEN hard_failures + 1 "
            "WHEN :kind = 'deferred' THEN hard_failures ELSE 0 END, "
            "last_failure_kind = CASE WHEN :kind IN ('hard', 'soft') THEN :kind "
            "ELSE last_failure_kind END, "
            "last_error_at = CASE WHEN :kind IN ('hard', 'soft') THEN :at ELSE last_error_at END, "
            "disabled = CASE WHEN :reason IS NULL THEN disabled ELSE 1 END, "
            "disabled_reason = coalesce(:reason, disabled_reason), "
            "disabled_at = CASE WHEN :reason IS NULL THEN disabled_at ELSE :at END "
            "WHERE name = :name",
            {
                "name": name,
                "next": next_poll_at,
                "retry": retry_after_until,
                "kind": kind,
                "reason": disable_reason,
                "ttl": feed_ttl,
                "at": at,
            },
        )

    def count_articles_tried(self, name: str, attempted: int, failed: int) -> None:
        """Article pages tried for a source and how many of them were lost (fetch or text)."""
        self.db.execute(
            "UPDATE sources SET articles_attempted = articles_attempted + ?, "
            "articles_failed = articles_failed + ? WHERE name = ?",
            [attempted, failed, name],
        )

    def set_disabled(self, name: str, disabled: bool, reason: str | None, at: str) -> bool:
        """Disable or re-enable a source by hand; False when no poll ever recorded it.

        Re-enabling clears the failure counters and makes the source due at once.
        """
        if disabled:
            cur = self.db.execute(
                "UPDATE sources SET disabled = 1, disabled_reason = ?, disabled_at = ? "
                "WHERE name = ?",
                [reason or "disabled by hand", at, name],
            )
        else:
            cur = self.db.execute(
                "UPDATE sources SET disabled = 0, disabled_reason = NULL, disabled_at = NULL, "
                "hard_failures = 0, consecutive_failures = 0, next_poll_at = NULL, "
                "retry_after_until = NULL WHERE name = ?",
                [name],
            )
        return cur.rowcount > 0

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
        with self.db.atomic():
            touched = [
                r[0]
                for r in self.db.execute(
                    "SELECT DISTINCT ae.entity_id FROM article_entities ae "
                    "JOIN articles a ON a.id = ae.article_id WHERE a.fetched_at < ?",
                    [fetched_before],
                )
            ]
            cur = self.db.execute("DELETE FROM articles WHERE fetched_at < ?", [fetched_before])
            for entity_id in touched:
                self._recompute_or_drop(entity_id)
            self.db.execute("DELETE FROM runs WHERE started_at < ?", [fetched_before])
        return cur.rowcount

    def _recompute_or_drop(self, entity_id: int) -> None:
        used = self.db.execute(
            "SELECT 1 FROM article_entities WHERE entity_id = ? LIMIT 1", [entity_id]
        ).fetchone()
        if used:
            entities.recompute(self.db, entity_id)
            return
        self.db.execute(
            "UPDATE event_participants SET entity_id = NULL WHERE entity_id = ?", [entity_id]
        )
        self.db.execute("DELETE FROM entities WHERE id = ?", [entity_id])

    # --- articles ----------------------------------------------------------------------

    def article_exists(
        self, canonical_url: str | None = None, text_hash: str | None = None
    ) -> bool:
        """True when an article with this canonical URL or this text hash is stored."""
        if canonical_url is None and text_hash is None:
            raise ValueError("article_exists needs canonical_url or text_hash")
        row = self.db.execute(
            "SELECT 1 FROM articles WHERE canonical_url = ? OR text_hash = ? LIMIT 1",
            [canonical_url, text_hash],
        ).fetchone()
        return row is not None

    def add_article(
        self, article: ArticleText, extraction: Extraction | None, fetched_at: str
    ) -> int | None:
        """Store an article and everything extracted from it, all or nothing.

        Returns the new article id, or None when the same canonical URL or text
        is already stored. Extraction offsets are into the text the extractor
        read: `ExtractInput(text=article.text, title=article.title).doc_text`.
        A record that does not fit (offsets outside the text, unknown event
        type) raises StorageError and nothing of the article is kept.
        """
        if self.article_exists(article.canonical_url, article.text_hash):
            return None
        try:
            with self.db.atomic():
                article_id = self._insert_article(article, extraction, fetched_at)
                if extraction is not None:
                    _ExtractionWriter(self.db, article_id, article, extraction, fetched_at).write()
                    event_merge.merge_article_events(self.db, article_id)
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"cannot store {article.url}: {exc}") from None
        return article_id

    def replace_extraction(
        self, article_id: int, article: ArticleText, extraction: Extraction, processed_at: str
    ) -> None:
        """Reprocessing: replace a stored article's text fields and extraction, all or nothing.

        Entities it named are recomputed from what is left (or deleted when nothing
        is), its events leave their story events before they are rewritten.
        """
        fetched_at = self.db.execute(
            "SELECT fetched_at FROM articles WHERE id = ?", [article_id]
        ).fetchone()[0]
        try:
            with self.db.atomic():
                old = self.db.execute(
                    "SELECT DISTINCT entity_id, type, name_key FROM article_entities "
                    "WHERE article_id = ?",
                    [article_id],
                ).fetchall()
                event_merge.unlink_article_events(self.db, article_id)
                for table in ("events", "mentions", "article_entities"):
                    self.db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
                for entity_id in sorted({r[0] for r in old}):
                    self._recompute_or_drop(entity_id)
                for last in sorted({surname(r[2]) for r in old if r[1] == "official"}):
                    entities.reconcile_surname(self.db, last)
                self.db.execute(
                    "UPDATE articles SET text = ?, text_hash = ?, title = ?, authors = ?, "
                    "published = ?, language = ?, dateline = ?, extractor_version = ?, "
                    "processed_at = ? WHERE id = ?",
                    [
                        article.text,
                        article.text_hash,
                        article.title,
                        json.dumps(list(article.authors), ensure_ascii=False),
                        article.published,
                        article.language,
                        article.dateline,
                        extraction.extractor_version,
                        processed_at,
                        article_id,
                    ],
                )
                _ExtractionWriter(self.db, article_id, article, extraction, fetched_at).write()
                event_merge.merge_article_events(self.db, article_id)
        except sqlite3.IntegrityError as exc:
            raise StorageError(f"cannot reprocess {article.url}: {exc}") from None

    def _insert_article(
        self, article: ArticleText, extraction: Extraction | None, fetched_at: str
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO articles (source, url, canonical_url, text_hash, title, authors, "
            "published, language, dateline, text, raw_html, fetched_at, extractor_version, "
            "processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                article.source,
                article.url,
                article.canonical_url,
                article.text_hash,
                article.title,
                json.dumps(list(article.authors), ensure_ascii=False),
                article.published,
                article.language,
                article.dateline,
                article.text,
                zlib.compress(article.html) if article.html is not None else None,
                fetched_at,
                extraction.extractor_version if extraction else None,
                utc_now() if extraction else None,
            ],
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def raw_html(self, article_id: int) -> bytes | None:
        row = self.db.execute("SELECT raw_html FROM articles WHERE id = ?", [article_id]).fetchone()
        return zlib.decompress(row[0]) if row and row[0] is not None else None

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
            [run_id, source, url, reason, message, at or utc_now()],
        )

    def finish_run(
        self, run_id: int, summary: RunSummary, status: str, at: str | None = None
    ) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, sources_polled = ?, not_modified = ?, "
            "new_articles = ?, unchanged = ?, errors = ? WHERE id = ?",
            [
                at or utc_now(),
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


class _ExtractionWriter:
    """Writes one article's extraction records; runs inside `add_article`'s transaction."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        article_id: int,
        article: ArticleText,
        extraction: Extraction,
        fetched_at: str,
    ) -> None:
        self.db = db
        self.article_id = article_id
        self.version = extraction.extractor_version
        self.extraction = extraction
        self.doc_text = ExtractInput(id="", text=article.text, title=article.title).doc_text
        self.seen = article.published or fetched_at
        self.surnames: set[str] = set()
        # Names, keys and acronyms of this article's records -> (entity_id, type), so
        # event participants link to the same entities as the records they name.
        self.local: dict[str, int] = {}

    def write(self) -> None:
        ex = self.extraction
        for o in ex.officials:
            attrs = {"role": o.role, "country": o.country}
            self._record("official", o.name, attrs, o.mentions)
        for g in ex.organizations:
            attrs = {"acronym": g.acronym, "kind": g.kind}
            self._record("organization", g.name, attrs, g.mentions)
        for type_, mentions in (("mineral", ex.minerals), ("country", ex.countries)):
            by_name: dict[str, list[Mention]] = {}
            for m in mentions:
                by_name.setdefault(m.canonical, []).append(m)
            for name, group in by_name.items():
                self._record(type_, name, {}, group)
        for last in sorted(self.surnames):
            entities.reconcile_surname(self.db, last)
        self._events()

    def _record(
        self, type_: str, name: str, attrs: dict[str, str | None], mentions: list[Mention]
    ) -> None:
        if not name or not name.strip():
            raise StorageError(f"empty {type_} name in extraction")
        sighting = Sighting(type_, name.strip(), self.seen, self.version, attrs)
        entity_id = entities.link(self.db, sighting)
        cur = self.db.execute(
            "INSERT INTO article_entities (article_id, entity_id, type, name, name_key, "
            "attributes, seen, extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.article_id,
                entity_id,
                type_,
                sighting.name,
                sighting.name_key,
                json.dumps({k: v for k, v in attrs.items() if v}, ensure_ascii=False),
                self.seen,
                self.version,
            ],
        )
        ae_id = cur.lastrowid
        texts = [self._mention(entity_id, ae_id, m) for m in mentions]
        self.surnames.update(entities.apply(self.db, entity_id, sighting, texts))
        for key in {
            fold(name),
            official_key(name),
            org_key(name),
            org_key(attrs.get("acronym") or ""),
        }:
            if key:
                self.local.setdefault(key, ae_id or 0)

    def _mention(self, entity_id: int, ae_id: int | None, m: Mention) -> str:
        self._check_span(m.start, m.end, "mention")
        text = m.text or self.doc_text[m.start : m.end]
        sentence: str | None = None
        if m.sent_end > m.sent_start:
            self._check_span(m.sent_start, m.sent_end, "mention sentence")
            sentence = self.doc_text[m.sent_start : m.sent_end]
        self.db.execute(
            'INSERT INTO mentions (article_id, entity_id, article_entity_id, text, start, "end", '
            "sentence, sentence_start, extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.article_id,
                entity_id,
                ae_id,
                text,
                m.start,
                m.end,
                sentence,
                m.sent_start if sentence is not None else None,
                self.version,
            ],
        )
        return text

    def _check_span(self, start: int, end: int, what: str) -> None:
        if not 0 <= start <= end <= len(self.doc_text):
            raise StorageError(
                f"{what} offsets {start}..{end} fall outside the article text "
                f"({len(self.doc_text)} characters)"
            )

    def _participant(self, name: str) -> tuple[int | None, str | None]:
        for key in (fold(name), official_key(name), org_key(name)):
            ae_id = self.local.get(key)
            if ae_id:
                # Read the link now: reconciliation may have moved it.
                row = self.db.execute(
                    "SELECT entity_id, type FROM article_entities WHERE id = ?", [ae_id]
                ).fetchone()
                return row[0], row[1]
        return None, None

    def _events(self) -> None:
        for ev in self.extraction.events:
            self._check_span(ev.evidence_start, ev.evidence_end, "event evidence")
            cur = self.db.execute(
                "INSERT INTO events (article_id, type, name, date, date_text, location, "
                "minerals, evidence, evidence_start, evidence_end, extractor_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self.article_id,
                    ev.type,
                    ev.name,
                    ev.date,
                    ev.date_text,
                    ev.location,
                    json.dumps(list(ev.minerals), ensure_ascii=False),
                    ev.evidence,
                    ev.evidence_start,
                    ev.evidence_end,
                    self.version,
                ],
            )
            for name in ev.participants:
                entity_id, kind = self._participant(name)
                self.db.execute(
                    "INSERT INTO event_participants (event_id, entity_id, name, kind) "
                    "VALUES (?, ?, ?, ?)",
                    [cur.lastrowid, entity_id, name, kind],
                )
