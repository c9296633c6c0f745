"""Component settings from config.toml: [nlp.settings.<component>] reaches add_pipe,
a bad table is one config error, and every factory declares what it reads and writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from extractors import build_nlp
from extractors.settings import ComponentSettings
from pipeline.core.config import NLPConfig, load_config, parse_config
from pipeline.core.errors import ConfigError

DOMAIN = NLPConfig().components  # the newswatch components of the default pipeline


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def minerals_of(nlp: Language, text: str) -> list[str]:
    return [m["canonical"] for m in nlp(text)._.nw_minerals]


def test_a_gazetteer_path_in_config_reaches_the_minerals_component(tmp_path: Path) -> None:
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "minerals.tsv").write_text(
        "# a one-entry gazetteer\nunobtainium\tunobtanium\n", encoding="utf-8"
    )
    pipeline = '[nlp]\nmodel = "blank:en"\ncomponents = ["sentencizer", "newswatch_minerals"]\n'
    plain = load_config(write(tmp_path, pipeline))
    text = "Unobtanium and copper prices rose."
    assert minerals_of(build_nlp(plain.nlp), text) == ["copper"]
    # a path relative to the config file's folder, whatever the working directory
    setting = '[nlp.settings.newswatch_minerals]\ngazetteer_path = "lexicons/minerals.tsv"\n'
    custom = load_config(write(tmp_path, pipeline + setting))
    nlp = build_nlp(custom.nlp)
    assert nlp.get_pipe_config("newswatch_minerals")["gazetteer_path"] == str(
        tmp_path / "lexicons" / "minerals.tsv"
    )
    assert minerals_of(nlp, text) == ["unobtainium"]


def test_a_flag_in_config_reaches_the_events_component() -> None:
    def events_pipe(settings: dict) -> object:
        config = parse_config(
            {"nlp": {"model": "blank:en", "components": ["newswatch_events"], "settings": settings}}
        )
        return build_nlp(config.nlp).get_pipe("newswatch_events")

    assert events_pipe({}).ner_fallback is True  # type: ignore[attr-defined]
    off = events_pipe({"newswatch_events": {"ner_fallback": False}})
    assert off.ner_fallback is False  # type: ignore[attr-defined]


def test_a_threshold_in_config_changes_what_the_relevance_gate_lets_through() -> None:
    def in_scope(settings: dict) -> bool:
        config = parse_config(
            {
                "nlp": {
                    "model": "blank:en",
                    "components": ["newswatch_minerals", "newswatch_relevance"],
                    "settings": settings,
                }
            }
        )
        doc = build_nlp(config.nlp)("Liverpool beat Chelsea 2-1 in a Premier League match.")
        return bool(doc._.nw_in_scope)

    # a football report scores under the model's own threshold; a threshold of 0 lets
    # every article through
    assert not in_scope({})
    assert in_scope({"newswatch_relevance": {"threshold": 0.0}})
    assert not in_scope({"newswatch_relevance": {"threshold": 0.9}})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[nlp.settings.newswatch_mineral]\n", "unknown key 'nlp.settings.newswatch_mineral'"),
        (
            "[nlp.settings.newswatch_minerals]\ngazeteer_path = 'x.tsv'\n",
            "unknown key 'nlp.settings.newswatch_minerals.gazeteer_path'",
        ),
        (
            "[nlp.settings.newswatch_events]\nner_fallback = 'no'\n",
            "nlp.settings.newswatch_events.ner_fallback: expected true or false",
        ),
        (
            "[nlp.settings.newswatch_countries]\ncontext_path = 3\n",
            "nlp.settings.newswatch_countries.context_path: expected a string",
        ),
        ("[nlp.settings.newswatch_kb]\nkb_path = 'x'\n", "unknown key 'nlp.settings.newswatch_kb"),
        ("[nlp]\nsettings = 3\n", "nlp.settings: expected a table"),
        (
            "[nlp.settings.newswatch_relevance]\nthreshold = 2\n",
            "nlp.settings.newswatch_relevance.threshold: must be between -1 and 1, got 2",
        ),
    ],
)
def test_a_bad_settings_table_is_one_config_error(tmp_path: Path, table: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, table))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_missing_lexicon_named_in_settings_is_one_clear_error(tmp_path: Path) -> None:
    from extractors.errors import LexiconError

    config = load_config(
        write(
            tmp_path,
            '[nlp]\nmodel = "blank:en"\ncomponents = ["newswatch_events"]\n'
            '[nlp.settings.newswatch_events]\ntriggers_path = "nope.tsv"\n',
        )
    )
    with pytest.raises(LexiconError, match=r"nope\.tsv: cannot read"):
        build_nlp(config.nlp)


@pytest.mark.parametrize("name", DOMAIN)
def test_each_factory_takes_its_settings_and_declares_requires_and_assigns(name: str) -> None:
    import extractors.nlp  # noqa: F401  (registers the factories)

    meta = Language.get_factory_meta(name)
    assert meta.assigns, f"{name} declares no assigns"
    assert meta.requires, f"{name} declares no requires"
    # the schema config.toml is checked against is what the factory accepts, defaults included
    assert meta.default_config == ComponentSettings().get(name)


@pytest.mark.integration
def test_the_default_pipeline_meets_every_requirement(nlp_full: Language) -> None:
    """Each component comes after the ones that assign what it requires."""
    analysis = nlp_full.analyze_pipes()
    assert all(not problems for problems in analysis["problems"].values()), analysis["problems"]


def test_the_example_in_config_toml_loads() -> None:
    """The commented [nlp.settings.*] tables of the repo's config.toml, uncommented, are
    accepted as they are written: the documentation cannot name a key that does not exist."""
    import tomllib

    text = (Path(__file__).resolve().parents[1] / "config.toml").read_text(encoding="utf-8")
    block = text[text.index("# [nlp.settings.") :].split("\n\n", 1)[0]
    example = "\n".join(line[2:] for line in block.splitlines() if line.startswith("# "))
    settings = parse_config(tomllib.loads(example)).nlp.settings
    assert settings == ComponentSettings()  # the example shows the defaults
    assert example.count("[nlp.settings.") == len(DOMAIN) - 1  # all but newswatch_kb
