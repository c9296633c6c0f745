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
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extractors.settings import DEFAULT_COMPONENTS, ComponentSettings
from pipeline.core.config_bounds import check_bounds
from pipeline.core.errors import ConfigError
from pipeline.core.watchlist import WatchConfig, check_watches

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
    # Hosts reachable even when they resolve to private addresses: exact names, or
    # "*.example.org" for a domain and its subdomains (an intranet feed server).
    allow_hosts: tuple[str, ...] = ()
    # Politeness (pipeline/politeness.py). The contact URL is appended to the
    # User-Agent so a site operator can reach whoever runs this.
    contact_url: str = ""
    per_host_delay: float = 1.0  # seconds between two requests to one host
    respect_robots: bool = True  # robots.txt is checked for article pages (not feeds)
    max_retry_wait: float = 30.0  # wait at most this long for a host's Retry-After in a run
    # Feed health (pipeline/health.py).
    max_hard_failures: int = 5  # consecutive hard failures (DNS, 404, 410, TLS) disable a feed
    max_backoff: float = 1440.0  # minutes: the cap on exponential backoff after failures

    @property
    def user_agent_header(self) -> str:
        """The User-Agent sent: `user_agent`, plus the contact URL when it is not in it yet."""
        if self.contact_url and self.contact_url not in self.user_agent:
            return f"{self.user_agent} (+{self.contact_url})"
        return self.user_agent


@dataclass(frozen=True)
class NLPConfig:
    model: str = "en_core_web_sm"
    batch_size: int = 32
    n_process: int = 1
    # Characters of one article (title and text) NLP reads: a longer one is cut there
    # and the cut recorded (articles.nlp_chars). Far above any real article; spaCy
    # itself stops at 1,000,000 and its parser and NER need about 1 GB per 100,000.
    max_chars: int = 200_000
    # Articles in these languages (ISO 639-1, as the text stage records them) go
    # through NLP; others are stored with their text, searchable, but without
    # extraction: an English model on German text finds nonsense. An article
    # whose language could not be told is processed. [] processes everything.
    languages: tuple[str, ...] = ("en",)
    # The domain components, in pipeline order (extractors/settings.py).
    components: tuple[str, ...] = DEFAULT_COMPONENTS
    # [nlp.settings.<component>]: what each component is built with (its own lexicon
    # files, ner_fallback, ...); the keys and types are extractors/settings.py's.
    settings: ComponentSettings = field(default_factory=ComponentSettings)


@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    tags: tuple[str, ...] = ()
    interval: int = 30  # minutes between polls; [schedule] default_interval when not set
    # Overrides `interval` when > 0: sub-minute polling, for tests and soak runs only.
    interval_seconds: float = 0.0

    @property
    def interval_s(self) -> float:
        """The polling interval in seconds."""
        return self.interval_seconds if self.interval_seconds > 0 else self.interval * 60.0


@dataclass(frozen=True)
class ScheduleConfig:
    """[schedule]: the `newswatch schedule` daemon (pipeline/schedule.py)."""

    default_interval: int = 30  # minutes, for feeds that set no `interval`
    tick: float = 60.0  # seconds between checks for due feeds
    timezone: str = "UTC"  # IANA zone of digest_time and maintenance_time
    digest_time: str = "07:00"  # local HH:MM of the daily digest ("" = no digest job)
    maintenance_time: str = "03:30"  # local HH:MM of FTS optimize and retention
    retention_days: int = 0  # delete articles fetched longer ago than this; 0 keeps all


@dataclass(frozen=True)
class LoggingConfig:
    """[logging]: where `newswatch schedule` writes its log besides stderr."""

    file: str = ""  # a path (rotated at 10 MB, 5 kept); empty: stderr only
    level: str = "info"  # debug | info | warning | error, for the file


@dataclass(frozen=True)
class EmailConfig:
    """[digest.email]: where the daily digest is sent. An empty host means "not set up"."""

    host: str = ""
    port: int = 587
    starttls: bool = True
    user: str = ""  # empty: no SMTP login
    # The password is never written in the config: this names the environment
    # variable that holds it, so the file can be committed and shared.
    password_env: str = "NEWSWATCH_SMTP_PASSWORD"
    sender: str = ""
    recipients: tuple[str, ...] = ()
    timeout: float = 30.0

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender and self.recipients)


@dataclass(frozen=True)
class DigestConfig:
    """[digest]: the daily digest (`newswatch digest`)."""

    out_dir: str = "digests"
    # The day boundaries: "what changed on D" means published on D in this zone.
    timezone: str = "UTC"
    top_stories: int = 5
    email: EmailConfig = field(default_factory=EmailConfig)


