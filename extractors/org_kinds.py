"""The kind of a merged organisation record, from the cue words of its name.

The cues live in extractors/data/org_kinds.tsv (read by `names.KindClassifier`);
this module adds the judgement calls the spec needs on top of the cues.
"""

from __future__ import annotations

from extractors.gazetteer import country_lookup
from extractors.names import KindClassifier, name_key
from extractors.org_place_compounds import PlaceFinder


def org_kind(name: str, acronym: str | None, kinds: KindClassifier, places: PlaceFinder) -> str:
    for text in (name, acronym):
        kind = kinds.kind(text) if text else None
        # "EU-India Trade and Technology Council": a body of two states or blocs is
        # their joint council or dialogue (a forum in the spec), not one state's body,
        # even when a bloc's name ("EU") is the first cue
        joint = text == name and places.opens_with_places(name)
        if joint and kind in ("government", "intergovernmental"):
            return "forum"
        if kind == "intergovernmental" and text and _national(text, kinds):
            return "government"  # "Japan Organization for Metals ...": one state's body
        if kind and kind != "exclude":
            return kind
    return "company"  # unmarked proper names in news are mostly firms


def _national(name: str, kinds: KindClassifier) -> bool:
    """A name that opens with a country ("Japan Organization for ...") and is no known
    intergovernmental body by itself."""
    if name_key(name) in kinds.exact:
        return False
    words = name.split()
    return any(country_lookup(" ".join(words[:n])) for n in (1, 2) if len(words) > n)
