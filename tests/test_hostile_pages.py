"""Hostile and odd article pages: an ArticleText or a recorded reason, never a crash.

Broken HTML, binary bytes behind an HTML content type, empty and whitespace
pages, markup nested tens of thousands deep, and pages in other languages (the
language is recorded) go through the text stage, then through a whole run.

Markup built to be slow (deep nesting, unclosed tags, floods of siblings) is
bounded before trafilatura runs (pipeline/markup_limits.py). Its speed is measured
by hand, not here; these tests hold the structural property that bounds the cost:
the tree trafilatura gets is at most `max_depth` deep and `max_elements` large, with
its text kept, or the page is refused with `empty-text`.
"""

from __future__ import annotations

import gzip
import itertools
import json
import sqlite3
from pathlib import Path

import pytest
from lxml import etree

from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.core.errors import EmptyTextError
from pipeline.core.models import Page
from pipeline.run import RunContext, run_once
from pipeline.text.extract import decode_page, extract_article, trafilatura_tree
from pipeline.text.markup_limits import (
    DEFAULT_LIMITS,
    MarkupLimits,
    bound_tree,
    element_count,
    tree_depth,
)

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
    # 20_000 repetitions (240 KB) once cost ~20 s of CPU in trafilatura; see SLOW_MARKUP.
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


@pytest.mark.parametrize(("paragraph", "expected"), [(PARAGRAPH_DE, "de"), (PARAGRAPH_ES, "es")])
def test_an_undeclared_page_gets_the_language_it_is_written_in(paragraph, expected):
    # py3langid names it, so the [nlp] languages filter keeps it from the English model
    article = extract_article(page(html(f"<p>{paragraph}</p><p>{paragraph}</p>")))
    assert article.language == expected


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
        "/too-complex.html": (SLOW_MARKUP["unclosed-p-b-i-u"], "text/html"),
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
    assert errors[http_server.url("/too-complex.html")] == "empty-text"
    assert errors[http_server.url("/image.png")] == "content-type"
    assert summary.new_articles == len(stored)


# --- markup built to be slow ------------------------------------------------------

WORDS = b"lithium output rose sharply "
# Each once cost trafilatura seconds to tens of seconds (README, reliability table).
SLOW_MARKUP = {
    "unclosed-p-b-i-u": b"<p><b><i><u>" * 20_000,
    "unclosed-div-span-b": b"<html><body>" + (b"<div><span><b>" + WORDS) * 20_000,
    "unclosed-nested-tables": b"<html><body>" + (b"<table><tr><td>" + WORDS) * 20_000,
    "unclosed-nested-lists": b"<html><body>" + (b"<ul><li>" + WORDS) * 20_000,
    "closed-divs-50k-deep": HOSTILE["deep-nesting"],
    "paragraphs-under-250-divs": b"<html><body>" + b"<div>" * 250 + (b"<p>" + WORDS) * 20_000,
    "50k-sibling-paragraphs": b"<html><body>" + (b"<p>" + WORDS) * 50_000 + b"</body></html>",
    "50k-sibling-spans": b"<html><body><div>" + b"<span>w</span> " * 50_000 + b"</div>",
    "inline-wrapped-words": b"<html><body><p>" + b"<b>word</b> " * 30_000 + b"</p>",
    "br-flood": b"<html><body><p>" + b"word<br>" * 30_000 + b"</p></body></html>",
    "tag-flood-over-the-tag-cap": b"<html><body>" + b"<b>" * 300_000,
}


# libxml2 itself stops nesting at depth 256, so these limits change nothing.
NO_LIMITS = MarkupLimits(max_tags=10**9, max_depth=256, max_elements=10**9)


def _single_text_runs(tree: etree._Element) -> bool:
    """No element has two text nodes in a row (libxml2 XPath goes quadratic on those)."""
    for element in tree.iter(etree.Element):
        nodes = element.xpath("node()")
        for first, second in itertools.pairwise(nodes):
            if isinstance(first, str) and isinstance(second, str):
                return False
    return True


