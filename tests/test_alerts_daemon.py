"""The daemon alerts after each poll, through the same ledger as `run --once`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.core.config import parse_config
from pipeline.daemon.schedule import Daemon
from pipeline.watch.ledger import list_alerts
from storage import open_database
from tests.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]


def test_a_daemon_poll_posts_the_watch_alerts_once(tmp_path: Path, nlp_full) -> None:
    shutil.copytree(REPO / "samples" / "seeds", tmp_path / "seeds")
    with WebhookReceiver() as hook:
        config = parse_config(
            {
                "storage": {"path": str(tmp_path / "nw.db")},
                "fetch": {"allow_hosts": ["127.0.0.1"]},
                "feeds": [{"name": "seeds", "url": str(tmp_path / "seeds" / "feed.xml")}],
                "watch": [{"name": "desk", "entities": ["USISPF"], "webhook": hook.url}],
            },
            base_dir=tmp_path,
        )
        daemon = Daemon(config)
        daemon.context.nlp = nlp_full
        daemon.poll()
        assert len(hook.posts) == 1  # one story names USISPF
        assert hook.posts[0].json["matched"] == ["entity:USISPF"]
        daemon.poll()  # nothing due, nothing new
        assert len(hook.posts) == 1
    db = open_database(tmp_path / "nw.db", readonly=True)
    try:
        (alert,) = list_alerts(db, "desk")
    finally:
        db.close()
    assert alert.deliveries["webhook"] is not None
