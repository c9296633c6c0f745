"""The writer's side of the `articles` table: adding, reprocessing and pruning articles.

Split out of storage/store.py, which keeps `Store` and delegates here (the
public contract of each operation is documented on its `Store` method). What
these share, and why they sit together: each changes which articles exist or
what was extracted from them, so each must leave the entities those articles
named consistent (`recompute_or_drop`) and run all or nothing in one
transaction. Writing the extraction records themselves is
storage/extraction_write.py.
"""

from __future__ import annotations

import json
import sqlite3
import zlib

import sqlite_utils

from extractors.records import Extraction
from storage import entities, event_merge
from storage.db import StorageError
from storage.extraction_write import ExtractionWriter
from storage.names import surname
from storage.records import ArticleRecord
from storage.redact import redact_userinfo


def article_exists(
    db: sqlite_utils.Database, canonical_url: str | None = None, text_hash: str | None = None
) -> bool:
    """True when an article with this canonical URL or this text hash is stored."""
    if canonical_url is None and text_hash is None:
        raise ValueError("article_exists needs canonical_url or text_hash")
    row = db.execute(
        "SELECT 1 FROM articles WHERE canonical_url = ? OR text_hash = ? LIMIT 1",
        [None if canonical_url is None else redact_userinfo(canonical_url), text_hash],
    ).fetchone()
    return row is not None


def add_article(
    db: sqlite_utils.Database,
    article: ArticleRecord,
    extraction: Extraction | None,
    fetched_at: str,
    processed_at: str,
) -> int | None:
    """See `Store.add_article`. `processed_at` is stored only when there is an extraction."""
    if article_exists(db, article.canonical_url, article.text_hash):
        return None
    try:
        with db.atomic():
            article_id = _insert_article(db, article, extraction, fetched_at, processed_at)
            if extraction is not None and extraction.truncated_to is not None:
                db.execute(
                    "UPDATE articles SET nlp_chars = ? WHERE id = ?",
                    [extraction.truncated_to, article_id],
                )
            if extraction is not None:
                ExtractionWriter(db, article_id, article, extraction, fetched_at).write()
                event_merge.merge_article_events(db, article_id)
    except sqlite3.IntegrityError as exc:
        raise StorageError(f"cannot store {article.url}: {exc}") from None
    return article_id


def replace_extraction(
    db: sqlite_utils.Database,
    article_id: int,
    article: ArticleRecord,
    extraction: Extraction,
    processed_at: str,
) -> None:
    """See `Store.replace_extraction`."""
    fetched_at = db.execute(
        "SELECT fetched_at FROM articles WHERE id = ?", [article_id]
    ).fetchone()[0]
    try:
        with db.atomic():
            old = db.execute(
                "SELECT DISTINCT entity_id, type, name_key FROM article_entities "
                "WHERE article_id = ?",
                [article_id],
            ).fetchall()
            event_merge.unlink_article_events(db, article_id)
            for table in ("events", "mentions", "article_entities"):
                db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
            for entity_id in sorted({r[0] for r in old}):
                recompute_or_drop(db, entity_id)
            for last in sorted({surname(r[2]) for r in old if r[1] == "official"}):
                entities.reconcile_surname(db, last)
            db.execute(
                "UPDATE articles SET text = ?, text_hash = ?, title = ?, authors = ?, "
                "published = ?, language = ?, dateline = ?, extractor_version = ?, "
                "processed_at = ?, nlp_chars = ? WHERE id = ?",
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
                    extraction.truncated_to,
                    article_id,
                ],
            )
            ExtractionWriter(db, article_id, article, extraction, fetched_at).write()
            event_merge.merge_article_events(db, article_id)
    except sqlite3.IntegrityError as exc:
        raise StorageError(f"cannot reprocess {article.url}: {exc}") from None


def _insert_article(
    db: sqlite_utils.Database,
    article: ArticleRecord,
    extraction: Extraction | None,
    fetched_at: str,
    processed_at: str,
) -> int:
    cur = db.execute(
        "INSERT INTO articles (source, url, canonical_url, text_hash, title, authors, "
        "published, language, dateline, text, raw_html, fetched_at, extractor_version, "
        "processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            article.source,
            redact_userinfo(article.url),  # a feed's login, inherited by relative links
            redact_userinfo(article.canonical_url),
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
            processed_at if extraction else None,
        ],
    )
    assert cur.lastrowid is not None
    return cur.lastrowid


def raw_html(db: sqlite_utils.Database, article_id: int) -> bytes | None:
    row = db.execute("SELECT raw_html FROM articles WHERE id = ?", [article_id]).fetchone()
    return zlib.decompress(row[0]) if row and row[0] is not None else None


def prune_articles(db: sqlite_utils.Database, fetched_before: str) -> int:
    """See `Store.prune_articles`.

    As for a reprocessed article, the events first leave their story events (one
    left with no report goes; the others get their first report and participants
    from the reports left) and surname-only sightings are relinked. Story
    clusters are rebuilt from the stored signatures when a deleted article was
    clustered: it can be a cluster's id and canonical copy, count among its
    pickups and outlets, or be the copy bridging two groups.
    """
    old = "SELECT id FROM articles WHERE fetched_at < :cutoff"
    cutoff = {"cutoff": fetched_before}
    with db.atomic():
        article_ids = [r[0] for r in db.execute(old, cutoff)]
        sightings = db.execute(
            f"SELECT DISTINCT entity_id, type, name_key FROM article_entities "
            f"WHERE article_id IN ({old})",
            cutoff,
        ).fetchall()
        clustered = db.execute(
            f"SELECT 1 FROM articles WHERE id IN ({old}) AND cluster_id IS NOT NULL LIMIT 1",
            cutoff,
        ).fetchone()
        for article_id in article_ids:
            event_merge.unlink_article_events(db, article_id)
        cur = db.execute("DELETE FROM articles WHERE fetched_at < ?", [fetched_before])
        for entity_id in sorted({r[0] for r in sightings}):
            recompute_or_drop(db, entity_id)
        for last in sorted({surname(r[2]) for r in sightings if r[1] == "official"}):
            entities.reconcile_surname(db, last)
        if clustered:
            # Imported here: clustering pulls in datasketch and numpy (see Store.stories).
            from storage.stories.clusters import StoryClusters

            StoryClusters(db).recluster()
        db.execute("DELETE FROM runs WHERE started_at < ?", [fetched_before])
    return cur.rowcount


def recompute_or_drop(db: sqlite_utils.Database, entity_id: int) -> None:
    """After an entity lost article records: recompute it from what is left, or delete it
    (unlinking its event participants) when nothing is left."""
    used = db.execute(
        "SELECT 1 FROM article_entities WHERE entity_id = ? LIMIT 1", [entity_id]
    ).fetchone()
    if used:
        entities.recompute(db, entity_id)
        return
    db.execute("UPDATE event_participants SET entity_id = NULL WHERE entity_id = ?", [entity_id])
    db.execute("DELETE FROM entities WHERE id = ?", [entity_id])
