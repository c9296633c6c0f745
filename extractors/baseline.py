"""The baseline newswatch must beat: plain spaCy NER mapped onto the spec's fields.

PERSON → officials (no role, no country), ORG → organisations (kind "other"),
GPE/NORP → countries (as written), nothing for minerals or events: what a
pipeline built on en_core_web_sm alone would report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language

from extractors.records import ExtractInput


def baseline_records(
    nlp: Language, items: Iterable[ExtractInput], batch_size: int = 32
) -> Iterator[dict[str, Any]]:
    items = list(items)
    docs = nlp.pipe((item.doc_text for item in items), batch_size=batch_size)
    for item, doc in zip(items, docs, strict=True):
        people: dict[str, None] = {}
        orgs: dict[str, None] = {}
        places: dict[str, None] = {}
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                people[ent.text] = None
            elif ent.label_ == "ORG":
                orgs[ent.text] = None
            elif ent.label_ in ("GPE", "NORP"):
                places[ent.text] = None
        yield {
            "id": item.id,
            "officials": [{"name": n, "role": None, "country": None} for n in people],
            "organizations": [{"name": n, "acronym": None, "kind": "other"} for n in orgs],
            "minerals": [],
            "countries": sorted(places),
            "events": [],
        }
