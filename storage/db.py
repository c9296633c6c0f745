"""Open the newswatch SQLite database with the settings every connection needs.

WAL lets readers (`newswatch search`, a notebook) work while the single writer
inserts; busy_timeout makes a reader wait for a checkpoint instead of failing at
once; synchronous=NORMAL is the documented safe pairing with WAL (a power cut can
lose the last transactions, never corrupt the file); foreign keys are off by
default in SQLite and the schema relies on them.

A writer asks for `check=True` (one-shot writers do, through `Store.open`): `PRAGMA
quick_check` runs before anything is written or migrated, and a damaged file is
refused with one line instead of failing halfway through a run. A reader opens with
`mode=ro`; on a read-only filesystem or folder, where SQLite cannot even create the
WAL's shared-memory file, it falls back to `immutable=1` (no locks: nothing can
write there anyway) and says so in the log.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from storage.errors import StorageError
from storage.migrations import SCHEMA_VERSION, migrate, schema_version

BUSY_TIMEOUT_MS = 5000
MEMORY = ":memory:"

log = logging.getLogger(__name__)


def open_database(
    path: str | Path, *, readonly: bool = False, check: bool = False
) -> sqlite_utils.Database:
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
            if check:
                _check_intact(db, path)
            _check_not_newer(db, path)
            migrate(db)
    except sqlite3.OperationalError as exc:
        conn.close()
        raise StorageError(f"cannot use database {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:  # "malformed", "not a database": the file itself
        conn.close()
        raise StorageError(f"cannot use database {path}: damaged: {exc}") from None
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
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the file
        except sqlite3.OperationalError:
            conn.close()
            if _writable(path):
                raise  # not the read-only filesystem case: a real error, reported as such
            return _connect_immutable(path)
        return conn
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


def _writable(path: Path) -> bool:
    """Whether SQLite could write beside the file (its -wal and -shm) and to it."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _connect_immutable(path: Path) -> sqlite3.Connection:
    wal = path.with_name(path.name + "-wal")
    unread = wal.is_file() and wal.stat().st_size > 0
    log.warning(
        "database %s is on a read-only filesystem or folder: read as it is on disk%s",
        path,
        " (its write-ahead log, with the latest changes, cannot be read there)" if unread else "",
    )
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def _check_intact(db: sqlite_utils.Database, path: str | Path) -> None:
    """Refuse a damaged file before writing to it: PRAGMA quick_check (the cheap check:
    every page and index is readable and well-formed, without cross-checking rows)."""
    problems = [str(row[0]) for row in db.execute("PRAGMA quick_check").fetchall()]
    problems = [p for p in problems if not _false_null_report(db, p)] or ["ok"]
    if problems != ["ok"]:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise StorageError(
            f"database {path} is damaged, nothing was written: {problems[0]}{more}; "
            f"restore a backup, or recover what is readable with `sqlite3 {path} .recover`"
        )


# SQLite 3.40's quick_check reports "NULL value in T.C" for the NOT NULL columns of a
# WITHOUT ROWID table's primary key (entity_keys) that hold no NULL; integrity_check
# does not. Such a report is believed only when the column really holds a NULL.
_NULL_REPORT = re.compile(r"NULL value in (\w+)\.(\w+)")


def _false_null_report(db: sqlite_utils.Database, problem: str) -> bool:
    found = _NULL_REPORT.fullmatch(problem)
    if found is None:
        return False
    table, column = found.groups()
    query = f'SELECT 1 FROM "{table}" WHERE "{column}" IS NULL LIMIT 1'
    return db.execute(query).fetchone() is None


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
