"""Extraction in worker processes, sending back records instead of Docs.

spaCy's own `nlp.pipe(n_process=N)` serialises every finished Doc in the worker
(tokens, strings, the 96-wide tok2vec tensor, user data: 100-300 KB for a news
article) and rebuilds it in the parent, which on a 2-core machine then competes
with the two workers for a core just to throw most of it away. newswatch only
needs the Extraction records (a few KB), so here the workers run the pipeline
AND build the records, and only those cross the process boundary.

Workers are forked, so they start with the parent's loaded pipeline at no cost
(copy-on-write) and nothing has to be picklable but the inputs and the records.
Batches go out in order with a bounded number in flight (input is streamed, never
read ahead in full) and come back reordered, so the output order is the input order.

Failure modes, all raised in the parent as ExtractionWorkerError:
- a component raises inside a worker: the worker reports the traceback and the
  batch's error is raised when that batch's turn comes;
- a worker dies (killed, out of memory): noticed while waiting, with its exit code.
When the caller stops early (closes the generator) or an error is raised, the
workers are told to stop and, failing that, terminated.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from multiprocessing.process import BaseProcess
from typing import Any, Literal, overload

from spacy.language import Language

# the one definition of "a batch -> records", and of it with failures isolated
from extractors.docs import extract_batch, extract_batch_each
from extractors.errors import ExtractionWorkerError
from extractors.records import ExtractInput, Extraction, ExtractionFailure

# Batches sent ahead per worker: enough that a worker never waits for the parent,
# few enough that memory stays bounded by a handful of batches.
_AHEAD_PER_WORKER = 2
_POLL_SECONDS = 1.0  # how often a waiting parent checks that the workers are alive
_STOP_SECONDS = 5.0  # grace for workers to exit on the stop signal before terminate()


@dataclass(frozen=True)
class _Failure:
    traceback: str


def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


@overload
def extract_in_workers(
    nlp: Language,
    items: Iterable[ExtractInput],
    batch_size: int,
    n_process: int,
    each: Literal[False] = False,
) -> Iterator[Extraction]: ...


@overload
def extract_in_workers(
    nlp: Language,
    items: Iterable[ExtractInput],
    batch_size: int,
    n_process: int,
    each: Literal[True],
) -> Iterator[Extraction | ExtractionFailure]: ...


def extract_in_workers(
    nlp: Language,
    items: Iterable[ExtractInput],
    batch_size: int,
    n_process: int,
    each: bool = False,
) -> Iterator[Any]:
    """Like extract() with n_process workers; records come back in input order.

    `each`: a worker answers an input it fails on with an ExtractionFailure
    (`extract_batch_each`) instead of failing its batch.
    """
    ctx = mp.get_context("fork")
    tasks: Any = ctx.Queue()
    results: Any = ctx.Queue()
    workers = [
        ctx.Process(
            target=_work,
            args=(nlp, tasks, results, batch_size, each),
            name=f"newswatch-extract-{n}",
            daemon=True,
        )
        for n in range(n_process)
    ]
    for worker in workers:
        worker.start()
    iter_items = iter(items)
    batches = iter(lambda: list(islice(iter_items, batch_size)), [])
    sent = received = next_out = 0
    done: dict[int, list[Extraction] | _Failure] = {}
    try:
        while True:
            while sent - received < _AHEAD_PER_WORKER * n_process:
                batch = next(batches, None)
                if batch is None:
                    break
                tasks.put((sent, batch))
                sent += 1
            if next_out == sent:
                return  # every batch sent has been yielded and the input is exhausted
            while next_out not in done:
                seq, payload = _receive(results, workers)
                done[seq] = payload
                received += 1
            payload = done.pop(next_out)
            next_out += 1
            if isinstance(payload, _Failure):
                raise ExtractionWorkerError(
                    f"extraction failed in a worker process:\n{payload.traceback}"
                )
            yield from payload
    finally:
        _stop(workers, tasks)


def _receive(results: Any, workers: Sequence[BaseProcess]) -> tuple[int, Any]:
    while True:
        try:
            message: tuple[int, Any] = results.get(timeout=_POLL_SECONDS)
            return message
        except queue.Empty:
            dead = [w for w in workers if not w.is_alive()]
            if dead:
                codes = ", ".join(f"{w.name} exit code {w.exitcode}" for w in dead)
                raise ExtractionWorkerError(f"an extraction worker died ({codes})") from None


def _stop(workers: Sequence[BaseProcess], tasks: Any) -> None:
    for _ in workers:
        tasks.put(None)
    for worker in workers:
        worker.join(_STOP_SECONDS)
        if worker.is_alive():
            worker.terminate()
            worker.join()
    tasks.cancel_join_thread()  # leftover batches of an early stop need not be flushed


def _work(nlp: Language, tasks: Any, results: Any, batch_size: int, each: bool) -> None:

    # Ctrl-C reaches the whole process group: the parent decides, and stops us.
    # SIGTERM gets its default action back in case the parent installed a handler.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while (task := tasks.get()) is not None:
        seq, batch = task
        try:
            run = extract_batch_each if each else extract_batch
            results.put((seq, run(nlp, batch, batch_size)))
        except Exception:  # reported to the parent, which raises it
            results.put((seq, _Failure(traceback.format_exc())))
