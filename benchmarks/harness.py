"""Shared helpers for the benchmarks: timing, interleaved ratios, peak memory, real texts.

Speed figures are ratios of a candidate against a baseline measured in the same
process, alternating the two several times and taking medians: the 2-core
machines this runs on are noisy, and absolute numbers mean little across them.

Peak memory is measured in a fresh child process per run (`peak_rss_in_child`),
so each peak is independent of the parent and of the other runs.

Texts come from ../shared/corpora (Reuters-21578 bodies, CoNLL-2003 documents and
the English article_pages gold bodies). When ../shared is absent the loaders raise
`SharedCorpusMissing`, which the runner reports as SKIPPED with its message.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from extractors.records import ExtractInput

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared"

REUTERS = "corpora/labelled_news/reuters21578_train.jsonl"
CONLL = "corpora/labelled_news/conll2003_dev_docs.jsonl"
AEB = "corpora/article_pages/aeb/gold.jsonl"
FUNDUS = "corpora/article_pages/fundus/gold.jsonl"


T = TypeVar("T")


class SharedCorpusMissing(Exception):
    """../shared (or one of its corpora) is not there; the benchmark is skipped."""


# --- results -----------------------------------------------------------------


def figure(label: str, value: float, unit: str) -> dict[str, Any]:
    return {"label": label, "value": value, "unit": unit}


def result(
    name: str, figures: list[dict[str, Any]], target: str, met: bool, notes: str = ""
) -> dict[str, Any]:
    """The dict every benchmark's `run()` returns (rendered by benchmarks.__main__)."""
    return {"name": name, "figures": figures, "target": target, "met": met, "notes": notes}


# --- timing ------------------------------------------------------------------


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Call `fn` once; return its result and the wall-clock seconds it took."""
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


@dataclass(frozen=True)
class Comparison:
    """Interleaved baseline/candidate timings over the same inputs."""

    baseline_seconds: tuple[float, ...]  # one per input
    candidate_seconds: tuple[float, ...]

    @property
    def ratios(self) -> list[float]:
        """Baseline time / candidate time per input (>1: the candidate was faster)."""
        return [
            b / c if c > 0 else float("inf")
            for b, c in zip(self.baseline_seconds, self.candidate_seconds, strict=True)
        ]

    @property
    def median_ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def total_ratio(self) -> float:
        return sum(self.baseline_seconds) / sum(self.candidate_seconds)


def interleaved(
    baseline: Callable[[T], Any],
    candidate: Callable[[T], Any],
    inputs: Sequence[T],
    repeats: int = 1,
) -> Comparison:
    """Time baseline and candidate on each input, alternating which goes first.

    Alternating the order cancels drift (CPU boost, a noisy neighbour, caches
    warming) that would otherwise always favour whichever ran second; timing many
    small inputs instead of one big one lets the median ignore a burst of noise.
    With `repeats` > 1 each side runs that many times per input (the order flipping
    each time) and keeps its fastest: interference only ever adds time, so the
    minimum is the closest to the undisturbed cost of each (as `timeit` does).
    """
    if not inputs:
        raise ValueError("interleaved() needs at least one input")
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    base_times: list[float] = []
    cand_times: list[float] = []
    for i, item in enumerate(inputs):
        b = c = float("inf")
        for r in range(repeats):
            if (i + r) % 2 == 0:
                b = min(b, timed(lambda: baseline(item))[1])  # noqa: B023  (called at once)
                c = min(c, timed(lambda: candidate(item))[1])  # noqa: B023
            else:
                c = min(c, timed(lambda: candidate(item))[1])  # noqa: B023
                b = min(b, timed(lambda: baseline(item))[1])  # noqa: B023
        base_times.append(b)
        cand_times.append(c)
    return Comparison(tuple(base_times), tuple(cand_times))


def consume(iterable: Iterable[Any]) -> int:
    """Exhaust a stream without keeping it; return how many items it gave."""
    n = 0
    for _ in iterable:
        n += 1
    return n


def split_evenly(items: Sequence[T], parts: int) -> list[list[T]]:
    """`items` in `parts` consecutive slices of near-equal length (none empty)."""
    parts = max(1, min(parts, len(items)))
    size, extra = divmod(len(items), parts)
    out: list[list[T]] = []
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(items[start:end]))
        start = end
    return out


# --- memory ------------------------------------------------------------------


def own_peak_rss_kb() -> int:
    """This process's peak resident set size in KiB (VmHWM; ru_maxrss where /proc lacks it)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is KiB on Linux but bytes on macOS.
    return peak // 1024 if sys.platform == "darwin" else peak


