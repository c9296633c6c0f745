"""Syndicated-copy pairing: precision/recall of pipeline.neardup over a labelled pair set.

    python -m benchmarks.syndication_pairs [--shared PATH] [--stories N] [--json]

The pair set is built from ../shared/corpora, deterministically (seed SEED):

Positives — one real story, two outlets:
  * syndicated copies: a real story body (article_pages aeb/fundus gold bodies, and
    Reuters-21578 wire stories of 60+ words) is put into the page of ANOTHER real
    outlet from article_pages (its own body paragraphs swapped out, its headline
    replaced, its navigation/related/footer furniture kept), perturbed the way
    republished copies differ (`perturb`), and the main text is taken back out with
    the real TEXT stage (pipeline.text.extract_article → trafilatura). Pairs are
    copy-vs-copy, each copy in a different host page.
  * retransmissions: Reuters-21578 stories carried twice (same headline once
    tickers and "CORRECTED-" are dropped, dated within a day of each other).

Negatives — different stories:
  * same topic: pairs of Reuters-21578 stories sharing a commodity/market topic
    (copper, gold, zinc, nickel, trade, crude, grain, ...: different stories about
    the same commodity, the critical-minerals case), with different headlines and
    bodies; half of them embedded in the SAME host page, so they share its furniture.
  * same outlet: two different article_pages stories in the same host page.
  * random: pairs of unrelated stories.

A pair is "paired" at threshold t when LSH built at t proposes it AND the estimated
Jaccard of the two signatures is >= t — exactly what StoryIndex does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from datasketch import MinHashLSH
from lxml import etree
from lxml import html as lxml_html

from pipeline import neardup
from pipeline.errors import FetchError
from pipeline.models import Page
from pipeline.text import decode_page, extract_article

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FLOORS_PATH = Path(__file__).with_name("syndication_floors.json")
SEED = 20240114
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
SAME_TOPICS = (
    "copper", "gold", "zinc", "nickel", "tin", "lead", "alum", "strategic-metal",
    "iron-steel", "silver", "platinum", "trade", "crude", "grain", "coffee", "sugar",
)  # fmt: skip
MIN_WIRE_WORDS = 60  # shorter Reuters items are tables (earnings, dividends), not stories


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


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    label: bool
    kind: str


class PairSet:
    """Texts by id and the labelled pairs over them."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.pairs: list[Pair] = []
        self.hosts = 0  # usable host pages
        # copies whose extracted text lost most of the story (trafilatura picked another
        # block): a text-stage failure no pairing can fix, so counted, not paired
        self.lost_by_text_stage = 0

    def add_text(self, key: str, text: str | None) -> bool:
        if text and neardup.shingle_words(text):
            self.texts[key] = text
            return True
        return False


# --- loading -------------------------------------------------------------------


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} not present: the pair set is built from ../shared")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _paragraphs(body: str) -> tuple[str, ...]:
    # Reuters-21578 bodies are hard-wrapped, with paragraphs opening on an indented line.
    parts = re.split(r"\n\s*\n|\n(?=[ \t]{2,})", body)
    return tuple(" ".join(p.split()) for p in parts if p.strip())


def load_page_corpora(shared: Path) -> tuple[list[Story], list[Host]]:
    stories, hosts = [], []
    base = shared / "corpora" / "article_pages"
    for row in _rows(base / "aeb" / "gold.jsonl"):
        body = row.get("body") or ""
        if len(body.split()) >= 80:
            stories.append(Story(f"aeb-{row['id'][:12]}", _title_of(row, body), _paragraphs(body)))
            html = gzip.decompress((base / "aeb" / row["html_path"]).read_bytes())
            hosts.append(Host(f"aeb-{row['id'][:12]}", row["url"], html, body))
    for row in _rows(base / "fundus" / "gold.jsonl"):
        body = row.get("body_text") or ""
        if "en" in (row.get("languages") or []) and len(body.split()) >= 80:
            stories.append(Story(f"fundus-{row['id']}", _title_of(row, body), _paragraphs(body)))
            html = gzip.decompress((base / "fundus" / row["html_path"]).read_bytes())
            hosts.append(Host(f"fundus-{row['id']}", row["url"], html, body))
    return stories, hosts


def _title_of(row: dict[str, Any], body: str) -> str:
    return row.get("title") or " ".join(body.split()[:10])


def load_reuters(shared: Path) -> list[dict[str, Any]]:
    return list(_rows(shared / "corpora" / "labelled_news" / "reuters21578_train.jsonl"))


def _norm_title(title: str) -> str:
    title = re.sub(r"<[^>]*>|^\s*(?:CORRECTED|REPEAT)\s*-\s*", " ", title or "")
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", title.upper()).split())


def _reuters_date(row: dict[str, Any]) -> datetime | None:
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


# --- building the set ------------------------------------------------------------


