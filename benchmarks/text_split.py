"""The dev article pages and their fixed publisher-held-out split.

The text stage's rules are tuned on some publishers and reported on others, so the
reported figures say how the rules do on sites they were not written against.

The split, fixed once (before any per-page error was looked at) and never re-drawn:
  1. a page's publisher is its URL's registered domain (`tld.get_fld`, the public
     suffix list: "japannews.yomiuri.co.jp" → "yomiuri.co.jp");
  2. domains that fundus lists under one publisher name ("ZDF": zdf.de, zdfheute.de)
     are one publisher, and the same domain in both corpora is one publisher;
  3. the publisher's key is the alphabetically first of its domains;
  4. it is held out when the first byte of sha256(key, UTF-8) is odd.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tld import get_fld

HELDOUT = "heldout"
TUNING = "tuning"
CORPORA = ("aeb", "fundus")


@dataclass(frozen=True)
class PageCase:
    corpus: str  # "aeb" or "fundus"
    id: str
    url: str
    html: bytes
    gold: dict[str, Any]
    publisher: str = ""  # the split key (see the module docstring)
    split: str = ""  # HELDOUT or TUNING


def registered_domain(url: str) -> str:
    """The URL's registered domain; the bare host when the suffix list does not know it."""
    domain = get_fld(url, fail_silently=True)
    if isinstance(domain, str) and domain:
        return domain.lower()
    return (urlsplit(url).hostname or url).lower().removeprefix("www.")


def split_of(publisher: str) -> str:
    """HELDOUT or TUNING for a publisher key: the parity of its sha256's first byte."""
    return HELDOUT if hashlib.sha256(publisher.encode("utf-8")).digest()[0] % 2 else TUNING


def publisher_keys(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The publisher key of each (corpus, gold row), grouping as the docstring says."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the root is always the smallest name

    domains = []
    for _corpus, row in rows:
        domain = "domain:" + registered_domain(row["url"])
        find(domain)
        if row.get("publisher_name"):
            union(domain, "name:" + row["publisher_name"])
        domains.append(domain)
    groups: dict[str, list[str]] = {}
    for node in parent:
        if node.startswith("domain:"):
            groups.setdefault(find(node), []).append(node.removeprefix("domain:"))
    return [min(groups[find(d)]) for d in domains]


def load_cases(shared: Path, limit: int | None = None, every: int = 1) -> list[PageCase]:
    """Pages of both corpora in id order, tagged with publisher and split.

    `every`=k keeps every k-th page of each corpus and `limit` caps each; the split
    is computed over all pages first, so it never depends on the selection.
    """
    rows: list[tuple[str, dict[str, Any]]] = []
    for corpus in CORPORA:
        gold = shared / "corpora" / "article_pages" / corpus / "gold.jsonl"
        corpus_rows = [json.loads(line) for line in gold.read_text().splitlines() if line]
        rows += [(corpus, r) for r in sorted(corpus_rows, key=lambda r: r["id"])]
    keys = publisher_keys(rows)
    cases: list[PageCase] = []
    for corpus in CORPORA:
        base = shared / "corpora" / "article_pages" / corpus
        mine = [(row, key) for (c, row), key in zip(rows, keys, strict=True) if c == corpus]
        for row, key in mine[::every][:limit]:
            html = gzip.decompress((base / row["html_path"]).read_bytes())
            cases.append(PageCase(corpus, row["id"], row["url"], html, row, key, split_of(key)))
    return cases