@dataclass(frozen=True)
class Config:
    storage: StorageConfig = field(default_factory=StorageConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    nlp: NLPConfig = field(default_factory=NLPConfig)
    feeds: tuple[FeedConfig, ...] = ()
    digest: DigestConfig = field(default_factory=DigestConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    # [[watch]]: what the desks follow (pipeline/core/watchlist.py); alerts and digest --watch.
    watch: tuple[WatchConfig, ...] = ()
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
    config = dataclasses.replace(config, base_dir=base_dir, feeds=_default_intervals(config, data))
    nlp = dataclasses.replace(config.nlp, settings=config.nlp.settings.resolved(base_dir))
    config = dataclasses.replace(config, nlp=nlp)
    _check_semantics(config)
    watches = check_watches(config.watch, email_ready=config.digest.email.configured)
    return dataclasses.replace(config, watch=watches)


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


def _default_intervals(config: Config, data: dict[str, Any]) -> tuple[FeedConfig, ...]:
    """Feeds without their own `interval` get [schedule] default_interval."""
    raw = data.get("feeds") or []
    return tuple(
        feed
        if "interval" in raw[i]
        else dataclasses.replace(feed, interval=config.schedule.default_interval)
        for i, feed in enumerate(config.feeds)
    )


def _check_schedule(config: Config) -> None:
    sched, fetch = config.schedule, config.fetch
    positive = {
        "schedule.default_interval": sched.default_interval,
        "schedule.tick": sched.tick,
        "fetch.max_hard_failures": fetch.max_hard_failures,
        "fetch.max_backoff": fetch.max_backoff,
    }
    for key, value in positive.items():
        if value <= 0:
            raise ConfigError(f"{key}: must be greater than 0, got {value}")
    for key, value in {
        "fetch.per_host_delay": fetch.per_host_delay,
        "fetch.max_retry_wait": fetch.max_retry_wait,
        "schedule.retention_days": sched.retention_days,
    }.items():
        if value < 0:
            raise ConfigError(f"{key}: must be 0 or more, got {value}")
    try:
        ZoneInfo(sched.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"schedule.timezone: unknown time zone {sched.timezone!r} (use an IANA name "
            "such as 'UTC' or 'Europe/Berlin')"
        ) from None
    for key, clock in (
        ("schedule.digest_time", sched.digest_time),
        ("schedule.maintenance_time", sched.maintenance_time),
    ):
        if clock and parse_clock(clock) is None:
            raise ConfigError(f'{key}: expected HH:MM (24-hour) or "", got {clock!r}')
    if config.logging.level.lower() not in LOG_LEVELS:
        raise ConfigError(
            f"logging.level: expected one of {', '.join(LOG_LEVELS)}, got {config.logging.level!r}"
        )


LOG_LEVELS = ("debug", "info", "warning", "error")


def parse_clock(value: str) -> tuple[int, int] | None:
    """(hour, minute) of "HH:MM", or None when it is not a valid 24-hour time."""
    hour, sep, minute = value.strip().partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2):
        return None
    h, m = int(hour), int(minute)
    return (h, m) if 0 <= h < 24 and 0 <= m < 60 else None


def _check_semantics(config: Config) -> None:
    _check_schedule(config)
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
    _check_digest(config.digest)
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
        if feed.interval_seconds < 0:
            raise ConfigError(f"feeds[{i}].interval_seconds: must be 0 or more")
    check_bounds(config)  # upper bounds and finiteness of every number (nan, inf, 1e13)


def _check_digest(digest: DigestConfig) -> None:
    try:
        ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"digest.timezone: unknown time zone {digest.timezone!r} (use an IANA name "
            "such as 'UTC' or 'Asia/Kolkata')"
        ) from None
    if digest.top_stories < 0:
        raise ConfigError("digest.top_stories: must be 0 or more")
    email = digest.email
    if not 0 < email.port < 65536:
        raise ConfigError(f"digest.email.port: must be between 1 and 65535, got {email.port}")
    if email.timeout <= 0:
        raise ConfigError(f"digest.email.timeout: must be greater than 0, got {email.timeout}")
    if email.host and not (email.sender and email.recipients):
        raise ConfigError("digest.email: with a host, 'sender' and 'recipients' are required")
    if email.user and not email.password_env:
        raise ConfigError("digest.email.password_env: needed when 'user' is set")


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