def current_rss_kb() -> int:
    """This process's resident set size now, in KiB (0 where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class ChildRun:
    peak_rss_kb: int
    value: Any  # whatever the child function returned (JSON-able)
    seconds: float


def peak_rss_in_child(target: str, *args: Any, timeout: float = 2400.0) -> ChildRun:
    """Run `module:function(*args)` in a fresh Python and report that process's peak RSS.

    A fresh interpreter per run keeps peaks independent: RUSAGE_CHILDREN in the
    parent would report the largest child so far, not this one.
    """
    cmd = [sys.executable, "-m", "benchmarks.harness", target, json.dumps(list(args))]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"child {target}{tuple(args)} did not finish in {timeout:.0f}s"
        ) from None
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"child {target} failed (exit {proc.returncode}):\n{proc.stderr}")
    last = proc.stdout.strip().splitlines()[-1]
    report = json.loads(last)
    return ChildRun(int(report["peak_rss_kb"]), report["value"], seconds)


def _child_main(argv: list[str]) -> int:
    """Entry point of `peak_rss_in_child`: run the target, print one JSON line."""
    target, raw_args = argv
    module_name, _, func_name = target.partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    value = func(*json.loads(raw_args))
    print(json.dumps({"peak_rss_kb": own_peak_rss_kb(), "value": value}))
    return 0


# --- real texts --------------------------------------------------------------


def shared_dir(path: Path | None = None) -> Path:
    """The shared material directory, or SharedCorpusMissing saying where it was looked for."""
    shared = path or DEFAULT_SHARED
    if not (shared / "corpora").is_dir():
        raise SharedCorpusMissing(
            f"{shared}/corpora not present: the benchmarks read real news texts from "
            "../shared beside the repository"
        )
    return shared


def _rows(shared: Path, rel: str) -> Iterator[dict[str, Any]]:
    path = shared / rel
    if not path.is_file():
        raise SharedCorpusMissing(f"{path} not present")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def reuters_texts(shared: Path, topics: frozenset[str] | None = None) -> Iterator[ExtractInput]:
    """Reuters-21578 TRAIN stories in file order; with `topics`, only those labelled
    with one of them."""
    for row in _rows(shared, REUTERS):
        body = row.get("body") or ""
        if topics is not None and not topics & set(row.get("topics") or []):
            continue
        if body.strip():
            yield ExtractInput(
                id=f"reuters-{row['id']}",
                text=body,
                title=row.get("title"),
                published=row.get("date"),
                dateline=row.get("dateline"),
            )


def conll_texts(shared: Path) -> Iterator[ExtractInput]:
    for row in _rows(shared, CONLL):
        yield ExtractInput(id=f"conll-{row['doc_index']}", text=row["text"])


def article_page_texts(shared: Path) -> Iterator[ExtractInput]:
    """The English gold bodies of article_pages (aeb is all English; fundus is filtered)."""
    for row in _rows(shared, AEB):
        if row.get("body", "").strip():
            yield ExtractInput(id=f"aeb-{row['id'][:16]}", text=row["body"])
    for row in _rows(shared, FUNDUS):
        body = row.get("body_text") or ""
        if "en" in (row.get("languages") or []) and body.strip():
            yield ExtractInput(
                id=f"fundus-{row['id']}",
                text=body,
                title=row.get("title"),
                published=row.get("publishing_date"),
            )


def word_count(items: Iterable[ExtractInput]) -> int:
    """Whitespace words of the processed text: the unit of every words/second figure."""
    return sum(len(item.doc_text.split()) for item in items)


def mixed_texts(shared: Path, max_words: int) -> list[ExtractInput]:
    """A mix of every source, taken round-robin, until `max_words` words.

    Round-robin mixes long web articles with short wire stories in every batch,
    as a real feed run does.
    """
    sources = [article_page_texts(shared), conll_texts(shared), reuters_texts(shared)]
    out: list[ExtractInput] = []
    words = 0
    while sources and words < max_words:
        for source in list(sources):
            item = next(source, None)
            if item is None:
                sources.remove(source)
                continue
            out.append(item)
            words += len(item.doc_text.split())
            if words >= max_words:
                break
    return out


_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]?(?=\s|$)")


def lead(item: ExtractInput, max_words: int) -> ExtractInput:
    """The item with its body cut after the sentence that reaches `max_words` words."""
    words = list(islice(_WORD.finditer(item.text), max_words))
    if len(words) < max_words:
        return item
    cut = words[-1].end()
    end = _SENTENCE_END.search(item.text, cut - 1, cut + 300)
    body = item.text[: end.end() if end else cut]
    return dataclasses.replace(item, text=body)


def stream_texts(shared: Path, count: int) -> Iterator[ExtractInput]:
    """`count` texts, read lazily: every distinct real text first, then repeats with fresh ids.

    Distinct texts come first because new strings (StringStore growth) are what
    makes memory climb; repeats alone would hide it. Texts are re-read from disk
    on each pass rather than held in a list, so the input itself adds no memory
    that grows with `count`.
    """
    shared_dir(shared)
    produced = 0
    rounds = 0
    while produced < count:
        passed = 0
        for source in (reuters_texts, conll_texts, article_page_texts):
            for item in source(shared):
                if produced >= count:
                    return
                passed += 1
                produced += 1
                yield dataclasses.replace(item, id=f"{item.id}-r{rounds}") if rounds else item
        if not passed:
            raise SharedCorpusMissing(f"{shared}/corpora holds no texts")
        rounds += 1


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
