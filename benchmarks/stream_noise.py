"""Noise in the events of a general news stream (issue 17: fewer than 1 in 10).

    python -m benchmarks.stream_noise [--shared ../shared] [--unjudged FILE]

The stream is the issue's: the 177 fundus (us, uk, ind, au, ca, na, ls) and aeb pages
of ../shared/corpora/article_pages served as one local feed, every language, through
one `newswatch run --once` with the default config. Each stored event is looked up in
`stream_noise_verdicts.jsonl` by its page (path under article_pages) and evidence
sentence; the figure is the share of judged events that are noise. Events not judged
yet (a rule change brought new ones) are counted apart and, with --unjudged, written
out to be judged by the same protocol and appended.

The protocol the verdicts follow (judged 2026-12-04 by a reviewer reading each event
with ../shared/spec/extraction.md and ../shared/eval/NOTES.md at hand): "event" when
the evidence reports a real occurrence an analyst of minerals, trade and policy would
log as an event of some spec type (the type may be wrong); "noise" otherwise: page
furniture, non-events, generic, hypothetical or historical background, remarks of
private people or analysts, sports, culture, crime, accidents, consumer products,
party politics or scandal without policy content. Close calls went to "event".
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.harness import shared_dir

VERDICTS = Path(__file__).with_name("stream_noise_verdicts.jsonl")
FUNDUS_COUNTRIES = ("us", "uk", "ind", "au", "ca", "na", "ls")
TARGET = 0.10  # noise share of the events (issue 17)


def stream_pages(shared: Path) -> list[Path]:
    """The stream's pages in feed order."""
    pages = shared / "corpora" / "article_pages"
    paths = [p for c in FUNDUS_COUNTRIES for p in sorted((pages / "fundus/html" / c).glob("*.gz"))]
    return paths + sorted((pages / "aeb/html").glob("*.gz"))


def stream_feed(shared: Path, out: Path) -> int:
    """Write the stream as page-NNN.html files and an RSS feed.xml listing them."""
    items = []
    for i, path in enumerate(stream_pages(shared)):
        name = f"page-{i:03d}.html"
        (out / name).write_bytes(gzip.decompress(path.read_bytes()))
        items.append(f"<item><title>{html.escape(path.name)}</title><link>{name}</link></item>")
    (out / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>stream'
        "</title><link>https://stream.example/</link><description>general news</description>"
        + "".join(items)
        + "</channel></rss>",
        encoding="utf-8",
    )
    return len(items)


def stream_events(shared: Path, work: Path) -> list[dict[str, str]]:
    """Run the stream through `newswatch run --once`; its events with their page."""
    feed = work / "feed"
    feed.mkdir()
    stream_feed(shared, feed)
    config = work / "config.toml"
    config.write_text(
        f'[storage]\npath = "{work / "nw.db"}"\n'
        f'[[feeds]]\nname = "stream"\nurl = "{feed / "feed.xml"}"\n',
        encoding="utf-8",
    )
    cli = [sys.executable, "-m", "pipeline.cli", "--config", str(config), "-q", "run", "--once"]
    subprocess.run(cli, check=True, capture_output=True, text=True)
    base = shared / "corpora" / "article_pages"
    page_of = {
        f"page-{i:03d}.html": str(p.relative_to(base)) for i, p in enumerate(stream_pages(shared))
    }
    db = sqlite3.connect(work / "nw.db")
    try:
        rows = db.execute(
            "SELECT e.type, e.evidence, a.url FROM events e JOIN articles a ON a.id = e.article_id"
            " ORDER BY e.id"
        ).fetchall()
    finally:
        db.close()
    return [
        {"page": page_of[url.rsplit("/", 1)[-1]], "type": kind, "evidence": evidence}
        for kind, evidence, url in rows
    ]


def read_verdicts(path: Path) -> dict[tuple[str, str], str]:
    """A verdicts file (one JSON line per judged event) as (page, evidence) -> "event" or
    "noise": the key both streams look an event up by."""
    rows = map(json.loads, path.read_text(encoding="utf-8").splitlines())
    return {(v["page"], v["evidence"]): v["verdict"] for v in rows}


def tally(
    events: list[dict[str, str]], verdicts: dict[tuple[str, str], str]
) -> tuple[Counter[str], list[dict[str, str]]]:
    """Events per verdict ("event", "noise", "unjudged"), and the unjudged events."""
    counts: Counter[str] = Counter({"event": 0, "noise": 0, "unjudged": 0})
    unjudged = []
    for event in events:
        verdict = verdicts.get((event["page"], event["evidence"]), "unjudged")
        counts[verdict] += 1
        if verdict == "unjudged":
            unjudged.append(event)
    return counts, unjudged


def noise_share(counts: Counter[str]) -> float:
    judged = counts["event"] + counts["noise"]
    return counts["noise"] / judged if judged else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=None)
    parser.add_argument("--unjudged", type=Path, default=None, help="write unjudged events here")
    args = parser.parse_args(argv)
    shared = shared_dir(args.shared)
    verdicts = read_verdicts(VERDICTS)
    with tempfile.TemporaryDirectory(prefix="nw-stream-") as tmp:
        events = stream_events(shared, Path(tmp))
    counts, unjudged = tally(events, verdicts)
    by_type = Counter(
        (e["type"], verdicts.get((e["page"], e["evidence"]), "unjudged")) for e in events
    )
    share = noise_share(counts)
    print(
        f"{len(events)} events from the 177-page stream: {counts['event']} events, "
        f"{counts['noise']} noise, {counts['unjudged']} not judged yet"
    )
    print(f"noise share of judged events: {share:.1%} (target under {TARGET:.0%})")
    for kind in sorted({k for k, _ in by_type}):
        print(
            f"  {kind:14} event {by_type[(kind, 'event')]:3}  noise {by_type[(kind, 'noise')]:3}"
            f"  unjudged {by_type[(kind, 'unjudged')]:3}"
        )
    if args.unjudged is not None:
        args.unjudged.write_text("".join(json.dumps(e) + "\n" for e in unjudged), encoding="utf-8")
    return 0 if share < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
