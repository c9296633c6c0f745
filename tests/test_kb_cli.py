"""`newswatch kb` through the CLI: who (the shipped KB, offline), add then reprocess, update
against a local server replaying a recorded SPARQL answer; `newswatch extract` links the
seed's minister."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.config import load_config
from pipeline.reprocess import reprocess
from pipeline.run import RunContext, run_once
from storage import Store, kb_entries

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
DATA = Path(__file__).parent / "data" / "kb"


@pytest.mark.parametrize(
    ("office", "country", "on", "expected"),
    [
        ("President", "United States", "2010-06-01", ("Barack Obama", "Q76")),
        ("Prime Minister", "India", "2020-01-01", ("Narendra Modi", "Q1058")),
        ("Prime Minister", "United Kingdom", "2017-06-01", ("Theresa May", "Q264766")),
    ],
)
def test_kb_who_answers_from_the_shipped_kb(tmp_path, monkeypatch, office, country, on, expected):
    monkeypatch.chdir(tmp_path)  # no config, no database: the shipped KB alone
    args = ["kb", "who", "--office", office, "--country", country, "--on", on]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["name"], r["kb_id"]) for r in rows] == [expected]
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0 and table.output.startswith(expected[0])


def test_kb_who_and_add_refuse_bad_input_with_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad_date = CliRunner().invoke(main, ["kb", "who", "--office", "President", "--on", "June"])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    nobody = CliRunner().invoke(
        main, ["kb", "who", "--office", "Emperor", "--country", "France", "--on", "2010-01-01"]
    )
    assert nobody.exit_code == 1 and "no one in the KB" in nobody.output
    config = _config_file(tmp_path, "http://127.0.0.1:9/feed.xml")
    bad_qid = CliRunner().invoke(
        main, ["--config", str(config), "kb", "add", "--name", "A B", "--qid", "X12"]
    )
    assert bad_qid.exit_code == 2 and "not a Wikidata id" in bad_qid.output
    assert not (tmp_path / "nw.db").exists()  # nothing written


def _config_file(tmp_path: Path, feed_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        '[storage]\npath = "nw.db"\n\n[fetch]\nallow_private_networks = true\ntimeout = 5.0\n'
        f'per_host_delay = 0.0\n\n[[feeds]]\nname = "wire"\nurl = "{feed_url}"\n',
        encoding="utf-8",
    )
    return path


def _official(db, name: str) -> dict:
    row = db.execute(
        "SELECT attributes FROM article_entities WHERE type = 'official' AND name = ?", [name]
    ).fetchone()
    assert row is not None, f"no official {name}"
    return json.loads(row[0])


@pytest.mark.integration
def test_kb_add_then_reprocess_applies_the_correction(http_server, tmp_path, nlp_full):
    http_server.serve_directory("/pages/", SAMPLES)
    base = http_server.base_url
    http_server.route(
        "/feed.xml",
        body=(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
            f"<item><title>t</title><link>{base}/pages/seed-003.html</link></item>"
            "</channel></rss>"
        ).encode(),
        content_type="application/rss+xml",
    )
    config_path = _config_file(tmp_path, f"{base}/feed.xml")
    config = load_config(str(config_path))
    run_once(config, RunContext(nlp=nlp_full))
    with Store.open(config.db_path) as store:
        assert _official(store.db, "Ashwini Vaishnaw")["kb_id"] == "Q75184694"
        assert "kb_id" not in _official(store.db, "Scott Bessent")  # not in the shipped KB

    added = CliRunner().invoke(
        main,
        ["--config", str(config_path), "kb", "add", "--name", "Scott Bessent",
         "--qid", "Q7436010", "--office", "Secretary of the Treasury",
         "--country", "United States", "--start", "2025-01-28", "--note", "sworn in"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    who = CliRunner().invoke(
        main,
        ["--config", str(config_path), "kb", "who", "--office", "Secretary of the Treasury",
         "--country", "United States", "--on", "2025-06-01", "--format", "json"],
    )  # fmt: skip
    assert [r["name"] for r in json.loads(who.output)] == ["Scott Bessent"]

    report = reprocess(config, RunContext(nlp=nlp_full), all=True)
    assert report.changed and not report.failed
    with Store.open(config.db_path) as store:
        bessent = _official(store.db, "Scott Bessent")
        assert bessent["kb_id"] == "Q7436010"
        assert bessent["role"] == "Treasury Secretary"  # the article's words stay
        assert [r.name for r in kb_entries.rows(store.db)] == ["Scott Bessent"]
    events = CliRunner().invoke(main, ["--config", str(config_path), "events", "--format", "json"])
    assert events.exit_code == 0
    assert any("Q7436010" in p for e in json.loads(events.output) for p in e["participants"])


def test_kb_update_refreshes_from_a_replayed_sparql_answer(http_server, tmp_path):
    http_server.route(
        "/sparql",
        body=(DATA / "sparql_heads.json").read_bytes(),
        content_type="application/sparql-results+json",
    )
    config_path = _config_file(tmp_path, "http://127.0.0.1:9/feed.xml")
    endpoint = http_server.url("/sparql")
    result = CliRunner().invoke(
        main, ["--config", str(config_path), "kb", "update", "--endpoint", endpoint]
    )
    assert result.exit_code == 0, result.output
    assert "3 tenures" in result.output and "1 answers skipped" in result.output
    request = http_server.requests[-1]
    assert request.method == "GET" and "sparql-results+json" in request.headers["accept"]
    assert "query=SELECT" in request.path
    who = CliRunner().invoke(
        main,
        ["--config", str(config_path), "kb", "who", "--office", "Prime Minister",
         "--country", "United Kingdom", "--on", "2025-03-01", "--format", "json"],
    )  # fmt: skip
    assert [(r["name"], r["kb_id"]) for r in json.loads(who.output)] == [
        ("Keir Starmer", "Q6383803")
    ]
    # A second refresh replaces the first; a failing endpoint keeps the last good one.
    again = CliRunner().invoke(
        main, ["--config", str(config_path), "kb", "update", "--endpoint", endpoint]
    )
    assert again.exit_code == 0
    http_server.route("/broken", status=503, body=b"busy")
    broken = CliRunner().invoke(
        main,
        ["--config", str(config_path), "kb", "update", "--endpoint", http_server.url("/broken")],
    )
    assert broken.exit_code == 1 and "HTTP 503" in broken.output
    with Store.open(tmp_path / "nw.db") as store:
        assert kb_entries.count(store.db) == {"wikidata": 3}


@pytest.mark.integration
def test_extract_links_the_seeds_minister_to_wikidata(tmp_path, monkeypatch, shared_dir):
    monkeypatch.chdir(tmp_path)
    seed = (shared_dir / "seeds" / "003_650058e11cb14b6c.txt").read_text(encoding="utf-8")
    line = json.dumps({"id": "seed-003", "text": seed})
    result = CliRunner().invoke(main, ["extract", "-"], input=line + "\n")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.splitlines()[0])
    officials = {o["name"]: o for o in out["officials"]}
    assert officials["Ashwini Vaishnaw"]["kb_id"] == "Q75184694"
    assert officials["Ashwini Vaishnaw"]["kb_office"]
    assert all("kb_id" in o for o in out["officials"])
