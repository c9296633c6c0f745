"""Assemble the extraction pipeline and run it over articles.

The spaCy model does tokens, sentences, parse and NER; newswatch's components
(registered with `Language.factory` in the sibling modules) add countries,
minerals, organisations, officials and events on `doc._`, in that order, each
reading what the ones before it assigned. The order and names come from
`[nlp] components` in config.toml, and each component's settings from its
`[nlp.settings.<name>]` table (the keys are extractors/settings.py's).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from spacy.language import Language

from extractors import (  # noqa: F401  (factories)
    countries,
    event_scores,
    events,
    kb_officials,
    minerals,
    officials,
    organizations,
    relevance,
)
from extractors.doc_bounds import MAX_SENTENCE_TOKENS
from extractors.docs import (
    EXTRACTOR_VERSION,
    extract_batch,
    extraction_from_doc,
    make_doc,
    records,
    records_each,
    register_extensions,
)
from extractors.errors import ExtractorConfigError
from extractors.model import load_model
from extractors.parallel import extract_in_workers, fork_available
from extractors.records import ExtractInput, Extraction, ExtractionFailure
from extractors.settings import ComponentSettings

# Characters of one text the pipeline reads when the settings do not say ([nlp] max_chars).
DEFAULT_MAX_CHARS = 200_000


class NLPSettings(Protocol):
    """What `build_nlp` reads: the application's `[nlp]` config satisfies it as it is."""

    @property
    def model(self) -> str: ...
    @property
    def components(self) -> Sequence[str]: ...
    @property
    def settings(self) -> ComponentSettings: ...
    @property
    def max_chars(self) -> int: ...


def build_nlp(config: NLPSettings) -> Language:
    """Load the configured model and add the configured components, each built with
    its `[nlp.settings.<name>]` table (`nlp.add_pipe(name, config=...)`).

    Before the parser goes `newswatch_sentence_bounds` (extractors/doc_bounds.py): no
    sentence, parse tree or entity grows past MAX_SENTENCE_TOKENS tokens of text
    without sentence punctuation, which keeps every component linear in the length.
    After NER goes `newswatch_line_entities`: no entity runs across a paragraph break.
    `nlp.max_length` is `max_chars`: longer texts are cut there (extractors/docs.py).
    """
    nlp = load_model(config.model)
    nlp.max_length = config.max_chars
    first = next((p for p in ("parser", "senter") if p in nlp.pipe_names), None)
    if first is not None and "newswatch_sentence_bounds" not in nlp.pipe_names:
        nlp.add_pipe(
            "newswatch_sentence_bounds",
            before=first,
            config={"max_tokens": MAX_SENTENCE_TOKENS},
        )
    if "ner" in nlp.pipe_names and "newswatch_line_entities" not in nlp.pipe_names:
        nlp.add_pipe("newswatch_line_entities", after="ner")
    for name in config.components:
        if not nlp.has_factory(name):
            known = ", ".join(sorted(f for f in nlp.factory_names if f.startswith("newswatch_")))
            raise ExtractorConfigError(
                f"nlp.components: no component named '{name}' (known: {known})"
            )
        if name not in nlp.pipe_names:
            nlp.add_pipe(name, config=config.settings.get(name, {}))
    return nlp


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
        yield from records(nlp, items, batch_size, n_process)


def extract_each(
    nlp: Language,
    items: Iterable[ExtractInput],
    batch_size: int = 32,
    n_process: int = 1,
) -> Iterator[Extraction | ExtractionFailure]:
    """`extract`, but an input the pipeline fails on gives an ExtractionFailure in its
    place instead of raising: the run, `extract` and backfills go on past it.

    A worker process that dies still raises (ExtractionWorkerError): that is no one
    input's failure.
    """
    if n_process > 1 and fork_available():
        yield from extract_in_workers(nlp, items, batch_size, n_process, each=True)
    else:
        yield from records_each(nlp, items, batch_size)


__all__ = [
    "EXTRACTOR_VERSION",
    "NLPSettings",
    "build_nlp",
    "extract",
    "extract_batch",
    "extract_each",
    "extraction_from_doc",
    "make_doc",
    "register_extensions",
]
