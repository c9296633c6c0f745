"""The desk digest on a general stream: the 177 fundus (us, uk, ind, au, ca, na, ls) and aeb
pages of ../shared/corpora/article_pages as one local feed, plus the seed feed.
`digest --watch critical-minerals` must put the seed stories first and quote no page
furniture in its first 20 items. A real run with the real model (a few minutes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.stream_noise import stream_feed
from pipeline.digest.ranking import FURNITURE

pytestmark = [pytest.mark.integration, pytest.mark.shared]

REPO = Path(__file__).resolve().parents[1]


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
