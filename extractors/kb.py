"""The office-holder knowledge base: who held which office, for which country, when.

Shipped as `data/kb/office_holders.tsv` (built by `python -m pipeline.kb.build` from
open, Wikidata-derived data; `data/kb/SOURCES.md` names each source, its licence and
commit). One row per tenure:

    pid  qid  name  aliases  office  country  start  end  source

`pid` identifies the person inside the KB (the Wikidata id when there is one, else
the source's own id); `qid` is the Wikidata id or empty; `aliases` are "|"-separated;
`start`/`end` are ISO dates at the precision the source gives ("2014-05-26", "2014"),
an empty `end` meaning still in office when the source was taken.

Rows the application adds (an analyst's corrections, a Wikidata refresh) are merged
on top with `OfficeHolderKB.with_rows`: a row for a person and an office replaces the
shipped tenures of that person in that office and country; a row without an office
only adds names. Names are compared folded (case and accents ignored: extractors/folding.py).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from extractors.folding import lower_unaccented
from extractors.lexicons import read_table

KB_PATH = Path(__file__).resolve().parent / "data" / "kb" / "office_holders.tsv.gz"
COLUMNS = ("pid", "qid", "name", "aliases", "office", "country", "start", "end", "source")
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

# Offices ranked for "which office does the KB give for this person": heads of state
# and government first, then other executive offices, then legislators.
_HEAD_WORDS = ("president", "prime minister", "chancellor", "premier", "monarch", "king", "queen")
# Offices several people hold at once: never "superseded" by another holder.
_SHARED_OFFICE = re.compile(
    r"member|judge|justice|council|lord of|commissioner|ambassador|envoy|advis|assistant|"
    r"without portfolio|state councilor|of state$",
    re.I,
)
_LEGISLATOR_WORDS = ("member of", "representative", "senator", "deputy", "knesset", "councillor")


@dataclass(frozen=True)
class KBRow:
    """One tenure (or, with no office, one name) as the KB files and tables hold it."""

    name: str
    office: str | None = None
    country: str | None = None
    start: str | None = None
    end: str | None = None
    qid: str | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""
    pid: str = ""

    @property
    def person_id(self) -> str:
        return self.pid or self.qid or f"name:{lower_unaccented(self.name)}"


@dataclass(frozen=True)
class Tenure:
    office: str
    country: str | None
    start: str | None
    end: str | None
    source: str = ""

    def covers(self, on: str) -> bool:
        """Whether the tenure includes the date `on` (ISO, any precision), leniently at
        the precision the source gives: a start of "2017" covers 2017-01-01."""
        return started_by(self.start, on) and (self.end is None or on[: len(self.end)] <= self.end)

    def began_by(self, on: str) -> bool:
        return started_by(self.start, on)

    @property
    def rank(self) -> int:
        label = lower_unaccented(self.office)
        if "vice" not in label and "deputy" not in label and any(w in label for w in _HEAD_WORDS):
            return 3
        if any(w in label for w in _LEGISLATOR_WORDS):
            return 1
        return 2


@dataclass(eq=False)  # one object per person: compared by identity
class Person:
    pid: str
    name: str
    qid: str | None = None
    aliases: list[str] = field(default_factory=list)
    tenures: list[Tenure] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def first_start(self) -> str | None:
        starts = [t.start for t in self.tenures if t.start]
        return min(starts) if starts else None


@dataclass(frozen=True)
class Link:
    """What the KB says about a name: the person and the tenure that best fits."""

    person: Person
    tenure: Tenure | None
    covers_date: bool  # the tenure includes the date asked about

    @property
    def kb_id(self) -> str | None:
        return self.person.qid


def started_by(start: str | None, on: str) -> bool:
    return start is None or start <= on[: len(start)]


def office_key(office: str, country: str | None = None) -> str:
    """An office label compared across sources: folded, without a leading "the", a
    trailing "of <country>" or the country's adjective ("Prime Minister of India",
    "prime minister" and "Indian Prime Minister" are one office)."""
    text = lower_unaccented(office).strip()
    text = re.sub(r"^(the\s+)?(federal\s+)?", "", text)
    if country:
        c = lower_unaccented(country)
        text = re.sub(rf"\s+of\s+(the\s+)?{re.escape(c)}$", "", text)
        text = re.sub(rf"^{re.escape(c)}\s+", "", text)
    text = re.sub(r"\s+of\s+the\s+united\s+states(\s+of\s+america)?$", "", text)
    return re.sub(r"\s+", " ", text.replace("-", " "))


def name_keys(name: str) -> list[str]:
    """Keys a name is found under: the folded name, and without middle initials
    ("George W. Bush" is also found as "George Bush")."""
    folded = name.lower() if name.isascii() else lower_unaccented(name)  # most names: skip NFKD
    words = folded.replace(".", ". ").split()
    words = [w for w in words if w not in (",",)]
    keys = [" ".join(words)]
    if len(words) > 2:
        kept = [words[0], *[w for w in words[1:-1] if not _initial(w)], words[-1]]
        if len(kept) != len(words):
            keys.append(" ".join(kept))
    return keys


def given_and_surname(name: str) -> str | None:
    """The folded first and last word of a name of three words or more, middle names
    dropped ("Hage Gottfried Geingob" -> "hage geingob"); None for shorter names."""
    words = name_keys(name)[0].split()
    return f"{words[0]} {words[-1]}" if len(words) > 2 else None


def _add(index: dict[str, list[Person]], key: str, person: Person) -> None:
    bucket = index.setdefault(key, [])
    if not any(p is person for p in bucket):
        bucket.append(person)


def _initial(word: str) -> bool:
    return len(word.rstrip(".")) == 1


class OfficeHolderKB:
    """People with their tenures; lookups by name, and by office, country and date."""

    def __init__(self, people: Iterable[Person]) -> None:
        self.people: dict[str, Person] = {p.pid: p for p in people}
        self._by_name: dict[str, list[Person]] = {}
        # "hage geingob" for "Hage Gottfried Geingob": news drops middle names; a
        # fallback only, where no name matches in full
        self._by_short: dict[str, list[Person]] = {}
        self._by_qid: dict[str, Person] = {p.qid: p for p in self.people.values() if p.qid}
        for person in self.people.values():
            self._index(person)

    def _index(self, person: Person) -> None:
        for name in person.names:
            for key in name_keys(name):
                _add(self._by_name, key, person)
            short = given_and_surname(name)
            if short is not None:
                _add(self._by_short, short, person)

    # -- building -----------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: Iterable[KBRow]) -> OfficeHolderKB:
        kb = cls([])
        kb.add_rows(rows)
        return kb

    @classmethod
    def load(cls, path: Path = KB_PATH) -> OfficeHolderKB:
        return cls.from_rows(read_rows(path))

    def with_rows(self, rows: Iterable[KBRow]) -> OfficeHolderKB:
        """A copy with `rows` merged on top (see the module docstring)."""
        copy = OfficeHolderKB(
            replace(p, aliases=list(p.aliases), tenures=list(p.tenures))
            for p in self.people.values()
        )
        copy.add_rows(rows, override=True)
        return copy

    def add_rows(self, rows: Iterable[KBRow], override: bool = False) -> None:
        touched: dict[str, Person] = {}
        for row in rows:
            person = self._person_for(row, create=True)
            assert person is not None
            touched[person.pid] = person
            known = set(person.names)
            for alias in (row.name, *row.aliases):
                if alias and alias not in known:
                    person.aliases.append(alias)
                    known.add(alias)
            if row.qid and not person.qid:
                person.qid = row.qid
                self._by_qid[row.qid] = person
            if row.office:
                tenure = Tenure(
                    row.office, row.country, row.start or None, row.end or None, row.source
                )
                if override:
                    key = office_key(row.office, row.country)
                    person.tenures = [
                        t
                        for t in person.tenures
                        if (office_key(t.office, t.country), t.country) != (key, row.country)
                    ]
                person.tenures.append(tenure)
        for person in touched.values():
            self._index(person)
        self._close_superseded()

    def _close_superseded(self) -> None:
        """An office one person holds at a time, whose holder a source still lists as
        in office (its snapshot is older) while a later holder has taken it: the
        earlier tenure ends when the later one starts (Yellen's 2022 "until now" ends
        when an analyst adds Bessent in 2025)."""
        holders: dict[tuple[str, str | None], list[tuple[str, Person, int]]] = {}
        for person in self.people.values():
            for i, t in enumerate(person.tenures):
                if t.start and t.rank >= 2 and not _SHARED_OFFICE.search(t.office):
                    key = (office_key(t.office, t.country), t.country)
                    holders.setdefault(key, []).append((t.start, person, i))
        for group in holders.values():
            if len(group) < 2:
                continue
            group.sort(key=lambda g: g[0])
            for n, (start, person, i) in enumerate(group):
                tenure = person.tenures[i]
                if tenure.end is not None:
                    continue
                later = [s for s, p, _ in group[n + 1 :] if p is not person and s > start]
                if later:
                    person.tenures[i] = replace(tenure, end=later[0])

    def _person_for(self, row: KBRow, create: bool) -> Person | None:
        if row.qid and row.qid in self._by_qid:
            return self._by_qid[row.qid]
        if row.pid and row.pid in self.people:
            return self.people[row.pid]
        if not row.qid and not row.pid:
            found = self.find(row.name)
            if len(found) == 1:
                return found[0]
        if not create:
            return None
        person = Person(row.person_id, row.name, row.qid)
        self.people[person.pid] = person
        if person.qid:
            self._by_qid[person.qid] = person
        return person

    # -- lookups ------------------------------------------------------------------------
    def find(self, name: str, middle_names: bool = False) -> list[Person]:
        """People known under this name (folded; middle initials optional; with
        `middle_names`, a two-word name also finds a longer one with the same first and
        last word when no name matches in full)."""
        found: list[Person] = []
        keys = name_keys(name)
        exact = self._by_name.get(keys[0], [])
        for key in keys if not exact else keys[:1]:
            for person in self._by_name.get(key, ()):
                if not any(p is person for p in found):
                    found.append(person)
        if middle_names and not found and len(keys[0].split()) == 2:
            found = list(self._by_short.get(keys[0], ()))
        return found

    def who(self, office: str, country: str | None, on: str) -> list[tuple[Person, Tenure]]:
        """Who held `office` for `country` on the date `on` (ISO)."""
        key = office_key(office, country)
        out = []
        for person in self.people.values():
            for tenure in person.tenures:
                if country and tenure.country != country:
                    continue
                if office_key(tenure.office, tenure.country) == key and tenure.covers(on):
                    out.append((person, tenure))
        return sorted(out, key=lambda pt: (pt[1].start or "", pt[0].name))

    def link(
        self,
        name: str,
        country: str | None = None,
        on: str | None = None,
        middle_names: bool = False,
    ) -> Link | None:
        """The one person `name` stands for, with the tenure that fits best; None when
        no one or more than one person fits (a namesake is never guessed at).
        `middle_names`: see `find`; for a name the article gives an office, which
        `link_official` then checks against the KB's."""
        people = self.find(name, middle_names)
        if country and len(people) > 1:
            people = [p for p in people if any(t.country == country for t in p.tenures)] or people
        if on and len(people) > 1:
            dated = [p for p in people if any(t.covers(on) for t in p.tenures)]
            people = dated or [p for p in people if any(t.began_by(on) for t in p.tenures)]
        if len(people) != 1:
            return None
        person = people[0]
        tenure, covers = best_tenure(person, country, on)
        return Link(person, tenure, covers)


