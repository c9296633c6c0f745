"""Hostile and odd article pages: an ArticleText or a recorded reason, never a crash.

Broken HTML, binary bytes behind an HTML content type, empty and whitespace
pages, markup nested tens of thousands deep, and pages in other languages (the
language is recorded) go through the text stage, then through a whole run.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.errors import EmptyTextError
from pipeline.models import Page
from pipeline.run import RunContext, run_once
from pipeline.text import extract_article

REPO = Path(__file__).resolve().parents[1]
SAMPLE = (REPO / "samples" / "seeds" / "seed-000.html").read_bytes()

PARAGRAPH_DE = (
    "Die Bundesregierung hat am Montag in Berlin neue Regeln für den Abbau von Lithium "
    "vorgestellt. Nach Angaben des Ministeriums sollen die Genehmigungsverfahren deutlich "
    "kürzer werden, damit heimische Vorkommen schneller erschlossen werden können."
)
PARAGRAPH_ES = (
    "El gobierno de Chile anunció el martes un nuevo plan para la explotación del litio en "
    "el desierto de Atacama. Según el ministerio, la empresa estatal tendrá la mayoría de "
    "las acciones en las nuevas sociedades con inversionistas privados."
)
PARAGRAPH_JA = "政府は月曜日、リチウムの採掘に関する新しい規則を発表した。" * 4


def html(body: str, *, lang: str | None = None, head: str = "") -> bytes:
    attr = f' lang="{lang}"' if lang else ""
    return (
        f"<!DOCTYPE html><html{attr}><head><meta charset='utf-8'>{head}</head>"
        f"<body><article>{body}</article></body></html>"
    ).encode()


def page(body: bytes, content_type: str | None = "text/html; charset=utf-8") -> Page:
    return Page("http://news.example/a", "http://news.example/a", 200, content_type, body)


HOSTILE = {
    "empty": b"",
    "whitespace": b" \n\t  \r\n",
    "png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
    "nul-bytes": b"<html>\x00\x00\x00<p>text</p>" * 100,
    "random-binary": bytes((i * 7919) % 256 for i in range(50_000)),
    "gzip-as-html": b"\x1f\x8b\x08\x00" + bytes(range(256)) * 20,
    "only-tags": b"<html><head></head><body><div><span></span></div></body></html>",
    "script-only": b"<html><body><script>" + b"var a = 1;" * 500 + b"</script></body></html>",
    "unclosed-everything": b"<html><body><p>Lithium <b>prices <i>rose <div><table><tr><td>",
    "deep-nesting": b"<html><body>" + b"<div>" * 50_000 + b"deep" + b"</div>" * 10 + b"</body>",
    # 20_000 repetitions (240 KB) cost ~20 s of CPU in trafilatura (README, reliability).
    "deep-unclosed": b"<p><b><i><u>" * 1_000,
    "bad-charset": html("<p>" + PARAGRAPH_DE + "</p>").replace(b"utf-8", b"x-no-such-codec"),
    "utf16-no-bom": ("<html><body><p>" + PARAGRAPH_ES + "</p></body></html>").encode("utf-16-le"),
    "broken-entities": html("<p>&#xFFFFFFFF; &#0; &#55296; &bogus; &amp" + PARAGRAPH_ES + "</p>"),
    "huge-attribute": b'<html><body><p title="' + b"x" * 2_000_000 + b'">hi</p></body></html>',
    "xml-bomb-as-xhtml": (
        b'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
        b"]><html><body><p>&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;</p></body></html>"
    ),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_page_gives_text_or_empty_text_error(name):
    body = HOSTILE[name]
    # Large bodies once (they are slow to parse); small ones under every type.
    types = ("text/html; charset=utf-8", None, "text/plain") if len(body) < 100_000 else (None,)
    for content_type in types:
        try:
            article = extract_article(page(body, content_type))
        except EmptyTextError as exc:
            assert exc.reason == "empty-text"
            continue
        assert article.text.strip()
        assert len(article.text_hash) == 64
        assert "aaaaaaaaaa" * 100 not in article.text  # no entity expansion


def test_binary_bodies_are_empty_text():
    for name in ("png", "random-binary", "gzip-as-html", "nul-bytes", "empty", "whitespace"):
        with pytest.raises(EmptyTextError):
            extract_article(page(HOSTILE[name]))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (html(f"<h1>Lithium</h1><p>{PARAGRAPH_DE}</p><p>{PARAGRAPH_DE}</p>", lang="de"), "de"),
        (html(f"<p>{PARAGRAPH_ES}</p><p>{PARAGRAPH_ES}</p>", lang="es-CL"), "es"),
        (
            html(
                f"<p>{PARAGRAPH_DE}</p><p>{PARAGRAPH_DE}</p>",
                head='<meta property="og:locale" content="de_DE">',
            ),
            "de",
        ),
        (html(f"<p>{PARAGRAPH_JA}</p><p>{PARAGRAPH_JA}</p>"), "ja"),
    ],
)
def test_non_english_pages_record_their_language(body, expected):
    article = extract_article(page(body))
    assert article.language == expected
    assert article.text


def test_undeclared_non_english_page_is_not_called_english():
    article = extract_article(page(html(f"<p>{PARAGRAPH_ES}</p><p>{PARAGRAPH_ES}</p>")))
    assert article.language != "en"


def test_sample_page_still_reads_as_english():
    """The control: the same code path on a real English page."""
    assert extract_article(page(SAMPLE)).language == "en"


@pytest.mark.integration
def test_a_run_over_hostile_pages_stores_the_good_and_records_the_rest(
    http_server, tmp_path, nlp_full
):
    served = {
        "/good.html": (SAMPLE, "text/html; charset=utf-8"),
        "/german.html": (
            html(f"<h1>Lithium</h1><p>{PARAGRAPH_DE}</p><p>{PARAGRAPH_DE}</p>", lang="de"),
            "text/html",
        ),
        "/png-as-html.html": (HOSTILE["png"], "text/html"),
        "/empty.html": (b"", "text/html"),
        "/deep.html": (HOSTILE["deep-nesting"], "text/html"),
        "/broken.html": (HOSTILE["unclosed-everything"], "text/html"),
        "/image.png": (HOSTILE["png"], "image/png"),
    }
    for path, (body, content_type) in served.items():
        http_server.route(path, body=body, content_type=content_type)
    items = "".join(
        f"<item><title>{p}</title><link>{http_server.url(p)}</link></item>" for p in served
    )
    http_server.route(
        "/feed.xml",
        content_type="application/rss+xml",
        body=f'<rss version="2.0"><channel><title>h</title>{items}</channel></rss>',
    )
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=10.0),
        feeds=(FeedConfig(name="hostile", url=http_server.url("/feed.xml")),),
        base_dir=tmp_path,
    )
    summary = run_once(config, RunContext(nlp=nlp_full))

    db = sqlite3.connect(config.db_path)
    stored = dict(db.execute("select url, language from articles").fetchall())
    errors = dict(db.execute("select url, reason from run_errors").fetchall())
    db.close()
    # every item is accounted for exactly once: stored or recorded with a reason
    assert set(stored) | set(errors) == {http_server.url(p) for p in served}
    assert not set(stored) & set(errors)
    assert stored[http_server.url("/good.html")] == "en"
    assert stored[http_server.url("/german.html")] == "de"
    assert errors[http_server.url("/png-as-html.html")] == "empty-text"
    assert errors[http_server.url("/empty.html")] == "empty-text"
    assert errors[http_server.url("/image.png")] == "content-type"
    assert summary.new_articles == len(stored)
