"""`newswatch eval`: extraction quality against gold, next to the NER baseline."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language

from extractors.baseline import baseline_records
from extractors.model import load_model
from extractors.nlp import extract
from extractors.records import EVENT_TYPES, ExtractInput
from extractors.scoring import event_breakdown, score

FIELDS = ("minerals", "countries", "officials", "organizations", "events", "events.participants")
ACCURACIES = ("officials.role", "officials.country", "organizations.kind", "events.date")


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def input_from_row(row: dict[str, Any]) -> ExtractInput:
    """An `extract` input line; unknown keys (source, source_ref) are ignored."""
    if "id" not in row or "text" not in row:
        raise ValueError("each line needs at least 'id' and 'text'")
    return ExtractInput(
        id=str(row["id"]),
        text=str(row["text"] or ""),
        title=row.get("title"),
        published=None if row.get("published") is None else str(row["published"]),
        dateline=row.get("dateline"),
    )


def readable_inputs(
    lines: Iterable[str], on_error: Callable[[int, str], None]
) -> Iterator[ExtractInput]:
    """The input lines that parse; one that does not goes to on_error(line number,
    problem) and is skipped, so one bad line never stops the lines after it."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield input_from_row(json.loads(line))
        except (json.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
            on_error(number, str(exc) or type(exc).__name__)


def inputs_from_lines(lines: Iterable[str]) -> Iterator[ExtractInput]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield input_from_row(json.loads(line))
        except (json.JSONDecodeError, ValueError, TypeError) as exc:
            raise ValueError(f"input line {number}: {exc}") from None


def evaluate(
    nlp: Language,
    gold_path: str | Path,
    texts_path: str | Path,
    baseline_model: str | None = None,
    batch_size: int = 32,
) -> dict[str, Any]:
    gold = read_jsonl(gold_path)
    items = [input_from_row(row) for row in read_jsonl(texts_path)]
    predicted = {e.id: e.to_spec() for e in extract(nlp, items, batch_size=batch_size)}
    result: dict[str, Any] = {
        "newswatch": score(gold, predicted),
        "events_by_type": event_breakdown(gold, predicted),
        "articles": len(gold),
    }
    if baseline_model:
        base_nlp = load_model(baseline_model)
        base = {r["id"]: r for r in baseline_records(base_nlp, items, batch_size=batch_size)}
        result["baseline"] = score(gold, base)
    return result


def format_side_by_side(results: dict[str, dict[str, Any]]) -> str:
    """One table with a P/R/F1 column group per gold set ("dev", "check") and the first
    set's baseline F1: aggregate scores only, so a validation set read this way tells
    nothing about single articles."""
    names = list(results)
    base = results[names[0]].get("baseline", {})
    groups = "".join(f" | {n + ' (' + str(results[n]['articles']) + ')':^20s}" for n in names)
    lines = [
        f"{'field':22s}{groups}" + (f" | {names[0] + ' baseline':>14s}" if base else ""),
        f"{'':22s}"
        + " | {:>6s} {:>6s} {:>6s}".format("P", "R", "F1") * len(names)
        + (f" | {'F1':>14s}" if base else ""),
    ]
    for field in FIELDS:
        cells = "".join(
            " | {p:6.3f} {r:6.3f} {f1:6.3f}".format(
                **results[n]["newswatch"].get(field, {"p": 1.0, "r": 1.0, "f1": 1.0})
            )
            for n in names
        )
        b = base.get(field, {}).get("f1")
        tail = f" | {'-' if b is None else format(b, '.3f'):>14s}" if base else ""
        lines.append(f"{field:22s}{cells}{tail}")
    groups = "".join(f" | {'':>20s}" for _ in names)
    lines.append(f"{'accuracy':22s}{groups}" + (f" | {'':>14s}" if base else ""))
    for field in ACCURACIES:
        cells = ""
        for n in names:
            row = results[n]["newswatch"].get(field, {})
            value = row.get("accuracy")
            shown = "n/a" if value is None else f"{value:.3f}"
            cells += f" | {shown + ' (n ' + str(row.get('n', 0)) + ')':>20s}"
        b = base.get(field, {}).get("accuracy")
        tail = f" | {'-' if b is None else format(b, '.3f'):>14s}" if base else ""
        lines.append(f"{field:22s}{cells}{tail}")
    by_type = [results[n].get("events_by_type", {}) for n in names]
    if any(by_type):
        lines.append(f"{'events by type':22s}{groups}" + (f" | {'':>14s}" if base else ""))
        for kind in _event_kinds(by_type):
            cells = "".join(
                " | {p:6.3f} {r:6.3f} {f1:6.3f}".format(**rows[kind]) if kind in rows
                else f" | {'-':>20s}"
                for rows in by_type
            )  # fmt: skip
            lines.append(f"{'  ' + kind:22s}{cells}" + (f" | {'':>14s}" if base else ""))
    return "\n".join(lines)


def _event_kinds(by_type: list[dict[str, Any]]) -> list[str]:
    """The event types any set has, in the spec's order, then "any type"."""
    present = {kind for rows in by_type for kind in rows}
    return [k for k in (*EVENT_TYPES, "any type") if k in present] + sorted(
        present - {*EVENT_TYPES, "any type"}
    )


def format_report(result: dict[str, Any]) -> str:
    ours, base = result["newswatch"], result.get("baseline", {})
    lines = [
        f"{result['articles']} articles",
        f"{'field':22s} {'P':>6s} {'R':>6s} {'F1':>6s}   {'baseline F1':>11s}",
    ]
    for name in FIELDS:
        row = ours.get(name, {"p": 1.0, "r": 1.0, "f1": 1.0, "tp": 0, "fp": 0, "fn": 0})
        b = base.get(name, {}).get("f1")
        lines.append(
            f"{name:22s} {row['p']:6.3f} {row['r']:6.3f} {row['f1']:6.3f}   "
            f"{'-' if b is None else format(b, '.3f'):>11s}"
            f"   (tp {row['tp']}, fp {row['fp']}, fn {row['fn']})"
        )
    lines.append(f"{'accuracy':22s} {'':>20s}   {'baseline':>11s}")
    for name in ACCURACIES:
        value = ours.get(name, {}).get("accuracy")
        n = ours.get(name, {}).get("n", 0)
        b = base.get(name, {}).get("accuracy")
        lines.append(
            f"{name:22s} {'n/a' if value is None else format(value, '.3f'):>20s}   "
            f"{'-' if b is None else format(b, '.3f'):>11s}   (n {n})"
        )
    by_type = result.get("events_by_type", {})
    if by_type:
        lines.append("events by type")
        for kind in _event_kinds([by_type]):
            row = by_type[kind]
            lines.append(
                f"{'  ' + kind:22s} {row['p']:6.3f} {row['r']:6.3f} {row['f1']:6.3f}   {'':>11s}"
                f"   (tp {row['tp']}, fp {row['fp']}, fn {row['fn']})"
            )
    return "\n".join(lines)
