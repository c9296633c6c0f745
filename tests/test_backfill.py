"""`newswatch backfill` on this machine: WARC reading, bad input, order, the ledger, resuming.

WARC files are written in tmp_path with FastWARC (benchmarks/warc_material.py). Unit
tests run the real text stage and storage with a blank spaCy pipeline; the tests
marked integration use the real model and the real pages of ../shared. The Dask
engine has its own module (test_backfill_dask.py), which compares both engines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import shutil
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner

from benchmarks.warc_material import WarcPage, news_page, record_member, write_warc
from pipeline.backfill import BackfillOptions, BackfillSummary, backfill, warc_files
from pipeline.backfill.engines import LocalEngine
from pipeline.backfill.records import Outcome, Problem, RecordKey, WarcItem, Work
from pipeline.backfill.steps import process
from pipeline.backfill.warc import PayloadError, WarcReadError, decode_payload, read_warc
from pipeline.cli import main
from pipeline.core.config import Config, NLPConfig, StorageConfig

ENGLISH = [
    ("Lithium prices fall", "Lithium prices fell sharply on Monday in Santiago.\n\n"
     "Chile's mining minister said exports of lithium carbonate would rise next year."),
    ("Copper smelter opens", "A new copper smelter opened in Zambia on Tuesday.\n\n"
     "The plant will process ore from mines in the Copperbelt province, officials said."),
    ("Gallium export controls", "China announced export controls on gallium and germanium.\n\n"
     "The measures take effect in August, the commerce ministry said in Beijing."),
    ("Nickel output rises", "Indonesia raised nickel output for the third month in a row.\n\n"
     "Smelters on Sulawesi ran at full capacity, the energy ministry said on Friday."),
]  # fmt: skip
GERMAN = (
    "Kupferpreise steigen",
    "Die Preise für Kupfer sind am Montag deutlich gestiegen.\n\n"
    "Händler in Frankfurt verwiesen auf die starke Nachfrage aus China und Europa.",
)


def page(n: int, lang: str = "en", host: str = "wire.example") -> WarcPage:
    title, text = GERMAN if lang == "de" else ENGLISH[n % len(ENGLISH)]
    text = f"{text}\n\nReport number {n} of the series."
    return WarcPage(f"https://{host}/story/{n}", news_page(title, text, lang=lang))


def blank_config(tmp_path: Path, **nlp: object) -> Config:
    settings = {"components": (), **nlp}
    return Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        nlp=dataclasses.replace(NLPConfig(), **settings),  # type: ignore[arg-type]
    )


def blank_engine(config: Config) -> LocalEngine:
    return LocalEngine(config, nlp=spacy.blank("en"))


def clock() -> dt.datetime:
    return dt.datetime(2026, 1, 14, 9, 30, tzinfo=dt.UTC)


def run_blank(config: Config, files: list[Path], **options: object) -> BackfillSummary:
    with blank_engine(config) as engine:
        chosen = BackfillOptions(**options)  # type: ignore[arg-type]
        return backfill(config, files, chosen, engine=engine, clock=clock)


def rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# --- reading ---------------------------------------------------------------------------


def test_the_reader_names_what_a_backfill_cannot_use(tmp_path: Path) -> None:
    path = tmp_path / "mixed.warc.gz"
    write_warc(
        path,
        [
            page(0),
            WarcPage("https://wire.example/logo.png", b"\x89PNG....", content_type="image/png"),
            WarcPage("https://wire.example/gone", b"<p>gone</p>", status=404),
            WarcPage("https://wire.example/big", b"<p>" + b"x" * 5000 + b"</p>"),
            page(1),
        ],
    )
    items = list(read_warc(path, max_bytes=4000))
    # Request records are not responses: five responses, each its own gzip member.
    assert [i.url.rsplit("/", 1)[1] for i in items] == ["0", "logo.png", "gone", "big", "1"]
    offsets = [i.key.byte_offset for i in items]
    assert offsets == sorted(set(offsets)) and all(i.key.part == 0 for i in items)
    problems = [(i.problem.status, i.problem.reason) if i.problem else None for i in items]
    assert problems == [
        None,
        ("skipped", "content-type"),
        ("skipped", "http-status"),
        ("skipped", "too-large"),
        None,
    ]
    assert items[0].payload.startswith(b"<!DOCTYPE html>") and items[3].payload == b""
    assert items[0].date == "2019-06-01T12:00:00+00:00"


def test_a_truncated_record_and_a_corrupt_file_are_named(tmp_path: Path) -> None:
    members = [record_member(page(n)) for n in range(3)]
    truncated = tmp_path / "truncated.warc.gz"
    truncated.write_bytes(b"".join(members)[:-40])  # the download stopped early
    items = list(read_warc(truncated, max_bytes=1_000_000))
    assert [i.problem.reason if i.problem else None for i in items] == [None, None, "truncated"]

    corrupt = tmp_path / "corrupt.warc.gz"
    bad = bytearray(members[1])
    bad[30:60] = b"\x00" * 30  # inside the second member's deflate stream
    corrupt.write_bytes(members[0] + bytes(bad) + members[2])
    read: list[WarcItem] = []
    with pytest.raises(WarcReadError) as caught:
        read.extend(read_warc(corrupt, max_bytes=1_000_000))
    assert [i.url for i in read] == [page(0).url]
    assert caught.value.reason == "corrupt-warc" and caught.value.file == str(corrupt)


def test_payload_encodings_are_undone_within_the_cap() -> None:
    body = news_page("Title", "Some text of an article. " * 40)
    key = RecordKey("f", 0)

    def item(payload: bytes, encoding: str | None = None, transfer: str | None = None) -> WarcItem:
        return WarcItem(
            key, "https://x.example/a", None, content_type="text/html",
            content_encoding=encoding, transfer_encoding=transfer, payload=payload,
        )  # fmt: skip

    assert decode_payload(item(gzip.compress(body), "gzip"), 10**6) == body
    assert decode_payload(item(zlib.compress(body), "deflate"), 10**6) == body
    chunked = (
        b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:100], body[100:]))
        + b"0\r\n\r\n"
    )
    assert decode_payload(item(chunked, None, "chunked"), 10**6) == body
    with pytest.raises(PayloadError) as unknown:
        decode_payload(item(body, "compress"), 10**6)
    assert unknown.value.reason == "content-encoding"
    bomb = gzip.compress(b"\0" * 20_000_000)  # 20 KB that inflate to 20 MB
    with pytest.raises(PayloadError) as too_large:
        decode_payload(item(bomb, "gzip"), 1_000_000)
    assert too_large.value.reason == "too-large"


def test_paths_globs_and_folders_name_the_files(tmp_path: Path) -> None:
    for name in ("b.warc.gz", "a.warc", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    folder_files, none = warc_files([str(tmp_path)])
    assert [p.name for p in folder_files] == ["a.warc", "b.warc.gz"] and none == []
    globbed, missing = warc_files([str(tmp_path / "*.gz"), str(tmp_path / "nothing*.warc")])
    assert [p.name for p in globbed] == ["b.warc.gz"]
    assert missing == [str(tmp_path / "nothing*.warc")]


# --- the steps, in order -----------------------------------------------------------------


def test_outcomes_keep_record_order_when_languages_are_left_out(tmp_path: Path) -> None:
    config = blank_config(tmp_path, batch_size=2)
    path = tmp_path / "mixed.warc.gz"
    langs = ["en", "de", "en", "de", "de", "en", "en"]
    write_warc(path, [page(n, lang) for n, lang in enumerate(langs)])
    items: list[Work] = list(read_warc(path, 10**6))
    decided = Outcome(RecordKey("elsewhere", 1), "https://x.example/d", "skipped", "content-type")
    items.insert(3, decided)
    with blank_engine(config) as engine:
        outcomes = list(engine.outcomes(iter(items)))
    assert [o.key for o in outcomes] == [w.key for w in items]
    assert outcomes[3] is decided
    languages = [o.article.language if o.article else None for o in outcomes]
    assert languages == ["en", "de", "en", None, "de", "de", "en", "en"]
    # German pages are stored with their text but go through no NLP.
    assert [o.extraction is None for o in outcomes if o.article] == [lang == "de" for lang in langs]


def test_a_page_without_text_fails_and_the_stream_goes_on(tmp_path: Path) -> None:
    config = blank_config(tmp_path)
    empty = WarcPage("https://wire.example/empty", b"<html><body><nav>Home</nav></body></html>")
    path = tmp_path / "e.warc.gz"
    write_warc(path, [page(0), empty, page(1)])
    work = list(read_warc(path, 10**6))
    with blank_engine(config) as engine:
        outcomes = list(process(config, engine._context, iter(work)))
    assert [(o.status, o.reason) for o in outcomes] == [
        ("extracted", None),
        ("failed", "empty-text"),
        ("extracted", None),
    ]


# --- whole backfills with the blank pipeline -------------------------------------------------


def test_backfill_records_every_record_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    config = blank_config(tmp_path)
    good = tmp_path / "good.warc.gz"
    write_warc(
        good,
        [
            page(0),
            page(1),
            WarcPage("https://wire.example/chart.png", b"\x89PNG", content_type="image/png"),
            dataclasses.replace(page(0), url="https://wire.example/story/0?utm_source=x"),
            page(2, "de", host="zeitung.example"),
        ],
    )
    members = [record_member(page(n)) for n in (3, 4)]
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(members[0] + b"this is no gzip member at all" + members[1])
    summary = run_blank(config, [good, broken])
    db = config.db_path
    assert (summary.read, summary.stored, summary.duplicates) == (6, 4, 1)
    assert (summary.skipped, summary.failed, len(summary.errors)) == (1, 0, 2)
    ledger = "SELECT status, reason FROM backfill_records WHERE file = ? ORDER BY byte_offset"
    assert rows(db, ledger, str(good)) == [
        ("stored", None), ("stored", None), ("skipped", "content-type"),
        ("duplicate", "duplicate"), ("stored", None),
    ]  # fmt: skip
    assert rows(db, ledger, str(broken)) == [("stored", None)]
    reasons = rows(db, "SELECT reason, url FROM run_errors ORDER BY id")
    assert [r[0] for r in reasons] == ["content-type", "corrupt-warc"]
    assert reasons[1][1] == str(broken)
    sources = rows(db, "SELECT source, url FROM articles ORDER BY id")
    assert sources == [
        ("wire.example", page(0).url), ("wire.example", page(1).url),
        ("zeitung.example", page(2, host="zeitung.example").url), ("wire.example", page(3).url),
    ]  # fmt: skip
    run = rows(db, "SELECT status, new_articles, unchanged, errors FROM runs")
    assert run == [("partial", 4, 1, 2)]

    before = rows(db, "SELECT * FROM articles ORDER BY id")
    again = run_blank(config, [good, broken])
    assert (again.read, again.already_done, again.stored) == (6, 6, 0)
    assert rows(db, "SELECT * FROM articles ORDER BY id") == before
    assert len(rows(db, "SELECT 1 FROM backfill_records")) == 6


def test_since_until_and_source_name(tmp_path: Path) -> None:
    config = blank_config(tmp_path)
    path = tmp_path / "dated.warc.gz"
    days = [dt.datetime(2019, 1, d, 8, tzinfo=dt.UTC) for d in (1, 15, 31)]
    write_warc(path, [dataclasses.replace(page(n), date=d) for n, d in enumerate(days)])
    summary = run_blank(config, [path], since="2019-01-10", until="2019-01-15", source_name="cc")
    assert (summary.read, summary.outside_window, summary.stored) == (3, 2, 1)
    assert rows(config.db_path, "SELECT source, url FROM articles") == [("cc", page(1).url)]
    # Records outside the dates are not in the ledger: a wider backfill takes them later.
    later = run_blank(config, [path])
    assert (later.already_done, later.stored) == (1, 2)


class _Interrupted(Exception):
    pass


class _StopsAfter:
    """An engine whose outcomes stop (as a kill would) after `n` of them."""

    def __init__(self, engine: LocalEngine, n: int) -> None:
        self.engine, self.n = engine, n

    def __enter__(self) -> _StopsAfter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def outcomes(self, work: Iterator[Work]) -> Iterator[Outcome]:
        for n, outcome in enumerate(self.engine.outcomes(work)):
            if n == self.n:
                raise _Interrupted
            yield outcome


def test_an_interrupted_backfill_resumes_to_the_clean_result(tmp_path: Path) -> None:
    pages = [page(n, "de" if n % 4 == 3 else "en", host=f"h{n % 3}.example") for n in range(11)]
    clean_dir, cut_dir = tmp_path / "clean", tmp_path / "cut"
    for d in (clean_dir, cut_dir):
        d.mkdir()
    write_warc(clean_dir / "a.warc.gz", pages)
    shutil.copy(clean_dir / "a.warc.gz", cut_dir / "a.warc.gz")  # the same bytes, offsets
    clean = blank_config(clean_dir, batch_size=3)
    run_blank(clean, [clean_dir / "a.warc.gz"])

    cut = blank_config(cut_dir, batch_size=3)
    with blank_engine(cut) as engine, pytest.raises(_Interrupted):
        stops = _StopsAfter(engine, 7)
        backfill(cut, [cut_dir / "a.warc.gz"], BackfillOptions(), engine=stops, clock=clock)
    # Two batches of three were committed; the third, open when it stopped, was not.
    assert len(rows(cut.db_path, "SELECT 1 FROM backfill_records")) == 6
    assert rows(cut.db_path, "SELECT status FROM runs") == [("failed",)]
    resumed = run_blank(cut, [cut_dir / "a.warc.gz"])
    assert (resumed.already_done, resumed.stored) == (6, 5)
    for table in ("articles", "story_clusters", "article_signatures"):
        sql = f"SELECT * FROM {table} ORDER BY 1"
        assert rows(cut.db_path, sql) == rows(clean.db_path, sql), table
    ledger = "SELECT byte_offset, part, url, status, article_id FROM backfill_records ORDER BY 1"
    assert rows(cut.db_path, ledger) == rows(clean.db_path, ledger)


# --- the command -----------------------------------------------------------------------------


def test_cli_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "nw.db"}"\n')
    warc = tmp_path / "a.warc.gz"
    write_warc(warc, [page(0)])
    runner = CliRunner()
    cases = [
        ([str(tmp_path / "missing-*.warc.gz")], "no WARC file at"),
        ([str(warc), "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (
            [str(warc), "--engine", "dask", "--scheduler", "tcp://x:1", "--workers", "2"],
            "--workers",
        ),
        ([str(warc), "--engine", "spark"], "Invalid value for '--engine'"),
    ]
    for args, message in cases:
        result = runner.invoke(main, ["--config", str(config), "backfill", *args])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
        assert "Traceback" not in result.output


@pytest.mark.integration
def test_cli_backfill_with_the_real_model_prints_only_its_summary(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "nw.db"}"\n')
    warc = tmp_path / "a.warc.gz"
    png = WarcPage("https://wire.example/x.png", b"\x89PNG", content_type="image/png")
    write_warc(warc, [page(0), page(1), png])
    result = CliRunner().invoke(main, ["--config", str(config), "backfill", str(warc)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("backfill 1: 1 files, 3 records read")
    assert "2 stored, 0 duplicates, 1 skipped, 0 failed" in lines[0]
    assert lines[1].startswith("  error  https://wire.example/x.png: content-type:")
    assert lines[2] == f"database: {tmp_path / 'nw.db'}"
    assert len(lines) == 3  # not a terminal: no progress drawn
    mentions = rows(tmp_path / "nw.db", "SELECT count(*) FROM mentions")[0][0]
    assert mentions > 0  # the real model found places and minerals in them


@pytest.mark.integration
def test_a_backfill_where_nothing_could_be_used_exits_1(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "nw.db"}"\n')
    warc = tmp_path / "a.warc.gz"
    write_warc(warc, [WarcPage("https://x.example/a.png", b"\x89PNG", content_type="image/png")])
    result = CliRunner().invoke(main, ["--config", str(config), "backfill", str(warc)])
    assert result.exit_code == 1
    assert "0 stored" in result.output and "1 skipped" in result.output


def test_problem_outcomes_carry_their_reason() -> None:
    item = WarcItem(RecordKey("f", 3), "u", None, problem=Problem("failed", "truncated", "short"))
    outcome = Outcome.of_problem(item, item.problem)  # type: ignore[arg-type]
    assert (outcome.status, outcome.reason, outcome.message) == ("failed", "truncated", "short")


def test_an_unreachable_scheduler_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from pipeline.backfill import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2)  # a closed port never answers
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free once the probe closes: nothing listens there
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "nw.db"}"\n')
    warc = tmp_path / "a.warc.gz"
    write_warc(warc, [page(0)])
    args = ["--config", str(config), "backfill", str(warc), "--engine", "dask"]
    result = CliRunner().invoke(main, [*args, "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == 1, result.output
    assert f"cannot use the Dask scheduler at tcp://127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output
    # The backfill's run is closed as failed; nothing else was written.
    assert rows(tmp_path / "nw.db", "SELECT status FROM runs") == [("failed",)]
    assert rows(tmp_path / "nw.db", "SELECT count(*) FROM backfill_records") == [(0,)]
