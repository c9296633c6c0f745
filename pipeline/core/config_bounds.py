"""The range every number of config.toml must lie in.

TOML reads `nan`, `inf` and twenty-digit integers without complaint, and the values
end up in `datetime + timedelta`, APScheduler triggers, socket timeouts and sleeps,
where they overflow or never end. So every number of the config has a range here,
and a value outside it (or not finite) is refused with one line naming the key.
The lower bounds repeat what config.py already requires, whose messages come first;
the upper bounds are far above any sensible setting. tests/test_config_bounds.py
fails when a numeric key has no range here.

Keys are written as in the messages, with `feeds[]` for every feed.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from pipeline.core.errors import ConfigError

DAY = 86_400.0  # seconds
YEAR_MINUTES = 525_600

# key -> (lowest, highest), both allowed.
BOUNDS: dict[str, tuple[float, float]] = {
    "fetch.timeout": (0.001, 3_600),  # seconds
    "fetch.max_bytes": (1, 1_000_000_000),
    "fetch.max_feed_bytes": (1, 1_000_000_000),
    "fetch.max_redirects": (0, 50),
    "fetch.concurrency": (1, 256),
    "fetch.per_host_delay": (0, DAY),  # seconds
    "fetch.max_retry_wait": (0, DAY),  # seconds
    "fetch.max_hard_failures": (1, 1_000_000),
    "fetch.max_backoff": (0.001, YEAR_MINUTES),  # minutes
    "nlp.batch_size": (1, 100_000),
    "nlp.n_process": (1, 256),
    "nlp.settings.newswatch_relevance.threshold": (-1, 1),  # below 0: the model's own
    "nlp.settings.newswatch_relevance.mineral_sentences": (1, 10_000),  # sentences
    "nlp.settings.newswatch_event_scores.threshold": (-1, 1),  # below 0: the model's own
    "nlp.max_chars": (1_000, 1_000_000),  # characters; spaCy's own limit is the top
    "feeds[].interval": (1, YEAR_MINUTES),  # minutes
    "feeds[].interval_seconds": (0, 365 * DAY),
    "schedule.default_interval": (1, YEAR_MINUTES),  # minutes
    "schedule.tick": (0.001, DAY),  # seconds
    "schedule.retention_days": (0, 36_500),
    "digest.top_stories": (0, 10_000),
    "digest.email.port": (1, 65_535),
    "digest.email.timeout": (0.001, 3_600),  # seconds
}


def check_bounds(config: Any) -> None:
    """ConfigError naming the first number of `config` outside its range, or not finite."""
    for key, value in numbers(config):
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{key}: must be a finite number, got {value}")
        # A key added without a range still gets a finite, non-negative, bounded one.
        low, high = BOUNDS.get(_pattern(key), (0, 1e12))
        if not low <= value <= high:
            raise ConfigError(f"{key}: must be between {_show(low)} and {_show(high)}, got {value}")


def numbers(config: Any, prefix: str = "") -> list[tuple[str, int | float]]:
    """(key, value) of every int and float field of a config dataclass, nested ones too."""
    found: list[tuple[str, int | float]] = []
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            found += numbers(value, f"{key}.")
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    found += numbers(item, f"{key}[{i}].")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append((key, value))
    return found


def _pattern(key: str) -> str:
    """feeds[3].interval -> feeds[].interval"""
    head, sep, rest = key.partition("[")
    return f"{head}[]{rest.partition(']')[2]}" if sep else key


def _show(bound: float) -> str:
    return f"{bound:g}" if isinstance(bound, float) else f"{bound:,}".replace(",", "_")
