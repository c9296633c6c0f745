"""The material of the syndication pair set: real stories, real host pages, copies.

Stories are article_pages gold bodies (aeb, fundus) and Reuters-21578 wire stories;
hosts are the real outlet pages those bodies came from, whose article paragraphs
can be swapped for another story (`compose_page`) while their navigation, related
links and footers stay. `perturb` makes a copy differ the way republished copies
do; `extract_copy` takes the main text back out with the real text stage.
benchmarks/syndication_pairs.py builds the labelled pairs from these.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from pipeline.core.errors import FetchError
from pipeline.core.models import Page
from pipeline.text.extract import decode_page, extract_article
from storage.stories import neardup

LEDE_WORDS = 30


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Host:
    """A real outlet page whose article paragraphs can be swapped for another story."""

    id: str
    url: str
    html: bytes
    gold: str


# --- loading -------------------------------------------------------------------


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not present: the pair set is built from ../shared")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def split_paragraphs(body: str) -> tuple[str, ...]:
    # Reuters-21578 bodies are hard-wrapped, with paragraphs opening on an indented line.
    parts = re.split(r"\n\s*\n|\n(?=[ \t]{2,})", body)
    return tuple(" ".join(p.split()) for p in parts if p.strip())


def load_page_corpora(shared: Path) -> tuple[list[Story], list[Host]]:
    stories, hosts = [], []
    base = shared / "corpora" / "article_pages"
    for row in _rows(base / "aeb" / "gold.jsonl"):
        body = row.get("body") or ""
        if len(body.split()) >= 80:
            stories.append(
                Story(f"aeb-{row['id'][:12]}", _title_of(row, body), split_paragraphs(body))
            )
            html = gzip.decompress((base / "aeb" / row["html_path"]).read_bytes())
            hosts.append(Host(f"aeb-{row['id'][:12]}", row["url"], html, body))
    for row in _rows(base / "fundus" / "gold.jsonl"):
        body = row.get("body_text") or ""
        if "en" in (row.get("languages") or []) and len(body.split()) >= 80:
            stories.append(
                Story(f"fundus-{row['id']}", _title_of(row, body), split_paragraphs(body))
            )
            html = gzip.decompress((base / "fundus" / row["html_path"]).read_bytes())
            hosts.append(Host(f"fundus-{row['id']}", row["url"], html, body))
    return stories, hosts


def _title_of(row: dict[str, Any], body: str) -> str:
    return row.get("title") or " ".join(body.split()[:10])


def load_reuters(shared: Path) -> list[dict[str, Any]]:
    return list(_rows(shared / "corpora" / "labelled_news" / "reuters21578_train.jsonl"))


def norm_title(title: str) -> str:
    # Reuters-21578 marks company names as <ACME CORP>: keep the name, drop the marks
    # (dropping the name would make every "<X> 4TH QTR NET" one title).
    # One-word marks of up to six letters are tickers (<AEROE>), which retransmissions
    # add or drop.
    title = re.sub(r"<[A-Z.]{1,6}>|^\s*(?:CORRECTED|REPEAT)\s*-\s*", " ", (title or "").upper())
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", title).split())


def same_lede(body_a: str, body_b: str) -> bool:
    """The same opening (first LEDE_WORDS words, as sets): one story sent twice.

    What makes two wire items one story is that the text was sent again; a rewrite
    under the same headline (new wording, same event) is another story, and a story
    re-sent under a corrected headline is still the same one.
    """
    a, b = (set(neardup.shingle_words(body)[:LEDE_WORDS]) for body in (body_a, body_b))
    return bool(a | b) and len(a & b) / len(a | b) >= 0.6


def reuters_date(row: dict[str, Any]) -> datetime | None:
    try:
        return datetime.strptime(row["date"].split(".")[0].strip(), "%d-%b-%Y %H:%M:%S")
    except (KeyError, ValueError):
        return None


# --- composing a republished copy ----------------------------------------------

BYLINES = ("By IANS", "PTI | Updated: 14 Jan 2024", "By Reuters Staff", "By Our Correspondent",
           "Agencies", "By Priya Sharma", "ANI |", "Written by Staff Writer")  # fmt: skip
TRAILERS = (
    "(With inputs from IANS)", "--IANS\nlkj/rs", "(With inputs from PTI)", "-- IANS vm/arm",
    "(This story has not been edited by our staff and is auto-generated from a syndicated feed.)",
    "(Reporting by Jane Doe; Editing by John Smith)", "Published by HT Digital Content Services",
)  # fmt: skip
DATELINES = ("New Delhi, Jan 14 (IANS) ", "NEW DELHI (PTI) ", "LONDON, Jan 14 (Reuters) - ",
             "WASHINGTON (AP) — ", "")  # fmt: skip
EDITS = {"said": "stated", "also": "further", "However,": "But", "would": "will", "about": "around"}


def perturb(story: Story, rng: random.Random, others: list[Story]) -> tuple[str, list[str]]:
    """A republished copy of `story`: (headline, paragraphs) as one outlet would run it."""
    paras = list(story.paragraphs)
    if len(paras) >= 5 and rng.random() < 0.5:  # cut for length: drop the last 1-2 paragraphs
        paras = paras[: -rng.choice((1, 2))]
    edited = []
    for para in paras:
        if rng.random() < 0.5:
            para = para.replace('"', rng.choice(("“", "'", '"'))).replace(" - ", " — ")
        words = para.split()
        for i, word in enumerate(words):  # light copy-editing: a few words per copy
            if word in EDITS and rng.random() < 0.3:
                words[i] = EDITS[word]
        para = " ".join(words)
        if len(words) > 60 and rng.random() < 0.3:  # an outlet that splits long paragraphs
            cut = para.find(". ", len(para) // 2)
            if cut > 0:
                edited.extend([para[: cut + 1], para[cut + 2 :]])
                continue
        edited.append(para)
    edited[0] = rng.choice(DATELINES) + edited[0]
    if rng.random() < 0.6:
        edited.insert(0, rng.choice(BYLINES))
    if rng.random() < 0.5:  # an outlet-written standfirst
        edited.insert(0, "Highlights: " + " ".join(story.paragraphs[0].split()[:18]) + "...")
    if len(edited) > 3 and rng.random() < 0.6:
        edited.insert(rng.randrange(2, len(edited)), f"Also read: {rng.choice(others).title}")
    if rng.random() < 0.7:
        edited.append(rng.choice(TRAILERS))
    if rng.random() < 0.4:
        edited.append("Related: " + "; ".join(rng.choice(others).title for _ in range(3)))
    headline = rng.choice(("", "Watch: ", "Explained: ")) + story.title
    return headline, edited


def compose_page(host: Host, headline: str, paragraphs: list[str]) -> bytes | None:
    """`host`'s page with its article paragraphs replaced by `paragraphs`; None if not found."""
    markup = decode_page(host.html, None)
    try:
        tree = lxml_html.fromstring(markup or "")
    except (etree.ParserError, ValueError):
        return None
    gold = " ".join(host.gold.split())
    by_parent: dict[Any, list[Any]] = defaultdict(list)
    for p in tree.iter("p"):
        text = " ".join(p.text_content().split())
        if len(text) >= 30 and text[:60] in gold:
            by_parent[p.getparent()].append(p)
    if not by_parent:
        return None
    parent, old = max(by_parent.items(), key=lambda kv: len(kv[1]))
    at = list(parent).index(old[0])
    for paras in by_parent.values():  # the host's own story goes everywhere it appears
        for p in paras:
            p.getparent().remove(p)
    for offset, text in enumerate(paragraphs):
        new = etree.Element("p")
        new.text = text
        parent.insert(at + offset, new)
    for h1 in tree.iter("h1"):
        h1.text, h1[:] = headline, []
    for title in tree.iter("title"):
        title.text = headline
    out: bytes = lxml_html.tostring(tree, encoding="utf-8")
    return out


def extract_copy(host: Host, headline: str, paragraphs: list[str]) -> str | None:
    page = compose_page(host, headline, paragraphs)
    if page is None:
        return None
    try:
        return extract_article(Page(host.url, host.url, 200, "text/html; charset=utf-8", page)).text
    except FetchError:
        return None
