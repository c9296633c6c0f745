"""`python -m benchmarks` (what `make bench` runs): run the benchmarks, write RESULTS.md.

Every benchmark is a function `run(quick: bool = False) -> dict` returning
{name, figures: [{label, value, unit}], target, met, notes} (see harness.result).
The first figure is the one judged against the target; the others give context.
REGISTRY is the order they run in; adding a benchmark is one line there.

A full run writes benchmarks/RESULTS.md; `--quick` (a smoke run on tiny inputs) and
`--only` runs print the report instead unless `--output` is given, so they never
overwrite the real results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import subprocess
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.harness import REPO, SharedCorpusMissing


@dataclass(frozen=True)
class Benchmark:
    name: str
    target: str  # "module:function" (a sibling module here), imported only when it runs
    what: str


REGISTRY: tuple[Benchmark, ...] = (
    Benchmark("nlp_throughput", "bench_nlp:run", "full extraction vs bare nlp.pipe"),
    Benchmark("nlp_parallel", "bench_nlp:run_parallel", "n_process=2 vs n_process=1"),
    Benchmark("nlp_memory", "bench_memory:run", "peak RSS, 10,000 vs 1,000 texts"),
    Benchmark("nlp_linearity", "bench_linearity:run", "time per character, 10k to 1M chars"),
    Benchmark("end_to_end", "bench_end_to_end:run", "run_once, 500+ pages vs trafilatura+NLP"),
    Benchmark("rerun", "bench_rerun:run", "second run over unchanged sources vs cold run"),
    Benchmark("search_scale", "bench_search_scale:run", "search/events/digest at 100k articles"),
    Benchmark("ingest", "bench_ingest:run", "articles stored/s, longest write transaction"),
    Benchmark("backfill", "bench_backfill:run", "WARC backfill: dask 2 workers vs 1 process"),
)

DEFAULT_OUTPUT = REPO / "benchmarks" / "RESULTS.md"
RESULT_KEYS = ("name", "figures", "target", "met", "notes")


def main(argv: Sequence[str] | None = None, registry: Sequence[Benchmark] = REGISTRY) -> int:
    args = _parser(registry).parse_args(argv)
    chosen = [b for b in registry if not args.only or b.name in args.only]
    started = dt.datetime.now(dt.UTC)
    facts = machine_facts()
    output = args.output or (None if args.quick or args.only else DEFAULT_OUTPUT)
    outcomes: list[dict[str, Any]] = []
    for i, bench in enumerate(chosen):
        print(f"[bench] {bench.name}: {bench.what} ...", file=sys.stderr, flush=True)
        outcome = run_one(bench, quick=args.quick)
        print(f"[bench] {bench.name}: {outcome['status']}", file=sys.stderr, flush=True)
        outcomes.append(outcome)
        if output is not None:
            # Written after every benchmark so a long run interrupted late keeps its results.
            pending = [b.name for b in chosen[i + 1 :]]
            report = render(outcomes, facts, started=started, quick=args.quick, pending=pending)
            Path(output).write_text(report, encoding="utf-8")
    if output is None:
        print(render(outcomes, facts, started=started, quick=args.quick))
    else:
        print(f"[bench] wrote {output}", file=sys.stderr)
    return 1 if any(o["status"] == "ERROR" for o in outcomes) else 0


def _parser(registry: Sequence[Benchmark]) -> argparse.ArgumentParser:
    names = [b.name for b in registry]
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--only", action="append", choices=names, metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(names)}",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="smoke run on tiny inputs")
    parser.add_argument("--output", type=Path, help=f"where to write the report ({DEFAULT_OUTPUT})")
    return parser


def run_one(bench: Benchmark, quick: bool) -> dict[str, Any]:
    """Run one benchmark; never raise: a skip or a crash becomes part of the report."""
    try:
        outcome = dict(_resolve(bench.target)(quick=quick))
        _check_shape(outcome)
    except SharedCorpusMissing as exc:
        return _empty(bench, "SKIPPED", str(exc))
    except Exception:
        return _empty(bench, "ERROR", traceback.format_exc())
    outcome["status"] = "MET" if outcome["met"] else "MISSED"
    return outcome


def _resolve(target: str) -> Callable[..., dict[str, Any]]:
    """Import "module:function"; a bare module name is a sibling in this package."""
    module_name, _, func_name = target.partition(":")
    if "." not in module_name:
        module_name = f"{__package__ or 'benchmarks'}.{module_name}"
    func: Callable[..., dict[str, Any]] = getattr(importlib.import_module(module_name), func_name)
    return func


def _check_shape(outcome: dict[str, Any]) -> None:
    missing = [k for k in RESULT_KEYS if k not in outcome]
    if missing:
        raise ValueError(f"benchmark result lacks {missing}")
    for fig in outcome["figures"]:
        if set(fig) != {"label", "value", "unit"}:
            raise ValueError(f"malformed figure {fig!r}")


def _empty(bench: Benchmark, status: str, notes: str) -> dict[str, Any]:
    return {"name": bench.name, "figures": [], "target": "", "met": False,
            "notes": notes, "status": status}  # fmt: skip


# --- machine facts -----------------------------------------------------------


def machine_facts() -> dict[str, str]:
    """What a reader needs to compare two RESULTS.md files."""
    return {
        "CPU": f"{os.cpu_count()} x {_cpu_model()}",
        "RAM": _ram(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "spaCy": _spacy_versions(),
        "git commit": _git_commit(),
        "1-min load average at start": f"{os.getloadavg()[0]:.2f}",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _spacy_versions() -> str:
    """spaCy's version and the installed model package's (read from metadata: no load)."""
    import spacy

    from extractors.model import STAND_INS
    from pipeline.core.config import NLPConfig

    model = NLPConfig().model
    for candidate in (model, *STAND_INS.get(model, ())):
        try:
            return f"{spacy.__version__}, model {candidate} {metadata.version(candidate)}"
        except metadata.PackageNotFoundError:
            continue
    return f"{spacy.__version__}, model {model} not installed"


def _git_commit() -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"{commit}{' + uncommitted changes' if dirty else ''}"


# --- report ------------------------------------------------------------------


def render(
    outcomes: Sequence[dict[str, Any]],
    facts: dict[str, str],
    started: dt.datetime,
    quick: bool,
    pending: Sequence[str] = (),
) -> str:
    lines = ["# newswatch benchmark results", ""]
    if pending:
        lines += [f"**Run in progress; still to run: {', '.join(pending)}.**", ""]
    if quick:
        lines += ["**QUICK smoke run on tiny inputs: the figures below mean nothing.**", ""]
    lines += [
        f"Run {started:%Y-%m-%d %H:%M} UTC with `python -m benchmarks"
        f"{' --quick' if quick else ''}`. Speed figures are ratios against a baseline timed "
        "alternately in the same process (medians), because these machines are noisy.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        "| benchmark | figure | value | target | result |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        lines += _rows(outcome)
    lines.append("")
    lines.append("The first figure of each benchmark is the one judged against its target.")
    for outcome in outcomes:
        if outcome["notes"]:
            lines += ["", f"## {outcome['name']}", "", _as_markdown(outcome["notes"])]
    return "\n".join(lines) + "\n"


def _rows(outcome: dict[str, Any]) -> list[str]:
    name, status = outcome["name"], outcome["status"]
    if not outcome["figures"]:
        return [f"| {name} | - | - | {outcome['target'] or '-'} | {status} |"]
    rows = []
    for i, fig in enumerate(outcome["figures"]):
        target, result = (outcome["target"], f"**{status}**") if i == 0 else ("(context)", "")
        rows.append(f"| {name} | {fig['label']} | {_value(fig)} | {target} | {result} |")
    return rows


def _value(fig: dict[str, Any]) -> str:
    value = fig["value"]
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = str(value)
    return f"{text} {fig['unit']}".strip()


def _as_markdown(notes: str) -> str:
    """Multi-line notes (tracebacks) go in a code block so they stay readable."""
    return f"```\n{notes.rstrip()}\n```" if "\n" in notes else notes


if __name__ == "__main__":
    sys.exit(main())
