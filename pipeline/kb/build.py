"""Build the shipped office-holder KB from the fetched open datasets.

    python -m pipeline.kb.build [--mirror /work/.mirror] [--out extractors/data/kb]

reads every source of pipeline/kb/sources.py at its pinned commit, gives people
without a Wikidata id in their source the id of the one person of the same name and
country that has one (an IfG minister who was also an MP, a president in office
since 2000), adds pipeline/kb/supplement.tsv (a handful of hand-checked ids the
sources lack, each with its reference), merges the same person's overlapping
tenures in one office, and writes `office_holders.tsv.gz` and `SOURCES.md` (each
source's repository, commit, licence and row count) beside it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from extractors.folding import lower_unaccented
from extractors.kb import KB_PATH, KBRow, name_keys, office_key, read_rows, write_rows
from pipeline.kb import national_sources, sources
from pipeline.kb.sources import Mirror

SUPPLEMENT = Path(__file__).with_name("supplement.tsv")

LICENCES = {
    sources.WORLD_LEADERS: "Wikidata statements, CC0 1.0 (no licence file in the repository)",
    sources.CONGRESS: "CC0 1.0 Universal (LICENSE in the repository)",
    sources.IFG: "CC BY 4.0 (LICENSE in the repository); attribution: Institute for "
    "Government, IfG Ministers Database",
}
EPS_LICENCE = "Wikidata statements, CC0 1.0 (no licence file in the repository)"

# The commits the shipped KB was built from (HEAD of each mirror when fetched).
PINNED: dict[str, str] = {
    "every-politician-scrapers/argentina-ministers": "98105f511ea6ad6c9730e979190909cf34d9343b",
    "every-politician-scrapers/australia-cabinet": "4c35a6ef087d076eb343b6177814574b2d6e43b8",
    "every-politician-scrapers/brazil-ministers": "de58065b42edc0c0f310185ffda9174540e9af5f",
    "every-politician-scrapers/canada-cabinet": "3b3f0da86ca64c7e3ce6d0f073ed66612885d06f",
    "every-politician-scrapers/chile-ministers": "412eb050c5f72daf9c0f31b6482c61180501c83a",
    "every-politician-scrapers/china-ministers": "300341654d57cd10776238bae41c89b6ea315276",
    "every-politician-scrapers/france-cabinet": "7ff37baf3297a83711c90ac84b1d3b2ecb50a541",
    "every-politician-scrapers/india-ministers": "66f344bbf207d35eaa3225edf5584ae0bb164fe8",
    "every-politician-scrapers/indonesia-ministers": "66eaaf57191eff7e9d28eea926358bf83d443114",
    "every-politician-scrapers/israel-ministers": "81da8707e865df568c7ba8b0b89bf95e7ffd4ae1",
    "every-politician-scrapers/italy-ministers": "4f9e038f62f3c71f737fd7e30a4e35df1686f4eb",
    "every-politician-scrapers/japan-ministers": "8ba3cb1992bee87f5b8dc566da87db2be8550a1a",
    "every-politician-scrapers/mexico-ministers": "87f5ae7dc992a800173a7c9de53ccbe25661dc61",
    "every-politician-scrapers/new-zealand-cabinet": "dbf5f248a1d55fc1a111112bc904c8e7e8e26950",
    "every-politician-scrapers/nigeria": "1f5d4aad9ba42a810e353d0d7b4378fedc4429e6",
    "every-politician-scrapers/pakistan-ministers": "065accdb5d8d693e89c0bc559862c10f66d443d1",
    "every-politician-scrapers/philippines-ministers": "1f396f9a8c2e3397cfe392fca350c8943aa1d5f5",
    "every-politician-scrapers/russia-cabinet": "3871831d9846a16c5017acc229e003ab706202ab",
    "every-politician-scrapers/saudi-ministers": "566c58806bee4d91167f3dcbd19abbb596e65497",
    "every-politician-scrapers/south-africa-cabinet": "0558a872c69856bba752bd3b8b3604e4e4479252",
    "every-politician-scrapers/south-korea-ministers": "6f17960017c672790f0997885e5b2ff5937305de",
    "every-politician-scrapers/spain-ministers": "1e1550ca85af4c39b71e6a462fead133849fe078",
    "every-politician-scrapers/turkey-ministers": "288fbd45ee3fa59f8a226437bf43d726c9845f4f",
    "every-politician-scrapers/ukraine-cabinet": "4fc6ab0f4d90d6170b674172a115f1bc98478e4b",
    "every-politician-scrapers/united-kingdom-cabinet": "3a5ec686630cbefc0fe4b96da38a2a50b52d2556",
    "every-politician-scrapers/us-cabinet": "0d5e73cb24ba9f78bc36f6cd0fbe9839e6cd8600",
    "every-politician-scrapers/world-leaders-2021": "be7039cf5952d8121c4f1e24eea64cc5dd465633",
    "unitedstates/congress-legislators": "dfa9622263dd4c8d08636926e498f1845704d7eb",
    "instituteforgov/ifg-ministers-database-public": "92e227025645607913912d9d8312b7421a437bd3",
}


def collect(mirror: Mirror, pinned: dict[str, str]) -> tuple[list[KBRow], list[dict[str, str]]]:
    """Every source's rows, and what was read from where (for SOURCES.md)."""
    rows: list[KBRow] = []
    report: list[dict[str, str]] = []

    def take(repo: str, licence: str, found: Iterable[KBRow]) -> None:
        got = list(found)
        rows.extend(got)
        commit = pinned.get(repo) or mirror.head(repo)
        report.append(
            {
                "repo": repo,
                "commit": commit,
                "date": mirror.commit_date(repo, commit),
                "licence": licence,
                "rows": str(len(got)),
            }
        )

    for name, (_, legislators) in sources.EPS_COUNTRIES.items():
        repo = f"every-politician-scrapers/{name}"
        commit = pinned.get(repo) or mirror.head(repo)
        take(repo, EPS_LICENCE, sources.read_eps_country(mirror, repo, commit, legislators))
    for repo, reader, licence in (
        (sources.WORLD_LEADERS, sources.read_world_leaders, LICENCES[sources.WORLD_LEADERS]),
        (sources.CONGRESS, national_sources.read_congress, LICENCES[sources.CONGRESS]),
        (sources.IFG, national_sources.read_ifg, LICENCES[sources.IFG]),
    ):
        commit = pinned.get(repo) or mirror.head(repo)
        take(repo, licence, reader(mirror, repo, commit))
    return rows, report


