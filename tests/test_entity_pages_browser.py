"""Entity pages in a real browser: Debian's chromium driven by Playwright, by clicks.

The database comes from `newswatch run --once` on the seed feed (real model); the web UI
is `newswatch serve` in a subprocess. From a search result the test clicks through to
Ashwini Vaishnaw, USISPF and lithium, each page showing its events and a timeline; from
an event row of Datasette's event list to the event page with its outlets.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def web_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: `apt-get install -y chromium` (.ci/run does it)")
    tmp = tmp_path_factory.mktemp("webui")
    seeds = tmp / "seeds"
    shutil.copytree(REPO / "samples" / "seeds", seeds)
    config = tmp / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp / "nw.db"}"\n'
        f'[[feeds]]\nname = "sample-seeds"\nurl = "{seeds / "feed.xml"}"\n',
        encoding="utf-8",
    )
    cli = [sys.executable, "-m", "pipeline.cli", "--config", str(config)]
    ran = subprocess.run([*cli, "run", "--once"], capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.stdout else ""
                    raise AssertionError(f"newswatch serve did not start: {output}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(web_ui: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _check_entity_page(page, name: str) -> None:
    assert page.locator("h1").inner_text() == name
    assert page.locator("svg.timeline rect.bar").count() >= 1, "no timeline bars"
    assert page.locator("tr.event").count() >= 1, f"no events on {name}'s page"


def test_search_result_to_entity_pages_by_clicks(web_ui: str, browser) -> None:
    page = browser.new_page()
    page.goto(web_ui + "/")
    assert "_memory" not in page.content()  # Datasette's scratch database is hidden
    page.goto(web_ui + "/-/newswatch/search")
    page.fill("input[name=q]", "Finance Ministerial")
    page.click("button[type=submit]")
    page.wait_for_selector(".result")
    result = page.locator(".result", has_text="USISPF welcomes India")

    result.get_by_role("link", name="Ashwini Vaishnaw", exact=True).click()
    page.wait_for_url("**/-/newswatch/entity/*")
    _check_entity_page(page, "Ashwini Vaishnaw")
    assert "Minister for Railways" in page.locator("dl.facts").inner_text()
    assert "Finance Ministerial" in page.locator("table.events").inner_text()

    page.go_back()
    result = page.locator(".result", has_text="USISPF welcomes India")
    result.get_by_role("link", name="US-India Strategic Partnership Forum").click()
    page.wait_for_url("**/-/newswatch/entity/*")
    _check_entity_page(page, "US-India Strategic Partnership Forum")
    assert "USISPF" in page.locator("dl.facts").inner_text()  # acronym and alias

    page.go_back()
    result = page.locator(".result", has_text="USISPF welcomes India")
    result.get_by_role("link", name="lithium", exact=True).click()
    page.wait_for_url("**/-/newswatch/entity/*")
    _check_entity_page(page, "lithium")
    assert page.locator("svg.timeline title").first.text_content().endswith("mentions")

    # From an event row to the event page: evidence, participants, outlets.
    page.locator("tr.event a[href*='/event/']").first.click()
    page.wait_for_url("**/-/newswatch/event/*")
    assert page.locator("blockquote.evidence").inner_text()
    assert "Reported by 1 outlet" in page.content()
    assert page.locator("tr.report").count() >= 1
    page.close()


def test_event_rows_in_datasette_link_to_event_and_entity_pages(web_ui: str, browser) -> None:
    page = browser.new_page()
    page.goto(web_ui + "/newswatch/event_list?type=meeting")
    page.get_by_role("link", name="Ashwini Vaishnaw").first.click()
    page.wait_for_url("**/-/newswatch/entity/*")
    _check_entity_page(page, "Ashwini Vaishnaw")
    page.go_back()
    page.locator("a[href*='/-/newswatch/event/']").first.click()
    page.wait_for_url("**/-/newswatch/event/*")
    assert page.locator("p.kind").text_content().startswith("event · meeting")
    assert page.locator("blockquote.evidence").inner_text()
    page.close()
