"""`newswatch events`: filters by type, mineral, country, participant alias and time,
each row with its evidence sentence and article URL; time-bound parsing."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.errors import QueryError
from pipeline.read.queries import TimeBound, events, time_bound
from storage import open_database
from tests.test_search import SEED_PAGE, cli, fill_sample_database


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, nlp_full: Any) -> Path:
    return fill_sample_database(tmp_path_factory.mktemp("events"), nlp_full)


@pytest.fixture
def reader(sample_db: Path):
    db = open_database(sample_db, readonly=True)
    yield db
    db.close()


def page(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[-1]


@pytest.mark.integration
def test_meetings_in_india_list_the_seed_article_with_evidence(reader):
    rows = events(reader, type="meeting", country="India")
    assert rows and all(r.type == "meeting" for r in rows)
    seed = [r for r in rows if page(r.article_url) == SEED_PAGE]
    assert seed, [r.article_url for r in rows]
    for row in rows:
        assert row.evidence and row.evidence in _article_text(reader, row.article_id)
        assert row.article_url.startswith("http")
    assert any("India" in {p.name for p in r.participants} for r in seed)
    whens = [r.when for r in rows]
    assert whens == sorted(whens, key=str, reverse=True)


def _article_text(db: Any, article_id: int) -> str:
    row = db.execute("SELECT title, text FROM articles WHERE id = ?", [article_id]).fetchone()
    return f"{row[0]}\n{row[1]}"


@pytest.mark.integration
def test_country_filter_accepts_aliases_and_excludes_other_countries(reader):
    india = {r.id for r in events(reader, country="India")}
    assert india == {r.id for r in events(reader, country="indian")}  # an alias seen in text
    assert events(reader, country="Atlantis") == []
    assert india <= {r.id for r in events(reader)}


@pytest.mark.integration
def test_participant_by_full_name_or_surname(reader):
    full = events(reader, participant="Scott Bessent")
    assert full and all("Scott Bessent" in {p.name for p in r.participants} for r in full)
    assert [r.id for r in events(reader, participant="Bessent")] == [r.id for r in full]
    assert events(reader, participant="Nobody Atall") == []


@pytest.mark.integration
def test_mineral_and_time_filters(reader):
    rare = events(reader, mineral="Rare Earth Elements")
    assert rare and all("rare earth elements" in r.minerals for r in rare)
    assert events(reader, mineral="unobtainium") == []
    on_the_day = events(reader, since="2026-01-14", until="2026-01-14")
    assert on_the_day and {page(r.article_url) for r in on_the_day} == {SEED_PAGE}
    assert all(r.when and r.when.startswith("2026-01-14") for r in on_the_day)
    assert len(events(reader, limit=2)) == 2


@pytest.mark.integration
def test_cli_events_meeting_india_in_every_format(sample_db):
    args = ("events", "--type", "meeting", "--country", "India")
    table = cli(*args, db=sample_db)
    assert table.returncode == 0, table.stderr
    assert SEED_PAGE in table.stdout and "evidence:" in table.stdout

    rows = json.loads(cli(*args, "--format", "json", db=sample_db).stdout)
    seed = [r for r in rows if page(r["article_url"]) == SEED_PAGE]
    assert seed and all(r["evidence"] and r["type"] == "meeting" for r in rows)
    assert any("India (country)" in r["participants"] for r in seed)

    listed = list(csv.DictReader(io.StringIO(cli(*args, "--format", "csv", db=sample_db).stdout)))
    assert [r["id"] for r in listed] == [str(r["id"]) for r in rows]
    assert all(r["evidence"] and r["article_url"] for r in listed)


@pytest.mark.integration
def test_cli_events_rejects_bad_values_with_exit_2(sample_db):
    bad_type = cli("events", "--type", "party", db=sample_db)
    assert bad_type.returncode == 2
    bad_time = cli("events", "--since", "yesterday-ish", db=sample_db)
    assert bad_time.returncode == 2 and "cannot read the time" in bad_time.stderr


@pytest.mark.integration
def test_quiet_leaves_stderr_empty(sample_db):
    noisy = cli("events", "--type", "meeting", db=sample_db)
    assert "events" in noisy.stderr  # the count note
    assert cli("events", "--type", "meeting", "--quiet", db=sample_db).stderr == ""
    assert cli("-q", "events", "--type", "meeting", db=sample_db).stderr == ""


def test_time_bounds():
    now = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
    assert time_bound("2026-01-14", end=False) == TimeBound(">=", "2026-01-14")
    # A bare day as the end includes every time of that day.
    assert time_bound("2026-01-14", end=True) == TimeBound("<", "2026-01-15")
    assert time_bound("7d", end=False, now=now) == TimeBound(">=", "2026-01-13")
    assert time_bound("2026-01-14T09:30", end=True) == TimeBound("<=", "2026-01-14T09:30:00")
    assert time_bound(None, end=True) is None and time_bound(" ", end=False) is None
    with pytest.raises(QueryError):
        time_bound("soon", end=False)


def test_bad_event_type_is_a_query_error(tmp_path):
    open_database(tmp_path / "empty.db").close()
    db = open_database(tmp_path / "empty.db", readonly=True)
    try:
        with pytest.raises(QueryError, match="unknown event type"):
            events(db, type="party")
        assert events(db, type="meeting", country="India") == []
    finally:
        db.close()
