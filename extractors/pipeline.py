"""Assemble the extraction pipeline and run it over articles.

The spaCy model does tokens, sentences, parse and NER; newswatch's components
(registered with `Language.factory` in the sibling modules) add countries,
minerals, organisations, officials and events on `doc._`, in that order, each
reading what the ones before it assigned. The order and names come from
`[nlp] components` in config.toml.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.config import NLPConfig
from pipeline.errors import ConfigError

from . import countries, events, minerals, officials, organizations  # noqa: F401  (factories)
from .model import load_model
from .parallel import extract_in_workers, fork_available
from .records import (
    Event,
    ExtractInput,
    Extraction,
    Mention,
    Official,
    Organization,
    from_plain,
)

EXTRACTOR_VERSION = "0.1.0"

# Doc extensions: plain data (see records.to_plain) so n_process > 1 works.
EXTENSIONS = (
    "nw_meta",  # set before the pipeline: id, published, dateline, body_offset
    "nw_countries",
    "nw_minerals",
    "nw_organizations",
    "nw_officials",
    "nw_events",
)


def register_extensions() -> None:
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


def build_nlp(config: NLPConfig) -> Language:
    """Load the configured model and add the configured newswatch components."""
    nlp = load_model(config.model)
    for name in config.components:
        if not nlp.has_factory(name):
            known = ", ".join(sorted(f for f in nlp.factory_names if f.startswith("newswatch_")))
            raise ConfigError(f"nlp.components: no component named '{name}' (known: {known})")
        if name not in nlp.pipe_names:
            nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, item: ExtractInput) -> Doc:
    doc = nlp.make_doc(item.doc_text)
    doc._.nw_meta = {
        "id": item.id,
        "published": item.published,
        "dateline": item.dateline,
        "body_offset": item.body_offset,
    }
    return doc


def extraction_from_doc(doc: Doc) -> Extraction:
    meta: dict[str, Any] = doc._.nw_meta or {}
    return Extraction(
        id=str(meta.get("id", "")),
        officials=[from_plain(Official, d) for d in doc._.nw_officials or []],
        organizations=[from_plain(Organization, d) for d in doc._.nw_organizations or []],
        minerals=[Mention(**d) for d in doc._.nw_minerals or []],
        countries=[Mention(**d) for d in doc._.nw_countries or []],
        events=[from_plain(Event, d) for d in doc._.nw_events or []],
        extractor_version=EXTRACTOR_VERSION,
    )


def extract(
    nlp: Language,
    items: Iterable[ExtractInput],
    batch_size: int = 32,
    n_process: int = 1,
) -> Iterator[Extraction]:
    """Run the pipeline over `items`, streaming, in input order.

    With n_process > 1 the work is spread over forked worker processes that send
    back records, not Docs (see extractors/parallel.py); where fork is not
    available, spaCy's own multiprocessing does it.
    """
    if n_process > 1 and fork_available():
        yield from extract_in_workers(nlp, items, batch_size, n_process)
    else:
        yield from _records(nlp, items, batch_size, n_process)


def extract_batch(nlp: Language, batch: list[ExtractInput], batch_size: int) -> list[Extraction]:
    """One batch of inputs → its records (what each worker process runs)."""
    return list(_records(nlp, batch, batch_size))


def _records(
    nlp: Language, items: Iterable[ExtractInput], batch_size: int, n_process: int = 1
) -> Iterator[Extraction]:
    docs = (make_doc(nlp, item) for item in items)
    for doc in nlp.pipe(docs, batch_size=batch_size, n_process=n_process):
        yield extraction_from_doc(doc)
