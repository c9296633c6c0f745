"""Text-stage quality: newswatch's extract_article against plain trafilatura.

    python -m benchmarks.text_quality [--shared PATH] [--limit N] [--json]

Corpora (in ../shared/corpora/article_pages):
  aeb     127 pages with a human-checked body        → body F1
  fundus  236 publisher pages, 30+ languages          → title exact match, date (same
                                                        calendar day), authors set F1, body F1

Body F1 is token-bag F1 (casefolded word tokens; CJK characters count one each).
Title match compares after NFKC, whitespace collapsing and trimming, nothing more.
Both extractors get the same bytes and URL; trafilatura runs with its defaults plus
with_metadata=True, which is what a caller who "just uses trafilatura" gets.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
import time
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FLOORS_PATH = Path(__file__).with_name("text_quality_floors.json")
METRICS = (
    "aeb_body_f1",
    "fundus_title_exact",
    "fundus_date",
    "fundus_authors_f1",
    "fundus_body_f1",
)


@dataclass(frozen=True)
class PageCase:
    corpus: str  # "aeb" or "fundus"
    id: str
    url: str
    html: bytes
    gold: dict[str, Any]


@dataclass(frozen=True)
class Extracted:
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    text: str


def load_cases(shared: Path, limit: int | None = None, every: int = 1) -> list[PageCase]:
    """Pages of both corpora in id order; `every`=k keeps every k-th, `limit` caps each."""
    cases: list[PageCase] = []
    for corpus in ("aeb", "fundus"):
        base = shared / "corpora" / "article_pages" / corpus
        rows = [json.loads(line) for line in (base / "gold.jsonl").read_text().splitlines()]
        rows = sorted(rows, key=lambda r: r["id"])[::every][:limit]
        for row in rows:
            html = gzip.decompress((base / row["html_path"]).read_bytes())
            cases.append(PageCase(corpus, row["id"], row["url"], html, row))
    return cases


def extract_newswatch(case: PageCase) -> Extracted:
    from pipeline.core.errors import EmptyTextError
    from pipeline.core.models import Page
    from pipeline.text.extract import extract_article

    page = Page(case.url, case.url, 200, "text/html", case.html)
    try:
        art = extract_article(page, None, case.corpus)
    except EmptyTextError:
        return Extracted(None, (), None, "")
    return Extracted(art.title, art.authors, art.published, art.text)


def extract_trafilatura(case: PageCase) -> Extracted:
    import trafilatura

    doc = trafilatura.bare_extraction(case.html, url=case.url, with_metadata=True)
    if not isinstance(doc, trafilatura.settings.Document):
        return Extracted(None, (), None, "")
    authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
    return Extracted(doc.title, authors, doc.date, doc.text or "")


# --- metrics --------------------------------------------------------------------

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(unicodedata.normalize("NFKC", text).casefold()))


def body_f1(predicted: str, gold: str) -> float:
    pred, ref = tokens(predicted), tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def authors_f1(predicted: tuple[str, ...], gold: list[str] | None) -> float:
    pred = {_norm(a).casefold() for a in predicted}
    ref = {_norm(a).casefold() for a in gold or ()}
    if not pred or not ref:
        return float(pred == ref)
    overlap = len(pred & ref)
    if not overlap:
        return 0.0
    return 2 * overlap / (len(pred) + len(ref))


def same_day(predicted: str | None, gold: str | None) -> bool:
    """Same calendar day; an aware prediction is first moved into the gold's time zone."""
    if not predicted or not gold:
        return predicted == gold
    try:
        ref = datetime.fromisoformat(gold)
        pred = datetime.fromisoformat(predicted.replace("Z", "+00:00"))
    except ValueError:
        return predicted[:10] == gold[:10]
    if pred.tzinfo is not None and ref.tzinfo is not None:
        pred = pred.astimezone(ref.tzinfo)
    return _as_date(pred) == _as_date(ref)


def _as_date(value: datetime) -> date:
    return value.date()


def score(cases: list[PageCase], extract: Callable[[PageCase], Extracted]) -> dict[str, float]:
    sums: dict[str, list[float]] = {m: [] for m in METRICS}
    for case in cases:
        got = extract(case)
        if case.corpus == "aeb":
            sums["aeb_body_f1"].append(body_f1(got.text, case.gold["body"]))
            continue
        gold = case.gold
        sums["fundus_title_exact"].append(float(_norm(got.title or "") == _norm(gold["title"])))
        sums["fundus_date"].append(float(same_day(got.published, gold["publishing_date"])))
        sums["fundus_authors_f1"].append(authors_f1(got.authors, gold["authors"]))
        sums["fundus_body_f1"].append(body_f1(got.text, gold["body_text"]))
    return {m: round(sum(v) / len(v), 4) if v else 0.0 for m, v in sums.items()}


def compare(shared: Path = DEFAULT_SHARED, limit: int | None = None, every: int = 1) -> dict:
    """Score both extractors on the same pages; the dict the CLI prints and tests gate on."""
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    cases = load_cases(shared, limit, every)
    result: dict[str, Any] = {
        "pages": dict(Counter(c.corpus for c in cases)),
    }
    for name, extract in (("newswatch", extract_newswatch), ("trafilatura", extract_trafilatura)):
        start = time.perf_counter()
        result[name] = score(cases, extract)
        result[name]["seconds"] = round(time.perf_counter() - start, 1)
    return result


def load_floors(path: Path = FLOORS_PATH) -> dict[str, float]:
    """The pinned minimum per metric (keys not in METRICS, such as "_note", are skipped)."""
    return {k: float(v) for k, v in json.loads(path.read_text()).items() if k in METRICS}


def format_table(result: dict) -> str:
    lines = [f"{'metric':<22}{'newswatch':>11}{'trafilatura':>13}{'delta':>9}"]
    for metric in (*METRICS, "seconds"):
        ours, theirs = result["newswatch"][metric], result["trafilatura"][metric]
        lines.append(f"{metric:<22}{ours:>11.4f}{theirs:>13.4f}{ours - theirs:>+9.4f}")
    lines.append(f"pages: {result['pages']}")
    return "\n".join(lines)


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point for `python -m benchmarks` (harness format); quick = every 10th page."""
    from benchmarks.harness import figure, result, shared_dir

    outcome = compare(shared_dir(), every=10 if quick else 1)
    ours, theirs = outcome["newswatch"], outcome["trafilatura"]
    figures = [figure(f"{m} newswatch", ours[m], "") for m in METRICS]
    figures += [figure(f"{m} trafilatura", theirs[m], "") for m in METRICS]
    met = all(ours[m] >= theirs[m] for m in METRICS)
    return result(
        "text_quality",
        figures,
        "newswatch >= plain trafilatura on every metric",
        met,
        f"pages: {outcome['pages']}",
    )


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--limit", type=int, default=None, help="at most N pages per corpus")
    parser.add_argument("--every", type=int, default=1, help="keep every k-th page")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if not (args.shared / "corpora" / "article_pages").is_dir():
        parser.exit(2, f"error: no corpora/article_pages under {args.shared}\n")
    result = compare(args.shared, args.limit, args.every)
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
