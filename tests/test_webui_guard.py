"""`newswatch serve` in front of the network (issue 13, class 9), against a real server.

- A request whose Host is not one the server was started for (DNS rebinding: a name
  the attacker controls, pointed at 127.0.0.1) is refused, so no page of the database
  reaches it; the loopback names and `--allow-host` names are served.
- A rejected SQL query logs one short line, not a traceback with every frame's locals.
- An unknown POST answers 405 (it was 500); the UI is read-only.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from pipeline.read.webguard import RequestGuard, host_name
from pipeline.read.webui import DB_NAME
from storage import Store
from tests.test_digest import add

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """`newswatch serve --allow-host news.intranet` in a child process, its log in a file."""
    directory = tmp_path_factory.mktemp("guard")
    db = directory / "nw.db"
    with Store.open(db) as store:
        add(store, "lithium-talks", "Ada Vale met Bo Ruiz in Lima to discuss lithium.",
            published="2026-03-10T10:00:00+00:00", minerals=("lithium",))  # fmt: skip
    port = _free_port()
    log_path = directory / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "serve", "--db", str(db), "--port", str(port),
             "--allow-host", "news.intranet"],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited {proc.returncode}: {log_path.read_text()}")
            try:
                if httpx.get(f"{base}/{DB_NAME}.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not answer within 60 s")
            time.sleep(0.2)
        yield base, port, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _new_log_lines(log_path: Path, before: int, expect: str) -> list[str]:
    """The lines the server logged after byte `before`, once `expect` is among them."""
    deadline = time.monotonic() + 10
    while True:
        added = log_path.read_text()[before:]
        if expect in added or time.monotonic() > deadline:
            return added.splitlines()
        time.sleep(0.1)


def test_an_unknown_host_is_refused_and_known_ones_are_served(served):
    base, port, _ = served
    url = f"{base}/{DB_NAME}/articles.json"
    for host in ("attacker.example", f"attacker.example:{port}", "127.0.0.1.nip.io", "10.0.0.1"):
        response = httpx.get(url, headers={"Host": host})
        assert response.status_code == 400, host
        assert "Lima" not in response.text
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}",
                 f"news.intranet:{port}", "news.intranet."):  # fmt: skip
        response = httpx.get(url, headers={"Host": host})
        assert response.status_code == 200, host
        assert "Lima" in response.text


def test_a_rejected_query_logs_one_short_line(served):
    base, _, log_path = served
    before = len(log_path.read_text())
    response = httpx.get(f"{base}/{DB_NAME}.json", params={"sql": "DELETE FROM articles"})
    assert response.status_code == 400
    lines = _new_log_lines(log_path, before, "must be a SELECT")
    assert len(lines) == 1 and "Statement must be a SELECT" in lines[0], lines
    assert len(lines[0]) < 500

    before = len(log_path.read_text())
    sql = "SELECT * FROM no_such_table /*" + "x" * 5000 + "\x1b[2J*/"
    response = httpx.get(f"{base}/{DB_NAME}", params={"sql": sql})
    assert response.status_code == 400
    lines = _new_log_lines(log_path, before, "no such table")
    assert len(lines) == 1 and "no such table" in lines[0], lines
    assert len(lines[0]) < 1000 and "\x1b" not in lines[0]
    assert "Traceback" not in log_path.read_text() and "locals" not in log_path.read_text()


def test_an_unknown_post_is_a_4xx(served):
    base, _, log_path = served
    for path in (f"/{DB_NAME}/articles", f"/{DB_NAME}/mentions_of_a_mineral", f"/{DB_NAME}", "/"):
        response = httpx.post(f"{base}{path}", data={"x": "1"})
        assert 400 <= response.status_code < 500, (path, response.status_code)
    assert httpx.request("PUT", f"{base}/{DB_NAME}/articles").status_code == 405
    assert httpx.get(f"{base}/{DB_NAME}/articles.json").status_code == 200
    assert "Traceback" not in log_path.read_text()


def test_host_names_are_compared_without_port_case_or_final_dot():
    assert host_name("Example.ORG:8001") == "example.org"
    assert host_name("[::1]:8001") == "::1" and host_name("news.intranet.") == "news.intranet"
    local = RequestGuard(None, bind_host="127.0.0.1")
    assert local.host_allowed("localhost:1") and not local.host_allowed("192.168.1.5")
    assert not local.host_allowed(None) and not local.host_allowed("")
    everywhere = RequestGuard(None, bind_host="0.0.0.0", allow_hosts=("news.intranet",))
    # Listening on every address: any IP literal is fine, a name only when allowed.
    assert everywhere.host_allowed("192.168.1.5:8001") and everywhere.host_allowed("[fe80::1]")
    assert everywhere.host_allowed("news.intranet") and not everywhere.host_allowed("evil.test")
