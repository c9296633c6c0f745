"""The settings each newswatch component takes, with their types and defaults.

`[nlp.settings.<component>]` in config.toml is read into `ComponentSettings`: the
application's config loader walks these dataclasses like its own tables, so an unknown
component or key and a wrong type are one-line config errors. The factories take their
`default_config` from the same dataclasses, and `build_nlp` passes a component's table
to `nlp.add_pipe(name, config=...)`, so the schema, the defaults and the factory
arguments cannot drift apart (tests/test_component_settings.py checks it).

An empty path or folder means the lexicon shipped in extractors/data/. This module
imports no spaCy: the config is read by commands that never load a model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Marks a setting that names a file or folder: relative values are resolved against
# the directory of the config file that set them (`ComponentSettings.resolved`).
PATH = {"path": True}


# The domain components in pipeline order, each reading what the ones before it
# assigned: the default of `[nlp] components`, and what `make train` extracts with.
DEFAULT_COMPONENTS = (
    "newswatch_countries",
    "newswatch_minerals",
    "newswatch_organizations",
    "newswatch_officials",
    "newswatch_kb",  # officials linked to the office-holder KB
    "newswatch_relevance",  # the trained in-scope gate (extractors/relevance.py)
    "newswatch_events",
    "newswatch_event_scores",  # the trained event filter (extractors/event_scores.py)
)


@dataclass(frozen=True)
class GazetteerSettings:
    """newswatch_countries and newswatch_minerals."""

    # a gazetteer in the format of data/countries.tsv (or data/minerals.tsv)
    gazetteer_path: str = field(default="", metadata=PATH)
    # context words in the format of data/name_context.tsv
    context_path: str = field(default="", metadata=PATH)


@dataclass(frozen=True)
class LexiconFolderSettings:
    """newswatch_organizations and newswatch_officials."""

    # a folder holding own copies of org_kinds.tsv, news_agencies.txt, office_titles.txt
    # and compound_places.txt (the officials read the first and third)
    data_dir: str = field(default="", metadata=PATH)


@dataclass(frozen=True)
class EventsSettings:
    """newswatch_events."""

    # a trigger table in the format of data/event_triggers.tsv
    triggers_path: str = field(default="", metadata=PATH)
    # without officials/organisations/countries components, use NER spans as actors
    ner_fallback: bool = True


@dataclass(frozen=True)
class RelevanceSettings:
    """newswatch_relevance."""

    # a folder with weights.tsv and model.json in the format of data/relevance/
    model_path: str = field(default="", metadata=PATH)
    # the in-scope probability; below 0 (the default): the model's own, from model.json
    threshold: float = -1.0
    # sentences naming a mineral that put an article in scope whatever its score (one in
    # the title or the lead always does)
    mineral_sentences: int = 2


@dataclass(frozen=True)
class EventScoreSettings:
    """newswatch_event_scores."""

    # a folder with weights.tsv, model.json (and wording/) in the format of data/event_scores/
    model_path: str = field(default="", metadata=PATH)
    # the relevance model it reads sentences with; empty: the shipped data/relevance/
    relevance_path: str = field(default="", metadata=PATH)
    # the score an event needs to be kept; below 0 (the default): the model's own
    threshold: float = -1.0


@dataclass(frozen=True)
class NoSettings:
    """A component that takes no settings (newswatch_kb)."""


@dataclass(frozen=True)
class ComponentSettings:
    """Settings by component name, as `[nlp.settings.<name>]` tables give them."""

    newswatch_countries: GazetteerSettings = field(default_factory=GazetteerSettings)
    newswatch_minerals: GazetteerSettings = field(default_factory=GazetteerSettings)
    newswatch_organizations: LexiconFolderSettings = field(default_factory=LexiconFolderSettings)
    newswatch_officials: LexiconFolderSettings = field(default_factory=LexiconFolderSettings)
    newswatch_kb: NoSettings = field(default_factory=NoSettings)
    newswatch_relevance: RelevanceSettings = field(default_factory=RelevanceSettings)
    newswatch_events: EventsSettings = field(default_factory=EventsSettings)
    newswatch_event_scores: EventScoreSettings = field(default_factory=EventScoreSettings)

    def get(self, name: str, default: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The `add_pipe` config of component `name`; `default` (or {}) for a component
        that is not newswatch's (spaCy's own "sentencizer", say)."""
        if name not in _COMPONENTS:
            return dict(default or {})
        return dataclasses.asdict(getattr(self, name))

    def resolved(self, base_dir: Path) -> ComponentSettings:
        """These settings with relative paths made relative to `base_dir` (the config's
        directory), so a config works from any working directory."""
        changes = {}
        for name in _COMPONENTS:
            table = getattr(self, name)
            paths = {
                f.name: str(base_dir / Path(value).expanduser())
                for f in dataclasses.fields(table)
                if f.metadata.get("path") and (value := getattr(table, f.name))
            }
            if paths:
                changes[name] = dataclasses.replace(table, **paths)
        return dataclasses.replace(self, **changes) if changes else self


_COMPONENTS = frozenset(f.name for f in dataclasses.fields(ComponentSettings))


def defaults(settings_class: type) -> dict[str, Any]:
    """A factory's `default_config`: the defaults of its settings dataclass."""
    return dataclasses.asdict(settings_class())
