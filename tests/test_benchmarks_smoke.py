"""The benchmark harness works: runner, report, timing maths, child peak-RSS, text loading.

Speed is never asserted here; the quick run only proves the benchmarks run end to
end and produce a well-formed report.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from benchmarks import harness
from benchmarks.__main__ import REGISTRY, Benchmark, main
from extractors.records import ExtractInput

HERE = "tests.test_benchmarks_smoke"


# --- functions the fake registry and the child-process test point at ----------


def fake_met(quick: bool = False) -> dict[str, Any]:
    return harness.result(
        "fake_met",
        [harness.figure("speed ratio", 0.91, "x"), harness.figure("full", 1234.5, "words/s")],
        "ratio >= 0.85",
        True,
        "one line of notes",
    )


def fake_missed(quick: bool = False) -> dict[str, Any]:
    return harness.result("fake_missed", [harness.figure("ratio", 2.5, "x")], "<= 1.3", False)


def fake_skipped(quick: bool = False) -> dict[str, Any]:
    raise harness.SharedCorpusMissing("/nowhere/corpora not present")


def fake_crash(quick: bool = False) -> dict[str, Any]:
    raise RuntimeError("boom in the benchmark")


def fake_malformed(quick: bool = False) -> dict[str, Any]:
    return {"name": "fake_malformed", "figures": [{"label": "no value"}]}


def allocate(mib: int) -> int:
    """Child-process target: hold `mib` MiB of touched memory, return its size."""
    block = bytearray(mib * 1024 * 1024)
    for i in range(0, len(block), 4096):  # touch every page so it is resident
        block[i] = 1
    return len(block)


FAKE_REGISTRY = (
    Benchmark("fake_met", f"{HERE}:fake_met", "met"),
    Benchmark("fake_missed", f"{HERE}:fake_missed", "missed"),
    Benchmark("fake_skipped", f"{HERE}:fake_skipped", "skipped"),
    Benchmark("fake_crash", f"{HERE}:fake_crash", "crashes"),
)


def _table_rows(report: str) -> list[list[str]]:
    """Rows of the results table (the one whose header starts with `benchmark`)."""
    lines = report.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| benchmark |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


# --- runner and report -----------------------------------------------------------


def test_report_marks_each_outcome_and_lists_machine_facts(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    code = main(["--output", str(out)], registry=FAKE_REGISTRY)
    report = out.read_text()

    assert code == 1  # a crashed benchmark fails the run; a missed target does not
    for fact in ("CPU", "RAM", "Python", "spaCy", "git commit"):
        assert re.search(rf"^\| {fact} \| \S", report, re.M), fact
    rows = _table_rows(report)
    by_name: dict[str, list[list[str]]] = {}
    for row in rows:
        by_name.setdefault(row[0], []).append(row)
    assert by_name["fake_met"][0] == [
        "fake_met",
        "speed ratio",
        "0.91 x",
        "ratio >= 0.85",
        "**MET**",
    ]
    assert by_name["fake_met"][1][2:] == ["1,234 words/s", "(context)", ""]
    assert by_name["fake_missed"][0][3:] == ["<= 1.3", "**MISSED**"]
    assert by_name["fake_skipped"][0][-1] == "SKIPPED"
    assert by_name["fake_crash"][0][-1] == "ERROR"
    assert "/nowhere/corpora not present" in report
    assert "RuntimeError: boom in the benchmark" in report  # the traceback is kept


def test_only_runs_the_named_benchmark_and_prints_instead_of_writing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--only", "fake_missed"], registry=FAKE_REGISTRY)
    report = capsys.readouterr().out
    assert code == 0
    assert [row[0] for row in _table_rows(report)] == ["fake_missed"]


def test_unknown_benchmark_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--only", "no_such_bench"], registry=FAKE_REGISTRY)
    assert exc.value.code == 2
    assert "fake_met" in capsys.readouterr().err  # the valid names are listed


def test_malformed_result_is_reported_as_error(tmp_path: Path) -> None:
    bad = (Benchmark("fake_malformed", f"{HERE}:fake_malformed", "lacks keys"),)
    out = tmp_path / "r.md"
    assert main(["--output", str(out)], registry=bad) == 1
    report = out.read_text()
    assert _table_rows(report)[0][-1] == "ERROR"
    assert "result lacks ['target', 'met', 'notes']" in report


# --- timing maths ------------------------------------------------------------------


def test_comparison_ratios_are_baseline_over_candidate() -> None:
    comparison = harness.Comparison((2.0, 3.0, 4.0), (1.0, 1.0, 4.0))
    assert comparison.ratios == [2.0, 3.0, 1.0]
    assert comparison.median_ratio == 2.0
    assert comparison.total_ratio == pytest.approx(9.0 / 6.0)


def test_interleaved_alternates_which_runs_first() -> None:
    calls: list[str] = []
    comparison = harness.interleaved(
        lambda x: calls.append(f"b{x}"), lambda x: calls.append(f"c{x}"), [0, 1, 2]
    )
    assert calls == ["b0", "c0", "c1", "b1", "b2", "c2"]
    assert len(comparison.ratios) == 3


def test_interleaved_repeats_flip_the_order_and_keep_each_sides_fastest() -> None:
    calls: list[str] = []
    slow = {"b": iter([0.02, 0.0]), "c": iter([0.0, 0.02])}

    def side(name: str):
        def run(x: int) -> None:
            calls.append(f"{name}{x}")
            time.sleep(next(slow[name]))

        return run

    comparison = harness.interleaved(side("b"), side("c"), [0], repeats=2)
    assert calls == ["b0", "c0", "c0", "b0"]
    assert comparison.baseline_seconds[0] < 0.015 and comparison.candidate_seconds[0] < 0.015
    with pytest.raises(ValueError, match="repeats"):
        harness.interleaved(print, print, [0], repeats=0)


def test_interleaved_needs_inputs() -> None:
    with pytest.raises(ValueError):
        harness.interleaved(print, print, [])


def test_split_evenly_keeps_order_and_balances() -> None:
    parts = harness.split_evenly(list(range(10)), 3)
    assert [len(p) for p in parts] == [4, 3, 3]
    assert [x for p in parts for x in p] == list(range(10))
    assert harness.split_evenly([1, 2], 5) == [[1], [2]]


def test_lead_cuts_after_the_sentence_reaching_the_word_budget() -> None:
    item = ExtractInput(id="a", title="T", text="One two three. Four five six. Seven eight.")
    assert harness.lead(item, 4).text == "One two three. Four five six."
    assert harness.lead(item, 50) == item


# --- peak memory in a child ------------------------------------------------------------


def test_child_peak_rss_sees_memory_the_child_allocates() -> None:
    idle = harness.peak_rss_in_child(f"{HERE}:allocate", 0)
    busy = harness.peak_rss_in_child(f"{HERE}:allocate", 96)
    assert busy.value == 96 * 1024 * 1024
    assert busy.peak_rss_kb - idle.peak_rss_kb >= 80 * 1024


def test_child_failure_raises_with_its_stderr() -> None:
    with pytest.raises(RuntimeError, match="boom in the benchmark"):
        harness.peak_rss_in_child(f"{HERE}:fake_crash")


# --- texts -----------------------------------------------------------------------


def test_missing_shared_dir_is_a_clear_skip_reason(tmp_path: Path) -> None:
    with pytest.raises(harness.SharedCorpusMissing, match="corpora not present"):
        harness.shared_dir(tmp_path / "shared")


@pytest.mark.shared
def test_real_texts_mix_every_source_and_stream_repeats(shared_dir: Path) -> None:
    mixed = harness.mixed_texts(shared_dir, 5_000)
    assert {item.id.split("-")[0] for item in mixed} == {"aeb", "conll", "reuters"}
    assert harness.word_count(mixed) >= 5_000
    assert all(item.text.strip() for item in mixed)

    streamed = list(harness.stream_texts(shared_dir, 8_000))  # more than the distinct texts
    ids = [item.id for item in streamed]
    assert len(ids) == 8_000
    assert len(set(ids)) == 8_000  # repeats get fresh ids
    assert any(i.endswith("-r1") for i in ids)


# --- the real benchmarks, quick ----------------------------------------------------------


@pytest.mark.integration
@pytest.mark.shared
def test_quick_run_of_every_benchmark_writes_a_complete_report(
    shared_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "RESULTS.md"
    code = main(["--quick", "--output", str(out)])
    report = out.read_text()

    assert code == 0, report
    assert "QUICK smoke run" in report
    rows = _table_rows(report)
    assert {row[0] for row in rows} == {b.name for b in REGISTRY}
    for bench in REGISTRY:
        head = next(row for row in rows if row[0] == bench.name)
        assert head[4] in ("**MET**", "**MISSED**"), head  # it ran: not SKIPPED or ERROR
        assert re.fullmatch(r"[\d,]+(\.\d+)? \S+", head[2]), head  # a number and a unit
        assert f"## {bench.name}" in report  # its notes (sizes, load) are there


# --- end to end, re-run, search at scale, ingest (quick: structure, never speed) ----------


def test_marker_goes_into_a_middle_paragraph_of_the_page() -> None:
    from benchmarks.bench_end_to_end import with_marker

    html = b"<html><body><p>nav</p><p>one</p><p>two</p><P>three</P><p>foot</p></body></html>"
    marked = with_marker(html, "(copy 1.)")
    assert marked == html.replace(b"two</p>", b"two (copy 1.)</p>")
    assert with_marker(b"<div>no paragraphs</div>", "(x)") == b"<div>no paragraphs</div>"


@pytest.mark.integration
@pytest.mark.shared
@pytest.mark.parametrize(
    ("module", "name", "first_unit"),
    [
        ("bench_end_to_end", "end_to_end", "x"),
        ("bench_search_scale", "search_scale", "ms"),
        ("bench_ingest", "ingest", "s"),
    ],
)
def test_quick_pipeline_benchmarks_return_a_well_formed_result(
    shared_dir: Path, module: str, name: str, first_unit: str
) -> None:
    import importlib

    from benchmarks.__main__ import _check_shape

    outcome = importlib.import_module(f"benchmarks.{module}").run(quick=True)
    _check_shape(outcome)
    assert outcome["name"] == name
    assert outcome["figures"][0]["unit"] == first_unit
    assert all(isinstance(f["value"], int | float) for f in outcome["figures"])
    assert "load average" in outcome["notes"]


@pytest.mark.integration
@pytest.mark.shared
def test_quick_rerun_adds_no_rows_and_every_feed_answers_304(shared_dir: Path) -> None:
    from benchmarks import bench_rerun

    outcome = bench_rerun.run(quick=True)
    figures = {f["label"]: f["value"] for f in outcome["figures"]}
    assert figures["new rows on re-run"] == 0
    assert figures["feeds answered 304 (of each re-run)"] == bench_rerun.FEEDS[True]
    assert "0 page GETs" in outcome["notes"]


@pytest.mark.integration
@pytest.mark.shared
def test_quick_search_archive_copies_rows_consistently(shared_dir: Path) -> None:
    from benchmarks.bench_search_scale import ARTICLES, SEEDS, archive
    from pipeline.read.search import search
    from storage import open_database

    path, _ = archive(shared_dir, ARTICLES[True], SEEDS[True])
    db = open_database(path, readonly=True)
    try:

        def one(sql: str) -> Any:
            return db.execute(sql).fetchone()[0]

        assert one("SELECT count(*) FROM articles") == ARTICLES[True]
        assert one("SELECT count(DISTINCT text_hash) FROM articles") == ARTICLES[True]
        # Copies keep their links: no mention points at a missing article or at
        # another article's entity link, and copied events exist.
        orphans = "SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)"
        assert one(orphans) == 0
        crossed = (
            "SELECT count(*) FROM mentions m JOIN article_entities ae "
            "ON ae.id = m.article_entity_id WHERE ae.article_id != m.article_id"
        )
        assert one(crossed) == 0
        assert one(f"SELECT count(*) FROM events WHERE article_id > {SEEDS[True]}") > 0
        # the FTS index followed the copies: a seed's title word finds copies too
        title = one("SELECT title FROM articles WHERE id = 1")
        word = max(title.split(), key=len).strip(".,:;'\"()")
        hits = search(db, f'"{word}"', limit=50)
        assert any(hit.article_id > SEEDS[True] for hit in hits)
    finally:
        db.close()
