"""Syndicated-copy pairing: precision/recall of storage.stories.neardup over a labelled pair set.

    python -m benchmarks.syndication_pairs [--shared PATH] [--stories N] [--hosts N]
                                           [--whole-texts] [--json]

The pair set is built from ../shared/corpora, deterministically (seed SEED):

Positives — one real story, two outlets:
  * syndicated copies: a real story body (article_pages aeb/fundus gold bodies, and
    Reuters-21578 wire stories of 60+ words) is put into the page of ANOTHER real
    outlet from article_pages (its own body paragraphs swapped out, its headline
    replaced, its navigation/related/footer furniture kept), perturbed the way
    republished copies differ (`perturb`), and the main text is taken back out with
    the real TEXT stage (pipeline.text.extract.extract_article → trafilatura). Pairs are
    copy-vs-copy, each copy in a different host page.
  * retransmissions: Reuters-21578 stories carried twice (same headline once
    tickers and "CORRECTED-" are dropped, dated within a day of each other, and the
    same lede: a rewrite under the same headline is another text, not a copy).

Negatives — different stories:
  * same topic: pairs of Reuters-21578 stories sharing a commodity/market topic
    (copper, gold, zinc, nickel, trade, crude, grain, ...: different stories about
    the same commodity, the critical-minerals case), with different headlines and
    ledes; half of them embedded in the SAME host page, so they share its furniture.
  * same outlet: two different article_pages stories in the same host page.
  * random: pairs of unrelated stories.

Pages whose extracted text lost the story (trafilatura kept another block) are
counted and left out, positives and negatives alike: they test the text stage.

Each host outlet first publishes HISTORY other pages, then the evaluated texts
arrive in a fixed shuffled order through storage.stories.furniture, as in storage.stories.clusters
(`--whole-texts` compares whole texts instead: the baseline). A pair is "paired" at
threshold t when LSH built at t proposes it AND the estimated Jaccard of the two
signatures is >= t — exactly what StoryIndex does.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasketch import MinHashLSH

from benchmarks.syndication_material import (
    Host,
    Story,
    extract_copy,
    load_page_corpora,
    load_reuters,
    norm_title,
    perturb,
    reuters_date,
    same_lede,
    split_paragraphs,
)
from storage.stories import neardup
from storage.stories.furniture import OutletFurniture

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FLOORS_PATH = Path(__file__).with_name("syndication_floors.json")
SEED = 20240114
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)
SAME_TOPICS = (
    "copper", "gold", "zinc", "nickel", "tin", "lead", "alum", "strategic-metal",
    "iron-steel", "silver", "platinum", "trade", "crude", "grain", "coffee", "sugar",
)  # fmt: skip
HISTORY = 4  # earlier pages of each outlet seen before the evaluated ones
MIN_WIRE_WORDS = 60  # shorter Reuters items are tables (earnings, dividends), not stories


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
        # pages whose extracted text lost most of the story (trafilatura picked another
        # block): a text-stage failure no pairing can fix, so counted, not paired
        self.lost_by_text_stage = 0
        self.lost_keys: set[str] = set()
        self.outlets: dict[str, str] = {}  # text key → the outlet page it came from ("" = none)
        # earlier pages of each outlet, seen before the evaluated ones (furniture is
        # learned from an outlet's history, as it is in production)
        self.history: list[tuple[str, str]] = []

    def add_text(self, key: str, text: str | None, outlet: str = "") -> bool:
        if text and neardup.shingle_words(text):
            self.texts[key] = text
            self.outlets[key] = outlet
            return True
        return False


# --- building the set ------------------------------------------------------------


def usable_hosts(hosts: list[Host], probe: Story) -> list[Host]:
    """Hosts whose composed page gives back the story: the text stage finds the swapped body.

    A host where trafilatura keeps picking some other block would test the text
    stage, not the near-duplicate detection, so it is left out (and counted).
    """
    return [
        host
        for host in hosts
        if _kept_story(probe, extract_copy(host, probe.title, list(probe.paragraphs)), 0.9)
    ]


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
    hosts = usable_hosts(
        hosts, Story("probe", probe_row["title"], split_paragraphs(probe_row["body"]))
    )
    sampled = rng.sample(wire_rows, min(len(page_stories), len(wire_rows)))
    wire_stories = [
        Story(f"reuters-{r['id']}", r["title"] or "", split_paragraphs(r["body"])) for r in sampled
    ]
    stories = page_stories + wire_stories
    rng.shuffle(stories)
    if stories_limit:
        stories = stories[:stories_limit]
    out = PairSet()
    out.hosts = len(hosts)
    in_pairs = {story.id for story in stories}
    pool = [s for s in page_stories if s.id not in in_pairs] + [
        Story(f"reuters-{r['id']}", r["title"] or "", split_paragraphs(r["body"]))
        for r in rng.sample(wire_rows, min(len(wire_rows), 400))
        if f"reuters-{r['id']}" not in in_pairs
    ]
    _outlet_history(out, hosts, pool, rng)
    _syndicated_copies(out, stories, hosts, rng)
    _retransmissions(out, reuters, rng, limit=stories_limit)
    _same_topic(out, wire_rows, hosts, rng, count=len(stories) * 2)
    _same_outlet(out, stories, hosts, rng, count=len(stories) // 2)
    _random_pairs(out, rng, count=len(stories))
    return out


def _outlet_history(out: PairSet, hosts: list[Host], pool: list[Story], rng: random.Random) -> None:
    """HISTORY earlier pages per outlet: other stories in its page, as it published before."""
    for host in hosts:
        for story in rng.sample(pool, min(HISTORY, len(pool))):
            text = extract_copy(host, story.title, list(story.paragraphs))
            if text:
                out.history.append((host.id, text))


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
            if _add_page(out, key, story, host, headline, paras):
                copies.append(key)
        for i in range(len(copies)):
            for j in range(i + 1, len(copies)):
                out.pairs.append(Pair(copies[i], copies[j], True, "syndicated"))


def _kept_story(story: Story, text: str | None, share: float = 0.5) -> bool:
    """Whether `text` holds at least `share` of the story's distinct words."""
    want = set(neardup.shingle_words(" ".join(story.paragraphs)))
    got = set(neardup.shingle_words(text)) if text else set()
    return len(want & got) >= share * len(want)


