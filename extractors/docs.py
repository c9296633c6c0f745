"""The bridge between spaCy Docs and newswatch records.

`make_doc` puts an input's metadata on a Doc before the pipeline; `extraction_from_doc`
turns what the components assigned on `doc._` into an `Extraction`. `extract_batch` is
"a batch of inputs -> its records", the one definition both the in-process path
(extractors/nlp.py) and the forked workers (extractors/parallel.py) run;
`extract_batch_each` is the same with each input answered on its own when the batch
fails, so one input the pipeline cannot handle costs only its own record.

The pipeline reads at most `nlp.max_length` characters of a text (`build_nlp` sets it
from `[nlp] max_chars`): a longer text is cut there, at a space when there is one
near, and the record says so (`Extraction.truncated_to`). spaCy's own answer to a
long text is an exception (E088) that took the whole batch down with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from extractors.doc_bounds import release
from extractors.records import (
    Event,
    ExtractInput,
    Extraction,
    ExtractionFailure,
    Mention,
    Official,
    Organization,
    from_plain,
)

# Raised when what extraction outputs changes, so `newswatch reprocess` (without --all)
# re-extracts the articles stored by an older one. 0.2.0: the event score filter and
# the organisation name rules of issue 17's last round.
EXTRACTOR_VERSION = "0.2.0"

# Doc extensions: plain data (see records.to_plain) so n_process > 1 works.
EXTENSIONS = (
    "nw_meta",  # set before the pipeline: id, published, dateline, body_offset
    "nw_countries",
    "nw_minerals",
    "nw_organizations",
    "nw_org_passing",  # char offsets of names said once and unmarked (not organisations)
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

# Characters past the body's start that still open its lead sentence (leading blanks).
LEAD_SLACK = 5


def body_offset(doc: Doc) -> int:
    """Where the body starts in the doc's text: after the title `make_doc` puts first."""
    return int((doc._.nw_meta or {}).get("body_offset") or 0)


# A cut looks this far back for a space, so it does not split a word.
_CUT_LOOKBACK = 1000


def make_doc(nlp: Language, item: ExtractInput) -> Doc:
    text = item.doc_text
    meta: dict[str, Any] = {"id": item.id, "published": item.published, "dateline": item.dateline}
    if len(text) > nlp.max_length:
        cut = cut_point(text, nlp.max_length)
        meta["truncated_to"], meta["text_chars"] = cut, len(text)
        text = text[:cut]  # a prefix: offsets into it are offsets into the stored text
    meta["body_offset"] = min(item.body_offset, len(text))
    doc = nlp.make_doc(text)
    doc._.nw_meta = meta
    return doc


def cut_point(text: str, limit: int) -> int:
    """Where to cut a text longer than `limit`: after the last space before it, if near."""
    for i in range(limit, max(0, limit - _CUT_LOOKBACK), -1):
        if text[i - 1].isspace():
            return i
    return limit


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
        truncated_to=meta.get("truncated_to"),
        text_chars=meta.get("text_chars"),
    )


def extract_batch(nlp: Language, batch: list[ExtractInput], batch_size: int) -> list[Extraction]:
    """One batch of inputs → its records (what each worker process runs)."""
    return list(records(nlp, batch, batch_size))


def extract_batch_each(
    nlp: Language, batch: list[ExtractInput], batch_size: int
) -> list[Extraction | ExtractionFailure]:
    """A batch's records; when the batch fails, each input again on its own, so a
    failure is the record of the one input that caused it."""
    try:
        return list(extract_batch(nlp, batch, batch_size))
    except Exception as exc:  # any failure of the pipeline: isolated, never lost
        if len(batch) == 1:
            return [ExtractionFailure(batch[0].id, describe(exc))]
    out: list[Extraction | ExtractionFailure] = []
    for item in batch:
        out.extend(extract_batch_each(nlp, [item], 1))
    return out


def records_each(
    nlp: Language, items: Iterable[ExtractInput], batch_size: int
) -> Iterator[Extraction | ExtractionFailure]:
    """`records` with each failure isolated to its input (see `extract_batch_each`)."""
    stream = iter(items)
    while batch := list(islice(stream, batch_size)):
        yield from extract_batch_each(nlp, batch, batch_size)


def describe(exc: BaseException) -> str:
    """An exception as one short line: its type and the first line of its message."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def records(
    nlp: Language, items: Iterable[ExtractInput], batch_size: int, n_process: int = 1
) -> Iterator[Extraction]:
    docs = (make_doc(nlp, item) for item in items)
    for doc in nlp.pipe(docs, batch_size=batch_size, n_process=n_process):
        extraction = extraction_from_doc(doc)
        release(doc)
        yield extraction
