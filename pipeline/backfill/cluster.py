"""The Dask engine: record batches go to `dask.distributed` workers, outcomes come back in order.

The client (this process) reads the WARC files and sends batches of records with
`Client.submit`; each worker runs `steps.process` on them (text stage, then NLP
with the spaCy pipeline that `ModelPlugin` loaded once when the worker joined)
and sends back `Outcome`s: ArticleText + Extraction records, never spaCy Docs.
The client yields them in record order to the one writer.

- `--scheduler tcp://host:8786` joins a running cluster (`dask scheduler` plus
  `dask worker --nthreads 1` on each machine, each with newswatch installed);
  without it a `LocalCluster` of `workers` processes (one thread each: spaCy
  holds the GIL) runs on this machine.
- Only `2 x threads` batches are in flight, so the client's memory does not
  grow with the size of the archive.
- A worker that dies (killed, out of memory) has its batch retried elsewhere by
  the scheduler; a batch that kills `ALLOWED_FAILURES + 1` workers, or raises,
  is split and its records retried alone, one after the other, so only the record
  at fault is recorded as failed (`worker-died`, `task-error`) and the rest stored.
- The engine's own LocalCluster is kept at `workers`: a worker whose nanny gave up
  on it (it died while starting) is replaced (`_keep_workers`).
- The cluster itself going away (the scheduler unreachable, no worker left for
  WORKERS_SECONDS) stops the backfill with ClusterError: what was stored stays, a
  rerun resumes.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from distributed import Client, Future, KilledWorker, LocalCluster, WorkerPlugin, get_worker
from distributed.core import Status
from threadpoolctl import threadpool_limits
from tornado.ioloop import PeriodicCallback

from pipeline.backfill.records import Outcome, WarcItem, Work
from pipeline.backfill.steps import process
from pipeline.core.config import Config, NLPConfig
from pipeline.core.errors import NewswatchError
from pipeline.kb.entries import stored_rows

if TYPE_CHECKING:
    from spacy.language import Language

    from extractors.kb import KBRow

log = logging.getLogger(__name__)

PLUGIN_NAME = "newswatch-backfill"
ALLOWED_FAILURES = 1  # a batch whose worker died is retried once before it is split
AHEAD_PER_THREAD = 2  # batches in flight per worker thread
CONNECT_SECONDS = 30
WORKERS_SECONDS = 120  # wait this long for a worker (at the start, or when all are gone)
POLL_SECONDS = 10  # how often a wait for results checks that the cluster has workers
KEEP_SECONDS = 5  # how often an engine's own LocalCluster is checked for a lost worker
KEEPER = "newswatch-keep-workers"  # its periodic callback's name on the cluster

BatchTask = Callable[[list[WarcItem]], list[Outcome]]


class ClusterError(NewswatchError):
    """The Dask cluster cannot be reached or went away; what was stored stays."""


@functools.lru_cache(maxsize=2)
def _loaded_pipeline(nlp_config: NLPConfig) -> Language:
    from extractors import build_nlp

    return build_nlp(nlp_config)


class ModelPlugin(WorkerPlugin):
    """Loads the spaCy pipeline once per worker process, when the worker starts or joins.

    The loaded pipeline is cached at module level in the worker, so a second
    backfill registering the plugin on the same cluster does not load it again.
    """

    name = PLUGIN_NAME

    def __init__(self, config: Config, kb_rows: Sequence[KBRow] = ()) -> None:
        # One worker is one process: its NLP runs in it.
        self.config = dataclasses.replace(config, nlp=dataclasses.replace(config.nlp, n_process=1))
        # Read by the client, where the database is: a worker on another machine has none.
        self.rows = list(kb_rows)

    def setup(self, worker: Any) -> None:
        # One BLAS thread, as the local engine runs (see engines.LocalEngine): a worker
        # started without a nanny has not had OPENBLAS_NUM_THREADS=1 set for it.
        self._blas = threadpool_limits(limits=1)
        _loaded_pipeline(self.config.nlp)

    def pipeline(self, config: Config) -> Language:
        return _loaded_pipeline(config.nlp)

    def kb_rows(self, config: Config) -> list[KBRow]:
        return self.rows


def process_batch(items: list[WarcItem]) -> list[Outcome]:
    """The task each worker runs: one batch of records through `steps.process`."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    assert isinstance(plugin, ModelPlugin)
    return list(process(plugin.config, plugin, items))


