"""Extraction time per character, from 10,000- to 1,000,000-character texts.

A rule that rescans the line, sentence or entity list for each mention makes the
time per character grow with the length (issue 13, class 3: 250 KB in 92 s). Here
the same characters, Reuters stories joined into one line (no paragraph breaks, so
the longest lines a page can produce), go through the full extraction cut into
texts of 10k, 100k and 1M characters: each size processes the same 1,000,000
characters per round, two rounds in alternating order, each size keeping its fastest.
The headline is the time per character at 1M over that at 10k (flat: 1.0).
`[nlp] max_chars` is raised to 1,000,000 so that no text is cut, and texts go
through one at a time (batch_size 1): what batching small texts together saves is
throughput across texts, not a cost of one text's length (it saved little here: 32.7
CPU µs/char at 10k in batches of 32, 33.9 one at a time).

Times are this process's CPU time, not wall-clock time: one 1M-character text takes
a minute or more, and on a shared 2-core machine a minute of wall-clock time holds
whatever the neighbours did in it; extraction is CPU-bound, so its CPU time is its
cost. (One wall-clock run here while other jobs ran gave 3.3x for the same code.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any

from benchmarks import harness
from extractors import build_nlp, extract
from extractors.records import ExtractInput
from pipeline.core.config import NLPConfig

TARGET = 1.5
SIZES = {False: (10_000, 100_000, 1_000_000), True: (2_000, 8_000)}
ROUNDS = 2


def one_line(shared: Any, chars: int) -> str:
    """Reuters bodies, whitespace folded, joined with spaces until `chars` characters."""
    parts: list[str] = []
    size = 0
    with (shared / harness.REUTERS).open(encoding="utf-8") as fh:
        for line in fh:
            body = " ".join((json.loads(line).get("body") or "").split())
            if body:
                parts.append(body)
                size += len(body) + 1
                if size >= chars:
                    break
    return " ".join(parts)[:chars]


def run(quick: bool = False) -> dict[str, Any]:
    sizes = SIZES[quick]
    budget = sizes[-1]  # characters each size processes per round
    shared = harness.shared_dir()
    text = one_line(shared, budget * ROUNDS)
    config = dataclasses.replace(NLPConfig(), max_chars=max(1_000_000, budget))
    nlp = build_nlp(config)

    def texts(size: int, round_: int) -> list[ExtractInput]:
        start = round_ * budget
        return [
            ExtractInput(id=f"{size}-{k}", text=text[k : k + size])
            for k in range(start, start + budget, size)
        ]

    harness.consume(extract(nlp, texts(sizes[0], 0)[:4], batch_size=1))  # warm lexicons, caches
    seconds = {size: float("inf") for size in sizes}
    load_before = os.getloadavg()[0]
    for round_ in range(ROUNDS):
        order = sizes if round_ % 2 == 0 else tuple(reversed(sizes))
        for size in order:
            batch = texts(size, round_)
            started = time.process_time()
            harness.consume(extract(nlp, batch, batch_size=1))
            seconds[size] = min(seconds[size], time.process_time() - started)
    load_after = os.getloadavg()[0]
    per_char = {size: seconds[size] / budget * 1e6 for size in sizes}  # microseconds
    smallest, largest = sizes[0], sizes[-1]
    ratio = per_char[largest] / per_char[smallest]
    figures = [
        harness.figure(f"time per character, {largest:,} / {smallest:,} chars", ratio, "x"),
        *(harness.figure(f"{n:,}-character texts", per_char[n], "CPU µs/char") for n in sizes),
    ]
    return harness.result(
        name="nlp_linearity",
        figures=figures,
        target=f"time per character at {largest:,} chars <= {TARGET}x that at {smallest:,}",
        met=ratio <= TARGET,
        notes=(
            f"{budget:,} characters of one line of Reuters stories per size and round, "
            f"{ROUNDS} rounds in alternating order, each size's least CPU time, one text at a "
            f"time; full extraction "
            f"(model and every newswatch component) with [nlp] max_chars = "
            f"{config.max_chars:,}; 1-min load average {load_before:.1f} -> {load_after:.1f}"
        ),
    )
