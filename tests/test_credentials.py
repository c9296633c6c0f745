"""A feed's login never leaves the config (issue 13, class 5).

`https://user:secret@host/feed` appeared in the -v log, the run's errors, `status`
(table and JSON), the sources and run_errors tables and so the web UI, and in the
URLs of articles whose feed links are relative. The fetcher still sends the login;
everything shown, logged or stored has *** in its place (storage/redact.py).
"""

from __future__ import annotations

import base64
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from storage import Store, migrate
from storage.migrations import MIGRATIONS

SECRET = "s3cr3t-Pa55"
STORY = "Cobalt output in Congo rose on Monday, the mines ministry said in Kinshasa. " * 4


def newswatch(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=config.parent,
    )


@pytest.mark.integration
def test_a_feed_login_is_sent_but_never_shown_logged_or_stored(http_server, tmp_path):
    http_server.route("/robots.txt", status=404)
    feed = "<rss version='2.0'><channel><title>t</title>" + "".join(
        f"<item><title>{n}</title><link>{n}.txt</link></item>" for n in ("story", "gone")
    )  # relative links: they inherit the feed's login
    http_server.route("/feed.xml", body=(feed + "</channel></rss>").encode(),
                      content_type="application/rss+xml")  # fmt: skip
    http_server.route("/story.txt", body=STORY.encode(), content_type="text/plain")
    http_server.route("/gone.txt", status=404)
    http_server.route("/locked.xml", status=401)
    login = f"http://desk:{SECRET}@{http_server.base_url.removeprefix('http://')}"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "nw.db"\n[fetch]\nallow_private_networks = true\n'
        f"per_host_delay = 0.0\n"
        f'[[feeds]]\nname = "desk"\nurl = "{login}/feed.xml"\n'
        f'[[feeds]]\nname = "locked"\nurl = "{login}/locked.xml"\n'
    )
    run = newswatch(config, "-vv", "run", "--once")
    assert run.returncode == 0, run.stderr
    auth = http_server.requests_to("/feed.xml")[0].headers.get("authorization", "")
    assert base64.b64decode(auth.removeprefix("Basic ")).decode() == f"desk:{SECRET}"
    assert "gone.txt" in run.stdout and "locked.xml" in run.stdout  # the errors are shown
    shown = [run.stdout, run.stderr]
    for fmt in ("table", "json"):
        status = newswatch(config, "status", "--format", fmt)
        assert status.returncode == 0, status.stderr
        shown.append(status.stdout)
    assert "desk:***@" in run.stdout
    for output in shown:
        assert SECRET not in output
    dump = "\n".join(sqlite3.connect(tmp_path / "nw.db").iterdump())
    assert "story.txt" in dump and "locked.xml" in dump
    assert SECRET not in dump


def test_logins_stored_by_earlier_versions_are_scrubbed(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    migrate(sqlite_utils.Database(conn), MIGRATIONS[:6])  # the schema version 6 left
    url = f"https://desk:{SECRET}@feeds.example/wire.xml"
    conn.execute(
        "INSERT INTO sources (name, location, kind, last_error) VALUES (?, ?, ?, ?)",
        ["wire", url, "http", f"http-status: {url}: HTTP 500"],
    )
    conn.execute("INSERT INTO runs (started_at, status) VALUES ('2026-01-01', 'ok')")
    conn.execute(
        "INSERT INTO run_errors (run_id, source, url, reason, message, at) "
        "VALUES (1, 'wire', ?, 'http-status', ?, '2026-01-01')",
        [url, f"{url}: 500"],
    )
    conn.commit()
    conn.close()

    Store.open(path).close()  # migrates to the current version

    dump = "\n".join(sqlite3.connect(path).iterdump())
    assert "https://desk:***@feeds.example/wire.xml" in dump
    assert SECRET not in dump
