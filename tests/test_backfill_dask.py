"""`newswatch backfill --engine dask` on a real LocalCluster (2 worker processes, 1 thread each).

One cluster serves the whole module (started once: worker start-up and the model load
take a while on these machines). WARC files are written in tmp from the real pages of
../shared/corpora/article_pages with some bad records among them. The same files are
backfilled by the local engine and by the Dask engine: the two databases must be
identical, table by table. Then a worker is made to die on one record, and the CLI is
SIGKILLed mid-backfill and started again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dask.config
import pytest
from distributed import Client

from benchmarks.warc_material import WarcPage, corpus_pages, record_member, write_warc
from pipeline.backfill import BackfillOptions, backfill
from pipeline.backfill.cluster import DaskEngine, process_batch
from pipeline.backfill.engines import LocalEngine
from pipeline.backfill.records import Outcome, WarcItem
from pipeline.core.config import Config, NLPConfig, StorageConfig
from tests.test_backfill import page

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
BATCH = 4
RUN_TIMEOUT = 600  # a LocalCluster start and two model loads on a loaded 2-core machine
# Columns stamped with the writer's clock (the CLI runs on the real one).
CLOCK_COLUMNS = {"fetched_at", "processed_at", "first_seen", "last_seen", "history",
                 "seen", "first_reported", "at", "run_id"}  # fmt: skip


def clock() -> dt.datetime:
    return dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC)


def config_for(directory: Path) -> Config:
    return Config(
        storage=StorageConfig(path=str(directory / "nw.db")),
        nlp=NLPConfig(batch_size=BATCH),
    )


@pytest.fixture(scope="module")
def owner() -> Iterator[DaskEngine]:
    """The engine that started a LocalCluster the way `--engine dask --workers 2` does."""
    with DaskEngine(Config(), scheduler=None, workers=2, batch_size=BATCH) as engine:
        assert engine._cluster is not None
        assert engine.threads() == 2
        yield engine


@pytest.fixture(scope="module")
def cluster(owner: DaskEngine) -> str:
    """That cluster's scheduler address: the other engines join it with --scheduler."""
    assert owner._cluster is not None
    return owner._cluster.scheduler_address


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, shared_dir: Path) -> list[Path]:
    """Three WARC files: real pages, bad records among them, a truncated and a corrupt end."""
    root = tmp_path_factory.mktemp("warcs")
    aeb = list(itertools.islice(corpus_pages(shared_dir, ("aeb",)), 9))
    fundus = list(corpus_pages(shared_dir, ("fundus",)))
    english = [p for p in fundus if p.language == "en"][:2]
    other = [p for p in fundus if p.language not in ("en", None)][:2]
    first = root / "a.warc.gz"
    write_warc(
        first,
        [
            *aeb[:4],
            WarcPage("https://img.example/chart.png", b"\x89PNG\r\n", content_type="image/png"),
            WarcPage("https://gone.example/story", b"<p>gone</p>", status=404),
            WarcPage(aeb[0].url + "?utm_source=feed", aeb[0].body),  # the same article again
            *aeb[4:8],
        ],
    )
    second = root / "b.warc.gz"
    members = [record_member(p) for p in [*english, *other]]
    second.write_bytes(b"".join(members)[:-200])  # the last record's download stopped early
    third = root / "c.warc.gz"
    third.write_bytes(record_member(aeb[8]) + b"\x1f\x8b\x08\x00 this is not deflate data")
    return [first, second, third]


@pytest.fixture(scope="module")
def local_db(tmp_path_factory: pytest.TempPathFactory, archive: list[Path], nlp_full) -> Path:
    config = config_for(tmp_path_factory.mktemp("local"))
    with LocalEngine(config, nlp=nlp_full) as engine:
        backfill(config, archive, BackfillOptions(), engine=engine, clock=clock)
    return config.db_path


@pytest.fixture(scope="module")
def dask_db(tmp_path_factory: pytest.TempPathFactory, archive: list[Path], cluster: str) -> Path:
    config = config_for(tmp_path_factory.mktemp("dask"))
    options = BackfillOptions(engine="dask", scheduler=cluster)
    backfill(config, archive, options, clock=clock)  # the engine started from the options
    return config.db_path


