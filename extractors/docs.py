"""The bridge between spaCy Docs and newswatch records.

`make_doc` puts an input's metadata on a Doc before the pipeline; `extraction_from_doc`
turns what the components assigned on `doc._` into an `Extraction`. `extract_batch` is
"a batch of inputs -> its records", the one definition both the in-process path
(extractors/nlp.py) and the forked workers (extractors/parallel.py) run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from extractors.records import (
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
    "nw_relevance",  # newswatch_relevance: the article's in-scope probability
    "nw_in_scope",  # and its decision; None (no gate in the pipeline) counts as in scope
)


def register_extensions() -> None:
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


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


def extract_batch(nlp: Language, batch: list[ExtractInput], batch_size: int) -> list[Extraction]:
    """One batch of inputs → its records (what each worker process runs)."""
    return list(records(nlp, batch, batch_size))


def records(
    nlp: Language, items: Iterable[ExtractInput], batch_size: int, n_process: int = 1
) -> Iterator[Extraction]:
    docs = (make_doc(nlp, item) for item in items)
    for doc in nlp.pipe(docs, batch_size=batch_size, n_process=n_process):
        yield extraction_from_doc(doc)
