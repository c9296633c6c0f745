"""What extraction produces for one article, in typed form.

`Extraction.to_spec()` gives the JSON shape of ../shared/spec/extraction.md; the
rest (offsets, mentions, the date expression) is kept for storage and evidence.
Offsets are character offsets into the processed text (see `ExtractInput.doc_text`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

EVENT_TYPES = (
    "meeting",
    "agreement",
    "statement",
    "investment",
    "licensing",
    "trade_measure",
    "supply",
    "price",
)
ORG_KINDS = ("government", "intergovernmental", "forum", "company", "association", "other")


@dataclass(frozen=True)
class ExtractInput:
    """One article to extract from: the `newswatch extract` JSONL input line."""

    id: str
    text: str
    title: str | None = None
    published: str | None = None
    dateline: str | None = None

    @property
    def doc_text(self) -> str:
        """The text the pipeline reads: the title (when given) as its first paragraph."""
        if self.title and self.title.strip():
            return f"{self.title.strip()}\n\n{self.text}"
        return self.text

    @property
    def body_offset(self) -> int:
        """Where the body starts inside `doc_text`."""
        return len(self.doc_text) - len(self.text)


@dataclass(frozen=True)
class Mention:
    """One place in the text that names an entity (canonical name, char offsets)."""

    canonical: str
    start: int
    end: int
    text: str = ""
    sent_start: int = 0  # the sentence holding the mention, for evidence
    sent_end: int = 0


@dataclass
class Official:
    name: str
    role: str | None = None
    country: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    # The office-holder KB's link (extractors/kb.py): the Wikidata id, and the office
    # the KB records for the person; `role` stays as the article states it.
    kb_id: str | None = None
    kb_office: str | None = None

    def to_spec(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "country": self.country,
            "kb_id": self.kb_id,
            "kb_office": self.kb_office,
        }


@dataclass
class Organization:
    name: str
    acronym: str | None = None
    kind: str = "other"
    mentions: list[Mention] = field(default_factory=list)

    def to_spec(self) -> dict[str, Any]:
        return {"name": self.name, "acronym": self.acronym, "kind": self.kind}


@dataclass
class Event:
    type: str
    evidence: str
    evidence_start: int
    evidence_end: int
    name: str | None = None
    date: str | None = None  # ISO date, resolved
    date_text: str | None = None  # the expression it was resolved from
    location: str | None = None
    participants: list[str] = field(default_factory=list)
    minerals: list[str] = field(default_factory=list)
    # the evidence sentences of later reports of this occurrence, folded into this record
    # (one record per occurrence): how the training data finds a report it judged
    folded: list[str] = field(default_factory=list)

    def to_spec(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "date": self.date,
            "location": self.location,
            "participants": list(self.participants),
            "minerals": list(self.minerals),
            "evidence": self.evidence,
        }


@dataclass
class Extraction:
    id: str
    officials: list[Official] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    minerals: list[Mention] = field(default_factory=list)
    countries: list[Mention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    extractor_version: str = ""
    # Set when the text was longer than the pipeline reads ([nlp] max_chars): NLP read
    # only its first `truncated_to` characters, and `text_chars` were there.
    truncated_to: int | None = None
    text_chars: int | None = None

    @property
    def mineral_names(self) -> list[str]:
        return sorted({m.canonical for m in self.minerals})

    @property
    def country_names(self) -> list[str]:
        return sorted({m.canonical for m in self.countries})

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "id": self.id,
            "officials": [o.to_spec() for o in self.officials],
            "organizations": [o.to_spec() for o in self.organizations],
            "minerals": self.mineral_names,
            "countries": self.country_names,
            "events": [e.to_spec() for e in self.events],
        }
        if self.truncated_to is not None:  # only then: the spec's shape is otherwise exact
            spec["truncated"] = {"read": self.truncated_to, "of": self.text_chars}
        return spec


@dataclass(frozen=True)
class ExtractionFailure:
    """An input the pipeline failed on: the others of its batch are extracted without it."""

    id: str
    reason: str  # the exception, in one line ("ValueError: ...")

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "error": self.reason}


def to_plain(obj: Any) -> Any:
    """A record as msgpack-able dicts and lists: what components put on `doc._`.

    spaCy sends docs back from worker processes (n_process > 1) with msgpack, which
    cannot carry dataclasses, so component outputs travel as plain data.
    """
    return dataclasses.asdict(obj)


def from_plain(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a record (and its nested mentions) from `to_plain` output."""
    kwargs = dict(data)
    if "mentions" in kwargs:
        kwargs["mentions"] = [Mention(**m) for m in kwargs["mentions"]]
    return cls(**kwargs)
