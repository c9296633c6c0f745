"""The whole cycle, feeds → fetch → text → NLP → store, against a real local server.

Real parts: an HTTP server on 127.0.0.1 serving the bundled sample feed and pages,
a SQLite file, the real spaCy model with every newswatch component.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.run import RunContext, run_once
from storage import open_database

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"

pytestmark = pytest.mark.integration


def sample_feed(base_url: str) -> bytes:
    """The bundled feed with its relative links made absolute on the test server."""
    text = (SAMPLES / "feed.xml").read_text()
    for name in ("seed-000.html", "seed-003.html"):
        text = text.replace(
            f"<link>{name}</link>", f"<link>{base_url}/pages/{name}?utm_source=rss</link>"
        )
    return text.encode()


def make_config(tmp_path: Path, *feeds: tuple[str, str]) -> Config:
    return Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=5.0, per_host_delay=0.0),
        feeds=tuple(FeedConfig(name=n, url=u) for n, u in feeds),
        base_dir=tmp_path,
    )


@pytest.fixture
def served(http_server):
    http_server.serve_directory("/pages/", SAMPLES)
    http_server.route(
        "/feed.xml",
        body=sample_feed(http_server.base_url),
        content_type="application/rss+xml",
        etag='W/"feed-v1"',
        last_modified="Wed, 14 Jan 2026 04:00:00 GMT",
    )
    return http_server


def rows(db_path: Path, sql: str) -> list[dict]:
    db = open_database(db_path, readonly=True)
    try:
        return list(db.query(sql))
    finally:
        db.close()


def test_full_cycle_stores_articles_with_their_extraction(served, tmp_path, nlp_full):
    config = make_config(tmp_path, ("wire", served.url("/feed.xml")))
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert (summary.sources_polled, summary.new_articles, summary.errors) == (1, 2, [])
    articles = rows(config.db_path, "select * from articles order by id")
    assert len(articles) == 2
    # tracking parameters never reach the stored canonical URL
    assert all("utm_" not in a["canonical_url"] for a in articles)
    assert all(a["raw_html"] and a["text"] for a in articles)

    entities = {
        (e["type"], e["canonical_name"]) for e in rows(config.db_path, "select * from entities")
    }
    assert {
        ("mineral", "lithium"),
        ("mineral", "rare earth elements"),
        ("country", "India"),
    } <= entities
    assert ("official", "Scott Bessent") in entities

    mentions = rows(
        config.db_path, "select m.*, a.text from mentions m join articles a on a.id = m.article_id"
    )
    assert mentions
    for m in mentions:
        assert m["sentence"], m  # every mention keeps its sentence, as evidence
        assert m["text"] and m["text"] in m["sentence"]

    events = rows(config.db_path, "select * from events")
    assert any(e["type"] == "meeting" for e in events)
    assert all(e["evidence"] for e in events)
    run = rows(config.db_path, "select * from runs")[0]
    assert (run["status"], run["new_articles"]) == ("ok", 2)


def test_second_run_is_conditional_and_runs_no_nlp(served, tmp_path, nlp_full):
    config = make_config(tmp_path, ("wire", served.url("/feed.xml")))
    run_once(config, RunContext(nlp=nlp_full))
    before = rows(config.db_path, "select count(*) n from mentions")[0]["n"]

    second = RunContext()  # no model given: loading one would show as context.nlp
    summary = run_once(config, second)

    assert (summary.new_articles, summary.sources_not_modified) == (0, 1)
    assert second.nlp is None
    feed_requests = served.requests_to("/feed.xml")
    assert feed_requests[-1].headers["if-none-match"] == 'W/"feed-v1"'
    assert feed_requests[-1].headers["if-modified-since"] == "Wed, 14 Jan 2026 04:00:00 GMT"
    assert len(served.requests_to("/pages/seed-003.html")) == 1  # pages not fetched again
    assert rows(config.db_path, "select count(*) n from mentions")[0]["n"] == before
    assert len(rows(config.db_path, "select * from runs")) == 2


def test_same_article_under_other_urls_is_stored_once(served, tmp_path, nlp_full):
    page = (SAMPLES / "seed-003.html").read_bytes()
    served.route("/mirror/story.html", body=page, content_type="text/html; charset=utf-8")
    base = served.base_url
    served.route(
        "/other.xml",
        content_type="application/rss+xml",
        body=f"""<?xml version="1.0"?><rss version="2.0"><channel><title>o</title>
        <item><title>a</title><link>{base}/pages/seed-003.html?utm_campaign=x#top</link></item>
        <item><title>b</title><link>{base}/mirror/story.html</link></item>
        </channel></rss>""".encode(),
    )
    config = make_config(
        tmp_path, ("wire", served.url("/feed.xml")), ("other", served.url("/other.xml"))
    )
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert summary.new_articles == 2
    # one item has the same canonical URL (tracking and fragment dropped), the other the same text
    assert summary.unchanged == 2
    assert len(served.requests_to("/pages/seed-003.html")) == 1  # known URL: not even fetched
    assert rows(config.db_path, "select count(*) n from articles")[0]["n"] == 2


def test_failing_feed_next_to_a_good_one(served, tmp_path, nlp_full):
    served.route("/broken.xml", status=500, body=b"oops")
    config = make_config(
        tmp_path, ("broken", served.url("/broken.xml")), ("wire", served.url("/feed.xml"))
    )
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert summary.new_articles == 2
    assert len(summary.errors) == 1 and "broken" in summary.errors[0]
    errors = rows(config.db_path, "select * from run_errors")
    assert [(e["source"], e["reason"]) for e in errors] == [("broken", "http-status")]
    source = rows(config.db_path, "select * from sources where name = 'broken'")[0]
    assert source["last_error"] and source["consecutive_failures"] == 1
    assert rows(config.db_path, "select status from runs")[0]["status"] == "partial"


def test_one_bad_article_does_not_stop_the_run(served, tmp_path, nlp_full):
    base = served.base_url
    served.route("/gone.html", status=404, body=b"no")
    served.route("/image.html", body=b"\x89PNG\r\n", content_type="image/png")
    served.route(
        "/mixed.xml",
        content_type="application/rss+xml",
        body=f"""<?xml version="1.0"?><rss version="2.0"><channel><title>m</title>
        <item><link>{base}/gone.html</link></item>
        <item><link>{base}/image.html</link></item>
        <item><link>{base}/pages/seed-000.html</link></item>
        </channel></rss>""".encode(),
    )
    config = make_config(tmp_path, ("mixed", served.url("/mixed.xml")))
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert summary.new_articles == 1
    reasons = sorted(e["reason"] for e in rows(config.db_path, "select * from run_errors"))
    assert reasons == ["content-type", "http-status"]


def test_cli_run_twice_on_the_bundled_sample(tmp_path):
    """What `make run` does, from a config like the repo's: offline, then unchanged."""
    config = (REPO / "config.toml").read_text()
    config = config.replace('path = "newswatch.db"', f'path = "{tmp_path / "nw.db"}"')
    config = config.replace('url = "samples/', f'url = "{REPO}/samples/')
    path = tmp_path / "config.toml"
    path.write_text(config)
    command = [sys.executable, "-m", "pipeline.cli", "--config", str(path), "run", "--once"]

    first = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 new articles" in first.stdout
    assert "errors" in first.stdout and "pib-mines" in first.stdout  # offline: recorded, not fatal

    second = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 new articles" in second.stdout and "1 not modified" in second.stdout


