"""Where the text stage and NLP run: this machine (`local`) or a Dask cluster (`dask`).

An engine is a context manager with `outcomes(work) -> Iterator[Outcome]`, the
outcomes in the order of `work`. The local engine is the run's own worker path:
`steps.process` in this process, with `[nlp] n_process` (or `--workers`) forked
extraction workers sending back records (extractors/parallel.py). The Dask engine
(cluster.py, imported only when chosen: dask takes a second to import) spreads
record batches over a cluster. Either way the one writer is the caller.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

from threadpoolctl import threadpool_limits

from pipeline.backfill.records import Outcome, Work
from pipeline.backfill.steps import process
from pipeline.core.config import Config
from pipeline.run import RunContext

if TYPE_CHECKING:
    from spacy.language import Language


EngineName = Literal["local", "dask"]


class Engine(Protocol):
    def __enter__(self) -> Engine: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def outcomes(self, work: Iterator[Work]) -> Iterator[Outcome]: ...


class LocalEngine:
    """Text stage and NLP on this machine; NLP in `workers` processes when more than one."""

    def __init__(
        self,
        config: Config,
        *,
        workers: int | None = None,
        nlp: Language | None = None,
    ) -> None:
        if workers:
            config = dataclasses.replace(
                config, nlp=dataclasses.replace(config.nlp, n_process=workers)
            )
        self.config = config
        # Loads the pipeline on the first article (unless one is given), then keeps it.
        self._context = RunContext(nlp=nlp)
        self._blas: Any = None

    def __enter__(self) -> LocalEngine:
        # One BLAS thread, as on a Dask worker (distributed sets OMP/OPENBLAS_NUM_THREADS=1
        # for its worker processes): the model's matrix products sum in another order
        # with more threads, which moves a borderline entity now and then, and the
        # database must not depend on which engine filled it.
        self._blas = threadpool_limits(limits=1)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._blas.restore_original_limits()

    def outcomes(self, work: Iterator[Work]) -> Iterator[Outcome]:
        return process(self.config, self._context, work)


def open_engine(
    name: EngineName,
    config: Config,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
) -> Engine:
    """The engine `name`, configured; enter it to start it (a LocalCluster starts then)."""
    if batch_size:
        config = dataclasses.replace(
            config, nlp=dataclasses.replace(config.nlp, batch_size=batch_size)
        )
    if name == "local":
        return LocalEngine(config, workers=workers)
    from pipeline.backfill.cluster import DaskEngine

    return DaskEngine(
        config,
        scheduler=scheduler,
        workers=workers or os.cpu_count() or 2,
        batch_size=config.nlp.batch_size,
    )
