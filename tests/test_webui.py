"""`newswatch serve`: Datasette over the database, read-only, with metadata; checked
in a real headless Chromium (tests/browser.py installs Debian's package as root)."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from pipeline.read.webui import CANNED_QUERIES, DB_NAME, WEB_VIEWS, metadata, prepare
from tests.browser import dump_dom, find_chromium, screenshot
from tests.test_search import REPO, SEED_PAGE, fill_sample_database

SEED_TITLE = "USISPF welcomes India"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, nlp_full: Any) -> Path:
    return fill_sample_database(tmp_path_factory.mktemp("webui"), nlp_full)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(sample_db: Path):
    """`newswatch serve` in a child process; yields its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve", "--db", str(sample_db),
         "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"serve exited {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}"
                )
            try:
                if httpx.get(f"{base}/{DB_NAME}.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not answer within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- metadata and views, no server ----------------------------------------------------------


def test_metadata_describes_search_facets_and_queries():
    tables = metadata()["databases"][DB_NAME]["tables"]
    assert tables["articles"]["fts_table"] == "articles_fts"
    facets = tables["event_list"]["facets"]
    assert "type" in facets and {"array": "minerals"} in facets and {"array": "countries"} in facets
    assert tables["mention_list"]["facets"]
    assert set(CANNED_QUERIES) == {
        "mentions_of_a_mineral", "official_quoted_on", "events_this_week", "new_entities",
    }  # fmt: skip
    assert all(t.get("description") for t in tables.values())


@pytest.mark.integration
def test_views_and_canned_queries_run_on_a_read_only_connection(sample_db):
    conn = sqlite3.connect(f"file:{sample_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        prepare(conn)
        for view in WEB_VIEWS:
            assert conn.execute(f"SELECT * FROM {view}").fetchall(), view
        params = {"mineral": "lithium", "official": "Scott Bessent", "days": "100000"}
        lithium = conn.execute(CANNED_QUERIES["mentions_of_a_mineral"]["sql"], params).fetchall()
        assert any(SEED_PAGE in r["article_url"] and "lithium" in r["sentence"] for r in lithium)
        conn.execute(CANNED_QUERIES["official_quoted_on"]["sql"], params).fetchall()
        conn.execute(CANNED_QUERIES["events_this_week"]["sql"], params).fetchall()
        assert conn.execute(CANNED_QUERIES["new_entities"]["sql"], params).fetchall()
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("DELETE FROM articles")
    finally:
        conn.close()


# --- the running UI -------------------------------------------------------------------------


@pytest.mark.integration
def test_serve_is_read_only_and_links_rows_to_articles(server):
    events = httpx.get(f"{server}/{DB_NAME}/event_list.json?_shape=objects&type=meeting").json()
    assert events["rows"] and all(r["type"] == "meeting" for r in events["rows"])
    assert "type" in events["facet_results"] and "countries" in events["facet_results"]
    # USISPF and its long name are one entity, listed under the long name.
    html = httpx.get(
        f"{server}/{DB_NAME}/mention_list",
        params={"entity": "US-India Strategic Partnership Forum"},
    ).text
    assert "USISPF" in html  # the mention as written
    assert f'href="/{DB_NAME}/articles/' in html  # each mention links to its article
    write = httpx.get(f"{server}/{DB_NAME}.json", params={"sql": "DELETE FROM articles"})
    assert write.status_code == 400
    query = httpx.get(f"{server}/{DB_NAME}/mentions_of_a_mineral.json?mineral=Lithium").json()
    assert query["rows"]


@pytest.mark.integration
def test_chromium_search_and_event_facets(server, tmp_path):
    chromium = find_chromium()
    # What the articles page's search form submits.
    found = dump_dom(chromium, f"{server}/{DB_NAME}/articles?_search={quote('lithium')}", tmp_path)
    assert SEED_TITLE in found
    assert "2 rows where search matches" in found or "rows where search matches" in found

    home = dump_dom(chromium, f"{server}/{DB_NAME}", tmp_path)
    assert "Mentions of a mineral" in home and "Events this week" in home

    events_url = f"{server}/{DB_NAME}/event_list?_facet=type&type=meeting"
    faceted = dump_dom(chromium, events_url, tmp_path)
    assert 'class="facet-info' in faceted and "meeting" in faceted
    assert SEED_TITLE in faceted and f'href="/{DB_NAME}/articles/' in faceted

    png = screenshot(chromium, f"{server}/{DB_NAME}/event_list", tmp_path / "events.png", tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keep = os.environ.get("NEWSWATCH_SCREENSHOT_DIR")
    if keep:  # for a person to look at
        shutil.copy(png, Path(keep) / png.name)
