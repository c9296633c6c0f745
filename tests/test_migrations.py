"""Migrations: ordered, one transaction each, tracked in PRAGMA user_version, idempotent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from storage import SCHEMA_VERSION, StorageError, Store, migrate, open_database, schema_version
from storage.migrations import MIGRATIONS
from tests.test_storage import make_article


def schema_sql(db: sqlite_utils.Database) -> list[tuple]:
    return [tuple(r) for r in db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name")]


def test_fresh_database_is_at_the_latest_version(tmp_path: Path) -> None:
    db = open_database(tmp_path / "nw.db")
    assert schema_version(db) == SCHEMA_VERSION == len(MIGRATIONS)
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_events_type_date", "idx_mentions_entity", "idx_articles_published"} <= indexes
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers


def test_migrating_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "nw.db"
    db = open_database(path)
    before = schema_sql(db)
    assert migrate(db) == 0
    db.close()
    db = open_database(path)  # a second writable open migrates again: nothing to do
    assert schema_sql(db) == before
    assert schema_version(db) == SCHEMA_VERSION


def test_an_existing_version_zero_file_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "nw.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x TEXT)")  # something unrelated already there
    conn.commit()
    conn.close()
    db = open_database(path)
    assert schema_version(db) == SCHEMA_VERSION
    assert {"notes", "articles"} <= set(db.table_names())


def _v2_add_summary_column(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE articles ADD COLUMN summary TEXT")
    db.execute("UPDATE articles SET summary = substr(text, 1, 7)")


def test_old_version_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "nw.db"
    with Store.open(path) as store:
        store.add_article(make_article("Lithium prices fell."), None, "t")
    db = open_database(path)
    assert migrate(db, (*MIGRATIONS, _v2_add_summary_column)) == 1
    assert schema_version(db) == SCHEMA_VERSION + 1
    assert [tuple(r) for r in db.execute("SELECT text, summary FROM articles")] == [
        ("Lithium prices fell.", "Lithium")
    ]
    # FTS still follows the table after the upgrade.
    hits = db.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'lithium'")
    assert hits.fetchone()[0] == 1
    assert migrate(db, (*MIGRATIONS, _v2_add_summary_column)) == 0


def _v2_broken(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE half_done (x)")
    db.execute("INSERT INTO no_such_table VALUES (1)")


def test_a_failing_migration_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    db = open_database(tmp_path / "nw.db")
    before = schema_sql(db)
    with pytest.raises(sqlite3.OperationalError):
        migrate(db, (*MIGRATIONS, _v2_broken))
    assert schema_version(db) == SCHEMA_VERSION
    assert schema_sql(db) == before
    assert "half_done" not in db.table_names()


def test_a_database_from_a_newer_newswatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "nw.db"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StorageError, match="newer"):
        open_database(path)
    with pytest.raises(StorageError, match="newer"):
        open_database(path, readonly=True)
