"""The one reader of the data files in extractors/data/, with one error policy.

Every lexicon newswatch ships is a UTF-8 text table: one entry per line, cells
separated by tabs (surrounding spaces ignored), blank lines and lines starting with
"#" skipped, so each file can open with a comment naming its sources and columns.
A file may also start with a header row naming its columns (event_triggers.tsv).

Whatever is wrong with a file - missing, not UTF-8, a header that does not match, too
many cells, an empty required cell, a value its interpreter does not know - raises
`LexiconError` with "path:line: what" (or "path: what" when no line is at fault), so
a bad edit to a lexicon is one clear line, never a traceback from deep in a component.

The modules that interpret a file (gazetteer.py, names.py, event_rules.py, ...) say
what its columns mean; this module only turns it into checked rows.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import LexiconError

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Row:
    """One entry of a data file: its cells (padded to the file's columns) and where it is."""

    path: Path
    line: int
    cells: tuple[str, ...]

    def __getitem__(self, index: int) -> str:
        return self.cells[index]

    def error(self, message: str) -> LexiconError:
        """A `LexiconError` naming this row's file and line."""
        return LexiconError(f"{self.path}:{self.line}: {message}")


def read_table(
    path: Path, columns: Sequence[str], *, required: int = 1, header: bool = False
) -> list[Row]:
    """The entries of a tab-separated data file, checked against its `columns`.

    A row may leave trailing cells out (they read as ""), but may not have more cells
    than `columns`, and its first `required` cells must not be empty. With `header`,
    the first row must name exactly `columns` and is not returned.
    """
    try:
        raw = path.read_bytes()
        # A large table may ship gzipped (data/kb/office_holders.tsv.gz).
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon file: {exc}") from exc
    rows: list[Row] = []
    expect_header = header
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = tuple(cell.strip() for cell in line.split("\t"))
        row = Row(path, number, cells + ("",) * (len(columns) - len(cells)))
        if expect_header:
            if cells != tuple(columns):
                raise row.error(f"expected the header row {' | '.join(columns)}")
            expect_header = False
            continue
        if len(cells) > len(columns):
            raise row.error(
                f"{len(cells)} tab-separated cells, at most {len(columns)} expected "
                f"({', '.join(columns)})"
            )
        for name, cell in zip(columns[:required], row.cells[:required], strict=True):
            if not cell:
                raise row.error(f"the column '{name}' is empty")
        rows.append(row)
    if expect_header:
        raise LexiconError(f"{path}: no header row ({' | '.join(columns)})")
    return rows


def read_word_lists(
    path: Path, kinds: Iterable[str], meanings: Iterable[str] = ()
) -> dict[str, dict[str, str]]:
    """Rows `kind<TAB>word[<TAB>meaning]` by kind: {kind: {word: meaning}}, in file order.

    Every kind in `kinds` is present, empty when the file has no row of it (a trimmed
    file means "no such words", not a KeyError later); a kind not in `kinds` is an
    error. Kinds in `meanings` are mappings and need the third cell ("heads" -> head);
    the other kinds are plain word lists and must leave it out.
    """
    lists: dict[str, dict[str, str]] = {kind: {} for kind in kinds}
    mapped = set(meanings)
    for row in read_table(path, ("kind", "word", "meaning"), required=2):
        kind, word, meaning = row.cells
        if kind not in lists:
            raise row.error(f"unknown kind '{kind}' (known: {', '.join(lists)})")
        if kind in mapped and not meaning:
            raise row.error(f"kind '{kind}' needs a meaning in the third column")
        if kind not in mapped and meaning:
            raise row.error(f"kind '{kind}' takes no third column")
        lists[kind][word] = meaning
    return lists