def resolve_ids(rows: list[KBRow], supplement: list[KBRow]) -> list[KBRow]:
    """Wikidata ids for people whose source has none: the supplement's, else the one
    person with an id, the same name and a tenure in the same country."""
    by_name: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for row in [*rows, *supplement]:
        if row.qid:
            for key in name_keys(row.name):
                by_name[(key, row.country)].add(row.qid)
    given: dict[str, str] = {}  # source pid -> qid
    named = {
        (lower_unaccented(n), r.country): r.qid
        for r in supplement
        if r.qid
        for n in (r.name, *r.aliases)
    }
    for row in rows:
        for name in (row.name, *row.aliases):
            qid = named.get((lower_unaccented(name), row.country))
            if qid and not row.qid:
                given[row.pid] = qid
    for row in rows:
        if row.qid or row.pid in given:
            continue
        found: set[str] = set()
        for name in (row.name, *row.aliases):
            for key in name_keys(name):
                found |= by_name.get((key, row.country), set())
        if len(found) == 1:
            given[row.pid] = found.pop()
    out = []
    for row in rows:
        qid = row.qid or given.get(row.pid)
        out.append(replace(row, qid=qid, pid=qid or row.pid))
    out.extend(replace(r, pid=r.qid or r.pid, source="supplement") for r in supplement if r.office)
    return out


