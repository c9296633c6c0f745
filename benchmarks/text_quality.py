"""Text-stage quality: newswatch's extract_article against plain trafilatura.

    python -m benchmarks.text_quality [--split heldout|tuning|both] [--every K] [--json]
    python -m benchmarks.text_quality --errors FIELD      # per-page misses, tuning split only

Corpora (in ../shared/corpora/article_pages):
  aeb     127 pages with a human-checked body           → body F1, first 13 words
  fundus  236 publisher pages, 30+ languages            → title exact match, authors set F1,
                                                          date (same calendar day), body F1,
                                                          first 13 words

The publisher-held-out split (benchmarks/text_split.py) puts every page of one
publisher on the same side: rules are tuned on the "tuning" publishers and reported
on the "heldout" ones, which nobody looks at page by page (`--errors` refuses them).

Fields, per page, averaged:
  title_exact    the title equals the gold title after NFKC and whitespace collapsing
  authors_f1     set F1 of the author names (casefolded)
  date           the publication date falls on the gold calendar day
  lead_13_words  the body's first 13 word tokens are the gold body's first 13 (the
                 "first words" check of the Postlight/Mercury parser fixtures)
  body_f1        token-bag F1 of the body (casefolded word tokens; CJK characters one each)

Both extractors get the same bytes and URL; trafilatura runs with its defaults plus
with_metadata=True, which is what a caller who "just uses trafilatura" gets.
The legacy METRICS (per corpus, every k-th page of both splits) are still reported for
tests/test_text.py's older gate.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.text_split import HELDOUT, TUNING, PageCase, load_cases

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FLOORS_PATH = Path(__file__).with_name("text_quality_floors.json")
FIELDS = ("title_exact", "authors_f1", "date", "lead_13_words", "body_f1")
METRICS = (
    "aeb_body_f1",
    "fundus_title_exact",
    "fundus_date",
    "fundus_authors_f1",
    "fundus_body_f1",
)
LEAD_WORDS = 13


@dataclass(frozen=True)
class Extracted:
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    text: str


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


EXTRACTORS: dict[str, Callable[[PageCase], Extracted]] = {
    "newswatch": extract_newswatch,
    "trafilatura": extract_trafilatura,
}


# --- metrics --------------------------------------------------------------------

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def word_tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def tokens(text: str) -> Counter[str]:
    return Counter(word_tokens(text))


def body_f1(predicted: str, gold: str) -> float:
    pred, ref = tokens(predicted), tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def lead_matches(predicted: str, gold: str, words: int = LEAD_WORDS) -> bool:
    """The first `words` word tokens of the body are the gold body's first ones."""
    return word_tokens(predicted)[:words] == word_tokens(gold)[:words]


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
    return pred.date() == ref.date()


def page_scores(case: PageCase, got: Extracted) -> dict[str, float]:
    """The fields this page's gold allows, each 0..1."""
    gold = case.gold
    if case.corpus == "aeb":
        return {
            "body_f1": body_f1(got.text, gold["body"]),
            "lead_13_words": float(lead_matches(got.text, gold["body"])),
        }
    return {
        "title_exact": float(_norm(got.title or "") == _norm(gold["title"])),
        "authors_f1": authors_f1(got.authors, gold["authors"]),
        "date": float(same_day(got.published, gold["publishing_date"])),
        "lead_13_words": float(lead_matches(got.text, gold["body_text"])),
        "body_f1": body_f1(got.text, gold["body_text"]),
    }


@dataclass(frozen=True)
class PageResult:
    case: PageCase
    got: dict[str, Extracted]  # extractor name → its output
    scores: dict[str, dict[str, float]]  # extractor name → field → score


def score_page(case: PageCase) -> PageResult:
    got = {name: extract(case) for name, extract in EXTRACTORS.items()}
    return PageResult(case, got, {name: page_scores(case, g) for name, g in got.items()})


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def summarise(results: Iterable[PageResult]) -> dict[str, Any]:
    """Per extractor, the mean of each field (and of each legacy metric) over `results`."""
    results = list(results)
    out: dict[str, Any] = {
        "pages": dict(Counter(r.case.corpus for r in results)),
        "publishers": len({r.case.publisher for r in results}),
    }
    for name in EXTRACTORS:
        figures = {
            f: _mean([r.scores[name][f] for r in results if f in r.scores[name]]) for f in FIELDS
        }
        for metric in METRICS:
            corpus, field = metric.split("_", 1)
            figures[metric] = _mean(
                [r.scores[name][field] for r in results if r.case.corpus == corpus]
            )
        out[name] = figures
    return out


