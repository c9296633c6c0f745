"""The errors `storage` raises on purpose; the application maps them to messages and exit codes.

StorageError      the database cannot be opened, migrated or written
└── LockedError   another writer holds the database lock
"""

from __future__ import annotations


class StorageError(Exception):
    """The database file is missing, not SQLite, from a newer newswatch, or a write failed."""


class LockedError(StorageError):
    """Another process holds the writer lock (or the lock file cannot be created)."""
