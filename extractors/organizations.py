"""The newswatch_organizations component: named organisations, merged per article.

Candidates come from NER ORG spans plus capitalised word sequences that end in an
org head word ("US-India Strategic Partnership Forum", which the small model misses)
and lowercase "<portfolio> ministry". Each is cleaned (possessives, tickers, leading
"the"), filtered (generic phrases, countries, people's names, portfolios inside a
minister's title, the signing news agency), merged by normalised name, linked to its
acronym ("Long Name (ACR)", later bare "ACR"), and given a kind from cue words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token

from . import acronyms
from .gazetteer import country_lookup
from .names import (
    DATA_DIR,
    KindClassifier,
    NewsAgencies,
    OfficeLexicon,
    fold,
    name_key,
    normalize_dashes,
    sentence_index,
    strip_possessive,
)
from .records import Mention, Organization, to_plain

LEADING_DROP = {"the", "his", "her", "its", "their", "a", "an", "our"}
CONNECTORS = {"of", "and", "&", "for", "on", "de", "-", "–"}
REPORTING = {"photographer", "photojournalist", "reporter", "correspondent", "journalist"}
LEGAL_FORMS = {"inc", "inc.", "corp", "corp.", "co", "co.", "ltd", "ltd.", "plc", "llc", "ag", "kk"}
COMPANY_FORMS = {"ltd", "inc", "corp", "co", "plc", "kk", "ag", "sa", "nv", "llc", "group"}
# Lowercase words that finish a name NER cut short ("the House Appropriations subcommittee").
LOWER_HEADS = {"committee", "subcommittee", "panel"}
# Nouns that introduce a media outlet by name ("newspaper Dagens Nyheter"), whatever NER
# calls the name; outlets the article quotes are kept with kind `other` (NOTES.md).
MEDIA_NOUNS = ("newspaper", "daily", "weekly", "magazine", "broadcaster", "tabloid")
# Capitalised meeting words: "Summit on X" names a meeting, X is its topic, not an org.
EVENT_TITLE_HEADS = {
    "ministerial",
    "summit",
    "conference",
    "dialogue",
    "meeting",
    "talks",
    "symposium",
    "roundtable",
    "workshop",
}
# Verbs of travel: "travel to Buenos Aires" names a place, even when NER says ORG.
MOTION_VERBS = {"travel", "fly", "arrive", "return", "head", "go"}


@Language.factory(
    "newswatch_organizations",
    assigns=["doc._.nw_organizations"],
    requires=["doc.ents", "doc.sents", "doc._.nw_countries"],
)
def make_component(nlp: Language, name: str) -> OrganizationsComponent:
    return OrganizationsComponent.from_data(DATA_DIR, nlp)


@dataclass
class _Record:
    name: str
    key: str
    mentions: list[Mention] = field(default_factory=list)
    acronym: str | None = None
    agency: bool = False  # a news agency or other media outlet: kind `other`


class OrganizationsComponent:
    def __init__(
        self,
        kinds: KindClassifier,
        agencies: NewsAgencies,
        offices: OfficeLexicon,
        nlp: Language | None = None,
    ) -> None:
        self.kinds = kinds
        tokenizer = nlp if nlp is not None else spacy.blank("en")  # the model's own tokens
        self.cue_matcher = PhraseMatcher(tokenizer.vocab, attr="ORTH")
        self.cue_matcher.add("cue", [tokenizer.make_doc(c) for c in kinds.written_cues])
        self.media_ids = [tokenizer.vocab.strings.add(w) for w in MEDIA_NOUNS]
        self.agencies = agencies
        self.office_words = offices.office_words - {"state", "house", "general", "foreign"}
        self.honorifics = offices.honorifics | {"lord", "lady"}
        aliases = "|".join(re.escape(a) for a in sorted(agencies.canonical, key=len, reverse=True))
        # "(Reuters)", "--IANS" / "- Reuter" at a line end, "AP -" at a line start
        self.signer_re = re.compile(
            rf"\(\s*({aliases})\s*\)|[-\u2013\u2014]{{1,2}}\s*({aliases})\s*$"
            rf"|^\s*({aliases})\s*[-\u2013\u2014]|\b({aliases})\s*\Z",
            re.IGNORECASE | re.MULTILINE,
        )
        # last words of office titles ("Secretary", "spokesman"): they end a title, not a name
        self.office_heads = {p.split()[-1].split("-")[-1] for p in offices.office_phrases}

    @classmethod
    def from_data(cls, data_dir: Path, nlp: Language | None = None) -> OrganizationsComponent:
        return cls(
            KindClassifier.load(data_dir / "org_kinds.tsv"),
            NewsAgencies.load(data_dir / "news_agencies.txt"),
            OfficeLexicon.load(data_dir / "office_titles.txt"),
            nlp,
        )

    def __call__(self, doc: Doc) -> Doc:
        doc._.nw_organizations = [to_plain(org) for org in self.extract(doc)]
        return doc

    # -- candidates ---------------------------------------------------------------
    def extract(self, doc: Doc) -> list[Organization]:
        meta = doc._.nw_meta or {}
        body_start = int(meta.get("body_offset") or 0)
        # Doc.text re-joins every token (slow): read only the parts the rules need
        head = doc[: min(len(doc), 120)].text
        tail = doc[max(0, len(doc) - 30) :].text
        headline_case = _is_headline_case(head[:body_start])
        countries = _country_chars(doc)
        people = _person_words(doc, self.honorifics)
        signers = self._signers(head, tail, str(meta.get("dateline") or ""))
        sent_at = sentence_index(doc)
        spans = self._candidates(doc, body_start if headline_case else 0, sent_at)
        media = self._media_spans(doc)
        spans = sorted(
            [s for s in spans if not any(m.start <= s.start < m.end for m in media)] + media,
            key=lambda s: s.start,
        )
        media_starts = {m.start for m in media}
        signature = _signature_start(doc, tail)
        pairs = acronyms.parenthesised_pairs(doc, spans)
        records: dict[str, _Record] = {}
        title_only: list[tuple[Span, str]] = []
        for i, span in enumerate(spans):
            if span.start_char >= signature:
                continue  # "-- Bombay Commodities +91-22-265 9000": the desk signs off
            cleaned = self._clean(span, countries)
            if cleaned is None:
                continue
            name = " ".join(normalize_dashes(cleaned.text).split())  # wrapped wire lines
            is_media = span.start in media_starts
            if not is_media and not self._acceptable(cleaned, name, countries, people):
                continue
            agency = self.agencies.lookup(name) or (name if is_media else None)
            if agency and (agency in signers or _reporting_use(cleaned)):
                continue
            if headline_case and cleaned.start_char < body_start:
                title_only.append((cleaned, name))
                continue
            rec = records.setdefault(name_key(name), _Record(name, name_key(name)))
            rec.agency = rec.agency or bool(agency)
            rec.mentions.append(_mention(cleaned, name, sent_at))
            if i in pairs and pairs[i] != name:
                rec.acronym = pairs[i]
        country_words = {name_key(m["text"]) for m in doc._.nw_countries or []}
        # places too: "Cubs" is short for "Chicago Cubs", as "Treasury" for "US Treasury"
        country_words.update(
            name_key(e.text) for e in doc.ents if e.label_ in ("GPE", "NORP") and len(e) == 1
        )
        merged = _merge_short_forms(list(records.values()), country_words)
        for span, name in title_only:  # headlines add mentions to known orgs only
            for rec in merged:
                if name_key(name) in (rec.key, name_key(rec.acronym or "")):
                    rec.mentions.insert(0, _mention(span, rec.name, sent_at))
        _link_bare_acronyms(doc, merged, sent_at)
        out = []
        for rec in sorted(merged, key=lambda r: min(m.start for m in r.mentions)):
            kind = "other" if rec.agency else self.kind_of(rec)
            out.append(Organization(rec.name, rec.acronym, kind, rec.mentions))
        return out

    def kind_of(self, rec: _Record) -> str:
        for name in (rec.name, rec.acronym):
            kind = self.kinds.kind(name) if name else None
            if kind == "intergovernmental" and name and _national(name, self.kinds):
                return "government"  # "Japan Organization for Metals ...": one state's body
            if kind and kind != "exclude":
                return kind
        return "company"  # unmarked proper names in news are mostly firms

    def _media_spans(self, doc: Doc) -> list[Span]:
        """ "newspaper Dagens Nyheter": the capitalised words right after a media noun."""
        lowers = doc.to_array("LOWER")
        out = []
        for i in numpy.isin(lowers, self.media_ids).nonzero()[0].tolist():
            j = i + 1
            while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper():
                j += 1
            if j > i + 1:
                out.append(doc[i + 1 : j])
        return out

    def _candidates(self, doc: Doc, skip_before: int, sent_at: list[Span]) -> list[Span]:
        spans = [
            _extend(e, sent_at[e.start])
            for e in doc.ents
            if e.label_ == "ORG" and e.start_char >= skip_before
        ]
        taken = {t.i for e in spans for t in e}
        for _, start, end in self.cue_matcher(doc):
            if doc[start].idx >= skip_before and not any(i in taken for i in range(start, end)):
                spans.append(doc[start:end])
                taken.update(range(start, end))
        for sent in dict.fromkeys(sent_at):
            if sent.end_char <= skip_before:
                continue
            for span in self._capitalised_runs(doc, sent):
                if not any(t.i in taken for t in span):
                    spans.append(span)
                    taken.update(t.i for t in span)
                elif not any(e.start <= span.start and span.end <= e.end for e in spans):
                    spans = [e for e in spans if not (e.start >= span.start and e.end <= span.end)]
                    if not any(t.i in {x.i for e in spans for x in e} for t in span):
                        spans.append(span)
        # "China's commerce ministry", "India's home ministry": lowercase but named
        orths = doc.to_array("ORTH")  # array access: no Token objects for every word
        for i in (orths == doc.vocab.strings["ministry"]).nonzero()[0].tolist():
            prev = doc[i - 1] if i > 0 else None
            if (
                prev is not None
                and prev.idx >= skip_before
                and prev.is_alpha
                and prev.text.islower()
                and not prev.is_stop
            ):
                spans.append(doc[i - 1 : i + 1])
        return sorted(spans, key=lambda s: s.start)

    def _capitalised_runs(self, doc: Doc, sent: Span) -> list[Span]:
        """Capitalised word sequences (with of/and/& inside) that end in an org head word."""
        out, i = [], sent.start
        while i < sent.end:
            if not _is_cap(doc[i]) or doc[i].lower_ in self.office_words:
                i += 1
                continue
            j = i
            last_head = -1
            while j < sent.end:
                tok = doc[j]
                if tok.lower_ in self.office_words and j > i:
                    break
                if tok.is_space and "\n\n" not in tok.text and j + 1 < sent.end:
                    j += 1  # a wrapped line inside a name (Reuters texts)
                    continue
                if _is_cap(tok) or (
                    tok.lower_ in CONNECTORS and j + 1 < sent.end and _is_cap(doc[j + 1])
                ):
                    if (
                        fold(tok.text).rstrip(".") in self.kinds.heads
                        or fold(tok.text) in self.kinds.heads
                    ):
                        last_head = j
                    j += 1
                    if "\n\n" in tok.whitespace_:
                        break
                    continue
                break
            if last_head > i:
                out.append(doc[i : last_head + 1])
            i = max(j, i + 1)
        return out

    # -- cleaning and filtering ---------------------------------------------------
    def _clean(self, span: Span, countries: dict[int, str]) -> Span | None:
        doc = span.doc
        start, end = span.start, span.end
        for k in range(start, end):  # a paragraph break inside: not one name
            if "\n\n" in doc[k].whitespace_ or "\n\n" in doc[k].text:
                return None
        quotes = ('"', "“", "'", "‘")
        singles = [t for t in span if t.text in ("'", "’")]
        if (
            (start > 0 and doc[start - 1].text in quotes)
            or any(t.text in quotes and t.text != "'" for t in span)
            or len(singles) > 1
            or (singles and singles[0].i == start)
        ):
            return None  # a quoted title ("State of Agricultural Commodity Markets")
        # "Mexico's National Statistics Institute" -> the part after a country's 's;
        # "British Petroleum Co PLC's" / "Toblerone's Facebook" -> the part before.
        for k in range(start, end):
            if doc[k].text in ("'", "’") and not doc[k - 1].lower_.endswith("s"):
                continue  # an elision inside the name ("Sant ' Egidio Community")
            if doc[k].text in ("'s", "’s", "'", "’") and k > start:
                if doc[k - 1].idx in countries or country_lookup(doc[start:k].text):
                    start = k + 1
                elif k == end - 1 or self.kinds.kind(doc[k + 1 : end].text) in (None, "exclude"):
                    end = k  # "Toblerone's Facebook": the owner is the org
                break  # else "National People's Congress": one name
        while start < end and (
            doc[start].lower_ in LEADING_DROP
            or (
                self.agencies.lookup(doc[start].text)
                and end - start > 2
                and doc[start + 1].text == "-"
            )
        ):
            start += 2 if doc[start + 1 : start + 2].text == "-" else 1
        for k in range(start, end):
            text = doc[k].text
            if text == "based" and k > start and doc[k - 1].text == "-":
                start = k + 1  # "Mo.-based Commerce Bancshares Inc."
                continue
            next_form = k + 1 < end and fold(doc[k + 1].text) in LEGAL_FORMS
            if k > start and (text == "or" or (text == "," and not next_form)):
                end = k  # "Mercantile or Commerce", "Mercantile, Commerce"
                break
            if text in ("(", "/") and k > start:
                end = k  # "National League for Democracy ( NLD"
                break
            if text in ("and", "or", ",") and k > start and fold(doc[k - 1].text) in LEGAL_FORMS:
                end = k  # "First Bank System Inc. and Norwest Corp.": two names
                break
            if k + 1 < end and (
                re.search(r"\d", text) or (text == "-" and doc[start:k].text.isupper())
            ):
                start = k + 1  # "Maggie McNeil WASHINGTON 1996-08-30 U.S. Agriculture ..."
        if (
            end + 1 < len(doc)
            and doc[end].lower_ == "in"
            and country_lookup(doc[end + 1].text)
            and self.kinds.kind(doc[start:end].text) == "other"
        ):
            end += 2  # "Institute for Political Studies in Japan"
        full_end = end
        while end > start and (
            doc[end - 1].text in (">", "<", "'s", "’s", "'", "’", ")", "(", ",", "-")
            or doc[end - 1].is_space
            or (end - start > 1 and re.search(r"\d|=", doc[end - 1].text))
            or (
                end - start > 1
                and doc[start].text[:1].isupper()
                and self._trailing_descriptor(doc[end - 1])
            )
        ):
            end -= 1
        if any(
            doc[k].lower_ in self.honorifics or doc[k].lower_ in self.office_heads
            for k in range(end, full_end)
        ):
            # "Waseda University Political Science Professor": the org ends at its head
            heads = [k for k in range(start, end) if fold(doc[k].text) in self.kinds.heads]
            end = heads[-1] + 1 if heads else end
        while start < end and doc[start].text in ("<", "(", "-", '"', "“"):
            start += 1
        return doc[start:end] if end > start else None

    def _trailing_descriptor(self, tok: Token) -> bool:
        """ "Antara news agency", "Waseda University ... Professor", "AP Photographer"."""
        low = tok.lower_
        if low in LOWER_HEADS:
            return False  # "the House Appropriations subcommittee": part of the name
        if tok.text.islower():
            return True  # callers only strip after a capitalised start
        if fold(tok.text) in self.kinds.heads:
            return False
        return (
            low in REPORTING
            or low in self.honorifics
            or low in self.office_heads
            or self.kinds.kind(tok.text) == "platform"  # "Toblerone Facebook" page
        )

    def _acceptable(
        self, span: Span, name: str, countries: dict[int, str], people: set[str]
    ) -> bool:
        first = span[0]
        if not (name[0].isupper() or name[0].isdigit()):
            return span[-1].lower_ == "ministry" and len(span) == 2
        kind = self.kinds.kind(name)
        prev_word = span.doc[span.start - 1].lower_ if span.start > 0 else ""
        gerund = first.lower_.endswith("ing") and (
            first.tag_ == "VBG" or prev_word in ("on", "for", "of", "in")
        )  # "Ministerial on Securing Critical Minerals Supply Chains": a title
        last = fold(span[-1].text).rstrip(".")
        headed = last in self.kinds.heads or last in COMPANY_FORMS
        if re.search(r"[\"“”@/]", name) or (gerund and not headed and kind != "exclude"):
            return False  # "@POTUS", "Securing Critical Minerals Supply Chains" (a title)
        if _event_title_tail(span) and name_key(name) not in self.kinds.exact:
            return False  # "the Summit on Critical Minerals": the subject of a meeting
        if len(span) > 1 and name.isupper() and fold(span[-1].text) not in LEGAL_FORMS:
            return False  # an all-caps headline fragment ("CUT EXPORT", "SOCCER - LEAGUE")
        if country_lookup(name):
            return False  # a country NER called an org
        alpha = [t for t in span if t.is_alpha]
        if alpha and all(t.idx in countries for t in alpha):
            return False  # a country NER called an org ("G-7" has no alphabetic token)
        if kind in ("exclude", "platform"):
            return False
        if kind is None and set(fold(name).split()) <= people:
            return False  # "Trump", "Nakasone" tagged ORG
        root = span.root
        if (
            kind is None
            and root.dep_ == "pobj"
            and root.head.lower_ in ("to", "in", "from")
            and root.head.head.lemma_.lower() in MOTION_VERBS
        ):
            return False  # "will travel to Buenos Aires": a place
        prev = span.doc[span.start - 1] if span.start > 0 else None
        if prev is not None and prev.lower_.rstrip(".") in self.honorifics:
            return False
        return not _inside_portfolio(span)

    def _signers(self, head: str, tail: str, dateline: str) -> set[str]:
        """Agencies that sign the story: dateline tags, a closing "Reuter", "RTRS"."""
        found = set()
        for part in (head[:400], tail[-80:], dateline):
            for match in self.signer_re.finditer(part):
                alias = next(g for g in match.groups() if g)
                found.add(self.agencies.canonical[name_key(alias)])
        if "RTRS" in head:
            found.add(self.agencies.canonical["rtrs"])
        return found


def _extend(ent: Span, sent: Span) -> Span:
    """Finish a name NER cut short: "General Agreements" + "on Tariffs and Trade",
    "House Appropriations" + "subcommittee". A following country, person or date is
    not part of the name ("Toyota of Japan", "the WTO on Friday"), and a one-word
    name takes no lowercase head ("the House committee on China" is a description)."""
    doc = ent.doc

    def skip_space(i: int) -> int:  # wire texts wrap lines inside names
        while i < sent.end and doc[i].is_space and "\n\n" not in doc[i].text:
            i += 1
        return i

    end = ent.end
    while True:
        k = skip_space(end)
        nxt = skip_space(k + 1)
        if not (
            nxt < sent.end
            and doc[k].lower_ in ("of", "on", "for")
            and _is_cap(doc[nxt])
            and not doc[nxt].ent_type_
        ):
            break
        stop = nxt
        while stop < sent.end:
            after = skip_space(stop + 1)
            if doc[stop].lower_ in ("and", "&") and after < sent.end and _is_cap(doc[after]):
                stop = after
            elif _is_cap(doc[stop]) and not doc[stop].ent_type_:
                end = stop + 1
                stop = after
            else:
                break
        if end <= k:
            break
    k = skip_space(end)
    if k < sent.end and doc[k].lower_ in LOWER_HEADS and end - ent.start >= 2:
        end = k + 1
    return doc[ent.start : end] if end > ent.end else ent


def _event_title_tail(span: Span) -> bool:
    """Is the span a meeting's name, or the topic part of one ("Finance Ministerial
    on Securing ...", "Summit on Critical Minerals", "Conference on Mining")?

    A whole name counts only with a gerund after the meeting word ("Trade Ministerial
    on Strengthening ..."): "Conference on Disarmament" is a standing UN body.
    """
    doc = span.doc
    for tok in span[:-1]:
        after = doc[tok.i + 1]
        if (
            tok.text[:1].isupper()
            and tok.lower_ in EVENT_TITLE_HEADS
            and after.lower_ in ("on", "for")
            and after.i + 1 < span.end
            and doc[after.i + 1].tag_ == "VBG"
        ):
            return True
    if span.start < 2 or doc[span.start - 1].lower_ not in ("on", "of", "for"):
        return False
    head = doc[span.start - 2]
    return head.text[:1].isupper() and head.lower_ in EVENT_TITLE_HEADS


def _signature_start(doc: Doc, tail: str) -> int:
    """Where a closing desk signature line ("-- Bombay Commodities +91-22-265 9000") starts."""
    match = re.search(r"(?m)^[ \t]*--[ \t]*[A-Z][^\n]*\s*\Z", tail)
    if match is None:
        return 1 << 62  # no signature: nothing is cut
    return doc[max(0, len(doc) - 30)].idx + match.start()


def _national(name: str, kinds: KindClassifier) -> bool:
    """A name that opens with a country ("Japan Organization for ...") and is no known
    intergovernmental body by itself."""
    if name_key(name) in kinds.exact:
        return False
    words = name.split()
    return any(country_lookup(" ".join(words[:n])) for n in (1, 2) if len(words) > n)


def _is_cap(tok: Token) -> bool:
    text = tok.text
    return bool(text) and (text[0].isupper() or text[0].isdigit()) and not tok.is_punct


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
            words.update(w for w in fold(strip_possessive(ent.text)).split() if w not in honorifics)
    return words


def _inside_portfolio(span: Span) -> bool:
    """Is the span a portfolio inside "Minister for Railways, Information and ..."?"""
    k = span.start - 1
    while k >= 0 and k >= span.start - 12:
        tok = span.doc[k]
        if tok.lower_ in ("for", "of"):
            return k > 0 and span.doc[k - 1].lower_ in ("minister", "secretary", "commissioner")
        if not (
            tok.text in (",", "and", "&") or (tok.text[:1].isupper() and tok.ent_type_ != "PERSON")
        ):
            return False
        k -= 1
    return False


def _reporting_use(span: Span) -> bool:
    """ "told Reuters", "AP photojournalist": the outlet reporting, not an actor."""
    doc = span.doc
    before = doc[max(0, span.start - 2) : span.start].text.lower()
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    return (
        bool(re.search(r"\b(told|to)\b", before))
        or after in REPORTING
        or (span.start > 0 and doc[span.start - 1].text == "(" and after == ")")
    )


def _mention(span: Span, name: str, sent_at: list[Span]) -> Mention:
    sent = sent_at[span.start]
    return Mention(name, span.start_char, span.end_char, span.text, sent.start_char, sent.end_char)


def _strip_country_words(words: list[str], country_words: set[str]) -> list[str]:
    while len(words) > 1 and (words[0] in country_words or words[0] in ("us", "uk", "un", "eu")):
        words = words[1:]
    return words


def _merge_short_forms(records: list[_Record], country_words: set[str]) -> list[_Record]:
    """Fold "Labour" into "Labour Party", "Hecla" into "Hecla Mining Co", "Communist
    Party" into "Chinese Communist Party", a bare acronym into its long name."""
    by_acronym = {name_key(r.acronym): r for r in records if r.acronym}
    keep: list[_Record] = []
    ordered = sorted(records, key=lambda r: -len(r.key.split()))
    for rec in ordered:
        target = by_acronym.get(rec.key)
        if target is None:
            target = _longer_form(rec, keep, country_words)
        if target is not None and target is not rec:
            target.mentions.extend(rec.mentions)
            target.agency = target.agency or rec.agency
            if acronyms.looks_like_acronym(rec.name) and rec.name.isupper():
                target.acronym = target.acronym or rec.name
            continue
        keep.append(rec)
    return keep


def _longer_form(rec: _Record, longer: list[_Record], country_words: set[str]) -> _Record | None:
    words = rec.key.split()
    if rec.name.isupper() and len(words) == 1:
        for cand in longer:
            if acronyms.fits(rec.name, cand.name, strict=True):
                return cand
        return None
    for cand in longer:
        cwords = _strip_country_words(cand.key.split(), country_words)
        if len(cwords) < len(words) or cwords == cand.key.split() == words:
            continue
        if cwords[: len(words)] == words:
            return cand
    return None


def _link_bare_acronyms(doc: Doc, records: list[_Record], sent_at: list[Span]) -> None:
    """An all-caps token that abbreviates an org ("BP" for British Petroleum Co PLC)."""
    multiword = [r for r in records if not r.acronym and len(r.key.split()) >= 2]
    if not multiword:
        return
    upper = doc.to_array("IS_UPPER")  # array access: no Token objects for every word
    for i in upper.nonzero()[0].tolist():
        tok = doc[i]
        if not (2 <= len(tok.text) <= 6 and tok.is_alpha):
            continue
        span = doc[i : i + 1]
        if tok.ent_type_ in ("GPE", "NORP", "PERSON") or (tok.i > 0 and doc[tok.i - 1].text == "<"):
            continue  # a country, a name, or a ticker ("<BP>")
        for rec in multiword:
            if rec.acronym:
                continue
            full = tok.text in (acronyms.initials(rec.name), acronyms.spelled_initials(rec.name))
            prefix = rec.key.split()[-1] in COMPANY_FORMS and acronyms.fits(
                tok.text, rec.name, True
            )
            if full or prefix:
                rec.acronym = tok.text
                rec.mentions.append(_mention(span, rec.name, sent_at))
                break
