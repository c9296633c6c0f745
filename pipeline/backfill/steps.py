"""The work done on each record, wherever it runs: payload → text stage → NLP.

Both engines run `process`: the local engine over the whole stream in this
process, each Dask worker over one batch. It is the run's own composition, not a
copy: the text stage is `pipeline.run.article_from_page` (what a run does with a
fetched page) and the NLP step is `pipeline.process.extract_articles` (the
`[nlp] languages` filter, `batch_size`, `n_process`). What comes out are
`Outcome`s, in input order, carrying `ArticleText` + `Extraction` records.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from extractors.records import ExtractionFailure
from pipeline.backfill.records import Outcome, WarcItem, Work
from pipeline.backfill.warc import PayloadError, decode_payload
from pipeline.core.config import Config
from pipeline.core.errors import FetchError
from pipeline.core.models import ArticleText, FeedItem, Page
from pipeline.process import PipelineSource, extract_articles
from pipeline.run import article_from_page


def text_stage(item: WarcItem, config: Config) -> ArticleText | Outcome:
    """The record's article, or the failed Outcome saying why there is none."""
    if item.problem is not None:
        return Outcome.of_problem(item, item.problem)
    try:
        body = decode_payload(item, config.fetch.max_bytes)
    except PayloadError as exc:
        return Outcome(item.key, item.url, "failed", exc.reason, str(exc))
    page = Page(item.url, item.url, 200, item.content_type, body)
    try:
        return article_from_page(page, FeedItem(item.source, item.url), item.source)
    except FetchError as exc:
        return Outcome(item.key, item.url, "failed", exc.reason, str(exc))
    except Exception as exc:  # one odd page must not stop a backfill of millions
        message = f"{type(exc).__name__}: {exc}"
        return Outcome(item.key, item.url, "failed", "text-stage", message)


def process(config: Config, nlp: PipelineSource, work: Iterable[Work]) -> Iterator[Outcome]:
    """Outcomes of `work` in its order: decided ones as they are, records through both stages.

    `extract_articles` yields an article outside `[nlp] languages` ahead of those
    still in NLP; the outcomes are put back in input order here, so the writer
    stores records in file order whichever engine ran them (the database is the
    same). Only the batches `extract_articles` reads ahead are held meanwhile.
    """
    order: deque[int] = deque()
    done: dict[int, Outcome] = {}
    waiting: dict[int, tuple[int, WarcItem]] = {}  # id(article) → (position, record)

    def articles() -> Iterator[ArticleText]:
        for n, entry in enumerate(work):
            order.append(n)
            found = entry if isinstance(entry, Outcome) else text_stage(entry, config)
            if isinstance(found, Outcome):
                done[n] = found
                continue
            assert isinstance(entry, WarcItem)
            waiting[id(found)] = (n, entry)
            yield found

    def ready() -> Iterator[Outcome]:
        while order and order[0] in done:
            yield done.pop(order.popleft())

    for article, extraction in extract_articles(config, nlp, articles()):
        n, item = waiting.pop(id(article))
        if isinstance(extraction, ExtractionFailure):  # stored by its text, the reason kept
            done[n] = Outcome(item.key, item.url, "extracted", "nlp", extraction.reason, article)
            yield from ready()
            continue
        done[n] = Outcome(item.key, item.url, "extracted", article=article, extraction=extraction)
        yield from ready()
    yield from ready()