def tables(db_path: Path, leave_out: set[str] = frozenset()) -> dict[str, list[tuple]]:
    """Every table's rows (sorted), without the columns named in `leave_out`."""
    conn = sqlite3.connect(db_path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {}
        for name in names:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info('{name}')")]
            kept = ", ".join(f'"{c}"' for c in columns if c not in leave_out)
            rows = [tuple(r) for r in conn.execute(f'SELECT {kept} FROM "{name}"')]
            out[name] = sorted(rows, key=repr)
        return out
    finally:
        conn.close()


def query(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def test_dask_and_local_engines_fill_identical_databases(local_db: Path, dask_db: Path) -> None:
    local, dask = tables(local_db), tables(dask_db)
    assert set(local) == set(dask)
    for name in sorted(local):
        assert dask[name] == local[name], f"table {name} differs"
    # ... and they hold real work: articles with extraction rows, entities linked.
    stored = query(dask_db, "SELECT count(*) FROM articles")[0][0]
    mentions = query(dask_db, "SELECT count(*) FROM mentions")[0][0]
    assert stored == 12 and mentions > 100
    events = query(dask_db, "SELECT count(*) FROM events")[0][0]
    entities = query(dask_db, "SELECT count(*) FROM entities WHERE type = 'official'")[0][0]
    assert events > 0 and entities > 0


def test_bad_input_is_recorded_with_its_reason_and_the_rest_stored(
    dask_db: Path, archive: list[Path]
) -> None:
    ledger = query(
        dask_db, "SELECT file, status, reason FROM backfill_records ORDER BY file, byte_offset"
    )
    first, second, third = (str(p) for p in archive)
    assert [r[1:] for r in ledger if r[0] == first] == [
        ("stored", None), ("stored", None), ("stored", None), ("stored", None),
        ("skipped", "content-type"), ("skipped", "http-status"), ("duplicate", "duplicate"),
        ("stored", None), ("stored", None), ("stored", None), ("stored", None),
    ]  # fmt: skip
    assert [r[1:] for r in ledger if r[0] == second] == [("stored", None)] * 3 + [
        ("failed", "truncated")
    ]
    assert [r[1:] for r in ledger if r[0] == third] == [("stored", None)]
    errors = query(dask_db, "SELECT reason, url FROM run_errors ORDER BY id")
    assert [e[0] for e in errors] == ["content-type", "http-status", "truncated", "corrupt-warc"]
    assert errors[-1][1] == third
    languages = query(dask_db, "SELECT language, count(*) FROM articles GROUP BY 1 ORDER BY 1")
    assert dict(languages)["en"] == 10 and sum(n for _, n in languages) == 12
    not_english = query(
        dask_db, "SELECT count(*) FROM articles WHERE language != 'en' AND processed_at IS NULL"
    )
    assert not_english[0][0] == 2  # stored with their text, left out of NLP
    assert query(dask_db, "SELECT status, new_articles, errors FROM runs") == [("partial", 12, 4)]


# --- a worker that dies ------------------------------------------------------------------

POISON = "https://poison.example/kills-its-worker"


def dying_batch(items: list[WarcItem]) -> list[Outcome]:
    """process_batch, except that a worker handed the poison record dies on the spot."""
    if any(item.url == POISON for item in items):
        os._exit(17)
    return process_batch(items)


def test_a_record_that_kills_its_worker_is_recorded_and_the_rest_stored(
    cluster: str, tmp_path: Path
) -> None:
    warc = tmp_path / "poison.warc.gz"
    pages = [page(n) for n in range(7)]
    pages.insert(4, WarcPage(POISON, pages[0].body.replace(b"Report number", b"Poison")))
    write_warc(warc, pages)
    config = config_for(tmp_path)
    with DaskEngine(config, scheduler=cluster, workers=2, batch_size=3, task=dying_batch) as engine:
        summary = backfill(config, [warc], BackfillOptions(), engine=engine, clock=clock)
    assert (summary.stored, summary.failed) == (7, 1)
    ledger = {
        r[0]: r[1:]
        for r in query(config.db_path, "SELECT url, status, reason FROM backfill_records")
    }
    assert ledger.pop(POISON) == ("failed", "worker-died")
    assert set(ledger.values()) == {("stored", None)} and len(ledger) == 7
    stored = {r[0] for r in query(config.db_path, "SELECT url FROM articles")}
    assert stored == {p.url for p in pages} - {POISON}
    reasons = query(config.db_path, "SELECT reason, url FROM run_errors")
    assert reasons == [("worker-died", POISON)]
    # The cluster replaced the dead workers: it still has two.
    with Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=RUN_TIMEOUT)


def test_a_worker_its_nanny_gave_up_on_is_replaced(owner: DaskEngine, cluster: str) -> None:
    """A worker that dies while it starts is not restarted by its nanny: the nanny
    closes, and the cluster drops it after lost-worker-timeout (what befalls a restarted
    worker handed the poison record again). The engine that owns the cluster starts
    another in its place."""
    local = owner._cluster
    assert local is not None
    with Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=RUN_TIMEOUT)
        name, nanny = next(iter(local.workers.items()))
        with dask.config.set({"distributed.deploy.lost-worker-timeout": "1s"}):
            local.sync(nanny.close, reason="nanny-instantiate-failed")  # as the nanny does
            deadline = time.monotonic() + RUN_TIMEOUT
            while local.workers.get(name) is nanny:  # the cluster drops it
                assert time.monotonic() < deadline, "the cluster kept the closed nanny"
                time.sleep(0.1)
        client.wait_for_workers(2, timeout=RUN_TIMEOUT)
        # The cluster records the new nanny once its worker has joined the scheduler.
        while name not in local.workers:
            assert time.monotonic() < deadline, "no nanny took the dropped one's place"
            time.sleep(0.1)
        assert local.workers[name] is not nanny and len(local.workers) == 2


