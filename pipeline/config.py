"""Load `config.toml` into one typed, validated `Config`.

Every table and key is declared by a dataclass below; the loader walks the
dataclasses, so an unknown key, a wrong type or a missing file becomes a one-line
`ConfigError` that names the key. Relative paths are resolved against the
directory of the config file, so a config works from any working directory.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

ENV_VAR = "NEWSWATCH_CONFIG"
DEFAULT_PATH = "config.toml"


@dataclass(frozen=True)
class StorageConfig:
    path: str = "newswatch.db"


@dataclass(frozen=True)
class FetchConfig:
    user_agent: str = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"
    timeout: float = 20.0
    max_bytes: int = 20_000_000
    max_feed_bytes: int = 5_000_000
    max_redirects: int = 5
    concurrency: int = 4
    allow_private_networks: bool = False


@dataclass(frozen=True)
class NLPConfig:
    model: str = "en_core_web_sm"
    batch_size: int = 32
    n_process: int = 1
    # The domain components, in pipeline order; see extractors/__init__.py.
    components: tuple[str, ...] = (
        "newswatch_countries",
        "newswatch_minerals",
        "newswatch_organizations",
        "newswatch_officials",
        "newswatch_events",
    )


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    tags: tuple[str, ...] = ()
    interval: int = 30  # minutes between polls (used by the scheduler)


@dataclass(frozen=True)
class Config:
    storage: StorageConfig = field(default_factory=StorageConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    nlp: NLPConfig = field(default_factory=NLPConfig)
    feeds: tuple[FeedConfig, ...] = ()
    # Directory the config was read from; relative paths are resolved against it.
    base_dir: Path = field(default=Path("."), compare=False)

    @property
    def db_path(self) -> Path:
        return self.resolve(self.storage.path)

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else self.base_dir / p


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: --config, else $NEWSWATCH_CONFIG, else ./config.toml."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    p = config_path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return parse_config(data, base_dir=p.resolve().parent)


def parse_config(data: dict[str, Any], base_dir: Path = Path(".")) -> Config:
    """Validate a TOML-shaped dict into a Config (also used by tests and property tests)."""
    config = _build(Config, data, prefix="", skip={"base_dir"})
    config = dataclasses.replace(config, base_dir=base_dir)
    _check_semantics(config)
    return config


def _build(cls: type, data: Any, prefix: str, skip: frozenset[str] | set[str] = frozenset()) -> Any:
    where = prefix.rstrip(".") or "config"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table, got {_kind(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    for key in data:
        if key not in fields:
            raise ConfigError(f"unknown key '{prefix}{key}'")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        key = f"{prefix}{name}"
        if name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"missing key '{key}'")
            continue
        kwargs[name] = _coerce(hints[name], data[name], key)
    return cls(**kwargs)


def _coerce(hint: Any, value: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, prefix=f"{key}.")  # type: ignore[arg-type]
    if origin is tuple:
        (item_hint, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {_kind(value)}")
        return tuple(_coerce(item_hint, v, f"{key}[{i}]") for i, v in enumerate(value))
    if origin in (typing.Union, types.UnionType):
        raise AssertionError("optional config values are not used")  # keep the schema simple
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key}: expected true or false, got {_kind(value)}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected an integer, got {_kind(value)}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key}: expected a number, got {_kind(value)}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {_kind(value)}")
        return value
    raise AssertionError(f"unsupported config type {hint!r} for {key}")


def _check_semantics(config: Config) -> None:
    positive = {
        "fetch.timeout": config.fetch.timeout,
        "fetch.max_bytes": config.fetch.max_bytes,
        "fetch.max_feed_bytes": config.fetch.max_feed_bytes,
        "fetch.concurrency": config.fetch.concurrency,
        "nlp.batch_size": config.nlp.batch_size,
        "nlp.n_process": config.nlp.n_process,
    }
    for key, value in positive.items():
        if value <= 0:
            raise ConfigError(f"{key}: must be greater than 0, got {value}")
    if config.fetch.max_redirects < 0:
        raise ConfigError("fetch.max_redirects: must be 0 or more")
    seen: set[str] = set()
    for i, feed in enumerate(config.feeds):
        if not feed.name.strip():
            raise ConfigError(f"feeds[{i}].name: must not be empty")
        if feed.name in seen:
            raise ConfigError(f"feeds[{i}].name: duplicate feed name '{feed.name}'")
        seen.add(feed.name)
        if not feed.url.strip():
            raise ConfigError(f"feeds[{i}].url: must not be empty")
        if feed.interval <= 0:
            raise ConfigError(f"feeds[{i}].interval: must be greater than 0, got {feed.interval}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"
