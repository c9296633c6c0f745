"""A real headless Chromium for UI tests: find it (installing Debian's package when
running as root, as CI does) and load pages with it.

    chromium = find_chromium()          # or pytest.skip with the reason
    dom = dump_dom(chromium, url, tmp_path)
    screenshot(chromium, url, tmp_path / "page.png", tmp_path)

Pages are loaded with --dump-dom (the DOM after scripts ran) and --screenshot,
one short-lived browser per page: no DevTools protocol, nothing to keep alive.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

# Quiet, offline, throwaway: no sandbox (containers run as root), no GPU, no
# background traffic to Google services.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
TIMEOUT = 90


def find_chromium() -> Path:
    """The chromium binary; installed with apt-get when missing and running as root."""
    found = shutil.which("chromium") or (str(CHROMIUM) if CHROMIUM.exists() else None)
    if found:
        return Path(found)
    if os.geteuid() != 0:
        pytest.skip(
            "chromium is not installed and installing it needs root: "
            "run `apt-get install -y chromium chromium-driver` (Debian) to enable the UI test"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "chromium", "chromium-driver"],
    ):
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        if proc.returncode != 0:
            pytest.skip(f"could not install chromium ({' '.join(command)}): {proc.stderr[-300:]}")
    if not CHROMIUM.exists():
        pytest.skip("apt-get installed chromium but /usr/bin/chromium is still missing")
    return CHROMIUM


def _run(chromium: Path, args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    profile.mkdir(parents=True, exist_ok=True)
    command = [str(chromium), *FLAGS, f"--user-data-dir={profile}", *args]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    if proc.returncode != 0:
        raise AssertionError(f"chromium failed ({proc.returncode}): {proc.stderr[-1000:]}")
    return proc


def dump_dom(chromium: Path, url: str, workdir: Path) -> str:
    """The page's DOM as HTML once it has loaded."""
    return _run(chromium, ["--dump-dom", url], workdir / "profile").stdout


def screenshot(chromium: Path, url: str, png: Path, workdir: Path) -> Path:
    """A PNG of the page in a 1280x1000 window."""
    _run(chromium, ["--window-size=1280,1000", f"--screenshot={png}", url], workdir / "profile")
    if not png.is_file() or png.stat().st_size == 0:
        raise AssertionError(f"chromium wrote no screenshot to {png}")
    return png