@pytest.mark.parametrize("name", SLOW_MARKUP)
def test_slow_markup_is_bounded_before_trafilatura(name):
    markup = decode_page(SLOW_MARKUP[name], "text/html")
    assert markup is not None
    try:
        tree = trafilatura_tree(markup)
    except EmptyTextError as exc:
        assert exc.reason == "empty-text"
        assert "too complex" in str(exc)
    else:
        assert tree is not None
        assert tree_depth(tree) <= DEFAULT_LIMITS.max_depth
        assert element_count(tree) <= DEFAULT_LIMITS.max_elements
        assert _single_text_runs(tree)
    # and the whole stage finishes with text or the clear error
    try:
        article = extract_article(page(SLOW_MARKUP[name]))
    except EmptyTextError as exc:
        assert exc.reason == "empty-text"
    else:
        assert article.text.strip()
        assert "<" not in article.text


def test_flattening_keeps_the_text_of_deep_elements_apart():
    # 150 levels: under libxml2's own cap of 256, over max_depth, so it is flattened.
    words = [f"word{i}" for i in range(150)]
    body = "".join(f"<div><p>{w}</p>" for w in words) + "<script>var secret = 1;</script>"
    tree = trafilatura_tree(f"<html><body>{body}</body></html>")
    assert tree is not None
    assert tree_depth(tree) == DEFAULT_LIMITS.max_depth
    text = " ".join(tree.itertext())  # one string per text node
    assert text.split() == words  # every word kept, in order, none glued to the next
    assert "secret" not in text  # script bodies are dropped, not turned into text


def test_flattened_deep_article_still_reads():
    sentence = "The mine in Atacama raised its lithium output by a third this year. "
    body = (
        b"<html><body>"
        + b"<div>" * 120
        + b"".join(b"<p>" + sentence.encode() * 3 + b"</p>" for _ in range(10))
    )
    article = extract_article(page(body))
    assert article.text.count("lithium output") == 30


def test_inline_formatting_is_stripped_only_over_the_element_limit():
    small = MarkupLimits(max_elements=50)
    under = "<html><body><p>" + "<b>bold</b> " * 40 + "</p></body></html>"
    over = "<html><body><p>" + "<b>bold</b> " * 60 + "</p></body></html>"
    tree = trafilatura_tree(under, small)
    assert tree is not None and len(tree.findall(".//b")) == 40
    tree = trafilatura_tree(over, small)
    assert tree is not None and tree.find(".//b") is None
    assert tree.text_content().split() == ["bold"] * 60
    assert _single_text_runs(tree)


def test_structure_over_the_limit_is_a_clear_error():
    body = b"<html><body>" + (b"<p>" + WORDS) * 200 + b"</body></html>"
    with pytest.raises(EmptyTextError, match="too complex: 202 elements") as caught:
        extract_article(page(body), limits=MarkupLimits(max_elements=100))
    assert caught.value.reason == "empty-text"
    assert caught.value.url == "http://news.example/a"


def test_tag_flood_is_refused_before_parsing():
    with pytest.raises(EmptyTextError, match="300,002 tags"):
        extract_article(page(SLOW_MARKUP["tag-flood-over-the-tag-cap"]))


def test_a_normal_page_is_left_untouched():
    markup = decode_page(SAMPLE, "text/html; charset=utf-8")
    assert markup is not None
    tree = trafilatura_tree(markup, NO_LIMITS)
    assert tree is not None
    before = etree.tostring(tree)
    bound_tree(tree)
    assert etree.tostring(tree) == before


def test_every_corpus_page_is_inside_the_limits(shared_dir):
    """Why normal pages extract exactly as before: the limits never touch them."""
    base = shared_dir / "corpora" / "article_pages"
    if not base.is_dir():
        pytest.skip(f"../shared not present: no {base}")
    paths = sorted(base.glob("*/gold.jsonl"))
    assert paths, f"no gold.jsonl under {base}"
    for gold in paths:
        for line in gold.read_text().splitlines()[::4]:
            row = json.loads(line)
            markup = decode_page(
                gzip.decompress((gold.parent / row["html_path"]).read_bytes()), None
            )
            assert markup is not None
            assert markup.count("<") <= DEFAULT_LIMITS.max_tags, row["id"]
            tree = trafilatura_tree(markup, NO_LIMITS)
            assert tree is not None
            assert tree_depth(tree) <= DEFAULT_LIMITS.max_depth, row["id"]
            assert element_count(tree) <= DEFAULT_LIMITS.max_elements, row["id"]
