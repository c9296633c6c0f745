"""newswatch extraction: officials, organisations, minerals, countries and events.

Public surface:
    build_nlp(nlp_config) -> Language     the model plus newswatch components
    extract(nlp, items, ...) -> Iterator[Extraction]
    extract_each(nlp, items, ...) -> Iterator[Extraction | ExtractionFailure]
    load_model(name) -> Language           with the en_core_web_sm stand-in
    ExtractInput, Extraction, Official, Organization, Event, Mention

Names that need spaCy are imported on first use, so that storage and the
read-only commands, which only need the record types, start without loading it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from extractors.records import (
    Event,
    ExtractInput,
    Extraction,
    ExtractionFailure,
    Mention,
    Official,
    Organization,
)

if TYPE_CHECKING:
    from extractors.docs import EXTRACTOR_VERSION, extraction_from_doc, make_doc
    from extractors.model import load_model
    from extractors.nlp import build_nlp, extract, extract_each

_LAZY = {
    "load_model": "model",
    "EXTRACTOR_VERSION": "docs",
    "build_nlp": "nlp",
    "extract": "nlp",
    "extract_each": "nlp",
    "extraction_from_doc": "docs",
    "make_doc": "docs",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXTRACTOR_VERSION",
    "Event",
    "ExtractInput",
    "Extraction",
    "ExtractionFailure",
    "Mention",
    "Official",
    "Organization",
    "build_nlp",
    "extract",
    "extract_each",
    "extraction_from_doc",
    "load_model",
    "make_doc",
]
