"""The composed "text → NLP" step that `run`, `reprocess` and backfills share.

Articles come in with their main text; out come `(article, extraction)` pairs, the
extraction None for an article the configured languages leave out (it is stored with
its text, searchable, but an English model on German text finds nonsense). The model
is loaded on the first article that needs it, so a stream with nothing new never
loads it; `[nlp] batch_size` and `n_process` are honoured. Callers decide how to
store a pair: a run adds the article, a reprocess replaces its rows.

Each article is extracted on its own account: one the pipeline fails on comes out
paired with an `ExtractionFailure` (its reason) and the others go on; one longer than
`[nlp] max_chars` is read up to there, and its extraction says so (`truncated_to`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from pipeline.core.config import Config
from pipeline.core.models import ArticleText

if TYPE_CHECKING:
    from spacy.language import Language

    from extractors import Extraction, ExtractionFailure
    from extractors.kb import KBRow


class PipelineSource(Protocol):
    """Where the loaded spaCy pipeline comes from (`RunContext`: loaded once, then kept),
    and the office-holder KB rows kept in the database to apply to it (an analyst's
    `kb add`, a `kb update`): read where the database is, so that a Dask worker on
    another machine gets the same rows from the client that has it."""

    def pipeline(self, config: Config) -> Language: ...

    def kb_rows(self, config: Config) -> Sequence[KBRow]: ...


def wanted_language(config: Config, article: ArticleText) -> bool:
    """Whether `[nlp] languages` sends this article through NLP (unknown language: yes)."""
    languages = config.nlp.languages
    return not languages or not article.language or article.language in languages


def extract_articles(
    config: Config, context: PipelineSource, articles: Iterable[ArticleText]
) -> Iterator[tuple[ArticleText, Extraction | ExtractionFailure | None]]:
    """Each article with what NLP found in it (None: not in a configured language;
    an ExtractionFailure: the pipeline failed on this one article).

    An article left out by language is yielded at once, ahead of the articles still
    in NLP; the others come out in input order.
    """
    articles = iter(articles)
    first = next(articles, None)
    if first is None:
        return  # nothing to do: the model is never loaded
    from extractors import ExtractInput, extract_each
    from pipeline.kb.entries import apply_rows

    pending: dict[str, ArticleText] = {}
    skipped: list[ArticleText] = []

    def inputs() -> Iterator[ExtractInput]:
        for n, article in enumerate(_chain(first, articles)):
            if not wanted_language(config, article):
                skipped.append(article)
                continue
            key = str(n)
            pending[key] = article
            yield ExtractInput(
                id=key,
                text=article.text,
                title=article.title,
                published=article.published,
                dateline=article.dateline,
            )

    nlp = context.pipeline(config)
    # The office-holder KB rows kept in the database (an analyst's corrections, a
    # refresh) go to the KB component before any article of this call is extracted.
    apply_rows(nlp, context.kb_rows(config))
    batches = extract_each(
        nlp, inputs(), batch_size=config.nlp.batch_size, n_process=config.nlp.n_process
    )
    for extraction in batches:
        yield from _drain(skipped)
        yield pending.pop(extraction.id), extraction
    yield from _drain(skipped)


def _drain(skipped: list[ArticleText]) -> Iterator[tuple[ArticleText, None]]:
    while skipped:
        yield skipped.pop(0), None


def _chain(first: ArticleText, rest: Iterator[ArticleText]) -> Iterator[ArticleText]:
    yield first
    yield from rest
