"""Readers for the two national datasets with full histories: the US executive and
Congress (unitedstates/congress-legislators, CC0) and UK ministers since 1979 (the
Institute for Government's Ministers Database, CC BY 4.0). See sources.py for the list.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from extractors.kb import QID_RE, KBRow
from pipeline.kb.sources import Mirror

_US_TERMS = {
    "prez": "President",
    "viceprez": "Vice President",
    "sen": "Senator",
    "rep": "Representative",
}
_UK_TITLES = re.compile(r"^(Lord|Baroness|Lady|Sir|Dame|Viscount|Earl|Baron)\s+", re.I)


def read_congress(mirror: Mirror, repo: str, commit: str) -> Iterator[KBRow]:
    """US presidents and vice presidents since 1789, and the current Congress."""
    import yaml  # the build's own dependency (dev extra); runtime never reads YAML

    for path in ("executive.yaml", "legislators-current.yaml"):
        people: list[dict[str, Any]] = yaml.safe_load(mirror.read(repo, commit, path))
        for person in people:
            yield from _congress_person(person, path.split(".")[0])


def _congress_person(person: dict[str, Any], source: str) -> Iterator[KBRow]:
    ids, name = person.get("id", {}), person.get("name", {})
    qid = str(ids.get("wikidata") or "")
    qid = qid if QID_RE.match(qid) else ""
    first, last = name.get("first", ""), name.get("last", "")
    full = name.get("official_full") or " ".join(p for p in (first, last) if p)
    aliases = {
        " ".join(p for p in (first, name.get("middle"), last) if p),
        " ".join(p for p in (name.get("nickname"), last) if p),
        " ".join(p for p in (first, last) if p),
    }
    if ids.get("wikipedia"):
        aliases.add(re.sub(r"\s*\(.*\)$", "", str(ids["wikipedia"])))
    aliases.discard(full)
    aliases = {a for a in aliases if len(a.split()) > 1}
    pid = qid or f"bioguide:{ids.get('bioguide') or ids.get('govtrack')}"
    for term in _merged_terms(person.get("terms", [])):
        yield KBRow(
            name=full,
            office=_US_TERMS.get(term["type"], term["type"]),
            country="United States",
            start=term.get("start"),
            end=term.get("end") if term.get("end", "") < "2099" else None,
            qid=qid or None,
            aliases=tuple(sorted(aliases)),
            source=f"congress-legislators/{source}",
            pid=pid,
        )


def _merged_terms(terms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive terms in one office as one tenure (a senator's three terms)."""
    out: list[dict[str, Any]] = []
    for term in sorted(terms, key=lambda t: str(t.get("start", ""))):
        term = {k: str(v) for k, v in term.items() if k in ("type", "start", "end")}
        last = out[-1] if out else None
        if last and last["type"] == term["type"] and term["start"] <= _next_days(last["end"], 62):
            last["end"] = max(last["end"], term["end"])
        else:
            out.append(term)
    return out


def _next_days(date: str, days: int) -> str:
    from datetime import date as Date
    from datetime import timedelta

    try:
        return (Date.fromisoformat(date) + timedelta(days=days)).isoformat()
    except ValueError:
        return date


def read_ifg(mirror: Mirror, repo: str, commit: str) -> Iterator[KBRow]:
    """UK ministers since May 1979: every appointment with its post and dates."""

    def table(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(mirror.read(repo, commit, f"data/{name}.csv"))))

    names: dict[str, list[str]] = defaultdict(list)
    for row in table("person"):
        for col in ("name", "display_name"):
            value = row[col].strip()
            if value and value not in names[row["id"]]:
                names[row["id"]].append(value)
    posts = {row["id"]: row["name"].strip() for row in table("post")}
    for row in table("appointment"):
        person_names = names.get(row["person_id"])
        post = posts.get(row["post_id"])
        if not person_names or not post:
            continue
        # The plain name first: "Peter Mandelson", with "Lord Mandelson" as an alias.
        plain = [n for n in person_names if not _UK_TITLES.match(n)] or person_names
        yield KBRow(
            name=plain[0],
            office=post,
            country="United Kingdom",
            start=row["start_date"] or None,
            end=row["end_date"] or None,
            aliases=tuple(n for n in person_names if n != plain[0]),
            source="ifg-ministers",
            pid=f"ifg:{row['person_id'][:8]}",
        )
