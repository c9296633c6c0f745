"""Printing query results as a table, JSON or CSV: one place, the same for every command.

`table` is for people: a rich table with highlighted matches on a terminal, and
plain "field: value" blocks when the output is a pipe or a file (box drawing
and colour codes are noise in a file, and a fixed width would cut sentences).
`json` is a list of objects with lists kept as lists; `csv` has a header row
and flattens lists to "a; b" so it opens cleanly in a spreadsheet.

Every value goes through the sink's encoder (pipeline/core/encoders.py): table cells
lose control characters and escape sequences, JSON strings carry them escaped, and
csv cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.core.encoders import csv_cell, json_text, terminal_line

FORMATS = ("table", "json", "csv")


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    out: TextIO,
    *,
    columns: Sequence[str],
    table_columns: Sequence[str] | None = None,
    highlight: tuple[str, str] | None = None,
    terminal: bool | None = None,
) -> None:
    """Write `rows` to `out` in `fmt`.

    `columns` are written by json and csv; the table shows `table_columns`
    (default: the same), since a terminal has room for fewer. `highlight` is
    the pair of markers around matches, styled in the table. `terminal`
    overrides the TTY check (None: ask `out`).
    """
    if fmt == "json":
        out.write(json_text([_pick(r, columns) for r in rows], ensure_ascii=False, indent=2))
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_value(row.get(c)) for c in columns])
    elif fmt == "table":
        shown = list(table_columns or columns)
        is_tty = out.isatty() if terminal is None else terminal
        if is_tty:
            _rich_table(rows, shown, out, highlight)
        else:
            _plain_records(rows, shown, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")


def csv_value(value: Any) -> Any:
    """One csv cell: lists flattened, then neutralised against formula injection."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return csv_cell("; ".join(value))
    if isinstance(value, list | dict):
        return csv_cell(json.dumps(value, ensure_ascii=False))
    return csv_cell(value)


def _pick(row: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    return {c: row.get(c) for c in columns}


def _cell_text(value: Any) -> str:
    """A table cell or plain record value: one line, no control characters."""
    if value is None:
        return ""
    if isinstance(value, list):
        return terminal_line("; ".join(str(v) for v in value))
    if isinstance(value, float):
        return f"{value:.3g}"
    return terminal_line(value)


def _styled(text: str, highlight: tuple[str, str] | None) -> Text:
    """`text` with the spans between highlight markers in bold, markers removed."""
    result = Text()
    if highlight is None:
        result.append(text)
        return result
    start, end = highlight
    rest = text
    while (i := rest.find(start)) >= 0 and (j := rest.find(end, i + len(start))) >= 0:
        result.append(rest[:i])
        result.append(rest[i + len(start) : j], style="bold yellow")
        rest = rest[j + len(end) :]
    result.append(rest)
    return result


def _rich_table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    out: TextIO,
    highlight: tuple[str, str] | None,
) -> None:
    # force_terminal: the caller decided this is a terminal (or a test says so).
    console = Console(file=out, highlight=False, soft_wrap=False, force_terminal=True)
    table = Table(show_lines=True)
    for col in columns:
        wide = col in ("snippet", "evidence", "title")
        table.add_column(col, overflow="fold", ratio=3 if wide else 1)
    for row in rows:
        table.add_row(*(_styled(_cell_text(row.get(c)), highlight) for c in columns))
    console.print(table)


def _plain_records(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], out: TextIO) -> None:
    width = max((len(c) for c in columns), default=0)
    for n, row in enumerate(rows):
        if n:
            out.write("\n")
        for col in columns:
            # Plain text keeps the markers: they are the only way to see the match.
            out.write(f"{col + ':':<{width + 1}} {_cell_text(row.get(col))}\n")
