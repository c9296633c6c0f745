"""Articles past what NLP reads, and items NLP fails on, never fail a run (issue 13, class 2).

A 1.1 MB page or a 1.1 MB og:title used to hit spaCy's E088 (texts over 1,000,000
characters) uncaught: the run failed and no article of it was stored, other feeds'
included; `newswatch extract` stopped at such a line. Now NLP reads at most
`[nlp] max_chars` characters of an article (recorded in articles.nlp_chars), and an
article the pipeline raises on is stored with its text, its failure recorded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.core.config import Config, FeedConfig, FetchConfig, NLPConfig, StorageConfig
from pipeline.run import RunContext, run_once
from storage import open_database
from tests.test_run_cycle import sample_feed

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"

SENTENCE = "Lithium output at the Greenbushes mine in Australia rose five percent on Monday. "
LONG_TEXT = SENTENCE * (1_100_000 // len(SENTENCE) + 1)  # one paragraph, 1.1M characters
LONG_TITLE = "Lithium " * (1_100_000 // 8)


def rows(db_path: Path, sql: str) -> list[dict]:
    db = open_database(db_path, readonly=True)
    try:
        return list(db.query(sql))
    finally:
        db.close()


def by_name(db_path: Path) -> dict[str, dict]:
    """Stored articles by the last part of their URL."""
    return {r["url"].rsplit("/", 1)[-1]: r for r in rows(db_path, "select * from articles")}


def page(title: str, og_title: str, body: str) -> bytes:
    return (
        f'<html lang="en"><head><title>{title}</title>'
        f'<meta property="og:title" content="{og_title}"></head>'
        f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>"
    ).encode()


@pytest.mark.integration
def test_a_million_character_page_and_title_are_stored_with_the_others(
    http_server, tmp_path, nlp_full
):
    http_server.serve_directory("/pages/", SAMPLES)
    http_server.route(
        "/feed.xml", body=sample_feed(http_server.base_url), content_type="application/rss+xml"
    )
    base = http_server.base_url
    http_server.route("/long.html", body=page("Lithium up", "Lithium up", LONG_TEXT),
                      content_type="text/html; charset=utf-8")  # fmt: skip
    title_body = SENTENCE * 20
    http_server.route("/title.html", body=page("Lithium", LONG_TITLE, title_body),
                      content_type="text/html; charset=utf-8")  # fmt: skip
    items = "".join(
        f"<item><title>{name}</title><link>{base}/{name}.html</link></item>"
        for name in ("long", "title")
    )
    http_server.route(
        "/giants.xml",
        body=f"<rss version='2.0'><channel><title>g</title>{items}</channel></rss>".encode(),
        content_type="application/rss+xml",
    )
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=20.0, per_host_delay=0.0),
        feeds=(
            FeedConfig(name="giants", url=f"{base}/giants.xml"),
            FeedConfig(name="wire", url=f"{base}/feed.xml"),
        ),
        base_dir=tmp_path,
    )
    summary = run_once(config, RunContext(nlp=nlp_full))

    assert summary.errors == []
    assert summary.new_articles == 4  # both giants and both articles of the other feed
    stored = by_name(config.db_path)
    long = stored["long.html"]
    assert len(long["text"]) >= 1_000_000  # the text is kept whole...
    assert 0 < long["nlp_chars"] <= NLPConfig().max_chars  # ...NLP read its start
    assert long["extractor_version"]
    assert rows(config.db_path, f"select 1 from mentions where article_id = {long['id']}")
    assert stored["title.html"]["extractor_version"]
    assert rows(config.db_path, "select status from runs") == [{"status": "ok"}]


@Language.component("explodes_on_boom")
def explodes_on_boom(doc: Doc) -> Doc:
    if "BOOM" in doc.text:
        raise RuntimeError("component failed on purpose")
    return doc


def test_an_article_nlp_fails_on_is_stored_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name, text in (("a", "Copper"), ("b", "BOOM goes"), ("c", "Nickel")):
        (folder / f"{name}.txt").write_text(f"{text} prices rose on Monday in London. " * 5)
    nlp = spacy.blank("en")
    nlp.add_pipe("explodes_on_boom")
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        nlp=NLPConfig(batch_size=8),  # all three in one batch: the batch is retried one by one
        feeds=(FeedConfig(name="folder", url=str(folder)),),
        base_dir=tmp_path,
    )
    summary = run_once(config, RunContext(nlp=nlp))

    assert summary.new_articles == 3
    assert len(summary.errors) == 1 and "nlp: RuntimeError: component failed" in summary.errors[0]
    stored = by_name(config.db_path)
    assert stored["b.txt"]["extractor_version"] is None  # kept for `reprocess` to try again
    assert stored["a.txt"]["extractor_version"] and stored["c.txt"]["extractor_version"]
    (error,) = rows(config.db_path, "select * from run_errors")
    assert error["reason"] == "nlp" and error["url"].endswith("b.txt")


@pytest.mark.integration
def test_extract_cli_answers_every_good_line_past_bad_and_huge_ones(tmp_path):
    lines = [
        json.dumps({"id": "a", "text": "India and Japan signed an agreement on rare earths."}),
        "not json",
        json.dumps({"id": "big", "text": LONG_TEXT}),
        json.dumps({"id": "c", "text": "Lithium output in Chile rose 5 pct."}),
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "extract", "-"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "big", "c"]
    assert out[1]["truncated"]["of"] == len(LONG_TEXT)
    assert out[1]["truncated"]["read"] <= NLPConfig().max_chars
    assert "Australia" in out[1]["countries"] and "Chile" in out[2]["countries"]
    assert "input line 2" in proc.stderr
    assert proc.returncode == 2  # a bad input line, said at the end