# --- SIGKILL mid-backfill, then again ------------------------------------------------------


def cli(config: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "backfill", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def ledger_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        return query(db_path, "SELECT count(*) FROM backfill_records")[0][0]
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def test_sigkill_mid_backfill_then_a_rerun_matches_a_clean_backfill(
    tmp_path: Path, archive: list[Path], dask_db: Path, cluster: str
) -> None:
    db_path = tmp_path / "nw.db"
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{db_path}"\n\n[nlp]\nbatch_size = {BATCH}\n')
    total = ledger_rows(dask_db)
    files = [str(p) for p in archive]

    # Killed once some batches are committed and before the end: its own LocalCluster.
    proc = cli(config, *files, "--engine", "dask", "--workers", "2", "--batch-size", "2")
    deadline = time.monotonic() + RUN_TIMEOUT
    while ledger_rows(db_path) < 4:
        assert proc.poll() is None, b"\n".join(proc.communicate()).decode()[-3000:]
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    done = ledger_rows(db_path)
    assert 4 <= done < total, f"the kill should land mid-backfill ({done} of {total})"
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_path, "SELECT status FROM runs") == [("running",)]

    # Started again (on the module's cluster this time): it finishes the rest.
    rerun = cli(config, *files, "--engine", "dask", "--scheduler", cluster)
    out, err = rerun.communicate(timeout=RUN_TIMEOUT)
    assert rerun.returncode == 0, (out + err).decode()[-3000:]
    assert f"({done} done before, 0 outside the dates)" in out.decode()
    assert query(db_path, "SELECT status FROM runs ORDER BY id") == [
        ("interrupted",),
        ("partial",),
    ]
    for key in ("canonical_url", "text_hash"):
        twice = f"SELECT {key} FROM articles GROUP BY {key} HAVING count(*) > 1"
        assert query(db_path, twice) == []
    # Nothing lost, nothing doubled: every table as the clean backfill left it, apart from
    # the runs and their errors (two runs here) and the times the real clock stamped.
    resumed, clean = tables(db_path, CLOCK_COLUMNS), tables(dask_db, CLOCK_COLUMNS)
    for name in sorted(set(clean) - {"runs", "run_errors"}):
        assert resumed[name] == clean[name], f"table {name} differs"


def test_kb_rows_travel_to_the_workers_with_the_plugin(tmp_path: Path) -> None:
    """A worker on another machine has no database: the analyst's KB rows (`kb add`)
    are read by the client and reach the worker with its plugin, so the dask path links
    officials as a run does. Here the worker's config points at no database at all."""
    from benchmarks.warc_material import news_page
    from pipeline.backfill.cluster import ModelPlugin
    from pipeline.backfill.records import RecordKey
    from pipeline.backfill.steps import process
    from pipeline.kb.entries import analyst_row

    config = config_for(tmp_path / "nowhere")
    assert not config.db_path.exists()
    text = (
        "WASHINGTON, June 3 - U.S. Treasury Secretary Scott Bessent said on Tuesday that "
        "tariffs on steel imports would rise next month. " * 3
    )
    item = WarcItem(
        RecordKey("a.warc.gz", 0), "https://wire.example/story/1", None, "wire",
        "text/html", payload=news_page("Treasury on tariffs", text),
    )  # fmt: skip
    row = analyst_row(
        "Scott Bessent", qid="Q7436010", office="Secretary of the Treasury",
        country="United States", start="2025-01-28",
    )  # fmt: skip

    def bessent(plugin: ModelPlugin) -> str | None:
        (outcome,) = process(plugin.config, plugin, [item])
        assert outcome.extraction is not None, outcome
        (official,) = [o for o in outcome.extraction.officials if o.name == "Scott Bessent"]
        return official.kb_id

    assert bessent(ModelPlugin(config)) is None  # not in the shipped KB
    assert bessent(ModelPlugin(config, [row])) == "Q7436010"
