"""Watch alerts end to end: `newswatch run --once` on the seed feed posts to a real webhook
receiver on 127.0.0.1, `alerts --format atom` is a valid feed, a re-run sends nothing, a
syndicated copy adds no alert, and a SIGKILL between "decided" and "delivered" neither
loses nor repeats one.

Each run is a real subprocess with the real spaCy model.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "samples" / "seeds"

WATCH = """
[[watch]]
name = "critical-minerals"
minerals = ["lithium", "rare earth elements"]
countries = ["India"]
entities = ["USISPF", "Minerals Security Partnership"]
keywords = ["export ban"]
event_types = ["agreement", "trade_measure", "licensing"]
webhook = "{webhook}"
"""


def write_config(tmp_path: Path, webhook: str, feeds: list[tuple[str, Path]]) -> Path:
    lines = [
        "[storage]",
        f'path = "{tmp_path / "nw.db"}"',
        "[fetch]",
        # The receiver is on 127.0.0.1: allowed by name, as a desk would allow its intranet.
        'allow_hosts = ["127.0.0.1"]',
    ]
    for name, feed in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{feed}"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n" + WATCH.format(webhook=webhook), encoding="utf-8")
    return path


def seed_feed(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder / "feed.xml"


def newswatch(config: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), *args],
        capture_output=True,
        text=True,
        cwd=config.parent,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def ledger(config: Path) -> list[tuple]:
    conn = sqlite3.connect(config.parent / "nw.db")
    try:
        return conn.execute(
            "SELECT a.key, d.delivered_at FROM alerts a "
            "JOIN alert_deliveries d ON d.alert_id = a.id ORDER BY a.id"
        ).fetchall()
    finally:
        conn.close()


def test_run_posts_the_finance_ministerial_once_and_atom_lists_it(tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        config = write_config(tmp_path, hook.url, [("sample-seeds", seed_feed(tmp_path))])
        first = newswatch(config, "run", "--once")
        assert first.returncode == 0, first.stderr
        assert "alerts:" in first.stdout
        posts = [p.json for p in hook.posts]
        assert posts, first.stdout + first.stderr
        ministerial = [p for p in posts if "Finance Ministerial" in p["evidence"]]
        assert ministerial, [p["evidence"] for p in posts]
        alert = ministerial[0]
        assert alert["watch"] == "critical-minerals"
        assert "entity:USISPF" in alert["matched"]
        assert alert["article"]["title"].startswith("USISPF welcomes India")
        assert alert["article"]["url"].endswith("seed-003.html")
        names = {p["name"] for p in alert["event"]["participants"]}
        assert "US-India Strategic Partnership Forum" in names
        assert alert["also_in"] == 0
        # Every event alert respects the watch's event types; every POST names its alert.
        for p in posts:
            assert p["kind"] == "mention" or p["type"] in (
                "agreement",
                "trade_measure",
                "licensing",
            )
        keys = [p.headers["idempotency-key"] for p in hook.posts]
        assert len(keys) == len(set(keys))
        assert all(delivered for _key, delivered in ledger(config))

        second = newswatch(config, "run", "--once")
        assert second.returncode == 0, second.stderr
        assert "alerts: 0 new, 0 delivered" in second.stdout
        assert len(hook.posts) == len(posts)  # nothing new was posted

    atom = newswatch(config, "alerts", "--format", "atom")
    assert atom.returncode == 0, atom.stderr
    feed = feedparser.parse(atom.stdout.encode("utf-8"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == len(posts)
    entry = next(e for e in feed.entries if "Finance Ministerial" in e.summary)
    assert entry.link.endswith("seed-003.html")
    assert entry.id.endswith("/" + alert["key"])
    assert len({e.id for e in feed.entries}) == len(feed.entries)

    listed = newswatch(config, "alerts", "--format", "json", "--watch", "critical-minerals")
    rows = json.loads(listed.stdout)
    assert {r["evidence"] for r in rows} == {p["evidence"] for p in posts}
    bad = newswatch(config, "alerts", "--watch", "nope")
    assert bad.returncode == 2 and "no watch named 'nope'" in bad.stderr


def test_a_kill_between_decided_and_delivered_neither_loses_nor_repeats(tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        config = write_config(tmp_path, hook.url, [("sample-seeds", seed_feed(tmp_path))])
        killed = newswatch(config, "run", "--once", env={"NEWSWATCH_FAULT": "kill-after-decide"})
        assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
        assert hook.posts == []  # killed before any delivery
        decided = ledger(config)
        assert decided and all(delivered is None for _key, delivered in decided)

        rerun = newswatch(config, "run", "--once")
        assert rerun.returncode == 0, rerun.stderr
        assert f"alerts: 0 new, {len(decided)} delivered" in rerun.stdout
        keys = [p.json["key"] for p in hook.posts]
        assert sorted(keys) == sorted(k for k, _d in decided)  # each exactly once
        assert all(delivered for _key, delivered in ledger(config))

        third = newswatch(config, "run", "--once")
        assert "alerts: 0 new, 0 delivered" in third.stdout
        assert len(hook.posts) == len(decided)


def test_a_syndicated_copy_in_another_outlet_adds_no_alert(tmp_path: Path) -> None:
    feed = seed_feed(tmp_path)
    outlet = tmp_path / "outlet"
    outlet.mkdir()
    page = (SEEDS / "seed-003.html").read_text(encoding="utf-8")
    # The same wire story in another outlet: its own closing line, so a new text.
    copy = page.replace(
        "<p>lkj/rs</p>", "<p>Published from a syndicated feed by Other Outlet Daily.</p>", 1
    )
    assert copy != page
    (outlet / "copy.html").write_text(copy, encoding="utf-8")
    (outlet / "feed.xml").write_text(
        (SEEDS / "feed.xml")
        .read_text(encoding="utf-8")
        .replace("seed-000.html", "missing.html")
        .replace("seed-003.html", "copy.html")
        .replace("newswatch-sample-seed", "outlet-copy"),
        encoding="utf-8",
    )
    with WebhookReceiver() as hook:
        config = write_config(tmp_path, hook.url, [("sample-seeds", feed)])
        first = newswatch(config, "run", "--once")
        assert first.returncode == 0, first.stderr
        count = len(hook.posts)
        assert count > 0
        config = write_config(
            tmp_path, hook.url, [("sample-seeds", feed), ("other-outlet", outlet / "feed.xml")]
        )
        second = newswatch(config, "run", "--once")
        assert "1 new articles" in second.stdout, second.stdout + second.stderr
        assert "alerts: 0 new" in second.stdout, second.stdout
        assert len(hook.posts) == count
