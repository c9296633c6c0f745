"""`newswatch export`: every kind in csv and jsonl, both lossless against each other
and against the database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.errors import QueryError
from pipeline.read.queries import EXPORT_KINDS, export, export_rows
from storage import open_database
from tests.test_search import cli, fill_sample_database

pytestmark = pytest.mark.integration

JSON_COLUMNS = {
    "articles": {"authors"},
    "entities": {"aliases", "attributes", "history"},
    "events": {"minerals", "participants"},
    "mentions": set(),
}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, nlp_full: Any) -> Path:
    return fill_sample_database(tmp_path_factory.mktemp("export"), nlp_full)


def _from_csv(value: str, original: Any, is_json: bool) -> Any:
    """A csv cell read back as the type the jsonl line has."""
    if is_json:
        return json.loads(value)
    if original is None:
        return None if value == "" else value
    return type(original)(value)


@pytest.mark.parametrize("what", EXPORT_KINDS)
def test_export_round_trips_in_both_formats(sample_db, tmp_path, what):
    jsonl_file, csv_file = tmp_path / f"{what}.jsonl", tmp_path / f"{what}.csv"
    for fmt, out in (("jsonl", jsonl_file), ("csv", csv_file)):
        proc = cli("export", "--what", what, "--format", fmt, "-o", str(out), db=sample_db)
        assert proc.returncode == 0, proc.stderr

    lines = [json.loads(line) for line in jsonl_file.read_text(encoding="utf-8").splitlines()]
    db = open_database(sample_db, readonly=True)
    try:
        table_count = db.execute(f"SELECT count(*) FROM {what}").fetchone()[0]
        assert lines == list(export_rows(db, what))
    finally:
        db.close()
    assert len(lines) == table_count > 0

    with csv_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(lines)
    for line, row in zip(lines, rows, strict=True):
        assert list(row) == list(line)
        decoded = {k: _from_csv(v, line[k], k in JSON_COLUMNS[what]) for k, v in row.items()}
        assert decoded == line


def test_exported_rows_carry_what_makes_them_usable(sample_db):
    db = open_database(sample_db, readonly=True)
    try:
        events = list(export_rows(db, "events"))
        mentions = list(export_rows(db, "mentions"))
        entities = list(export_rows(db, "entities"))
    finally:
        db.close()
    assert all(e["evidence"] and e["article_url"].startswith("http") for e in events)
    assert any(p["name"] == "India" for e in events for p in e["participants"])
    assert all(m["text"] in (m["sentence"] or m["text"]) and m["entity"] for m in mentions)
    lithium = [e for e in entities if e["canonical_name"] == "lithium"]
    assert lithium and lithium[0]["type"] == "mineral" and "lithium" in lithium[0]["aliases"]


def test_export_to_stdout_and_bad_kind(sample_db):
    proc = cli("export", "--what", "events", "--format", "csv", db=sample_db)
    assert proc.returncode == 0 and proc.stderr == ""  # no progress bar when not a terminal
    assert list(csv.DictReader(io.StringIO(proc.stdout)))
    assert cli("export", "--what", "runs", db=sample_db).returncode == 2
    db = open_database(sample_db, readonly=True)
    try:
        with pytest.raises(QueryError):
            export(db, "articles", "xml", io.StringIO())
    finally:
        db.close()
