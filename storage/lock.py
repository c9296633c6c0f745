"""One writer process per database, enforced with an advisory lock file.

The Python here links SQLite 3.40.1, which has the WAL-reset bug (fixed in
3.51.3): two connections writing and checkpointing the same WAL database at the
same time can, rarely, corrupt it. Readers are safe. So every command that
writes holds `WriterLock(db_path)` for its whole life; a second writer fails at
once with `LockedError` instead of waiting or racing.

flock locks belong to the open file description: the kernel drops them when the
process dies, so a crashed writer never leaves a stale lock behind. The pid in
the file is only there to make the error message useful.

The lock sits beside the database's resolved real path, not the path as written: a
symlink to the database (or through a symlinked folder) names the same file, so it
must name the same lock, or two writers would share one WAL. The lock file itself is
opened with O_NOFOLLOW and must be a regular file with one link, because the holder
truncates it: a lock path planted as a symlink or hard link to another file is
refused, and that file is never written.
"""

from __future__ import annotations

import fcntl
import os
import stat
from pathlib import Path
from types import TracebackType

from storage.errors import LockedError


def lock_path_for(db_path: str | Path) -> Path:
    """`<real path of the database>.lock`: every spelling of one database, one lock."""
    return Path(f"{os.path.realpath(db_path)}.lock")


class WriterLock:
    """Exclusive, non-blocking lock on `<db>.lock`; use as a context manager."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = lock_path_for(db_path)
        # Named in messages when it differs from the lock's real path (a symlink).
        self._given = "" if str(self.path) == f"{db_path}.lock" else f" (the lock of {db_path})"
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is not None:
            return
        fd = _open_lock_file(self.path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "unknown pid"
            raise LockedError(
                f"another newswatch writer ({who}) holds {self.path}{self._given}; wait for it to "
                "finish or stop it (only one process may write the database at a time)"
            ) from None
        # Truncate only once we hold the lock, so we never erase the holder's pid.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _open_lock_file(path: Path) -> int:
    """Open (or create) the lock file, refusing anything but a plain file of our own."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if os.path.islink(path):
            raise LockedError(
                f"lock file {path} is a symbolic link; newswatch does not follow it "
                "(remove it if nothing else needs it)"
            ) from None
        raise LockedError(f"cannot create lock file {path}: {exc.strerror}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
        os.close(fd)
        what = "not a regular file" if not stat.S_ISREG(info.st_mode) else "a hard link"
        raise LockedError(
            f"lock file {path} is {what}; remove it (newswatch will not write through it)"
        )
    return fd


def _read_pid(fd: int) -> int | None:
    try:
        raw = os.pread(fd, 32, 0)
    except OSError:
        return None
    text = raw.decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None
