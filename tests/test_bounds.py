"""Values that overflow (issue 13, class 10): every config number and command-line date
is read into a bounded range, or refused with one line naming the key or option.

Before, `nan`, `inf` and huge numbers loaded and later broke a timedelta, a socket
timeout or a scheduler trigger; `--since 99999999999d` and `digest --date 9999-12-31`
overflowed the date arithmetic with a traceback.
"""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.config import Config, parse_config
from pipeline.core.config_bounds import BOUNDS, numbers
from pipeline.core.errors import ConfigError, QueryError
from pipeline.read.query_filters import time_bound
from storage import Store

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("fetch", "timeout", math.nan),
        ("fetch", "timeout", math.inf),
        ("fetch", "per_host_delay", math.nan),
        ("fetch", "max_backoff", math.inf),
        ("fetch", "max_retry_wait", 1e300),
        ("fetch", "max_bytes", 10**20),
        ("fetch", "concurrency", 10**9),
        ("schedule", "tick", math.inf),
        ("schedule", "retention_days", 10**13),
        ("schedule", "default_interval", 10**13),
        ("nlp", "batch_size", 10**13),
        ("digest", "top_stories", 10**13),
    ],
)
def test_numbers_out_of_range_are_one_line_naming_the_key(table, key, value):
    with pytest.raises(ConfigError) as info:
        parse_config({table: {key: value}})
    message = str(info.value)
    assert message.startswith(f"{table}.{key}: must be") and "\n" not in message


@pytest.mark.parametrize(
    ("key", "value"),
    [("interval", 10**13), ("interval_seconds", math.nan), ("interval_seconds", 1e13)],
)
def test_feed_intervals_are_bounded(key, value):
    feed = {"name": "a", "url": "https://x.test/rss", key: value}
    with pytest.raises(ConfigError, match=rf"^feeds\[0\]\.{key}: must be"):
        parse_config({"feeds": [feed]})


def test_email_timeout_is_bounded():
    with pytest.raises(ConfigError, match=r"^digest\.email\.timeout: must be"):
        parse_config({"digest": {"email": {"timeout": math.inf}}})


def test_every_config_number_has_a_range_and_the_defaults_lie_in_it():
    config = Config(feeds=(parse_config({"feeds": [{"name": "a", "url": "u"}]}).feeds[0],))
    keys = {key.replace("[0]", "[]") for key, _ in numbers(config)}
    assert keys - set(BOUNDS) == set(), "add a range to pipeline/core/config_bounds.py"
    for key, value in numbers(config):
        low, high = BOUNDS[key.replace("[0]", "[]")]
        assert low <= value <= high, key
    # The largest value in range still loads (the ranges are not off by one).
    fetch = {k.split(".")[1]: hi for k, (_, hi) in BOUNDS.items() if k.startswith("fetch.")}
    loaded = parse_config({"fetch": fetch})
    assert dataclasses.asdict(loaded.fetch)["timeout"] == fetch["timeout"]


@pytest.mark.parametrize(
    "setting",
    ["[fetch]\ntimeout = nan\n", "[fetch]\nper_host_delay = inf\n",
     '[[feeds]]\nname = "a"\nurl = "f.xml"\ninterval = 10000000000000\n'],
)  # fmt: skip
def test_cli_refuses_an_overflowing_config_with_exit_2(tmp_path, setting):
    config = tmp_path / "config.toml"
    config.write_text(setting)
    code, stderr = _cli("--config", str(config), "run", "--once")
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newswatch: ") and "must be" in lines[0]


def _cli(*args: str) -> tuple[int, str]:
    """`newswatch ARGS` in a child process: the real exit code and stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    return proc.returncode, proc.stderr


def _cli_in_process(*args: str) -> tuple[int, str]:
    """The same through click's runner (faster; an uncaught error fails the test)."""
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


# --- command-line dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "end", "option"),
    [
        ("99999999999d", False, "--since"),
        ("1000000000d", False, "--since"),
        ("0001-01-01", False, "--since"),
        ("9999-12-31", True, "--until"),
        ("9999-12-31T23:59", True, "--until"),
    ],
)
def test_time_bounds_outside_the_calendar_name_the_option(text, end, option):
    with pytest.raises(QueryError) as info:
        time_bound(text, end=end)
    assert str(info.value).startswith(f"{option} {text!r}")


def test_time_bounds_inside_the_range_still_work():
    assert time_bound("7d", end=False) is not None
    assert time_bound("2999-12-31", end=True).value == "3000-01-01"  # type: ignore[union-attr]
    assert time_bound("1800-01-01", end=False).value == "1800-01-01"  # type: ignore[union-attr]


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    path = tmp_path / "nw.db"
    Store.open(path).close()
    return path


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["events", "--since", "99999999999d"], "--since"),
        (["search", "lithium", "--since", "99999999999d"], "--since"),
        (["events", "--until", "9999-12-31"], "--until"),
        (["digest", "--date", "0001-01-01", "--format", "json"], "--date"),
        (["digest", "--date", "9999-12-31", "--format", "json"], "--date"),
        (["digest", "--since", "0001-01-01", "--format", "json"], "--since"),
    ],
)
def test_cli_dates_that_overflow_exit_2_with_the_option_named(tmp_path, empty_db, args, option):
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{empty_db}"\n')
    db = ["--db", str(empty_db)] if args[0] != "digest" else []
    # One in a child process, for the real exit code and streams; the rest in-process.
    run = _cli if args[:2] == ["events", "--since"] else _cli_in_process
    code, stderr = run("--config", str(config), *args, *db)
    assert code == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newswatch: {option} "), stderr