def merge_tenures(rows: list[KBRow]) -> Iterator[KBRow]:
    """One row per person, office and stretch of time: overlapping tenures from two
    sources become one (the later end wins; a closed end beats an open one from an
    older snapshot)."""
    aliases: dict[str, set[str]] = defaultdict(set)
    names: dict[str, Counter[str]] = defaultdict(Counter)
    groups: dict[tuple[str, str, str | None], list[KBRow]] = defaultdict(list)
    for row in rows:
        names[row.pid][row.name] += 1
        aliases[row.pid].update((row.name, *row.aliases))
        groups[(row.pid, office_key(row.office or "", row.country), row.country)].append(row)
    for (pid, _, _), group in sorted(groups.items(), key=lambda kv: kv[0]):
        name = names[pid].most_common(1)[0][0]
        extra = tuple(sorted(a for a in aliases[pid] if a != name))
        for row in _merge_overlaps(sorted(group, key=lambda r: r.start or "")):
            yield replace(row, name=name, aliases=extra)


def _merge_overlaps(group: list[KBRow]) -> Iterator[KBRow]:
    current: KBRow | None = None
    for row in group:
        if current is None:
            current = row
            continue
        if _overlaps(current, row):
            # The more precise start wins, and with it the row's office label: a
            # dated office list says "Prime Minister" where a yearly one says
            # "Prime minister of India".
            precise = max((current, row), key=lambda r: (len(r.start or ""), r.start or ""))
            start = (
                precise.start
                if (precise.start or "")[:4]
                == min((current.start or "9999")[:4], (row.start or "9999")[:4])
                else min(current.start or "", row.start or "") or None
            )
            sources_ = "+".join(sorted({*current.source.split("+"), *row.source.split("+")}))
            end = _later_end(current.end, row.end)
            current = replace(precise, start=start, end=end, source=sources_)
        else:
            yield current
            current = row
    if current is not None:
        yield current


def _overlaps(a: KBRow, b: KBRow) -> bool:
    a_end = a.end or "9999"
    return (b.start or "") <= a_end[: len(b.start or "")] or (b.start or "")[:4] == (a.start or "")[
        :4
    ]


def _later_end(a: str | None, b: str | None) -> str | None:
    if a is None or b is None:
        closed = a or b
        # An open end from one snapshot and a closed one from another: the closed one
        # is the later news (every source here is older than the time it is read).
        return closed
    return max(a, b, key=lambda d: (d[:4], len(d), d))


def write_sources(path: Path, report: list[dict[str, str]], total: int, people: int) -> None:
    lines = [
        "# Sources of office_holders.tsv.gz",
        "",
        "Built by `python -m pipeline.kb.build` from these repositories (fetched as git",
        "mirrors, read at the commit named; only derived rows are shipped). Hand-checked",
        "additions are in `pipeline/kb/supplement.tsv`, each row with its reference.",
        f"{total} tenures of {people} people.",
        "",
        "| repository | commit | commit date | licence | rows read |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['repo']} | {r['commit']} | {r['date']} | {r['licence']} | {r['rows']} |"
        for r in report
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--out", type=Path, default=KB_PATH.parent)
    parser.add_argument("--head", action="store_true", help="read each mirror's HEAD, not the pins")
    args = parser.parse_args(argv)
    mirror = Mirror(args.mirror)
    try:
        rows, report = collect(mirror, {} if args.head else PINNED)
    except (FileNotFoundError, OSError) as exc:
        print(f"kb build: {exc}", file=sys.stderr)
        return 1
    supplement = list(read_rows(SUPPLEMENT))
    merged = list(merge_tenures(resolve_ids(rows, supplement)))
    count = write_rows(args.out / KB_PATH.name, merged)
    people = len({r.pid for r in merged})
    write_sources(args.out / "SOURCES.md", report, count, people)
    with_qid = len({r.pid for r in merged if r.qid})
    print(f"kb build: {count} tenures of {people} people ({with_qid} with a Wikidata id)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
