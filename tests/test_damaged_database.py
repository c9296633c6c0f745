"""A damaged database is refused in one line; a read-only one is still read (issue 13, class 11).

A database corrupted mid-file made `run` die with a traceback after marking a source
ok, and readers carried on without a word; a database on a read-only filesystem
could not be read at all. Now one-shot writers run `PRAGMA quick_check` before
writing anything, damage met by a reader is one line, and readers fall back to
`immutable=1` where SQLite cannot create its shared-memory file.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.models import ArticleText, RunSummary
from storage import Store

PAGE = 4096


def newswatch(
    config: Path, *args: str, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "pipeline.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=config.parent,
    )


def filled_database(folder: Path) -> Path:
    """A database of a few hundred pages: articles with their text, runs with errors."""
    path = folder / "nw.db"
    with Store.open(path) as store:
        for n in range(300):
            text = f"Story {n}: nickel prices rose on Monday in London. " * 20
            url = f"https://x.example/{n}"
            article = ArticleText("wire", url, url, f"Nickel {n}", (), None, "en", text,
                                  hashlib.sha256(text.encode()).hexdigest())  # fmt: skip
            store.add_article(article, None, "2026-01-01T00:00:00+00:00")
        run_id = store.start_run("2026-01-02T00:00:00+00:00")
        for k in range(100):
            store.record_error(run_id, "wire", f"https://x.example/{k}", "http-status", "HTTP 500")
        store.finish_run(run_id, RunSummary(), "partial")
    return path


def config_for(folder: Path) -> Path:
    feed = folder / "drop"
    feed.mkdir()
    (feed / "story.txt").write_text("Nickel prices rose on Monday in London. " * 5)
    config = folder / "config.toml"
    config.write_text(f'[storage]\npath = "nw.db"\n[[feeds]]\nname = "drop"\nurl = "{feed}"\n')
    return config


def damage(path: Path) -> None:
    """Overwrite a page in the middle of the file with garbage, as a bad disk would."""
    pages = path.stat().st_size // PAGE
    assert pages > 20
    with open(path, "r+b") as handle:
        handle.seek((pages // 2) * PAGE)
        handle.write(b"\xa5" * PAGE)


def test_run_refuses_a_damaged_database_in_one_line_and_writes_nothing(tmp_path):
    path = filled_database(tmp_path)
    config = config_for(tmp_path)
    damage(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    run = newswatch(config, "run", "--once")

    assert run.returncode == 1
    assert "damaged" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_the_daemon_refuses_a_damaged_database_before_its_first_job(tmp_path):
    path = filled_database(tmp_path)
    config = config_for(tmp_path)
    damage(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    daemon = newswatch(config, "schedule", "--for", "5")

    assert daemon.returncode == 1
    assert "damaged" in daemon.stderr and "Traceback" not in daemon.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_reader_meeting_damage_says_so_in_one_line(tmp_path):
    path = filled_database(tmp_path)
    config = config_for(tmp_path)
    damage(path)

    readers = [
        newswatch(config, "export", "--what", "articles", "--format", "jsonl"),
        newswatch(config, "search", "nickel"),
        newswatch(config, "status"),
    ]

    failed = [p for p in readers if p.returncode != 0]
    assert failed  # the damaged page lies under what at least one of them reads
    for proc in failed:
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def _can_mount_read_only(folder: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}"'
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True)
    return probe.returncode == 0


def test_readers_read_a_database_on_a_read_only_filesystem(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    config = config_for(site)
    assert newswatch(config, "run", "--once").returncode == 0
    if not _can_mount_read_only(site):
        pytest.skip("needs unshare to mount a folder read-only in a private namespace")
    # A private mount namespace in which the folder is read-only; then the command.
    mount = f'mount --bind "{site}" "{site}" && mount -o remount,bind,ro "{site}"'
    read_only = ("unshare", "-rm", "sh", "-c", mount + ' && exec "$0" "$@"')

    status = newswatch(config, "status", "--format", "json", prefix=read_only)
    search = newswatch(config, "search", "nickel", prefix=read_only)

    assert status.returncode == 0, status.stderr
    assert '"drop"' in status.stdout
    assert search.returncode == 0, search.stderr
    assert "story.txt" in search.stdout or "Nickel" in search.stdout
    assert "read-only" in status.stderr  # the fallback is said, once, in the log
