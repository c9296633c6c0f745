"""Writing one article's extraction: entity records, their mentions, events and participants.

Split out of storage/store.py: this is the bulk of what storing an article
does, and both `add_article` and `replace_extraction` (storage/articles_write.py)
run it inside their own transaction, so it never opens one itself. A record
that does not fit the text (offsets outside it) raises StorageError, which
rolls that transaction back: nothing of the article is kept.
"""

from __future__ import annotations

import json

import sqlite_utils

from extractors.records import ExtractInput, Extraction, Mention
from storage import entities
from storage.db import StorageError
from storage.entities import Sighting
from storage.names import official_key, org_key, plain_key
from storage.records import ArticleRecord


class ExtractionWriter:
    """Writes one article's extraction records; runs inside the caller's transaction."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        article_id: int,
        article: ArticleRecord,
        extraction: Extraction,
        fetched_at: str,
    ) -> None:
        self.db = db
        self.article_id = article_id
        self.version = extraction.extractor_version
        self.extraction = extraction
        self.doc_text = ExtractInput(id="", text=article.text, title=article.title).doc_text
        self.seen = article.published or fetched_at
        self.surnames: set[str] = set()
        # Names, keys and acronyms of this article's records -> (entity_id, type), so
        # event participants link to the same entities as the records they name.
        self.local: dict[str, int] = {}

    def write(self) -> None:
        ex = self.extraction
        for o in ex.officials:
            attrs = {"role": o.role, "country": o.country, "kb_id": o.kb_id}
            attrs["kb_office"] = o.kb_office
            self._record("official", o.name, attrs, o.mentions)
        for g in ex.organizations:
            attrs = {"acronym": g.acronym, "kind": g.kind}
            self._record("organization", g.name, attrs, g.mentions)
        for type_, mentions in (("mineral", ex.minerals), ("country", ex.countries)):
            by_name: dict[str, list[Mention]] = {}
            for m in mentions:
                by_name.setdefault(m.canonical, []).append(m)
            for name, group in by_name.items():
                self._record(type_, name, {}, group)
        for last in sorted(self.surnames):
            entities.reconcile_surname(self.db, last)
        self._events()

    def _record(
        self, type_: str, name: str, attrs: dict[str, str | None], mentions: list[Mention]
    ) -> None:
        if not name or not name.strip():
            raise StorageError(f"empty {type_} name in extraction")
        sighting = Sighting(type_, name.strip(), self.seen, self.version, attrs)
        entity_id = entities.link(self.db, sighting)
        cur = self.db.execute(
            "INSERT INTO article_entities (article_id, entity_id, type, name, name_key, "
            "attributes, seen, extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.article_id,
                entity_id,
                type_,
                sighting.name,
                sighting.name_key,
                json.dumps({k: v for k, v in attrs.items() if v}, ensure_ascii=False),
                self.seen,
                self.version,
            ],
        )
        ae_id = cur.lastrowid
        texts = [self._mention(entity_id, ae_id, m) for m in mentions]
        self.surnames.update(entities.apply(self.db, entity_id, sighting, texts))
        for key in {
            plain_key(name),
            official_key(name),
            org_key(name),
            org_key(attrs.get("acronym") or ""),
        }:
            if key:
                self.local.setdefault(key, ae_id or 0)

    def _mention(self, entity_id: int, ae_id: int | None, m: Mention) -> str:
        self._check_span(m.start, m.end, "mention")
        text = m.text or self.doc_text[m.start : m.end]
        sentence: str | None = None
        if m.sent_end > m.sent_start:
            self._check_span(m.sent_start, m.sent_end, "mention sentence")
            sentence = self.doc_text[m.sent_start : m.sent_end]
        self.db.execute(
            'INSERT INTO mentions (article_id, entity_id, article_entity_id, text, start, "end", '
            "sentence, sentence_start, extractor_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.article_id,
                entity_id,
                ae_id,
                text,
                m.start,
                m.end,
                sentence,
                m.sent_start if sentence is not None else None,
                self.version,
            ],
        )
        return text

    def _check_span(self, start: int, end: int, what: str) -> None:
        if not 0 <= start <= end <= len(self.doc_text):
            raise StorageError(
                f"{what} offsets {start}..{end} fall outside the article text "
                f"({len(self.doc_text)} characters)"
            )

    def _participant(self, name: str) -> tuple[int | None, str | None]:
        for key in (plain_key(name), official_key(name), org_key(name)):
            ae_id = self.local.get(key)
            if ae_id:
                # Read the link now: reconciliation may have moved it.
                row = self.db.execute(
                    "SELECT entity_id, type FROM article_entities WHERE id = ?", [ae_id]
                ).fetchone()
                return row[0], row[1]
        return None, None

    def _events(self) -> None:
        for ev in self.extraction.events:
            self._check_span(ev.evidence_start, ev.evidence_end, "event evidence")
            cur = self.db.execute(
                "INSERT INTO events (article_id, type, name, date, date_text, location, "
                "minerals, evidence, evidence_start, evidence_end, extractor_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self.article_id,
                    ev.type,
                    ev.name,
                    ev.date,
                    ev.date_text,
                    ev.location,
                    json.dumps(list(ev.minerals), ensure_ascii=False),
                    ev.evidence,
                    ev.evidence_start,
                    ev.evidence_end,
                    self.version,
                ],
            )
            for name in ev.participants:
                entity_id, kind = self._participant(name)
                self.db.execute(
                    "INSERT INTO event_participants (event_id, entity_id, name, kind) "
                    "VALUES (?, ?, ?, ?)",
                    [cur.lastrowid, entity_id, name, kind],
                )
