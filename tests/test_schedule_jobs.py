"""The scheduler's daily jobs called directly (not by the clock) on real SQLite files.

- digest: files written, then emailed once through a real SMTP server (aiosmtpd
  on 127.0.0.1, the fixtures of tests/test_mailer.py); a mail failure is logged
  and leaves the files, a later run for the same day sends what failed and never
  sends twice.
- maintenance: retention deletes old articles with everything hanging off them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from pipeline.core.config import Config, DigestConfig, EmailConfig, ScheduleConfig, StorageConfig
from pipeline.core.models import RunSummary
from pipeline.daemon.schedule import Daemon
from pipeline.read.search import search
from storage import Store, find_entity, open_database
from storage.stories.clusters import also_in_by_article
from tests import test_mailer
from tests.test_digest import add
from tests.test_mailer import (
    CHART_CID,
    Inbox,
    Logins,
    email_config,
    free_port,
    parts_by_type,
)

DAY = date(2026, 3, 10)
MEETING = "Ada Vale met Bo Ruiz in Lima to discuss lithium."
PASSWORD_ENV = "NW_TEST_SCHEDULE_SMTP_PASSWORD"

smtp_server = test_mailer.smtp_server  # the fixture: aiosmtpd servers on 127.0.0.1


def config_for(tmp_path: Path, email: EmailConfig | None = None, **schedule: int) -> Config:
    return Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        digest=DigestConfig(out_dir=str(tmp_path / "digests"), email=email or EmailConfig()),
        schedule=ScheduleConfig(**schedule),  # type: ignore[arg-type]
    )


def store_meeting(tmp_path: Path, published: str) -> None:
    with Store.open(tmp_path / "nw.db") as store:
        add(
            store,
            "lithium-talks",
            MEETING,
            published=published,
            minerals=("lithium",),
            officials=("Ada Vale", "Bo Ruiz"),
            events=(("meeting", MEETING, ("Ada Vale", "Bo Ruiz")),),
        )


def marker(tmp_path: Path, day: date) -> Path:
    return tmp_path / "digests" / f"digest-{day.isoformat()}.sent"


def digest_files(tmp_path: Path, day: date) -> list[str]:
    return sorted(p.name for p in (tmp_path / "digests").glob(f"digest-{day.isoformat()}.*"))


# --- digest ----------------------------------------------------------------------------


def test_scheduled_digest_is_written_and_emailed_once(smtp_server, tmp_path, caplog):
    # The job as the clock would call it: yesterday, in [digest] timezone (UTC here).
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    store_meeting(tmp_path, f"{yesterday.isoformat()}T10:00:00+00:00")
    inbox, port = smtp_server()
    daemon = Daemon(config_for(tmp_path, email_config(port)))
    daemon._add_jobs()
    job = daemon.scheduler.get_job("digest")
    caplog.set_level(logging.INFO, logger="pipeline.daemon.schedule")

    job.func()

    assert digest_files(tmp_path, yesterday) == [
        f"digest-{yesterday}.html",
        f"digest-{yesterday}.md",
        f"digest-{yesterday}.png",
        f"digest-{yesterday}.sent",
    ]
    ((rcpts, msg),) = inbox.messages
    assert rcpts == ["desk@test.example", "lead@test.example"]
    assert yesterday.isoformat() in msg["Subject"]
    # The same message `newswatch digest --email` sends: text, HTML, inline chart.
    parts = parts_by_type(msg)
    assert MEETING in parts["text/plain"][0].get_content()
    assert f'src="cid:{CHART_CID}"' in parts["text/html"][0].get_content()
    assert parts["image/png"][0]["Content-ID"] == f"<{CHART_CID}>"
    sent = json.loads(marker(tmp_path, yesterday).read_text())
    assert sent["message_id"] == msg["Message-ID"]
    assert sent["recipients"] == ["desk@test.example", "lead@test.example"]

    job.func()  # the job again for the same day (a restart, a misfire): no second mail
    assert len(inbox.messages) == 1
    assert "already emailed" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_smtp_down_is_logged_keeps_the_files_and_a_rerun_sends(tmp_path, caplog):
    store_meeting(tmp_path, f"{DAY.isoformat()}T10:00:00+00:00")
    port = free_port()  # nothing listens there yet
    daemon = Daemon(config_for(tmp_path, email_config(port)))
    caplog.set_level(logging.INFO, logger="pipeline.daemon.schedule")

    daemon.digest(DAY)  # returns normally: the scheduler goes on

    assert digest_files(tmp_path, DAY) == [f"digest-{DAY}.{s}" for s in ("html", "md", "png")]
    (error,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "NOT emailed" in error.getMessage()
    assert "cannot reach SMTP server 127.0.0.1" in error.getMessage()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        daemon.digest(DAY)
        daemon.digest(DAY)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1  # sent by the first rerun, not again by the second
    assert DAY.isoformat() in inbox.messages[0][1]["Subject"]
    assert marker(tmp_path, DAY).is_file()


def test_refused_login_and_incomplete_settings_are_logged_not_raised(
    smtp_server, tmp_path, caplog, monkeypatch
):
    store_meeting(tmp_path, f"{DAY.isoformat()}T10:00:00+00:00")
    logins = Logins("desk-bot", "s3cret")
    inbox, port = smtp_server(authenticator=logins, auth_require_tls=False)
    login = email_config(port, user="desk-bot", password_env=PASSWORD_ENV)
    caplog.set_level(logging.INFO, logger="pipeline.daemon.schedule")

    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    Daemon(config_for(tmp_path, login)).digest(DAY)
    monkeypatch.delenv(PASSWORD_ENV)
    Daemon(config_for(tmp_path, login)).digest(DAY)
    no_recipients = dataclasses.replace(login, recipients=())
    Daemon(config_for(tmp_path, no_recipients)).digest(DAY)

    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 3
    assert "SMTP login to 127.0.0.1" in errors[0] and "refused" in errors[0]
    assert PASSWORD_ENV in errors[1]
    assert "not configured" in errors[2]
    assert inbox.messages == [] and not marker(tmp_path, DAY).exists()
    assert f"digest-{DAY}.md" in digest_files(tmp_path, DAY)

    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    Daemon(config_for(tmp_path, login)).digest(DAY)
    assert len(inbox.messages) == 1 and marker(tmp_path, DAY).is_file()
    assert logins.seen[-1] == ("desk-bot", "s3cret")


def test_without_email_host_the_digest_is_only_written(tmp_path, caplog):
    store_meeting(tmp_path, f"{DAY.isoformat()}T10:00:00+00:00")
    caplog.set_level(logging.INFO, logger="pipeline.daemon.schedule")
    Daemon(config_for(tmp_path)).digest(DAY)
    assert digest_files(tmp_path, DAY) == [f"digest-{DAY}.{s}" for s in ("html", "md", "png")]
    assert "emailed" not in caplog.text.lower()


# --- maintenance: retention ------------------------------------------------------------

COPY = (
    "Ada Vale met Bo Ruiz in Lima to discuss lithium supplies for the new battery plant. "
    "The two ministers agreed to form a working group on critical minerals and to meet "
    "again in June, officials said after the talks ended on Tuesday evening in the capital. "
)
COPY_MEETING = COPY.split(". ")[0] + "."
RETENTION_DAYS = 30


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")


@pytest.fixture
def archive(tmp_path) -> dict[str, int]:
    """Two syndicated copies of one meeting (the older past retention), an old article
    whose entities and event nobody else names, a recent unrelated one, and two runs."""
    ids: dict[str, int] = {}
    with Store.open(tmp_path / "nw.db") as store:
        for slug, text, source, published, fetched, extra in (
            (
                "old-copy",
                COPY + "First outlet.",
                "alpha",
                ago(RETENTION_DAYS + 2),
                ago(RETENTION_DAYS + 1),
                {"officials": ("Ada Vale", "Bo Ruiz"), "minerals": ("lithium",)},
            ),
            (
                "old-alone",
                "Cobalt output rose at the Zeta mine, Cy Dorn said.",
                "alpha",
                ago(RETENTION_DAYS + 2),
                ago(RETENTION_DAYS + 1),
                {"officials": ("Cy Dorn",), "minerals": ("Cobalt",)},
            ),
            (
                "new-copy",
                COPY + "Second outlet.",
                "beta",
                ago(RETENTION_DAYS),  # two days after the old copy: one story event
                ago(RETENTION_DAYS - 1),
                {"officials": ("Ada Vale", "Bo Ruiz"), "minerals": ("lithium",)},
            ),
            (
                "new-other",
                "Nickel demand grew, Zeta Corp said.",
                "beta",
                ago(1),
                ago(1),
                {"organizations": ("Zeta Corp",), "minerals": ("Nickel",)},
            ),
        ):
            sentence = text.split(". ")[0].rstrip(".") + "."
            people = extra.get("officials", ())
            events = (("meeting", sentence, people),) if people else ()
            ids[slug] = add(
                store, slug, text, published=published, fetched_at=fetched, events=events, **extra
            )
            # add() files every article under one source; the copies need two outlets.
            store.db.execute("UPDATE articles SET source = ? WHERE id = ?", [source, ids[slug]])
            store.stories.assign(ids[slug])  # as a run does right after storing
        for name, at in (("old-run", ago(RETENTION_DAYS + 5)), ("new-run", ago(1))):
            ids[name] = store.start_run(at)
            store.record_error(ids[name], "alpha", None, "http", "HTTP 500", at)
            store.finish_run(ids[name], RunSummary(run_id=ids[name]), "ok", at)
    return ids


def rows(db, sql: str) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql).fetchall()]


def count(db, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


HANGING = ("article_entities", "mentions", "events", "article_signatures")


def test_retention_deletes_old_articles_with_their_rows_and_search_forgets_them(tmp_path, archive):
    db = open_database(tmp_path / "nw.db")
    before = {t: count(db, t) for t in (*HANGING, "articles", "entities", "runs")}
    new = {archive["new-copy"], archive["new-other"]}
    new_rows = {
        t: rows(db, f"SELECT * FROM {t} WHERE article_id IN {tuple(new)} ORDER BY 1")
        for t in HANGING
    }
    db.close()
    assert before["articles"] == 4 and before["entities"] >= 6

    Daemon(config_for(tmp_path, retention_days=0)).maintenance()  # 0 keeps everything
    db = open_database(tmp_path / "nw.db")
    assert {t: count(db, t) for t in before} == before
    db.close()

    Daemon(config_for(tmp_path, retention_days=RETENTION_DAYS)).maintenance()

    db = open_database(tmp_path / "nw.db", readonly=True)
    try:
        assert {r[0] for r in rows(db, "SELECT id FROM articles")} == new
        for table in HANGING:  # nothing of the old articles left, the new ones untouched
            assert rows(db, f"SELECT * FROM {table} ORDER BY 1") == new_rows[table], table
        assert rows(db, "SELECT * FROM event_participants WHERE event_id NOT IN "
                        "(SELECT id FROM events)") == []  # fmt: skip
        assert rows(db, "SELECT * FROM story_event_mentions WHERE event_id NOT IN "
                        "(SELECT id FROM events)") == []  # fmt: skip
        # Entities: only named by old articles → gone; named by both → recomputed.
        assert find_entity(db, "Cy Dorn") == [] and find_entity(db, "cobalt") == []
        (ada,) = find_entity(db, "Ada Vale")
        published_new = db.execute(
            "SELECT published FROM articles WHERE id = ?", [archive["new-copy"]]
        ).fetchone()[0]
        assert ada["first_seen"] == published_new and ada["mention_count"] == 1
        assert rows(db, "SELECT * FROM entity_keys WHERE entity_id NOT IN "
                        "(SELECT id FROM entities)") == []  # fmt: skip
        assert rows(db, "SELECT * FROM mentions WHERE entity_id NOT IN "
                        "(SELECT id FROM entities)") == []  # fmt: skip
        # The FTS index holds exactly the stored articles, and is consistent.
        assert {r[0] for r in rows(db, "SELECT rowid FROM articles_fts")} == new
        assert (
            db.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'cobalt OR first'"
            ).fetchone()[0]
            == 0
        )
        assert [h.article_id for h in search(db, "cobalt")] == []
        assert [h.article_id for h in search(db, "lithium")] == [archive["new-copy"]]
        assert [h.article_id for h in search(db, "nickel")] == [archive["new-other"]]
        # Run history older than the cutoff goes too, its errors with it.
        assert {r[0] for r in rows(db, "SELECT id FROM runs")} == {archive["new-run"]}
        assert {r[0] for r in rows(db, "SELECT run_id FROM run_errors")} == {archive["new-run"]}
    finally:
        db.close()
    # FTS5's own check that the index matches its content table (raises when not).
    db = open_database(tmp_path / "nw.db")
    db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    db.close()


def test_retention_leaves_no_stale_story_events_or_clusters(tmp_path, archive):
    db = open_database(tmp_path / "nw.db", readonly=True)
    shared_before = rows(
        db,
        "SELECT m.story_event_id FROM story_event_mentions m JOIN events e ON e.id = m.event_id "
        f"WHERE e.article_id IN ({archive['old-copy']}, {archive['new-copy']})",
    )
    clusters_before = rows(db, "SELECT pickup_count, outlets FROM story_clusters")
    db.close()
    # The premise: the copies report one story event and form one two-outlet cluster.
    assert len(shared_before) == 2 and shared_before[0] == shared_before[1]
    assert (2, '["alpha", "beta"]') in clusters_before

    Daemon(config_for(tmp_path, retention_days=RETENTION_DAYS)).maintenance()

    db = open_database(tmp_path / "nw.db", readonly=True)
    try:
        new_copy = archive["new-copy"]
        published_new = db.execute(
            "SELECT published FROM articles WHERE id = ?", [new_copy]
        ).fetchone()[0]
        # A story event reported only by deleted articles goes; the shared one stays,
        # its first report now the surviving copy's.
        assert rows(db, "SELECT id FROM story_events WHERE id NOT IN "
                        "(SELECT story_event_id FROM story_event_mentions)") == []  # fmt: skip
        (shared,) = rows(db, "SELECT first_reported FROM story_events")
        assert shared == (published_new,)
        # Clusters describe what is stored: no deleted canonical copy, counts and
        # outlets from the members left; the surviving copy is alone in its story now.
        for cid, canonical, pickups, outlets in rows(
            db, "SELECT id, canonical_article_id, pickup_count, outlets FROM story_clusters"
        ):
            members = rows(db, f"SELECT id, source FROM articles WHERE cluster_id = {cid}")
            assert members, f"story cluster {cid} has no stored article"
            assert canonical in {m[0] for m in members}
            assert pickups == len(members)
            assert json.loads(outlets) == sorted({m[1] for m in members})
        assert also_in_by_article(db, [new_copy]).get(new_copy, 0) == 0
        assert [h.also_in for h in search(db, "lithium")] == [0]
    finally:
        db.close()