@dataclass
class _Batch:
    """Records sent as one task, with the decided outcomes that came between them."""

    entries: list[Work] = field(default_factory=list)
    future: Future | None = None

    @property
    def items(self) -> list[WarcItem]:
        return [e for e in self.entries if isinstance(e, WarcItem)]

    def merged(self, results: list[Outcome]) -> list[Outcome]:
        """The task's outcomes (one per record, in order) with the decided ones in place."""
        from_task = iter(results)
        return [e if isinstance(e, Outcome) else next(from_task) for e in self.entries]


class DaskEngine:
    """`with DaskEngine(...) as engine: for outcome in engine.outcomes(work): ...`"""

    def __init__(
        self,
        config: Config,
        *,
        scheduler: str | None,
        workers: int,
        batch_size: int,
        task: BatchTask = process_batch,
    ) -> None:
        self.config = config
        self.scheduler = scheduler
        self.workers = workers
        self.batch_size = batch_size
        self.task = task
        self.client: Client | None = None
        self._cluster: LocalCluster | None = None

    def __enter__(self) -> DaskEngine:
        # The scheduler and nannies of a LocalCluster log in this process: their INFO
        # chatter (and the warning when a worker with a loaded model is slow to exit)
        # is shown with -v only.
        verbose = logging.getLogger().getEffectiveLevel() <= logging.INFO
        logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.ERROR)
        try:
            if self.scheduler:
                self.client = Client(self.scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
                self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
            else:
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    # Its HTTP routes on a free loopback port, not on 8787 for everyone.
                    dashboard_address="127.0.0.1:0",
                    silence_logs=logging.ERROR,
                    scheduler_kwargs={"allowed_failures": ALLOWED_FAILURES},
                )
                self.client = Client(self._cluster, set_as_default=False)
                _keep_workers(self._cluster, self.workers)
        except (OSError, TimeoutError) as exc:
            self.__exit__(None, None, None)
            where = self.scheduler or "a local cluster"
            raise ClusterError(f"cannot use the Dask scheduler at {where}: {exc}") from None
        try:
            # Raises what a worker raised loading the pipeline (newswatch or its model
            # not installed there): better now than as every record's failure.
            rows = stored_rows(self.config.db_path)
            self.client.register_plugin(ModelPlugin(self.config, rows))
        except Exception as exc:
            self.__exit__(None, None, None)
            raise ClusterError(
                f"the Dask workers cannot load the pipeline: {_describe(exc)}"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def threads(self) -> int:
        """Worker threads in the cluster now (a question to the scheduler: once a batch)."""
        assert self.client is not None
        return max(1, sum(self.client.nthreads().values()))

    def outcomes(self, work: Iterator[Work]) -> Iterator[Outcome]:
        """Outcomes in the order of `work`, with a bounded number of batches in flight."""
        pending: deque[_Batch | Outcome] = deque()
        open_batch: _Batch | None = None
        in_flight = 0
        limit = AHEAD_PER_THREAD * self.threads()
        for entry in work:
            if isinstance(entry, Outcome) and open_batch is None:
                pending.append(entry)
            else:
                if open_batch is None:
                    open_batch = _Batch()
                    pending.append(open_batch)
                open_batch.entries.append(entry)  # an outcome after a record keeps its place
                if isinstance(entry, WarcItem) and len(open_batch.items) >= self.batch_size:
                    self._submit(open_batch)
                    open_batch, in_flight = None, in_flight + 1
                    limit = AHEAD_PER_THREAD * self.threads()  # workers come and go: ask
            # Hand on whatever is finished at the head, then wait while too much is out.
            while pending and self._ready(pending[0]):
                outcomes, sent = self._take_head(pending)
                in_flight -= sent
                yield from outcomes
            while in_flight >= limit:
                outcomes, sent = self._take_head(pending)
                in_flight -= sent
                yield from outcomes
        if open_batch is not None:
            self._submit(open_batch)  # the last, short batch
        while pending:
            yield from self._take_head(pending)[0]

    # --- internals ---------------------------------------------------------------------

    def _submit(self, batch: _Batch) -> None:
        assert self.client is not None
        batch.future = self.client.submit(self.task, batch.items, pure=False)

    @staticmethod
    def _ready(entry: _Batch | Outcome) -> bool:
        return isinstance(entry, Outcome) or (entry.future is not None and entry.future.done())

    def _take_head(self, pending: deque[_Batch | Outcome]) -> tuple[list[Outcome], int]:
        """The outcomes at the head of `pending` (waiting for them); 1 when it was a batch."""
        head = pending.popleft()
        if isinstance(head, Outcome):
            return [head], 0
        return self._results(head), 1

    def _wait(self, future: Future) -> list[Outcome]:
        """The task's result; ClusterError when the cluster has had no worker for too long."""
        no_workers_since: float | None = None
        while True:
            try:
                result: list[Outcome] = future.result(timeout=POLL_SECONDS)
                return result
            except TimeoutError:
                if future.done():
                    raise  # the task's own TimeoutError, not the wait's
                assert self.client is not None
                if self.client.nthreads():
                    no_workers_since = None
                    continue
                now = time.monotonic()
                no_workers_since = no_workers_since or now
                if now - no_workers_since > WORKERS_SECONDS:
                    raise ClusterError(
                        f"the Dask cluster has had no worker for {WORKERS_SECONDS} s"
                    ) from None

    def _results(self, batch: _Batch) -> list[Outcome]:
        assert batch.future is not None
        try:
            return batch.merged(self._wait(batch.future))
        except CancelledError:
            raise ClusterError("the Dask cluster cancelled the work (scheduler gone?)") from None
        except Exception as exc:
            items = batch.items
            if len(items) == 1:
                return batch.merged([_failed(items[0], exc)])
            log.info("a batch of %d records failed (%s): retrying them one by one",
                     len(items), _describe(exc))  # fmt: skip
            # One at a time: a task queued on a worker that a poison record kills is
            # blamed with it, so a record is only called dead once it has run alone.
            outcomes: list[Outcome] = []
            for item in items:
                single = _Batch([item])
                self._submit(single)
                outcomes += self._results(single)
            return batch.merged(outcomes)
        finally:
            batch.future.release()


def _keep_workers(cluster: LocalCluster, workers: int) -> None:
    """Have `cluster` start a new worker in place of one its nanny gave up on.

    A nanny restarts a worker process that dies while it runs, but not one that dies
    while it is starting (the restarted worker handed the poison record again, killed
    while it loads the model): in distributed 2026.8 the nanny then closes itself. And
    the cluster drops any nanny whose worker has been gone longer than
    `distributed.deploy.lost-worker-timeout`, even one still restarting it on a loaded
    machine. Nothing starts another in either case, so a long backfill would go on one
    worker short, or end with none. Asking the cluster for its size again (`scale`)
    starts one for each nanny it dropped. The check runs on the cluster's event loop
    every KEEP_SECONDS and stops when the cluster closes.
    """

    def check() -> None:
        scheduler = cluster.scheduler  # a LocalCluster's runs in this process
        if cluster.status != Status.running or scheduler is None:
            return
        dropped = set(cluster.worker_spec) - set(cluster.workers)
        # The scheduler must have let the old worker of that name go (a nanny the cluster
        # dropped may still be taking its worker down): a new one would be refused.
        live = {w.name for w in scheduler.workers.values()}
        if dropped and not dropped & live:
            log.info("the local cluster lost %d worker(s) for good: starting more", len(dropped))
            cluster.scale(workers)

    def install() -> None:
        keeper = PeriodicCallback(check, KEEP_SECONDS * 1000)
        cluster.periodic_callbacks[KEEPER] = keeper  # stopped by cluster.close()
        keeper.start()

    loop = cluster.loop
    assert loop is not None  # a started cluster has its loop
    loop.add_callback(install)


def _failed(item: WarcItem, exc: Exception) -> Outcome:
    if isinstance(exc, KilledWorker):
        message = "every worker that ran it died (KilledWorker)"
        return Outcome(item.key, item.url, "failed", "worker-died", message)
    return Outcome(item.key, item.url, "failed", "task-error", _describe(exc))


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
