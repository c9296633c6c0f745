"""The open datasets the shipped office-holder KB is built from, and a reader for each.

Every source is a public git repository brought here with the search tool's `fetch`
(a bare mirror under `--mirror`, default /work/.mirror/<owner>+<name>/repo) and read
at the pinned commit below with `git show`, so a build is reproducible: same commits,
same KB. Only derived rows go into the package; no fetched code or file is committed.

Sources (licences checked; data/kb/SOURCES.md records each commit):

- every-politician-scrapers/<country> (26 repositories): `html/holders21.csv`, holders
  of national offices since 2000 (heads of state and government, ministers,
  ambassadors, judges, governors) with Wikidata ids and dates, and
  `html/legislators.csv` (national chambers kept). Wikidata statements, CC0; the
  repositories carry no licence of their own.
- every-politician-scrapers/world-leaders-2021: `data/wikidata.csv`, every country's
  heads of state and government in office since 2021 (years). Wikidata, CC0.
- unitedstates/congress-legislators: `executive.yaml` (every US president and vice
  president), `legislators-current.yaml` (the current Congress, all terms). CC0 1.0.
- instituteforgov/ifg-ministers-database-public: every UK minister since 1979 with
  post and dates. CC BY 4.0 (attribution: Institute for Government, IfG Ministers
  Database).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extractors.gazetteer import country_lookup
from extractors.kb import QID_RE, KBRow

# every-politician-scrapers country repos: repo name -> pinned commit, and the
# national legislature positions kept from its legislators.csv (regional ones are not).
EPS_COUNTRIES: dict[str, tuple[str, str]] = {
    "argentina-ministers": ("", r"Argentine Chamber of (Deputies|Senators)"),
    "australia-cabinet": ("", r"^Member of the (House of Representatives|Senate)$"),
    "brazil-ministers": ("", r"^(Federal deputy|Senator)$"),
    "canada-cabinet": ("", r"^member of the House of Commons$"),
    "chile-ministers": ("", r"^(Deputy|Senator)$"),
    "china-ministers": ("", r"^$"),  # 6,500 NPC deputies: too many namesakes, none kept
    "france-cabinet": ("", r"^member of the (French National Assembly|Senate of France)$"),
    "india-ministers": ("", r"Lok Sabha$"),
    "indonesia-ministers": ("", r"^Member of the People's Representative Council of Indonesia$"),
    "israel-ministers": ("", r"^Knesset member$"),
    "italy-ministers": ("", r"^member of the (Chamber of Deputies|Senate)$"),
    "japan-ministers": ("", r"^member of the House of (Representatives|Councillors)$"),
    "mexico-ministers": (
        "",
        r"^(Member of the Chamber of Deputies|member of the Senate) of Mexico$",
    ),
    "new-zealand-cabinet": ("", r"^Member of the New Zealand Parliament$"),
    "nigeria": ("", r"^member of the (House of Representatives|Senate) of Nigeria$"),
    "pakistan-ministers": ("", r"National Assembly of Pakistan$"),
    "philippines-ministers": (
        "",
        r"^Member of the (House of Representatives|Senate) of the Philippines$",
    ),
    "russia-cabinet": ("", r"^member of the (State Duma|Federation Council of Russia)$"),
    "saudi-ministers": ("", r"^$"),
    "south-africa-cabinet": ("", r"^member of the National Assembly of South Africa$"),
    "south-korea-ministers": ("", r"^Member of National Assembly of South Korea$"),
    "spain-ministers": ("", r"^Member of the Congress of Deputies$"),
    "turkey-ministers": ("", r"^Member of the Grand National Assembly of Turkey$"),
    "ukraine-cabinet": ("", r"^People's Deputy of Ukraine$"),
    "united-kingdom-cabinet": ("", r"Parliament of the United Kingdom$"),
    "us-cabinet": ("", r"^United States (representative|senator)$"),
}
WORLD_LEADERS = "every-politician-scrapers/world-leaders-2021"
CONGRESS = "unitedstates/congress-legislators"
IFG = "instituteforgov/ifg-ministers-database-public"

# Legislator position labels -> the office the KB records (one label per chamber).
_LEGISLATOR_OFFICE = (
    (r"Parliament of the United Kingdom", "Member of Parliament"),
    (r"Lok Sabha", "Member of the Lok Sabha"),
    (r"National Assembly of Pakistan", "Member of the National Assembly"),
)


@dataclass(frozen=True)
class Mirror:
    """Read files of fetched repositories at a commit (bare git mirrors)."""

    root: Path

    def repo_dir(self, repo: str) -> Path:
        return self.root / repo.replace("/", "+") / "repo"

    def head(self, repo: str) -> str:
        return self._git(repo, "rev-parse", "HEAD").strip()

    def commit_date(self, repo: str, commit: str) -> str:
        return self._git(repo, "show", "-s", "--format=%cs", commit).strip()

    def read(self, repo: str, commit: str, path: str) -> str:
        return self._git(repo, "show", f"{commit}:{path}")

    def _git(self, repo: str, *args: str) -> str:
        where = self.repo_dir(repo)
        if not where.is_dir():
            raise FileNotFoundError(f"{repo}: not fetched (no {where})")
        out = subprocess.run(
            ["git", "--git-dir", str(where), *args], capture_output=True, check=True
        )
        return out.stdout.decode("utf-8")


def canonical_country(name: str) -> str | None:
    """The extraction's canonical country name for a source's country label."""
    text = name.strip()
    for candidate in (text, re.sub(r"^the\s+", "", text, flags=re.I)):
        found = country_lookup(candidate)
        if found:
            return found
    stripped = re.sub(
        r"^(the\s+)?(Kingdom of (the\s+)?|Republic of (the\s+)?|State of |People's Republic of )",
        "",
        text,
        flags=re.I,
    )
    return country_lookup(stripped)


def _csv(text: str) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(io.StringIO(text))


def _date(value: str | None) -> str | None:
    value = (value or "").strip()[:10]
    return value if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", value) else None


def _sentence_case(office: str) -> str:
    """Offices as the KB records them: "minister of finance" -> "Minister of finance"."""
    return office[:1].upper() + office[1:]


def _labelled(qid: str, name: str) -> bool:
    """A Wikidata person with a label: an unlabelled one (the label is the id) cannot
    be found by name."""
    return bool(QID_RE.match(qid)) and bool(name) and not QID_RE.match(name)


def _wiki_alias(enwiki: str, name: str) -> tuple[str, ...]:
    title = re.sub(r"\s*\(.*\)$", "", enwiki or "").strip()
    return (title,) if title and title != name else ()


# -- every-politician-scrapers -------------------------------------------------------------
def read_eps_country(mirror: Mirror, repo: str, commit: str, legislators: str) -> Iterator[KBRow]:
    meta = _json(mirror.read(repo, commit, "meta.json"))
    country = canonical_country(meta["jurisdiction"]["name"])
    source = repo.split("/")[-1]
    for row in _csv(mirror.read(repo, commit, "html/holders21.csv")):
        yield from _holder_row(row, row["position"], country, source)
    kept = re.compile(legislators)
    for row in _csv(mirror.read(repo, commit, "html/legislators.csv")):
        if legislators != "^$" and kept.search(row["position"]):
            office = next(
                (o for pat, o in _LEGISLATOR_OFFICE if re.search(pat, row["position"])),
                row["position"],
            )
            yield from _holder_row(row, office, country, source)


def _holder_row(
    row: dict[str, str], office: str, country: str | None, source: str
) -> Iterator[KBRow]:
    qid = row.get("personID", "").strip()
    name = row.get("person", "").strip()
    if not _labelled(qid, name):
        return
    yield KBRow(
        name=name,
        office=_sentence_case(office),
        country=country,
        start=_date(row.get("start")),
        end=_date(row.get("end")),
        qid=qid,
        aliases=_wiki_alias(row.get("enwiki", ""), name),
        source=source,
        pid=qid,
    )


def read_world_leaders(mirror: Mirror, repo: str, commit: str) -> Iterator[KBRow]:
    for row in _csv(mirror.read(repo, commit, "data/wikidata.csv")):
        qid, name = row["officeholder"], row["officeholderLabel"]
        country = canonical_country(row["country"])
        if not _labelled(qid, name) or country is None:
            continue
        yield KBRow(
            name=name,
            office=_sentence_case(row["positionLabel"]),
            country=country,
            start=_date(row["start_year"]),
            end=_date(row["end_year"]),
            qid=qid,
            source="world-leaders-2021",
            pid=qid,
        )


def _json(text: str) -> Any:
    return json.loads(text)