def best_tenure(person: Person, country: str | None, on: str | None) -> tuple[Tenure | None, bool]:
    """The tenure to report: one covering the date if any (the highest-ranked office),
    else the latest begun by then; offices for `country` first."""
    tenures = person.tenures
    if country and any(t.country == country for t in tenures):
        tenures = [t for t in tenures if t.country == country]
    if not tenures:
        return None, False
    if on:
        covering = [t for t in tenures if t.covers(on)]
        if covering:
            return max(covering, key=lambda t: (t.rank, t.start or "")), True
        begun = [t for t in tenures if t.began_by(on)]
        if begun:
            return max(begun, key=lambda t: (t.end or "9999", t.rank)), False
    return max(tenures, key=lambda t: (t.rank, t.end or "9999", t.start or "")), on is None


# -- files ---------------------------------------------------------------------------------
def read_rows(path: Path) -> Iterator[KBRow]:
    """The KB's rows, read by the one lexicon reader (LexiconError naming file:line)."""
    for row in read_table(path, COLUMNS, required=1, header=True):
        pid, qid, name, aliases, office, country, start, end, source = row.cells
        yield KBRow(
            name=name,
            office=office or None,
            country=country or None,
            start=start or None,
            end=end or None,
            qid=qid or None,
            aliases=tuple(a for a in aliases.split("|") if a),
            source=source,
            pid=pid,
        )


def write_rows(path: Path, rows: Iterable[KBRow]) -> int:
    """Write rows in the KB file format (gzip when the name ends in .gz, with a fixed
    timestamp so that the same rows give the same bytes); returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t".join(COLUMNS)]
    for row in rows:
        cells = [
            row.person_id,
            row.qid or "",
            row.name,
            "|".join(row.aliases),
            row.office or "",
            row.country or "",
            row.start or "",
            row.end or "",
            row.source,
        ]
        lines.append("\t".join(_clean(c) for c in cells))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if path.suffix == ".gz":
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(data)
    else:
        path.write_bytes(data)
    return len(lines) - 1


def _clean(cell: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", cell).strip()


@lru_cache(maxsize=2)
def shipped_kb(path: Path = KB_PATH) -> OfficeHolderKB:
    """The shipped KB, loaded once per process."""
    return OfficeHolderKB.load(path)
