"""newswatch storage: SQLite (WAL) through sqlite-utils, one writer process at a time.

Public surface:
    open_database(path, *, readonly=False) -> sqlite_utils.Database   pragmas + migrations
    Store(db) / Store.open(path)           the writer API (takes WriterLock on open)
    WriterLock(db_path)                    fcntl lock on <db>.lock -> LockedError
    find_entity(db, name_or_alias, type=None) -> list[dict]
    migrate(db), schema_version(db), SCHEMA_VERSION
    StorageError
"""

from storage.db import StorageError, open_database
from storage.entities import find_entity
from storage.lock import WriterLock
from storage.migrations import SCHEMA_VERSION, migrate, schema_version
from storage.store import Store

__all__ = [
    "SCHEMA_VERSION",
    "StorageError",
    "Store",
    "WriterLock",
    "find_entity",
    "migrate",
    "open_database",
    "schema_version",
]