def quiet() -> None:
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def compare(
    shared: Path = DEFAULT_SHARED,
    limit: int | None = None,
    every: int = 1,
    split: str | None = None,
) -> dict[str, Any]:
    """Score both extractors on the same pages: the dict the CLI prints and tests gate on.

    `split` (HELDOUT or TUNING) keeps one side of the publisher split; None keeps both.
    """
    quiet()
    cases = [c for c in load_cases(shared, limit, every) if split is None or c.split == split]
    return summarise(score_page(c) for c in cases)


def load_floors(path: Path = FLOORS_PATH) -> dict[str, float]:
    """The legacy floors (every 3rd page, both splits); keys not in METRICS are skipped."""
    return {k: float(v) for k, v in json.loads(path.read_text()).items() if k in METRICS}


def load_heldout_floors(path: Path = FLOORS_PATH) -> dict[str, float]:
    """The floors per field on the whole held-out split."""
    floors = json.loads(path.read_text())[HELDOUT]
    return {k: float(v) for k, v in floors.items() if k in FIELDS}


def format_table(result: dict[str, Any], names: Iterable[str] = FIELDS) -> str:
    lines = [f"{'field':<20}{'newswatch':>11}{'trafilatura':>13}{'delta':>9}"]
    for metric in names:
        ours, theirs = result["newswatch"][metric], result["trafilatura"][metric]
        lines.append(f"{metric:<20}{ours:>11.4f}{theirs:>13.4f}{ours - theirs:>+9.4f}")
    lines.append(f"pages: {result['pages']}, publishers: {result['publishers']}")
    return "\n".join(lines)


def misses(results: Iterable[PageResult], field: str) -> list[dict[str, Any]]:
    """Pages of the tuning split where newswatch scores below 1 on `field`, worst first."""
    rows = []
    for r in results:
        if r.case.split != TUNING:
            raise ValueError("per-page errors are only shown for the tuning split")
        ours = r.scores["newswatch"].get(field)
        if ours is None or ours >= 1.0:
            continue
        gold = r.case.gold
        rows.append(
            {
                "id": r.case.id,
                "url": r.case.url,
                "newswatch": ours,
                "trafilatura": r.scores["trafilatura"][field],
                "ours": _shown(r.got["newswatch"], field),
                "theirs": _shown(r.got["trafilatura"], field),
                "gold": _shown_gold(gold, field),
            }
        )
    return sorted(rows, key=lambda row: row["newswatch"] - row["trafilatura"])


def _shown(got: Extracted, field: str) -> Any:
    return {
        "title_exact": got.title,
        "authors_f1": list(got.authors),
        "date": got.published,
        "lead_13_words": " ".join(got.text.split()[:25]),
        "body_f1": got.text[:300],
    }[field]


def _shown_gold(gold: dict[str, Any], field: str) -> Any:
    body = gold.get("body_text") or gold.get("body") or ""
    return {
        "title_exact": gold.get("title"),
        "authors_f1": gold.get("authors"),
        "date": gold.get("publishing_date"),
        "lead_13_words": " ".join(body.split()[:25]),
        "body_f1": body[:300],
    }[field]


def run(quick: bool = False) -> dict[str, Any]:
    """Entry point for `python -m benchmarks` (harness format): the held-out split."""
    from benchmarks.harness import figure, result, shared_dir

    outcome = compare(shared_dir(), every=10 if quick else 1, split=HELDOUT)
    ours, theirs = outcome["newswatch"], outcome["trafilatura"]
    figures = [figure(f"{f} newswatch", ours[f], "") for f in FIELDS]
    figures += [figure(f"{f} trafilatura", theirs[f], "") for f in FIELDS]
    met = all(ours[f] >= theirs[f] for f in FIELDS)
    return result(
        "text_quality",
        figures,
        "newswatch >= plain trafilatura on every field, publisher-held-out split",
        met,
        f"pages: {outcome['pages']}, publishers: {outcome['publishers']}",
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--split", choices=(HELDOUT, TUNING, "both"), default="both")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages per corpus")
    parser.add_argument("--every", type=int, default=1, help="keep every k-th page")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--errors", choices=FIELDS, help="list the tuning split's pages newswatch misses"
    )
    args = parser.parse_args(argv)
    if not (args.shared / "corpora" / "article_pages").is_dir():
        parser.exit(2, f"error: no corpora/article_pages under {args.shared}\n")
    if args.errors and args.split != TUNING:
        parser.exit(2, "error: --errors needs --split tuning (the held-out split stays unseen)\n")
    quiet()
    cases = load_cases(args.shared, args.limit, args.every)
    splits = (HELDOUT, TUNING) if args.split == "both" else (args.split,)
    results = [score_page(c) for c in cases if c.split in splits]
    if args.errors:
        rows = misses(results, args.errors)
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return {"misses": rows}
    report = {s: summarise(r for r in results if r.case.split == s) for s in splits}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for s in splits:
            print(f"== {s} ==\n{format_table(report[s])}\n")
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
