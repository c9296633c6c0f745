"""The run's progress: the steps a run reports, a bar at a terminal, nothing when piped."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from pipeline.cli.run_progress import run_progress
from pipeline.core.config import parse_config
from pipeline.run import RunContext, run_once

REPO = Path(__file__).resolve().parents[1]


def test_at_a_terminal_the_bar_counts_feeds_pages_and_articles() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with run_progress(console=console) as progress:
        progress("feeds", 2)
        progress("feed", 1)
        progress("pages", 3)
        for _ in range(3):
            progress("page", 1)
        progress("article", 1)
        progress("feed", 1)
    text = out.getvalue()
    assert "feeds polled" in text and "2/2" in text
    assert "pages fetched" in text and "3/3" in text
    assert "articles extracted" in text and "1/3" in text


def test_not_at_a_terminal_nothing_is_drawn() -> None:
    out = io.StringIO()
    with run_progress(console=Console(file=out, force_terminal=False)) as progress:
        progress("feeds", 1)
        progress("feed", 1)
    assert out.getvalue() == ""
    with run_progress(quiet=True, console=Console(file=out, force_terminal=True)) as progress:
        progress("feeds", 1)
    assert out.getvalue() == ""


@pytest.mark.integration
def test_a_run_reports_each_step(tmp_path: Path, nlp_full) -> None:
    shutil.copytree(REPO / "samples" / "seeds", tmp_path / "seeds")
    config = parse_config(
        {
            "storage": {"path": str(tmp_path / "nw.db")},
            "feeds": [{"name": "seeds", "url": str(tmp_path / "seeds" / "feed.xml")}],
        }
    )
    steps: list[tuple[str, int]] = []
    run_once(config, RunContext(nlp=nlp_full, progress=lambda s, n: steps.append((s, n))))
    assert steps[:2] == [("feeds", 1), ("feed", 1)]
    assert ("pages", 2) in steps
    assert steps.count(("page", 1)) == 2 and steps.count(("article", 1)) == 2


@pytest.mark.integration
def test_piped_run_prints_no_control_codes(tmp_path: Path) -> None:
    shutil.copytree(REPO / "samples" / "seeds", tmp_path / "seeds")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp_path / "nw.db"}"\n'
        f'[[feeds]]\nname = "seeds"\nurl = "{tmp_path / "seeds" / "feed.xml"}"\n',
        encoding="utf-8",
    )
    ran = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "run", "--once"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert "\x1b[" not in ran.stdout + ran.stderr
    assert "feeds polled" not in ran.stderr
