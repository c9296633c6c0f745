"""`newswatch status`, `enable` and `disable` against a real database file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from storage import WriterLock

REPO = Path(__file__).resolve().parents[1]
EMPTY_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>e</title></channel></rss>'


def setup(tmp_path: Path, http_server) -> Path:
    http_server.route("/ok.xml", body=EMPTY_FEED, content_type="application/rss+xml", etag='"e"')
    http_server.route("/gone.xml", status=404, body=b"no")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "nw.db"}"\n'
        "[fetch]\nallow_private_networks = true\nper_host_delay = 0\n"
        f'[[feeds]]\nname = "ok"\nurl = "{http_server.url("/ok.xml")}"\n'
        f'[[feeds]]\nname = "gone"\nurl = "{http_server.url("/gone.xml")}"\n'
        '[[feeds]]\nname = "later"\nurl = "https://example.invalid/rss"\n'
    )
    return config


def nw(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_status_reports_each_source_and_works_while_a_writer_holds_the_lock(tmp_path, http_server):
    config = setup(tmp_path, http_server)
    assert "database not found" in nw(config, "status").stderr
    for _ in range(2):
        nw(config, "run", "--once", "--source", "ok", "--source", "gone")

    with WriterLock(tmp_path / "nw.db"):  # as if `newswatch schedule` were running
        proc = nw(config, "status", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = {s["name"]: s for s in json.loads(proc.stdout)["sources"]}
    assert report["ok"]["state"] == "ok" and report["ok"]["polls"] == 2
    assert report["ok"]["not_modified_share"] == 0.5  # the second poll was a 304
    assert report["gone"]["state"] == "failing" and report["gone"]["failure_kind"] == "hard"
    assert "404" in report["gone"]["last_error"] and report["gone"]["last_success"] is None
    assert report["later"]["state"] == "never polled"
    table = nw(config, "status").stdout
    assert table.splitlines()[0].split()[:2] == ["source", "state"]
    assert "gone: last error" in table


def test_disable_and_enable_directly_or_queued_for_the_scheduler(tmp_path, http_server):
    config = setup(tmp_path, http_server)
    nw(config, "run", "--once", "--source", "ok")
    assert nw(config, "disable", "ok").returncode == 0
    nw(config, "run", "--once", "--source", "ok")
    assert len(http_server.requests_to("/ok.xml")) == 1  # disabled: not polled

    with WriterLock(tmp_path / "nw.db"):
        queued = nw(config, "enable", "ok")
        assert queued.returncode == 0 and "queued" in queued.stdout
        pending = json.loads(nw(config, "status", "--format", "json").stdout)["queued_requests"]
        assert pending == [{"action": "enable", "source": "ok", "reason": None}]

    from pipeline.daemon.control import apply_queued_requests
    from storage import Store

    with Store.open(tmp_path / "nw.db") as store:  # what the scheduler does each tick
        assert apply_queued_requests(store, tmp_path / "nw.db") == ["ok: enabled"]
    nw(config, "run", "--once", "--source", "ok")
    assert len(http_server.requests_to("/ok.xml")) == 2
    assert nw(config, "enable", "nope").returncode == 2


def test_a_request_queued_through_a_symlinked_path_reaches_the_scheduler(tmp_path):
    """`enable` given the database through a symlink queues where the daemon, which holds
    the lock on the real path, reads its requests."""
    from pipeline.daemon.control import apply_queued_requests, control_dir, queue_request
    from storage import Store

    real = tmp_path / "data" / "nw.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    with Store.open(real) as store:
        store.db.execute(
            "INSERT INTO sources (name, location, kind, tags, disabled) "
            "VALUES ('ok', 'x', 'http', '[]', 1)"
        )
    link.symlink_to(real)

    queue_request(link, "enable", "ok", None)

    assert control_dir(link) == control_dir(real)
    with Store.open(real) as store:
        assert apply_queued_requests(store, real) == ["ok: enabled"]
