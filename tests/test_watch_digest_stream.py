"""The desk digest on a general stream: the 177 fundus (us, uk, ind, au, ca, na, ls) and aeb
pages of ../shared/corpora/article_pages as one local feed, plus the seed feed.
`digest --watch critical-minerals` must put the seed stories first and quote no page
furniture in its first 20 items. A real run with the real model (a few minutes)."""

from __future__ import annotations

import gzip
import html
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.digest.ranking import FURNITURE

pytestmark = [pytest.mark.integration, pytest.mark.shared]

REPO = Path(__file__).resolve().parents[1]
FUNDUS_COUNTRIES = ("us", "uk", "ind", "au", "ca", "na", "ls")


def stream_feed(shared: Path, out: Path) -> int:
    pages = shared / "corpora" / "article_pages"
    paths = [p for c in FUNDUS_COUNTRIES for p in sorted((pages / "fundus/html" / c).glob("*.gz"))]
    paths += sorted((pages / "aeb/html").glob("*.gz"))
    items = []
    for i, path in enumerate(paths):
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
    return len(paths)


def test_seed_stories_lead_a_general_stream_without_furniture(
    shared_dir: Path, tmp_path: Path
) -> None:
    stream = tmp_path / "stream"
    stream.mkdir()
    assert stream_feed(shared_dir, stream) == 177
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "nw.db"}"\n'
        f'[[feeds]]\nname = "stream"\nurl = "{stream / "feed.xml"}"\n'
        f'[[feeds]]\nname = "sample-seeds"\nurl = "{REPO / "samples/seeds/feed.xml"}"\n'
        '[[watch]]\nname = "critical-minerals"\nminerals = ["lithium", "rare earth elements"]\n'
        'countries = ["India"]\nentities = ["USISPF", "Minerals Security Partnership"]\n'
        'keywords = ["export ban"]\nevent_types = ["agreement", "trade_measure", "licensing"]\n',
        encoding="utf-8",
    )
    cli = [sys.executable, "-m", "pipeline.cli", "--config", str(config)]
    ran = subprocess.run([*cli, "run", "--once"], capture_output=True, text=True, timeout=1800)
    assert ran.returncode == 0, ran.stderr[-2000:]
    digest = subprocess.run(
        [
            *cli,
            "digest",
            "--watch",
            "critical-minerals",
            "--since",
            "2000-01-01",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert digest.returncode == 0, digest.stderr
    data = json.loads(digest.stdout)
    items = data["items"]
    assert [i["source"] for i in items[:2]] == ["sample-seeds", "sample-seeds"], items[:3]
    assert data["story_count"] > 150 and data["out_of_scope"] > 100  # the rest: one line
    for item in items[:20]:
        assert not FURNITURE.search(item["evidence"]), item["evidence"]
