"""Storage: open/pragmas, articles + extraction in one transaction, FTS, feeds, runs, lock."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from extractors.records import Event, ExtractInput, Extraction, Mention, Official, Organization
from pipeline.core.models import ArticleText, FeedItem, FeedPoll, RunSummary, Source, Validators
from storage import StorageError, Store, WriterLock, open_database
from storage.errors import LockedError

REPO = Path(__file__).resolve().parents[1]

# --- builders shared with the other storage tests ------------------------------------------


def make_article(
    text: str,
    *,
    title: str | None = "Minerals news",
    url: str | None = None,
    published: str | None = "2025-01-14",
    html: bytes | None = None,
) -> ArticleText:
    digest = hashlib.sha256(text.encode()).hexdigest()
    url = url or f"https://news.example/{digest[:12]}"
    return ArticleText(
        source="example",
        url=url,
        canonical_url=url,
        title=title,
        authors=("A. Writer",),
        published=published,
        language="en",
        text=text,
        text_hash=digest,
        html=html,
    )


def mention(article: ArticleText, surface: str, canonical: str | None = None) -> Mention:
    """A mention of the first `surface` in the text the extractor reads (title + body)."""
    doc = ExtractInput(id="", text=article.text, title=article.title).doc_text
    start = doc.index(surface)
    return Mention(
        canonical=canonical or surface,
        start=start,
        end=start + len(surface),
        text=surface,
        sent_start=0,
        sent_end=len(doc),
    )


def make_extraction(article: ArticleText, **records: object) -> Extraction:
    return Extraction(id=article.canonical_url, extractor_version="test-1", **records)  # type: ignore[arg-type]


def rows(db, sql: str, params: list | None = None) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql, params or []).fetchall()]


def count(db, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


TEXT = (
    "India was represented at the Finance Ministerial by Ashwini Vaishnaw. "
    "The US-India Strategic Partnership Forum (USISPF) welcomed talks on lithium mines."
)


def rich_article() -> tuple[ArticleText, Extraction]:
    a = make_article(TEXT, html=b"<html><body>" + TEXT.encode() * 20 + b"</body></html>")
    doc = ExtractInput(id="", text=a.text, title=a.title).doc_text
    evidence = "India was represented at the Finance Ministerial by Ashwini Vaishnaw."
    ex = make_extraction(
        a,
        officials=[
            Official("Ashwini Vaishnaw", "Minister", "India", [mention(a, "Ashwini Vaishnaw")])
        ],
        organizations=[
            Organization(
                "US-India Strategic Partnership Forum",
                "USISPF",
                "forum",
                [mention(a, "US-India Strategic Partnership Forum"), mention(a, "USISPF")],
            )
        ],
        minerals=[mention(a, "lithium")],
        countries=[mention(a, "India")],
        events=[
            Event(
                type="meeting",
                evidence=evidence,
                evidence_start=doc.index(evidence),
                evidence_end=doc.index(evidence) + len(evidence),
                name="Finance Ministerial",
                participants=["India", "Ashwini Vaishnaw", "Nobody Known"],
                minerals=["lithium"],
            )
        ],
    )
    return a, ex


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "nw.db") as s:
        yield s


# --- open_database ---------------------------------------------------------------------------


def test_file_database_has_wal_and_safety_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "nw.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert {"articles", "articles_fts", "entities", "mentions", "events"} <= set(db.table_names())


def test_memory_database_is_migrated() -> None:
    db = open_database(":memory:")
    assert "articles" in db.table_names()
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_readonly_open_reads_but_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "nw.db"
    with Store.open(path) as s:
        s.add_article(make_article("Cobalt output rose."), None, "2025-01-15T00:00:00+00:00")
    ro = open_database(path, readonly=True)
    assert count(ro, "articles") == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ro.execute("INSERT INTO runs (started_at) VALUES ('x')")
    assert count(ro, "runs") == 0


def test_readonly_open_of_missing_or_unmigrated_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not found"):
        open_database(tmp_path / "missing.db", readonly=True)
    sqlite3.connect(tmp_path / "old.db").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(StorageError, match="older"):
        open_database(tmp_path / "old.db", readonly=True)
    # ...and the readonly open did not migrate it.
    assert sqlite3.connect(tmp_path / "old.db").execute("PRAGMA user_version").fetchone()[0] == 0


def test_open_in_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        open_database(tmp_path / "nope" / "nw.db")


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot use database"):
        open_database(bad)


# --- articles --------------------------------------------------------------------------------


def test_add_article_stores_article_and_extraction(store: Store) -> None:
    a, ex = rich_article()
    article_id = store.add_article(a, ex, "2025-01-15T08:00:00+00:00")
    assert article_id is not None
    db = store.db
    (row,) = rows(db, "SELECT title, published, extractor_version, processed_at FROM articles")
    assert row[:3] == ("Minerals news", "2025-01-14", "test-1") and row[3]
    assert store.raw_html(article_id) == a.html
    stored_blob = db.execute("SELECT raw_html FROM articles").fetchone()[0]
    assert a.html is not None and len(stored_blob) < len(a.html)  # compressed
    names = set(rows(db, "SELECT type, canonical_name FROM entities"))
    assert names == {
        ("official", "Ashwini Vaishnaw"),
        ("organization", "US-India Strategic Partnership Forum"),
        ("mineral", "lithium"),
        ("country", "India"),
    }
    assert count(db, "mentions") == 5
    texts = {
        r[0]
        for r in rows(
            db, 'SELECT substr(sentence, 1 + start - sentence_start, "end" - start) FROM mentions'
        )
    }
    assert "USISPF" in texts and "Ashwini Vaishnaw" in texts
    (event,) = rows(db, "SELECT type, name, minerals, evidence_start FROM events")
    assert event[:3] == ("meeting", "Finance Ministerial", '["lithium"]')
    parts = rows(
        db,
        "SELECT p.name, p.kind, e.canonical_name FROM event_participants p "
        "LEFT JOIN entities e ON e.id = p.entity_id ORDER BY p.rowid",
    )
    assert parts == [
        ("India", "country", "India"),
        ("Ashwini Vaishnaw", "official", "Ashwini Vaishnaw"),
        ("Nobody Known", None, None),
    ]
    versions = {
        r[0]
        for t in ("entities", "mentions", "events", "article_entities")
        for r in rows(db, f"SELECT DISTINCT extractor_version FROM {t}")
    }
    assert versions == {"test-1"}


def test_article_without_extraction_is_stored_unprocessed(store: Store) -> None:
    article_id = store.add_article(make_article("Nickel prices fell."), None, "2025-01-15")
    assert article_id is not None
    assert rows(store.db, "SELECT processed_at, raw_html FROM articles") == [(None, None)]


def test_duplicate_by_canonical_url_is_skipped(store: Store) -> None:
    first = make_article("Copper output rose 5 pct.", url="https://x.example/a")
    again = make_article("Copper output rose 5 pct, updated.", url="https://x.example/a")
    assert store.add_article(first, None, "t1") is not None
    assert store.article_exists(canonical_url="https://x.example/a")
    assert store.add_article(again, make_extraction(again), "t2") is None
    assert count(store.db, "articles") == 1


def test_duplicate_by_text_hash_is_skipped(store: Store) -> None:
    first = make_article("Gallium exports curbed.", url="https://x.example/a")
    syndicated = make_article("Gallium exports curbed.", url="https://mirror.example/b")
    assert store.add_article(first, None, "t1") is not None
    assert store.article_exists(text_hash=syndicated.text_hash)
    assert not store.article_exists(canonical_url="https://mirror.example/b")
    assert store.add_article(syndicated, None, "t2") is None
    assert count(store.db, "articles") == 1


def test_article_exists_needs_a_key(store: Store) -> None:
    with pytest.raises(ValueError):
        store.article_exists()


def fts_ids(db, query: str) -> list[int]:
    return [
        r[0]
        for r in db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [query])
    ]


def test_fts_finds_text_and_follows_updates_and_deletes(store: Store) -> None:
    a_id = store.add_article(make_article("Lithium mines in Chile expanded."), None, "t")
    b_id = store.add_article(make_article("Cobalt refinery opened.", title="Congo"), None, "t")
    db = store.db
    assert fts_ids(db, "lithium") == [a_id]
    assert fts_ids(db, "mining") == [a_id]  # porter stemming: mines ~ mining
    assert fts_ids(db, "title:congo") == [b_id]
    db.execute("UPDATE articles SET text = 'Nickel smelter closed.' WHERE id = ?", [a_id])
    assert fts_ids(db, "lithium") == []
    assert fts_ids(db, "nickel") == [a_id]
    db.execute("DELETE FROM articles WHERE id = ?", [b_id])
    assert fts_ids(db, "cobalt") == []
    assert fts_ids(db, "congo") == []


def test_bad_mention_offsets_roll_back_everything(store: Store) -> None:
    a, ex = rich_article()
    bad = Mention("cobalt", start=10_000, end=10_006, text="cobalt")
    ex.minerals.append(bad)  # written after officials and organisations
    with pytest.raises(StorageError, match="outside the article text"):
        store.add_article(a, ex, "t")
    for table in ("articles", "entities", "article_entities", "mentions", "events", "entity_keys"):
        assert count(store.db, table) == 0, table
    assert fts_ids(store.db, "lithium") == []
    # The store is still usable and the same article can be stored once fixed.
    ex.minerals.remove(bad)
    assert store.add_article(a, ex, "t") is not None


def test_bad_event_type_rolls_back_everything(store: Store) -> None:
    a, ex = rich_article()
    ex.events[0].type = "party"  # the CHECK constraint fires after all entity rows exist
    with pytest.raises(StorageError, match="cannot store"):
        store.add_article(a, ex, "t")
    for table in ("articles", "entities", "mentions", "events", "event_participants"):
        assert count(store.db, table) == 0, table


# --- feeds and runs --------------------------------------------------------------------------

SOURCE = Source(name="pib", location="https://pib.example/rss", kind="http", tags=("india",))
ETAG = 'W/"5e1-0x8D"'
LAST_MOD = "Tue, 14 Jan 2025 10:00:00 GMT"


def poll(status: str, http: int | None, **kw: object) -> FeedPoll:
    return FeedPoll(source="pib", status=status, http_status=http, **kw)  # type: ignore[arg-type]


def source_row(store: Store) -> dict:
    return dict(next(store.db.query("SELECT * FROM sources WHERE name = 'pib'")))


def test_validators_are_stored_byte_exact_and_only_when_saved(store: Store) -> None:
    assert store.feed_validators("pib") == Validators()
    items = (FeedItem(source="pib", link="https://pib.example/1"),) * 3
    store.record_poll(
        SOURCE, poll("ok", 200, items=items, validators=Validators(ETAG, LAST_MOD)), "t1"
    )
    assert store.feed_validators("pib") == Validators()  # items not stored yet
    store.save_validators("pib", Validators(ETAG, LAST_MOD))
    assert store.feed_validators("pib") == Validators(ETAG, LAST_MOD)
    store.record_poll(SOURCE, poll("not_modified", 304, validators=Validators('"other"')), "t2")
    store.record_poll(SOURCE, poll("error", 503, error="http-status: 503"), "t3")
    assert store.feed_validators("pib") == Validators(ETAG, LAST_MOD)
    row = source_row(store)
    assert row["polls"] == 3 and row["not_modified_count"] == 1 and row["items_seen"] == 3
    assert row["consecutive_failures"] == 1 and row["last_error"] == "http-status: 503"
    assert row["last_success"] == "t2" and row["last_polled"] == "t3"
    assert row["last_status"] == "error" and row["tags"] == '["india"]'
    store.record_poll(SOURCE, poll("ok", 200, validators=Validators(None, LAST_MOD)), "t4")
    store.save_validators("pib", Validators(None, LAST_MOD))
    assert store.feed_validators("pib") == Validators(None, LAST_MOD)
    assert source_row(store)["consecutive_failures"] == 0


def test_runs_and_errors_are_recorded(store: Store) -> None:
    run_id = store.start_run("2025-01-15T08:00:00+00:00")
    store.record_error(run_id, "pib", "https://pib.example/2", "transport", "timed out")
    summary = RunSummary(
        run_id,
        sources_polled=3,
        sources_not_modified=1,
        new_articles=2,
        unchanged=4,
        errors=["transport: timed out"],
    )
    store.finish_run(run_id, summary, "ok", at="2025-01-15T08:05:00+00:00")
    (run,) = rows(
        store.db,
        "SELECT finished_at, status, sources_polled, not_modified, "
        "new_articles, unchanged, errors FROM runs",
    )
    assert run == ("2025-01-15T08:05:00+00:00", "ok", 3, 1, 2, 4, 1)
    assert rows(store.db, "SELECT run_id, reason, message FROM run_errors") == [
        (run_id, "transport", "timed out")
    ]
    counts = store.counts()
    assert counts["runs"] == 1 and counts["run_errors"] == 1 and counts["articles"] == 0


def test_counts_include_entity_types(store: Store) -> None:
    a, ex = rich_article()
    store.add_article(a, ex, "t")
    counts = store.counts()
    assert counts["articles"] == 1 and counts["entities"] == 4
    assert counts["entities.official"] == 1 and counts["mentions"] == 5


# --- writer lock -----------------------------------------------------------------------------

# Loads storage/lock.py alone: importing the storage package would pull in spaCy (slow).
HOLDER = textwrap.dedent(
    """
    import importlib.util, sys, time
    sys.path.insert(0, {repo!r})
    spec = importlib.util.spec_from_file_location("nw_lock", {repo!r} + "/storage/lock.py")
    lock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lock)
    with lock.WriterLock({db!r}):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_second_writer_gets_locked_error_naming_the_pid(tmp_path: Path) -> None:
    db = tmp_path / "nw.db"
    code = HOLDER.format(repo=str(REPO), db=str(db))
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError) as info:
            WriterLock(db).acquire()
        message = str(info.value)
        assert f"pid {holder.pid}" in message and str(db) in message
        with pytest.raises(LockedError):
            Store.open(db)
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the dead holder's lock: no stale lock file problem.
    with WriterLock(db) as lock:
        assert lock.held
    assert not lock.held


def test_lock_is_exclusive_within_one_process_too(tmp_path: Path) -> None:
    with WriterLock(tmp_path / "nw.db"), pytest.raises(LockedError):
        WriterLock(tmp_path / "nw.db").acquire()
    with Store.open(tmp_path / "nw.db"), pytest.raises(LockedError):
        Store.open(tmp_path / "nw.db")
    # Closing the store released the lock: reopening works.
    Store.open(tmp_path / "nw.db").close()


def test_reader_sees_committed_articles_while_the_writer_is_open(tmp_path: Path) -> None:
    path = tmp_path / "nw.db"
    with Store.open(path) as writer:
        reader = open_database(path, readonly=True)
        writer.add_article(make_article("Graphite exports were curbed."), None, "t")
        hits = reader.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'graphite'")
        assert len(hits.fetchall()) == 1
        reader.close()
