"""Delivering decided alerts: webhook retries with backoff, refusals given up, the SSRF guard,
and email (HTML + text) through a real SMTP server (aiosmtpd). The ledger is a real SQLite
file; alerts are decided by hand so no model is needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import feedparser

from pipeline.alerts.deliver import MAX_ATTEMPTS, deliver_pending
from pipeline.core.config import parse_config
from pipeline.watch.ledger import list_alerts
from pipeline.watch.render import atom_feed
from storage import Store
from storage.alerts_write import DecidedAlert, pending, record_decision
from tests.test_mailer import smtp_server  # noqa: F401  (fixture: aiosmtpd on 127.0.0.1)
from tests.webhook_receiver import WebhookReceiver

NOW = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def payload(key: str, evidence: str) -> str:
    return json.dumps(
        {
            "watch": "desk",
            "key": key,
            "kind": "event",
            "type": "meeting",
            "event": {
                "type": "meeting",
                "name": "Finance Ministerial",
                "date": "2026-01-14",
                "location": "Washington",
                "minerals": ["lithium"],
                "participants": [{"name": "Ashwini Vaishnaw", "kind": "official"}],
            },
            "date": "2026-01-14",
            "evidence": evidence,
            "matched": ["entity:USISPF", "mineral:lithium"],
            "article": {
                "id": 1,
                "title": "USISPF welcomes India's participation",
                "url": "https://news.example/usispf",
                "source": "wire",
                "published": "2026-01-14",
            },
            "outlets": ["wire", "other"],
            "also_in": 1,
        }
    )


def decide(store: Store, channels: tuple[tuple[str, str], ...], n: int = 1) -> list[int]:
    alerts = [
        DecidedAlert(
            watch="desk",
            key=f"event:{i}",
            kind="event",
            story_id=i,
            article_id=i,
            event_id=i,
            evidence_key=f"k{i}",
            payload=payload(f"event:{i}", f"Evidence <b>{i}</b> of the Finance Ministerial."),
            channels=channels,
        )
        for i in range(1, n + 1)
    ]
    return record_decision(store.db, alerts, {"desk": n}, "2026-01-14T12:00:00+00:00")


def config_for(webhook: str = "", email: list[str] | None = None, smtp_port: int = 25):
    watch: dict[str, object] = {"name": "desk", "entities": ["USISPF"], "webhook": webhook}
    data: dict[str, object] = {"fetch": {"allow_hosts": ["127.0.0.1"]}, "watch": [watch]}
    if email:
        watch["email"] = email
        data["digest"] = {
            "email": {
                "host": "127.0.0.1",
                "port": smtp_port,
                "starttls": False,
                "sender": "newswatch@example.org",
                "recipients": ["digest@example.org"],
            }
        }
    return parse_config(data)


def test_a_503_is_retried_with_backoff_then_delivered_once(tmp_path: Path) -> None:
    slept: list[float] = []
    with WebhookReceiver(statuses=[503, 502]) as hook, Store.open(tmp_path / "nw.db") as store:
        decide(store, (("webhook", hook.url),))
        report = deliver_pending(store.db, config_for(hook.url), clock, sleep=slept.append)
        assert report.delivered == 1 and report.failed == 0
        assert len(hook.posts) == 3
        assert slept == [1.0, 4.0]  # exponential backoff between the tries
        body = hook.posts[-1].json
        assert body["alert_id"] == 1 and body["evidence"].startswith("Evidence")
        assert hook.posts[-1].headers["idempotency-key"] == "desk:event:1"
        assert hook.posts[-1].headers["content-type"] == "application/json"
        assert pending(store.db) == []
        again = deliver_pending(store.db, config_for(hook.url), clock, sleep=slept.append)
        assert again.delivered == 0 and len(hook.posts) == 3


def test_a_receiver_that_stays_down_keeps_the_alert_pending(tmp_path: Path) -> None:
    with WebhookReceiver(statuses=[503] * 3) as hook, Store.open(tmp_path / "nw.db") as store:
        decide(store, (("webhook", hook.url),))
        report = deliver_pending(store.db, config_for(hook.url), clock, sleep=lambda s: None)
        assert report.failed == 1 and "HTTP 503" in report.errors[0]
        (left,) = pending(store.db)
        assert left.attempts == 1  # tried again next run, given up after MAX_ATTEMPTS runs
        assert MAX_ATTEMPTS > 1
        later = deliver_pending(store.db, config_for(hook.url), clock, sleep=lambda s: None)
        assert later.delivered == 1 and pending(store.db) == []


def test_a_refusal_is_given_up_at_once(tmp_path: Path) -> None:
    with WebhookReceiver(statuses=[404]) as hook, Store.open(tmp_path / "nw.db") as store:
        decide(store, (("webhook", hook.url),))
        report = deliver_pending(store.db, config_for(hook.url), clock, sleep=lambda s: None)
        assert report.failed == 1 and len(hook.posts) == 1
        assert pending(store.db) == []
        row = store.db.execute("SELECT given_up_at, last_error FROM alert_deliveries").fetchone()
        assert row == ("2026-01-14T12:00:00+00:00", "HTTP 404")


def test_the_webhook_goes_through_the_ssrf_guard(tmp_path: Path) -> None:
    with WebhookReceiver() as hook, Store.open(tmp_path / "nw.db") as store:
        decide(store, (("webhook", hook.url),))
        guarded = parse_config(
            {"watch": [{"name": "desk", "entities": ["USISPF"], "webhook": hook.url}]}
        )
        report = deliver_pending(store.db, guarded, clock, sleep=lambda s: None)
        assert hook.posts == []  # 127.0.0.1 is not allowed by default: nothing sent
        assert report.failed == 1 and "blocked" in report.errors[0]


def test_alerts_are_emailed_as_html_and_text(tmp_path: Path, smtp_server) -> None:  # noqa: F811
    inbox, port = smtp_server()
    config = config_for(email=["desk@example.org"], smtp_port=port)
    with Store.open(tmp_path / "nw.db") as store:
        decide(store, (("email", "desk@example.org"),), n=2)
        report = deliver_pending(store.db, config, clock)
        assert report.delivered == 2, report.errors
        assert pending(store.db) == []
    ((rcpt, msg),) = inbox.messages  # one message for the watch's two alerts
    assert rcpt == ["desk@example.org"]
    assert msg["Subject"] == "newswatch: 2 new alerts for desk"
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Evidence <b>1</b> of the Finance Ministerial." in text
    assert "Evidence &lt;b&gt;2&lt;/b&gt; of the Finance Ministerial." in html  # escaped
    assert "also in 1 outlet" in html and "https://news.example/usispf" in text
    assert "Ashwini Vaishnaw" in html


def test_the_atom_feed_is_valid_and_keeps_entry_ids(tmp_path: Path) -> None:
    with Store.open(tmp_path / "nw.db") as store:
        decide(store, (), n=3)
        alerts = list_alerts(store.db, "desk")
    first = atom_feed(alerts, "desk", self_url="http://127.0.0.1:8001/-/alerts/desk.atom")
    assert atom_feed(alerts, "desk", "http://127.0.0.1:8001/-/alerts/desk.atom") == first
    feed = feedparser.parse(first)
    assert not feed.bozo and feed.version == "atom10"
    assert [e.id.rsplit("/", 1)[-1] for e in feed.entries] == ["event:3", "event:2", "event:1"]
    assert feed.entries[0].title.startswith("meeting: Finance Ministerial")
    assert "Evidence &lt;b&gt;3&lt;/b&gt;" in feed.entries[0].content[0].value


def test_serve_answers_the_atom_feed_at_a_stable_url(tmp_path: Path) -> None:
    import asyncio

    from pipeline.read.webui import build_datasette

    with Store.open(tmp_path / "nw.db") as store:
        decide(store, (), n=2)
    ds = build_datasette(tmp_path / "nw.db")

    async def fetch(path: str):
        return await ds.client.get(path)

    every = asyncio.run(fetch("/-/alerts.atom"))
    assert every.status_code == 200
    assert every.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(every.content)
    assert not feed.bozo and len(feed.entries) == 2
    one = feedparser.parse(asyncio.run(fetch("/-/alerts/desk.atom")).content)
    assert [e.id for e in one.entries] == [e.id for e in feed.entries]
    assert feedparser.parse(asyncio.run(fetch("/-/alerts/other.atom")).content).entries == []