def usable_hosts(hosts: list[Host], probe: Story) -> list[Host]:
    """Hosts whose composed page gives back the story: the text stage finds the swapped body.

    A host where trafilatura keeps picking some other block would test the text
    stage, not the near-duplicate detection, so it is left out (and counted).
    """
    want = set(neardup.shingle_words(" ".join(probe.paragraphs)))
    usable = []
    for host in hosts:
        text = extract_copy(host, probe.title, list(probe.paragraphs))
        got = set(neardup.shingle_words(text)) if text else set()
        if len(want & got) >= 0.9 * len(want):
            usable.append(host)
    return usable


def build_pairs(
    shared: Path, stories_limit: int | None = None, hosts_limit: int | None = None, seed: int = SEED
) -> PairSet:
    rng = random.Random(seed)
    page_stories, hosts = load_page_corpora(shared)
    reuters = load_reuters(shared)
    wire_rows = [r for r in reuters if len((r.get("body") or "").split()) >= MIN_WIRE_WORDS]
    if hosts_limit:
        hosts = rng.sample(hosts, min(hosts_limit, len(hosts)))
    # A short wire story as the probe: short copies are where furniture can win.
    probe_row = next(r for r in wire_rows if len(r["body"].split()) <= 90)
    hosts = usable_hosts(hosts, Story("probe", probe_row["title"], _paragraphs(probe_row["body"])))
    sampled = rng.sample(wire_rows, min(len(page_stories), len(wire_rows)))
    wire_stories = [
        Story(f"reuters-{r['id']}", r["title"] or "", _paragraphs(r["body"])) for r in sampled
    ]
    stories = page_stories + wire_stories
    rng.shuffle(stories)
    if stories_limit:
        stories = stories[:stories_limit]
    out = PairSet()
    out.hosts = len(hosts)
    _syndicated_copies(out, stories, hosts, rng)
    _retransmissions(out, reuters, rng, limit=stories_limit)
    _same_topic(out, wire_rows, hosts, rng, count=len(stories) * 2)
    _same_outlet(out, stories, hosts, rng, count=len(stories) // 2)
    _random_pairs(out, rng, count=len(stories))
    return out


def _syndicated_copies(
    out: PairSet, stories: list[Story], hosts: list[Host], rng: random.Random
) -> None:
    for story in stories:
        copies = []
        for host in rng.sample(hosts, 3 if rng.random() < 0.5 else 2):
            if story.id == host.id:
                continue  # never republish a story in its own page
            headline, paras = perturb(story, rng, stories)
            key = f"copy:{story.id}@{host.id}"
            text = extract_copy(host, headline, paras)
            if not _kept_story(story, text):
                out.lost_by_text_stage += 1
                continue
            if out.add_text(key, text):
                copies.append(key)
        for i in range(len(copies)):
            for j in range(i + 1, len(copies)):
                out.pairs.append(Pair(copies[i], copies[j], True, "syndicated"))


def _kept_story(story: Story, text: str | None) -> bool:
    want = set(neardup.shingle_words(" ".join(story.paragraphs)))
    got = set(neardup.shingle_words(text)) if text else set()
    return len(want & got) >= 0.5 * len(want)


def _retransmissions(
    out: PairSet, reuters: list[dict[str, Any]], rng: random.Random, limit: int | None
) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in reuters:
        if len((row.get("body") or "").split()) >= MIN_WIRE_WORDS:
            title = _norm_title(row.get("title") or "")
            if title:  # untitled rows would all fall into one group
                groups[title].append(row)
    found = []
    for rows in groups.values():
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                da, db = _reuters_date(rows[i]), _reuters_date(rows[j])
                if da and db and abs((da - db).total_seconds()) <= 86400:
                    found.append((rows[i], rows[j]))
    if limit:
        found = rng.sample(found, min(len(found), max(1, limit // 4)))
    for ra, rb in found:
        ka, kb = f"reuters-{ra['id']}", f"reuters-{rb['id']}"
        if out.add_text(ka, ra["body"]) and out.add_text(kb, rb["body"]):
            out.pairs.append(Pair(ka, kb, True, "retransmission"))


def _same_topic(
    out: PairSet, rows: list[dict[str, Any]], hosts: list[Host], rng: random.Random, count: int
) -> None:
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for topic in row.get("topics") or ():
            if topic in SAME_TOPICS:
                by_topic[topic].append(row)
    topics = sorted(t for t in by_topic if len(by_topic[t]) >= 2)
    for _ in range(count):
        ra, rb = rng.sample(by_topic[rng.choice(topics)], 2)
        body_a, body_b = (" ".join(r["body"].split()) for r in (ra, rb))
        if _norm_title(ra["title"]) == _norm_title(rb["title"]) or body_a == body_b:
            continue  # the same story twice is not a negative
        if rng.random() < 0.5:  # both in one outlet's page: shared furniture
            host = rng.choice(hosts)
            keys = []
            for row in (ra, rb):
                key = f"page:reuters-{row['id']}@{host.id}"
                if key not in out.texts:
                    story = Story(key, row["title"], _paragraphs(row["body"]))
                    out.add_text(key, extract_copy(host, story.title, list(story.paragraphs)))
                keys.append(key)
        else:
            keys = [f"reuters-{ra['id']}", f"reuters-{rb['id']}"]
            out.add_text(keys[0], ra["body"])
            out.add_text(keys[1], rb["body"])
        if all(k in out.texts for k in keys):
            out.pairs.append(Pair(keys[0], keys[1], False, "same-topic"))


def _same_outlet(
    out: PairSet, stories: list[Story], hosts: list[Host], rng: random.Random, count: int
) -> None:
    for _ in range(count):
        host = rng.choice(hosts)
        a, b = rng.sample(stories, 2)
        keys = []
        for story in (a, b):
            key = f"page:{story.id}@{host.id}"
            if key not in out.texts:
                out.add_text(key, extract_copy(host, story.title, list(story.paragraphs)))
            keys.append(key)
        if all(k in out.texts for k in keys):
            out.pairs.append(Pair(keys[0], keys[1], False, "same-outlet"))


def _random_pairs(out: PairSet, rng: random.Random, count: int) -> None:
    keys = sorted(out.texts)
    story_of = {k: k.split(":", 1)[-1].split("@")[0] for k in keys}
    positives = {frozenset((p.a, p.b)) for p in out.pairs if p.label}
    for _ in range(count):
        a, b = rng.sample(keys, 2)
        if story_of[a] != story_of[b] and frozenset((a, b)) not in positives:
            out.pairs.append(Pair(a, b, False, "random"))


# --- sweeping ---------------------------------------------------------------------


def sweep(pairs: PairSet, thresholds: tuple[float, ...] = THRESHOLDS) -> list[dict[str, Any]]:
    """Precision/recall of the pairing at each threshold (LSH candidates + verification)."""
    sigs = {k: neardup.signature(t) for k, t in pairs.texts.items()}
    used = sorted({k for p in pairs.pairs for k in (p.a, p.b)})
    rows = []
    for t in thresholds:
        lsh = MinHashLSH(threshold=t, num_perm=neardup.NUM_PERM)
        minhashes = {k: neardup._from_bytes(sigs[k]) for k in used}
        for k in used:
            lsh.insert(k, minhashes[k])
        tp = fp = fn = 0
        by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # kind → [paired, total]
        for p in pairs.pairs:
            paired = (
                p.b in lsh.query(minhashes[p.a]) and neardup.similarity(sigs[p.a], sigs[p.b]) >= t
            )
            by_kind[p.kind][0] += paired
            by_kind[p.kind][1] += 1
            tp += paired and p.label
            fp += paired and not p.label
            fn += (not paired) and p.label
        rows.append({
            "threshold": t,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp, "fp": fp, "fn": fn,
            "paired_by_kind": {k: v[0] / v[1] for k, v in sorted(by_kind.items())},
        })  # fmt: skip
    return rows


def summarise(pairs: PairSet) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for p in pairs.pairs:
        counts[f"{'pos' if p.label else 'neg'}:{p.kind}"] += 1
    return dict(sorted(counts.items()))


def extremes(pairs: PairSet, n: int = 5) -> dict[str, list[tuple[float, str, str]]]:
    """The least similar positives and most similar negatives (estimated Jaccard)."""
    sigs = {k: neardup.signature(t) for k, t in pairs.texts.items()}
    scored = [(neardup.similarity(sigs[p.a], sigs[p.b]), p) for p in pairs.pairs]
    pos = sorted((s, p.a, p.b) for s, p in scored if p.label)[:n]
    neg = sorted(((s, p.a, p.b) for s, p in scored if not p.label), reverse=True)[:n]
    return {"weakest_positives": pos, "strongest_negatives": neg}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--stories", type=int, default=None, help="cap on syndicated stories")
    parser.add_argument("--hosts", type=int, default=None, help="cap on host pages tried")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared / "corpora").is_dir():
        print(f"SKIPPED: {args.shared}/corpora not present", file=sys.stderr)
        return 0
    pairs = build_pairs(args.shared, args.stories, args.hosts)
    table = sweep(pairs)
    if args.json:
        report = {"counts": summarise(pairs), "lost_by_text_stage": pairs.lost_by_text_stage}
        print(json.dumps({**report, "sweep": table, **extremes(pairs)}, indent=1))
        return 0
    print(f"host pages: {pairs.hosts}; texts: {len(pairs.texts)}; copies lost by the text "
          f"stage: {pairs.lost_by_text_stage}; pairs:", summarise(pairs))  # fmt: skip
    print(
        f"{'thr':>5} {'prec':>6} {'recall':>6} {'tp':>5} {'fp':>4} {'fn':>4}  paired share by kind"
    )
    for row in table:
        kinds = " ".join(f"{k}={v:.2f}" for k, v in row["paired_by_kind"].items())
        print(f"{row['threshold']:>5.2f} {row['precision']:>6.3f} {row['recall']:>6.3f} "
              f"{row['tp']:>5} {row['fp']:>4} {row['fn']:>4}  {kinds}")  # fmt: skip
    for name, items in extremes(pairs).items():
        print(name + ":", ", ".join(f"{s:.2f} {a}~{b}" for s, a, b in items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