def _retransmissions(
    out: PairSet, reuters: list[dict[str, Any]], rng: random.Random, limit: int | None
) -> None:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in reuters:
        if len((row.get("body") or "").split()) >= MIN_WIRE_WORDS:
            title = norm_title(row.get("title") or "")
            if title:  # untitled rows would all fall into one group
                groups[title].append(row)
    found = []
    for rows in groups.values():
        for i in range(len(rows)):
            for j in range(i + 1, len(rows)):
                da, db = reuters_date(rows[i]), reuters_date(rows[j])
                near = da and db and abs((da - db).total_seconds()) <= 86400
                if near and same_lede(rows[i]["body"], rows[j]["body"]):
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
        if norm_title(ra["title"]) == norm_title(rb["title"]) or same_lede(body_a, body_b):
            continue  # the same story twice (perhaps under a new headline) is not a negative
        if rng.random() < 0.5:  # both in one outlet's page: shared furniture
            host = rng.choice(hosts)
            keys = []
            for row in (ra, rb):
                key = f"page:reuters-{row['id']}@{host.id}"
                _add_page(out, key, Story(key, row["title"], split_paragraphs(row["body"])), host)
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
            _add_page(out, key, story, host)
            keys.append(key)
        if all(k in out.texts for k in keys):
            out.pairs.append(Pair(keys[0], keys[1], False, "same-outlet"))


def _add_page(
    out: PairSet,
    key: str,
    story: Story,
    host: Host,
    headline: str | None = None,
    paragraphs: list[str] | None = None,
) -> bool:
    """`story` in `host`'s page (as given, or as the story runs), kept only if the text
    stage gave the story back; whether `key` has a text.

    For copies and negatives alike: when trafilatura returns the host's furniture
    instead of the story, two such pages look alike whatever the stories are, and
    the pair would test the text stage (benchmarks/text_quality.py measures that).
    """
    if key not in out.texts and key not in out.lost_keys:
        text = extract_copy(
            host,
            story.title if headline is None else headline,
            list(story.paragraphs) if paragraphs is None else paragraphs,
        )
        if _kept_story(story, text):
            out.add_text(key, text, host.id)
        else:
            out.lost_keys.add(key)
            out.lost_by_text_stage += 1
    return key in out.texts


def _random_pairs(out: PairSet, rng: random.Random, count: int) -> None:
    keys = sorted(out.texts)
    story_of = {k: k.split(":", 1)[-1].split("@")[0] for k in keys}
    positives = {frozenset((p.a, p.b)) for p in out.pairs if p.label}
    for _ in range(count):
        a, b = rng.sample(keys, 2)
        if story_of[a] != story_of[b] and frozenset((a, b)) not in positives:
            out.pairs.append(Pair(a, b, False, "random"))


# --- sweeping ---------------------------------------------------------------------


def comparable_texts(pairs: PairSet, seed: int = SEED, furniture: bool = True) -> dict[str, str]:
    """Each text as StoryClusters compares it: the outlets' furniture learned in arrival order.

    The outlets' history pages arrive first, then the evaluated texts in a fixed
    shuffled order (production sees copies in whatever order outlets publish).
    `furniture=False` compares whole texts: the baseline the model is measured against.
    """
    if not furniture:
        return dict(pairs.texts)
    model = OutletFurniture()
    for outlet, text in pairs.history:
        model.observe(outlet, text)
    order = sorted(pairs.texts)
    random.Random(seed).shuffle(order)
    return {k: model.comparable_then_observe(pairs.outlets[k], pairs.texts[k]) for k in order}


def signatures(pairs: PairSet, furniture: bool = True) -> dict[str, bytes]:
    texts = comparable_texts(pairs, furniture=furniture)
    return {k: neardup.signature(t) for k, t in texts.items()}


def sweep(
    pairs: PairSet, thresholds: tuple[float, ...] = THRESHOLDS, furniture: bool = True
) -> list[dict[str, Any]]:
    """Precision/recall of the pairing at each threshold (LSH candidates + verification)."""
    sigs = signatures(pairs, furniture)
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


def extremes(
    pairs: PairSet, n: int = 5, furniture: bool = True
) -> dict[str, list[tuple[float, str, str]]]:
    """The least similar positives and most similar negatives (estimated Jaccard)."""
    sigs = signatures(pairs, furniture)
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
    parser.add_argument(
        "--whole-texts", action="store_true", help="baseline: compare texts with their furniture"
    )
    args = parser.parse_args(argv)
    if not (args.shared / "corpora").is_dir():
        print(f"SKIPPED: {args.shared}/corpora not present", file=sys.stderr)
        return 0
    pairs = build_pairs(args.shared, args.stories, args.hosts)
    furniture = not args.whole_texts
    table = sweep(pairs, furniture=furniture)
    if args.json:
        report: dict[str, Any] = {"counts": summarise(pairs)}
        report["lost_by_text_stage"] = pairs.lost_by_text_stage
        report |= {"sweep": table, **extremes(pairs, furniture=furniture)}
        print(json.dumps(report, indent=1))
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
    for name, items in extremes(pairs, furniture=furniture).items():
        print(name + ":", ", ".join(f"{s:.2f} {a}~{b}" for s, a, b in items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
