"""Local sources read only inside their folder, within the byte caps (issue 13, class 6).

A local feed's links were read without the byte cap (/dev/zero grew to gigabytes),
could point outside the feed's folder (`../../secret/x.txt`, absolute paths) and were
stored and served; folder sources followed symlinks out of the folder; absolute
file:// links came back from feedparser as file://srv/... and failed. Now a file link
is resolved to its real path and must lie inside the source's folder, only regular
files are read, and no more than [fetch] max_bytes of one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import spacy

from pipeline.acquire.sources import local_root, read_local_page, resolve_source
from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.core.errors import BlockedURLError, FetchError
from pipeline.run import RunContext, run_once
from storage import open_database

STORY = "Copper prices rose on Monday in London as supply from Chile fell. " * 5
SECRET = "SECRET credentials that must never be stored. " * 5


def rows(db_path: Path, sql: str) -> list[dict]:
    db = open_database(db_path, readonly=True)
    try:
        return list(db.query(sql))
    finally:
        db.close()


def feed(*links: str) -> str:
    items = "".join(f"<item><title>{n}</title><link>{link}</link></item>" for n, link in
                    enumerate(links))  # fmt: skip
    return f"<rss version='2.0'><channel><title>local</title>{items}</channel></rss>"


def run(tmp_path: Path, url: str, max_bytes: int = 1_000_000) -> Path:
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(max_bytes=max_bytes),
        feeds=(FeedConfig(name="local", url=url),),
        base_dir=tmp_path,
    )
    run_once(config, RunContext(nlp=spacy.blank("en")))
    return config.db_path


def test_a_local_feed_reads_only_its_own_folder_within_the_cap(tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "x.txt").write_text(SECRET)
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.txt").write_text(STORY)
    (site / "b.txt").write_text(STORY.replace("Copper", "Nickel"))
    (site / "big.txt").write_text("Zinc " * 1000)
    (site / "out.txt").symlink_to(outside / "x.txt")  # a symlink out of the folder
    (site / "feed.xml").write_text(
        feed(
            "a.txt",  # relative, inside
            (site / "b.txt").as_uri(),  # absolute file:// inside: read, not mangled
            "../secret/x.txt",  # relative, outside
            (outside / "x.txt").as_uri(),  # absolute, outside
            "out.txt",
            "big.txt",  # inside, over the byte cap
        )
    )
    db_path = run(tmp_path, str(site / "feed.xml"), max_bytes=2000)

    stored = {r["url"].rsplit("/", 1)[-1] for r in rows(db_path, "select url from articles")}
    assert stored == {"a.txt", "b.txt"}
    assert not rows(db_path, "select 1 from articles where text like '%SECRET%'")
    reasons = {
        r["url"].rsplit("/", 1)[-1]: r["reason"] for r in rows(db_path, "select * from run_errors")
    }
    assert reasons == {"x.txt": "blocked", "out.txt": "blocked", "big.txt": "too-large"}


def test_a_folder_source_does_not_follow_symlinks_out(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(SECRET)
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "story.txt").write_text(STORY)
    (folder / "leak.txt").symlink_to(outside)
    db_path = run(tmp_path, str(folder))

    assert [r["url"].rsplit("/", 1)[-1] for r in rows(db_path, "select url from articles")] == [
        "story.txt"
    ]
    assert not rows(db_path, "select 1 from articles where text like '%SECRET%'")


def test_devices_fifos_and_links_out_are_never_read(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.xml").write_text(feed("a.txt"))
    root = local_root(resolve_source(FeedConfig(name="f", url=str(site / "feed.xml")), tmp_path))
    assert root == site.resolve()
    (site / "zero.txt").symlink_to("/dev/zero")
    with pytest.raises(BlockedURLError):  # its real path is /dev/zero, outside the folder
        read_local_page((site / "zero.txt").as_uri(), root=root, max_bytes=100)
    with pytest.raises(FetchError, match="not a regular file"):  # no root: still not read
        read_local_page(Path("/dev/zero").as_uri(), max_bytes=100)
    os.mkfifo(site / "pipe.txt")
    with pytest.raises(FetchError, match="not a regular file"):  # and no waiting for a writer
        read_local_page((site / "pipe.txt").as_uri(), root=root, max_bytes=100)
