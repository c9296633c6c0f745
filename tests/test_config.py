"""Config loading: one typed object, one-line errors that name the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.config import Config, load_config, parse_config
from pipeline.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_repo_config_loads_and_resolves_paths_against_its_directory():
    config = load_config(REPO / "config.toml")
    assert config.db_path == REPO / "newswatch.db"
    assert config.feeds[0].name == "sample-seeds"
    assert config.fetch.allow_private_networks is False


def test_defaults_when_tables_are_missing(tmp_path):
    config = load_config(write(tmp_path, ""))
    assert config == Config(base_dir=tmp_path)
    assert config.storage.path == "newswatch.db"
    assert config.nlp.model == "en_core_web_sm"


def test_feeds_are_typed(tmp_path):
    config = load_config(
        write(tmp_path, '[[feeds]]\nname = "a"\nurl = "https://x.test/rss"\ntags = ["t"]\n')
    )
    assert config.feeds[0].tags == ("t",)
    assert config.feeds[0].interval == 30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fetch]\ntimout = 3\n", "unknown key 'fetch.timout'"),
        ("[fetch]\ntimeout = 'soon'\n", "fetch.timeout: expected a number"),
        (
            "[fetch]\nallow_private_networks = 1\n",
            "fetch.allow_private_networks: expected true or false",
        ),
        ("[nlp]\nbatch_size = 0\n", "nlp.batch_size: must be greater than 0"),
        ("[[feeds]]\nname = 'a'\n", "missing key 'feeds[0].url'"),
        ("[[feeds]]\nname = 'a'\nurl = 'u'\ncolour = 1\n", "unknown key 'feeds[0].colour'"),
        ("[[feeds]]\nname='a'\nurl='u'\n[[feeds]]\nname='a'\nurl='v'\n", "duplicate feed name 'a'"),
        ("storage = 3\n", "storage: expected a table"),
        ("[storage\n", "not valid TOML"),
        ("bogus = true\n", "unknown key 'bogus'"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_env_var_names_the_config(tmp_path, monkeypatch):
    path = write(tmp_path, '[storage]\npath = "other.db"\n')
    monkeypatch.setenv("NEWSWATCH_CONFIG", str(path))
    assert load_config().db_path == tmp_path / "other.db"


@pytest.mark.parametrize(
    "text", ["[fetch]\ntimeout = 'x'\n", "[nope]\n", "[[feeds]]\nname = 1\nurl = 'u'\n"]
)
def test_cli_exits_2_with_one_line(tmp_path, text):
    path = write(tmp_path, text)
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(path), "run", "--once"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newswatch: "), proc.stderr


SCALARS = st.one_of(
    st.integers(-5, 10**6), st.floats(allow_nan=False), st.booleans(), st.text(max_size=8)
)
TABLES = st.dictionaries(
    st.sampled_from(
        [
            "timeout",
            "max_bytes",
            "concurrency",
            "user_agent",
            "allow_private_networks",
            "max_redirects",
            "junk",
        ]
    ),
    SCALARS,
    max_size=4,
)


@settings(deadline=None)  # a loaded 2-core CI box is slow; speed is not the point
@given(TABLES)
def test_any_fetch_table_loads_or_fails_with_config_error(table):
    """Whatever the values, loading gives a valid Config or a ConfigError, nothing else."""
    try:
        config = parse_config({"fetch": table})
    except ConfigError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert config.fetch.timeout > 0 and config.fetch.concurrency > 0
        for key, value in table.items():
            got = getattr(config.fetch, key)
            assert got == value or (isinstance(got, float) and got == float(value))


def test_unknown_component_is_a_config_error():
    """[nlp] components names spaCy factories; a typo is one line naming the key, and the
    application maps the library's error to a config error's exit code (2)."""
    import dataclasses

    from extractors import build_nlp
    from extractors.errors import ExtractorConfigError
    from pipeline.core.config import NLPConfig
    from pipeline.core.errors import exit_code_of

    bad = dataclasses.replace(NLPConfig(), components=("newswatch_minerals", "newswatch_mineral"))
    expected = r"nlp\.components: no component named 'newswatch_mineral'"
    with pytest.raises(ExtractorConfigError, match=expected) as info:
        build_nlp(bad)
    assert exit_code_of(info.value) == exit_code_of(ConfigError("x")) == 2
