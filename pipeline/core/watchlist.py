"""[[watch]] tables: what a desk follows, validated like the rest of config.toml.

    [[watch]]
    name = "critical-minerals"
    minerals = ["lithium", "rare earth elements"]   # any name the minerals lexicon knows
    countries = ["India"]                            # any name the countries lexicon knows
    entities = ["USISPF", "Minerals Security Partnership"]   # officials/organisations, any alias
    keywords = ["export ban"]                        # FTS5 query syntax
    event_types = ["agreement", "trade_measure"]     # optional filter on event alerts
    webhook = "https://hooks.example.org/desk"       # optional: JSON POST per alert
    email = ["desk@example.org"]                     # optional: through [digest.email]

Minerals and countries are checked against the extractors' lexicons and stored
under their canonical names ("rare earths" -> "rare earth elements"), so a typo
fails at load time instead of silently matching nothing. Entities can only be
resolved against the database (they are whatever the extraction has seen), so
they are kept as written. Keywords are compiled by SQLite's own FTS5 parser.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from extractors.gazetteer import country_lookup, mineral_lookup
from extractors.records import EVENT_TYPES
from pipeline.core.errors import ConfigError

# Watch names appear in URLs (/-/alerts/NAME.atom) and on the command line.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class WatchConfig:
    name: str
    minerals: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()  # empty: every type
    webhook: str = ""
    email: tuple[str, ...] = ()

    @property
    def terms(self) -> int:
        return len(self.minerals) + len(self.countries) + len(self.entities) + len(self.keywords)


def check_watches(watches: tuple[WatchConfig, ...], email_ready: bool) -> tuple[WatchConfig, ...]:
    """Validate every watch; returns them with minerals and countries made canonical."""
    seen: set[str] = set()
    checked = []
    for i, watch in enumerate(watches):
        where = f"watch[{i}]"
        if not NAME_PATTERN.match(watch.name):
            raise ConfigError(
                f"{where}.name: {watch.name!r} must be 1-64 letters, digits, '.', '_' or '-'"
            )
        if watch.name in seen:
            raise ConfigError(f"{where}.name: duplicate watch name '{watch.name}'")
        seen.add(watch.name)
        if watch.terms == 0:
            raise ConfigError(
                f"{where}: give at least one of minerals, countries, entities or keywords"
            )
        minerals = tuple(_canonical(where, "minerals", watch.minerals, mineral_lookup, "mineral"))
        countries = tuple(
            _canonical(where, "countries", watch.countries, country_lookup, "country")
        )
        for j, entity in enumerate(watch.entities):
            if not entity.strip():
                raise ConfigError(f"{where}.entities[{j}]: must not be empty")
        for j, query in enumerate(watch.keywords):
            problem = fts5_problem(query)
            if problem:
                raise ConfigError(f"{where}.keywords[{j}]: not a valid FTS5 query: {problem}")
        for j, type_ in enumerate(watch.event_types):
            if type_ not in EVENT_TYPES:
                raise ConfigError(
                    f"{where}.event_types[{j}]: unknown event type {type_!r} "
                    f"(one of {', '.join(EVENT_TYPES)})"
                )
        if watch.webhook:
            parts = urlsplit(watch.webhook)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ConfigError(
                    f"{where}.webhook: expected an http(s) URL, got {watch.webhook!r}"
                )
        for j, address in enumerate(watch.email):
            if not _EMAIL.match(address):
                raise ConfigError(f"{where}.email[{j}]: not an email address: {address!r}")
        if watch.email and not email_ready:
            raise ConfigError(
                f"{where}.email: sending needs [digest.email] host, sender and recipients"
            )
        checked.append(replace(watch, minerals=minerals, countries=countries))
    return tuple(checked)


def _canonical(
    where: str, key: str, values: tuple[str, ...], lookup: Callable[[str], str | None], kind: str
) -> list[str]:
    found = []
    for j, value in enumerate(values):
        canonical = lookup(value)
        if canonical is None:
            raise ConfigError(f"{where}.{key}[{j}]: unknown {kind} {value!r}")
        if canonical not in found:
            found.append(canonical)
    return found


def fts5_problem(query: str) -> str | None:
    """SQLite's complaint about an FTS5 query, or None when it parses."""
    if not query.strip():
        return "empty query"
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE probe USING fts5(text, tokenize='porter unicode61')")
        conn.execute("SELECT * FROM probe WHERE probe MATCH ?", [query]).fetchall()
    except sqlite3.OperationalError as exc:
        return str(exc)
    finally:
        conn.close()
    return None
