"""The writer lock against symlinks (issue 13, class 7), on real files and processes.

One database, however it is spelled (a symlink to it, a symlinked folder on the way),
has one lock: a second writer through another spelling is refused, not let in to
share the WAL. A lock path planted as a symlink (or a hard link) to another file is
refused without touching that file, which the holder would otherwise truncate.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storage import Store, WriterLock
from storage.errors import LockedError

REPO = Path(__file__).resolve().parents[1]

# Holds WriterLock(path) in another process, loading storage/lock.py alone (fast).
HOLDER = textwrap.dedent(
    """
    import importlib.util, sys, time
    spec = importlib.util.spec_from_file_location("nw_lock", {repo!r} + "/storage/lock.py")
    lock = importlib.util.module_from_spec(spec)
    sys.path.insert(0, {repo!r})
    spec.loader.exec_module(lock)
    with lock.WriterLock({db!r}):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def _spellings(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The database, a symlink to it, and the same file through a symlinked folder."""
    real_dir = tmp_path / "data"
    real_dir.mkdir()
    db = real_dir / "nw.db"
    Store.open(db).close()
    link = tmp_path / "link.db"
    link.symlink_to(db)
    folder_link = tmp_path / "data-link"
    folder_link.symlink_to(real_dir, target_is_directory=True)
    return db, link, folder_link / "nw.db"


def test_every_spelling_of_one_database_takes_the_same_lock(tmp_path):
    db, link, through_folder = _spellings(tmp_path)
    for first in (db, link, through_folder):
        with WriterLock(first):
            for second in (db, link, through_folder):
                with pytest.raises(LockedError):
                    WriterLock(second).acquire()
                with pytest.raises(LockedError):
                    Store.open(second)
    assert {WriterLock(p).path for p in (db, link, through_folder)} == {Path(f"{db}.lock")}


def test_a_writer_in_another_process_blocks_the_symlinked_path(tmp_path):
    db, link, _ = _spellings(tmp_path)
    code = HOLDER.format(repo=str(REPO), db=str(db))
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError) as info:
            Store.open(link)
        assert f"pid {holder.pid}" in str(info.value) and str(link) in str(info.value)
    finally:
        holder.kill()
        holder.wait()
    Store.open(link).close()  # the holder is gone: the symlinked path may write now


def test_a_lock_path_that_is_a_symlink_is_refused_and_its_target_untouched(tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me\n")
    db = tmp_path / "nw.db"
    (tmp_path / "nw.db.lock").symlink_to(victim)
    with pytest.raises(LockedError, match="symbolic link"):
        WriterLock(db).acquire()
    with pytest.raises(LockedError, match="symbolic link"):
        Store.open(db)
    assert victim.read_text() == "do not truncate me\n"
    # A dangling symlink is not followed to create its target either.
    dangling = tmp_path / "other.db.lock"
    dangling.symlink_to(tmp_path / "created-by-the-lock")
    with pytest.raises(LockedError):
        WriterLock(tmp_path / "other.db").acquire()
    assert not (tmp_path / "created-by-the-lock").exists()


def test_a_lock_path_that_is_a_hard_link_is_refused(tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me\n")
    os.link(victim, tmp_path / "nw.db.lock")
    with pytest.raises(LockedError, match="hard link"):
        WriterLock(tmp_path / "nw.db").acquire()
    assert victim.read_text() == "do not truncate me\n"


def test_run_refuses_a_symlinked_lock_with_one_line(tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("keep\n")
    (tmp_path / "nw.db.lock").symlink_to(victim)
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "nw.db"\n')
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "run", "--once"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "symbolic link" in lines[0], proc.stderr
    assert victim.read_text() == "keep\n"
