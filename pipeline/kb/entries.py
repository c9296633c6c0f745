"""The KB extraction uses: the shipped office-holder KB plus the rows kept in the database.

`newswatch kb add` keeps an analyst's row (storage/kb_entries.py); a run and a
reprocess read the kept rows before extracting and hand them to the pipeline's
newswatch_kb component (`apply_rows`), so a correction shows in every article
extracted after it, and `newswatch reprocess --all` applies it to stored ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.kb import DATE_RE, QID_RE, KBRow, OfficeHolderKB, shipped_kb
from storage import kb_entries
from storage.db import open_database

if TYPE_CHECKING:
    from spacy.language import Language

KB_COMPONENT = "newswatch_kb"


def apply_rows(nlp: Language, rows: Sequence[KBRow]) -> bool:
    """Give the pipeline's KB component the kept rows; False when it has none."""
    if KB_COMPONENT not in nlp.pipe_names:
        return False
    component: Any = nlp.get_pipe(KB_COMPONENT)  # extractors.kb_officials.KBOfficialsComponent
    if getattr(component, "applied_rows", None) != list(rows):
        component.use_rows(rows)
        component.applied_rows = list(rows)  # same rows next run: nothing to redo
    return True


def stored_rows(db_path: Path) -> list[KBRow]:
    """The kept rows of the database at `db_path` (none when there is no database)."""
    if not Path(db_path).exists():
        return []
    db = open_database(db_path, readonly=True)
    try:
        return kb_entries.rows(db)
    finally:
        db.close()


def current_kb(db_path: Path | None) -> OfficeHolderKB:
    rows = stored_rows(db_path) if db_path is not None else []
    return shipped_kb().with_rows(rows) if rows else shipped_kb()


def analyst_row(
    name: str,
    *,
    qid: str | None = None,
    aliases: Sequence[str] = (),
    office: str | None = None,
    country: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> KBRow:
    """A checked analyst row; ValueError names what is wrong."""
    name = " ".join(name.split())
    if len(name) < 2:
        raise ValueError("--name: a person's name is needed")
    if qid is not None and not QID_RE.match(qid):
        raise ValueError(f"--qid: {qid!r} is not a Wikidata id (Q followed by digits)")
    for flag, value in (("--start", start), ("--end", end)):
        if value is not None and not DATE_RE.match(value):
            raise ValueError(f"{flag}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    if start and end and end < start[: len(end)]:
        raise ValueError(f"--end {end} is before --start {start}")
    if office is None and (country or start or end):
        raise ValueError("--country, --start and --end describe an office: give --office too")
    if office is None and not aliases and qid is None:
        raise ValueError("nothing to add: give --office, --alias or --qid")
    if country is not None:
        country = _canonical_country(country)
    return KBRow(
        name=name,
        office=re.sub(r"\s+", " ", office).strip() if office else None,
        country=country,
        start=start,
        end=end,
        qid=qid,
        aliases=tuple(" ".join(a.split()) for a in aliases if a.strip()),
        source=kb_entries.ANALYST,
    )


def _canonical_country(name: str) -> str:
    from pipeline.kb.sources import canonical_country

    found = canonical_country(name)
    if found is None:
        raise ValueError(f"--country: {name!r} is not a country newswatch knows")
    return found
