"""Open the newswatch SQLite database with the settings every connection needs.

WAL lets readers (`newswatch search`, a notebook) work while the single writer
inserts; busy_timeout makes a reader wait for a checkpoint instead of failing at
once; synchronous=NORMAL is the documented safe pairing with WAL (a power cut can
lose the last transactions, never corrupt the file); foreign keys are off by
default in SQLite and the schema relies on them.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from storage.errors import StorageError
from storage.migrations import SCHEMA_VERSION, migrate, schema_version

BUSY_TIMEOUT_MS = 5000
MEMORY = ":memory:"


def open_database(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (and, when writable, create and migrate) the database at `path`.

    `":memory:"` gives a private in-memory database, for tests. A readonly open
    uses a `mode=ro` URI, so SQLite itself refuses writes, and never migrates: a
    reader must not change the schema under the writer's feet.
    """
    is_memory = str(path) == MEMORY
    if readonly and is_memory:
        raise StorageError("a read-only open needs a database file, not :memory:")
    try:
        conn = _connect(Path(path), readonly=readonly, is_memory=is_memory)
    except sqlite3.Error as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from None
    db = sqlite_utils.Database(conn)
    try:
        _set_pragmas(db, readonly=readonly, is_memory=is_memory)
        if readonly:
            _check_readable_version(db, path)
        else:
            _check_not_newer(db, path)
            migrate(db)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(f"cannot use database {path}: {exc}") from None
    except StorageError:
        conn.close()
        raise
    return db


def _connect(path: Path, *, readonly: bool, is_memory: bool) -> sqlite3.Connection:
    if is_memory:
        return sqlite3.connect(MEMORY)
    if readonly:
        if not path.is_file():
            raise StorageError(f"database not found: {path} (run `newswatch run` first)")
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    if not path.parent.is_dir():
        raise StorageError(f"cannot create database {path}: directory {path.parent} does not exist")
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)


def _set_pragmas(db: sqlite_utils.Database, *, readonly: bool, is_memory: bool) -> None:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    if readonly or is_memory:
        # A reader cannot change the journal mode (the writer set WAL in the
        # file header), and an in-memory database has no WAL.
        return
    with db.ensure_autocommit_on():
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StorageError(f"cannot switch {db.conn} to WAL journal mode (got {mode})")
    db.execute("PRAGMA synchronous = NORMAL")


def _check_not_newer(db: sqlite_utils.Database, path: str | Path) -> None:
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise StorageError(
            f"database {path} has schema version {version}, newer than this newswatch "
            f"({SCHEMA_VERSION}); upgrade newswatch"
        )


def _check_readable_version(db: sqlite_utils.Database, path: str | Path) -> None:
    _check_not_newer(db, path)
    if schema_version(db) < SCHEMA_VERSION:
        raise StorageError(
            f"database {path} has schema version {schema_version(db)}, older than "
            f"{SCHEMA_VERSION}; open it once for writing (`newswatch run`) to migrate it"
        )
