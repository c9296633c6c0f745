"""newswatch extraction: officials, organisations, minerals, countries and events.

Public surface:
    build_nlp(nlp_config) -> Language     the model plus newswatch components
    extract(nlp, items, ...) -> Iterator[Extraction]
    load_model(name) -> Language           with the en_core_web_sm stand-in
    ExtractInput, Extraction, Official, Organization, Event, Mention
"""

from .model import load_model
from .pipeline import EXTRACTOR_VERSION, build_nlp, extract, extraction_from_doc, make_doc
from .records import Event, ExtractInput, Extraction, Mention, Official, Organization

__all__ = [
    "EXTRACTOR_VERSION",
    "Event",
    "ExtractInput",
    "Extraction",
    "Mention",
    "Official",
    "Organization",
    "build_nlp",
    "extract",
    "extraction_from_doc",
    "load_model",
    "make_doc",
]