def test_second_writer_is_refused(tmp_path):
    from storage import WriterLock
    from storage.errors import LockedError

    config = make_config(tmp_path)
    with WriterLock(config.db_path), pytest.raises(LockedError):
        run_once(config, RunContext())


def test_extract_cli_prints_one_spec_line_per_input(tmp_path):
    lines = [
        {
            "id": "a",
            "text": "Lithium output at the Greenbushes mine in Australia rose 5 pct.",
            "title": "Lithium up",
            "published": "2026-01-14",
        },
        {
            "id": "b",
            "text": "India and Japan signed an agreement on rare earths on Monday.",
            "dateline": "Tokyo, Jan 14 (IANS)",
        },
        {"id": "c", "text": ""},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", "-"],
        input="\n".join(json.dumps(x) for x in lines),
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    keys = {"id", "officials", "organizations", "minerals", "countries", "events"}
    assert all(set(o) == keys for o in out)
    assert "lithium" in out[0]["minerals"] and "Australia" in out[0]["countries"]
    assert "rare earth elements" in out[1]["minerals"]
    assert {"India", "Japan"} <= set(out[1]["countries"])


def test_extract_cli_rejects_bad_lines_with_exit_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract"],
        input='{"id": "a", "text": "ok"}\nnot json\n',
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert "line 2" in proc.stderr


def test_config_is_a_plain_value():
    """Stages get config passed in; nothing reads module-level settings."""
    config = Config()
    assert dataclasses.replace(config, feeds=()) == config


GERMAN_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Lithium: Berlin und Canberra vereinbaren Partnerschaft</title></head><body><article>
<h1>Lithium: Berlin und Canberra vereinbaren Partnerschaft</h1>
<p>Die Bundesregierung und Australien haben am Montag in Berlin eine Partnerschaft für
kritische Rohstoffe unterzeichnet. Wirtschaftsminister und Handelsminister sprachen von einem
wichtigen Schritt für die Versorgung mit Lithium, Kobalt und Seltenen Erden.</p>
<p>Die Vereinbarung sieht gemeinsame Investitionen in Bergbau und Verarbeitung vor. Beide
Regierungen wollen die Abhängigkeit von wenigen Lieferländern verringern und neue Projekte
fördern, die bis zum Ende des Jahrzehnts Rohstoffe liefern sollen.</p>
</article></body></html>"""


def test_articles_in_other_languages_are_stored_without_nlp(served, tmp_path, nlp_full):
    base = served.base_url
    served.route("/de.html", body=GERMAN_PAGE.encode(), content_type="text/html; charset=utf-8")
    served.route(
        "/de.xml",
        content_type="application/rss+xml",
        body=f"""<?xml version="1.0"?><rss version="2.0"><channel><title>de</title>
        <item><link>{base}/de.html</link></item>
        <item><link>{base}/pages/seed-003.html</link></item>
        </channel></rss>""".encode(),
    )
    config = make_config(tmp_path, ("mixed", served.url("/de.xml")))
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert summary.new_articles == 2
    stored = rows(
        config.db_path,
        "select a.language, (select count(*) from mentions m where m.article_id = a.id) n "
        "from articles a order by a.id",
    )
    assert stored[0] == {"language": "de", "n": 0}  # kept and searchable, not extracted
    assert stored[1]["language"] == "en" and stored[1]["n"] > 0
    hits = rows(config.db_path, "select rowid from articles_fts where articles_fts match 'Lithium'")
    assert len(hits) == 2
