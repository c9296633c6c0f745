"""Minerals and countries recall on Reuters-21578 metal stories, through the full pipeline.

    python -m benchmarks.reuters_metals [--shared PATH] [--limit N] [--json]

Corpus: ../shared/corpora/labelled_news/reuters21578_train.jsonl. A story is a "metal
story" when its topics name a metal (copper, nickel, zinc, tin, lead, gold, silver,
platinum, palladium, alum). Each story runs through `extractors.build_nlp` + `extract`
with its title and body, as `newswatch extract` would.

- mineral recall: the fraction of (story, topic metal) pairs whose canonical metal
  ("alum" -> "aluminum") is among the story's extracted minerals;
- country recall: the fraction of (story, place) pairs, for places that are countries
  (Reuters codes such as "usa", "west-germany"; "hong-kong", "bermuda" are not), whose
  canonical country is among the extracted countries. Reuters places also come from the
  dateline and from desk tagging, so this recall is informative rather than a target.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

DEFAULT_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = Path("corpora") / "labelled_news" / "reuters21578_train.jsonl"
FLOORS_PATH = Path(__file__).with_name("reuters_floors.json")

# Reuters metal topics -> our canonical mineral names.
METAL_TOPICS = {
    "copper": "copper",
    "nickel": "nickel",
    "zinc": "zinc",
    "tin": "tin",
    "lead": "lead",
    "gold": "gold",
    "silver": "silver",
    "platinum": "platinum",
    "palladium": "palladium",
    "alum": "aluminum",
}
# Reuters place codes that country_lookup cannot read from the code itself.
PLACE_CODES = {
    "usa": "United States",
    "uk": "United Kingdom",
    "ussr": "Soviet Union",
    "uae": "United Arab Emirates",
    "trinidad-tobago": "Trinidad and Tobago",
    "yemen-arab-republic": "Yemen",
    "yemen-demo-republic": "Yemen",
}


@dataclass
class Recall:
    found: int = 0
    total: int = 0
    missed: list[tuple[str, str]] = field(default_factory=list)  # (story id, name)

    @property
    def value(self) -> float:
        return self.found / self.total if self.total else 1.0

    def add(self, story_id: str, name: str, hit: bool) -> None:
        self.total += 1
        self.found += hit
        if not hit:
            self.missed.append((story_id, name))


def place_country(code: str) -> str | None:
    """The canonical country of a Reuters place code, None for non-countries."""
    from extractors.gazetteer import country_lookup

    return PLACE_CODES.get(code) or country_lookup(code.replace("-", " ").title())


def load_metal_stories(shared: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Metal stories in file order (deterministic); `limit` keeps the first N."""
    path = shared / CORPUS
    if not path.is_file():
        raise FileNotFoundError(f"Reuters corpus not found at {path}")
    stories = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if any(topic in METAL_TOPICS for topic in row.get("topics") or []):
                stories.append(row)
                if limit is not None and len(stories) >= limit:
                    break
    return stories


def measure(nlp: Language, stories: Iterable[dict[str, Any]]) -> dict[str, Recall]:
    from extractors.nlp import extract
    from extractors.records import ExtractInput

    stories = list(stories)
    items = [
        ExtractInput(id=str(s["id"]), text=s.get("body") or "", title=s.get("title"))
        for s in stories
    ]
    minerals, countries = Recall(), Recall()
    for story, extraction in zip(stories, extract(nlp, items), strict=True):
        found_minerals = set(extraction.mineral_names)
        found_countries = set(extraction.country_names)
        for topic in sorted(set(story.get("topics") or []) & METAL_TOPICS.keys()):
            metal = METAL_TOPICS[topic]
            minerals.add(extraction.id, metal, metal in found_minerals)
        for code in story.get("places") or []:
            country = place_country(code)
            if country is not None:
                countries.add(extraction.id, country, country in found_countries)
    return {"mineral_recall": minerals, "country_recall": countries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="../shared dir")
    parser.add_argument("--limit", type=int, default=None, help="first N metal stories only")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--misses", action="store_true", help="list the missed pairs")
    args = parser.parse_args(argv)

    from extractors import build_nlp
    from pipeline.core.config import NLPConfig
    from pipeline.core.errors import USER_ERRORS

    try:
        stories = load_metal_stories(args.shared, args.limit)
        results = measure(build_nlp(NLPConfig()), stories)
    except (FileNotFoundError, *USER_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    numbers = {name: round(r.value, 4) for name, r in results.items()}
    if args.json:
        print(json.dumps({"stories": len(stories), **numbers}))
    else:
        print(f"{len(stories)} metal stories")
        for name, r in results.items():
            print(f"{name:16} {r.value:.3f}  ({r.found}/{r.total})")
    if args.misses:
        for name, r in results.items():
            for story_id, missed in r.missed:
                print(f"missed {name.split('_')[0]}: story {story_id}: {missed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
