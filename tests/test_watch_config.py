"""[[watch]] tables: parsed, made canonical, and refused with a one-line error naming the key."""

from __future__ import annotations

import pytest

from pipeline.core.config import parse_config
from pipeline.core.errors import ConfigError

WATCH = {
    "name": "critical-minerals",
    "minerals": ["lithium", "rare earths"],
    "countries": ["india"],
    "entities": ["USISPF", "Minerals Security Partnership"],
    "keywords": ["export ban"],
    "event_types": ["agreement", "trade_measure", "licensing"],
    "webhook": "https://hooks.example.org/desk",
}


def test_the_issue_watch_loads_with_canonical_names() -> None:
    config = parse_config({"watch": [WATCH]})
    (watch,) = config.watch
    assert watch.name == "critical-minerals"
    assert watch.minerals == ("lithium", "rare earth elements")
    assert watch.countries == ("India",)
    assert watch.entities == ("USISPF", "Minerals Security Partnership")
    assert watch.event_types == ("agreement", "trade_measure", "licensing")


def test_no_watch_is_fine() -> None:
    assert parse_config({}).watch == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "unknown key 'watch[0].colour'"),
        ({"minerals": ["unobtainium"]}, "watch[0].minerals[0]: unknown mineral 'unobtainium'"),
        ({"countries": ["Atlantis"]}, "watch[0].countries[0]: unknown country 'Atlantis'"),
        ({"keywords": ["export AND"]}, "watch[0].keywords[0]: not a valid FTS5 query"),
        ({"event_types": ["party"]}, "watch[0].event_types[0]: unknown event type 'party'"),
        ({"webhook": "ftp://x.example/"}, "watch[0].webhook: expected an http(s) URL"),
        ({"email": ["desk"]}, "watch[0].email[0]: not an email address"),
        ({"email": ["desk@example.org"]}, "watch[0].email: sending needs [digest.email]"),
        ({"name": "has space"}, "watch[0].name:"),
        ({"minerals": "lithium"}, "watch[0].minerals: expected a list"),
        ({"entities": [""]}, "watch[0].entities[0]: must not be empty"),
    ],
)
def test_bad_values_name_the_key(change: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config({"watch": [{**WATCH, **change}]})
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_watch_needs_a_term_and_a_unique_name() -> None:
    with pytest.raises(ConfigError, match=r"watch\[0\]: give at least one of"):
        parse_config({"watch": [{"name": "empty", "event_types": ["meeting"]}]})
    with pytest.raises(ConfigError, match="duplicate watch name 'critical-minerals'"):
        parse_config({"watch": [WATCH, WATCH]})


def test_email_watch_with_smtp_configured() -> None:
    email = {"host": "smtp.example.org", "sender": "nw@example.org", "recipients": ["a@b.org"]}
    config = parse_config(
        {"digest": {"email": email}, "watch": [{**WATCH, "email": ["desk@example.org"]}]}
    )
    assert config.watch[0].email == ("desk@example.org",)
