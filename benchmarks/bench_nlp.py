"""NLP speed: what newswatch's extraction costs over bare spaCy, and what n_process=2 buys.

`run` (throughput): the full extraction (`build_nlp` + `extract`, producing
Extraction records) against bare `nlp.pipe` with the same model, on the same real
texts. `run_parallel`: the full extraction with n_process=2 against n_process=1.
Both are ratios of times measured alternately in this process, chunk by chunk,
so machine noise hits baseline and candidate alike; the headline is the median of
the per-chunk ratios.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from itertools import islice
from typing import Any

from spacy.language import Language

from benchmarks import harness
from extractors import build_nlp, extract, make_doc
from extractors.model import load_model
from extractors.records import ExtractInput
from pipeline.core.config import NLPConfig

THROUGHPUT_TARGET = 0.85
PARALLEL_TARGET = 1.5

# Sizes: full runs are large enough to be stable, quick runs only prove the code works.
THROUGHPUT_WORDS = {False: 200_000, True: 800}
THROUGHPUT_CHUNKS = {False: 8, True: 2}
# Each side's fastest of two runs per chunk: a 10% gap is within this machine's
# noise for a single run (per-chunk ratios spread 0.83-1.17 with one run each).
THROUGHPUT_REPEATS = {False: 2, True: 1}
PARALLEL_TEXTS = {False: 1_600, True: 16}
PARALLEL_CHUNKS = {False: 2, True: 2}
SAME_OUTPUT_SAMPLE = 40


def run(quick: bool = False) -> dict[str, Any]:
    """Full extraction vs bare nlp.pipe: words/second of each and their ratio."""
    config = NLPConfig()
    shared = harness.shared_dir()
    items = harness.mixed_texts(shared, THROUGHPUT_WORDS[quick])
    chunks = harness.split_evenly(items, THROUGHPUT_CHUNKS[quick])
    words = harness.word_count(items)

    full = build_nlp(config)
    bare = load_model(config.model)

    def baseline(chunk: list[ExtractInput]) -> int:
        texts = (item.doc_text for item in chunk)
        return harness.consume(bare.pipe(texts, batch_size=config.batch_size))

    def candidate(chunk: list[ExtractInput]) -> int:
        return harness.consume(extract(full, chunk, batch_size=config.batch_size))

    # Warm both (first calls allocate and initialise lazily) outside the timing.
    warm = items[:8]
    baseline(warm)
    candidate(warm)
    load_before = os.getloadavg()[0]
    comparison = harness.interleaved(baseline, candidate, chunks, THROUGHPUT_REPEATS[quick])
    load_after = os.getloadavg()[0]
    # Where the time goes, so a missed target points at the component to fix.
    profile = pipe_profile(full, chunks[0], config.batch_size)

    ratio = comparison.median_ratio
    base_wps = words / sum(comparison.baseline_seconds)
    cand_wps = words / sum(comparison.candidate_seconds)
    return harness.result(
        name="nlp_throughput",
        figures=[
            harness.figure("full extraction / bare nlp.pipe (median of chunks)", ratio, "x"),
            harness.figure(
                "full extraction / bare nlp.pipe (all chunks)", comparison.total_ratio, "x"
            ),
            harness.figure("full extraction", cand_wps, "words/s"),
            harness.figure("bare nlp.pipe", base_wps, "words/s"),
        ],
        target=f"speed ratio >= {THROUGHPUT_TARGET}",
        met=ratio >= THROUGHPUT_TARGET,
        notes=(
            f"{len(items)} texts ({_sources(items)}), {words} words, {len(chunks)} chunks "
            f"timed alternately, each side's fastest of {THROUGHPUT_REPEATS[quick]} runs; "
            f"per-chunk ratios {_fmt(comparison.ratios)}; batch_size {config.batch_size}; "
            f"share of time per pipe on chunk 1: "
            f"{_shares(profile)}; "
            f"1-min load average {load_before:.1f} -> {load_after:.1f}"
        ),
    )


def run_parallel(quick: bool = False) -> dict[str, Any]:
    """Full extraction with n_process=2 vs n_process=1 on the same texts."""
    config = NLPConfig()
    shared = harness.shared_dir()
    items = list(islice(harness.reuters_texts(shared), PARALLEL_TEXTS[quick]))
    chunks = harness.split_evenly(items, PARALLEL_CHUNKS[quick])
    words = harness.word_count(items)
    nlp = build_nlp(config)

    def with_processes(n: int) -> Callable[[list[ExtractInput]], int]:
        def go(chunk: list[ExtractInput]) -> int:
            return harness.consume(extract(nlp, chunk, batch_size=config.batch_size, n_process=n))

        return go

    harness.consume(extract(nlp, items[:8], batch_size=config.batch_size))
    load_before = os.getloadavg()[0]
    # A failure (e.g. a component output msgpack cannot carry) propagates: the runner
    # reports it as ERROR with the traceback.
    comparison = harness.interleaved(with_processes(1), with_processes(2), chunks)
    load_after = os.getloadavg()[0]
    # A speed-up that changes the output is no speed-up: compare records on a sample.
    sample = items[:SAME_OUTPUT_SAMPLE]
    one, two = (
        [e.to_spec() for e in extract(nlp, sample, batch_size=8, n_process=n)] for n in (1, 2)
    )
    same = one == two
    ratio = comparison.median_ratio
    return harness.result(
        name="nlp_parallel",
        figures=[
            harness.figure("n_process=2 / n_process=1 (median of chunks)", ratio, "x"),
            harness.figure("n_process=1", words / sum(comparison.baseline_seconds), "words/s"),
            harness.figure("n_process=2", words / sum(comparison.candidate_seconds), "words/s"),
        ],
        target=f"n_process=2 speed-up >= {PARALLEL_TARGET}x",
        met=ratio >= PARALLEL_TARGET and same,
        notes=(
            f"records identical to n_process=1 on {len(sample)} texts: {'yes' if same else 'NO'}; "
            f"{len(items)} Reuters texts, {words} words, {len(chunks)} chunks timed "
            f"alternately (worker start-up included); per-chunk ratios "
            f"{_fmt(comparison.ratios)}; {os.cpu_count()} CPUs; "
            f"1-min load average {load_before:.1f} -> {load_after:.1f}"
        ),
    )


def pipe_profile(nlp: Language, items: list[ExtractInput], batch_size: int) -> dict[str, float]:
    """Seconds each pipe takes over `items`, running the pipes one after another."""
    docs = [make_doc(nlp, item) for item in items]
    seconds: dict[str, float] = {}
    for name, proc in nlp.pipeline:
        start = time.perf_counter()
        if hasattr(proc, "pipe"):
            docs = list(proc.pipe(docs, batch_size=batch_size))
        else:
            docs = [proc(doc) for doc in docs]
        seconds[name] = time.perf_counter() - start
    return seconds


def _shares(profile: dict[str, float]) -> str:
    total = sum(profile.values()) or 1.0
    return ", ".join(f"{name} {100 * s / total:.0f}%" for name, s in profile.items())


def _fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


def _sources(items: list[ExtractInput]) -> str:
    counts: dict[str, int] = {}
    for item in items:
        source = item.id.split("-", 1)[0]
        counts[source] = counts.get(source, 0) + 1
    return ", ".join(f"{n} {source}" for source, n in sorted(counts.items()))
