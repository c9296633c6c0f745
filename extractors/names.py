"""Name and title normalisation shared by the organisations and officials components.

Both components clean spaCy spans the same way (dashes, possessives, honorifics) and
share the office-title, org-kind and news-agency lexicons (read with
extractors.lexicons.read_table), so the helpers live here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc, Span

from extractors.folding import lower_unaccented
from extractors.lexicons import DATA_DIR, read_table

PUBLIC_KINDS = ("government", "intergovernmental")  # org kinds whose staff hold public office
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_RE = re.compile(f"\\s*[{DASHES}]\\s*")
_POSSESSIVE_RE = re.compile(r"\s*['\u2019]s?$")
# The possessive tokens spaCy splits off a name: "'s" (either apostrophe), and the bare
# apostrophe of a plural or a name ending in s ("the States'", "Reuters’").
POSSESSIVE_S = frozenset({"'s", "\u2019s"})
POSSESSIVES = POSSESSIVE_S | {"'", "\u2019"}
# "U.S."/"US"/"United States" name the same thing inside an org name ("U.S. Treasury").
_US_RE = re.compile(r"\b(u\.\s?s\.|united states)(?=\s|$|-)")


def normalize_dashes(text: str) -> str:
    """Hyphen/en-dash variants become "-" (the spec's name form); whitespace collapses."""
    text = _DASH_RE.sub("-", text)
    return re.sub(r"\s+", " ", text).strip()


def strip_possessive(text: str) -> str:
    return _POSSESSIVE_RE.sub("", text)


def name_key(name: str) -> str:
    """The merge key of an org name: case, dashes, punctuation, "the", U.S./US folded."""
    key = lower_unaccented(normalize_dashes(name))
    key = re.sub(r"^the\s+", "", key)
    key = _US_RE.sub("us", key)
    key = re.sub(r"[^\w\s&+-]", "", key)
    return re.sub(r"\s+", " ", key).strip()


@dataclass
class OfficeLexicon:
    """Office titles (extractors/data/office_titles.txt), lowercase phrases by kind."""

    strong: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)
    rank: set[str] = field(default_factory=set)
    abbrev: dict[str, str] = field(default_factory=dict)
    honorifics: set[str] = field(default_factory=set)
    govwords: set[str] = field(default_factory=set)
    seats: dict[str, str] = field(default_factory=dict)  # "senate" -> United States

    @classmethod
    def load(cls, path: Path | None = None) -> OfficeLexicon:
        lex = cls()
        columns = ("kind", "words", "expansion")
        for row in read_table(path or DATA_DIR / "office_titles.txt", columns, required=2):
            kind, phrase, expansion = row[0], row[1].lower(), row[2]
            if kind in ("abbrev", "seat") and not expansion:
                raise row.error(f"kind '{kind}' needs its office or country in the third column")
            if kind == "abbrev":
                lex.abbrev[phrase] = expansion
            elif kind == "seat":
                lex.seats[phrase] = expansion
            elif kind == "honorific":
                lex.honorifics.add(phrase)
            elif kind in ("strong", "weak", "rank", "govwords", "govword"):
                getattr(lex, "govwords" if kind.startswith("govword") else kind).add(phrase)
            else:
                raise row.error(f"unknown office kind {kind!r}")
        return lex

    @property
    def office_phrases(self) -> set[str]:
        return self.strong | self.weak | self.rank

    @property
    def office_words(self) -> set[str]:
        """Single words that occur in office phrases ("prime", "minister", "general")."""
        words: set[str] = set()
        for phrase in self.office_phrases | self.govwords:
            words.update(re.split(r"[\s-]+", phrase))
        return words - {"of", "for", "and", "the", "to", "be", ""}

    def seat_country(self, text: str) -> str | None:
        """The country of the longest seat named in `text` ("House Speaker" -> US)."""
        low = " " + re.sub(r"[^\w\s']", " ", lower_unaccented(text)) + " "
        low = re.sub(r"\s+", " ", low)
        found = [s for s in self.seats if f" {s} " in low]
        return self.seats[max(found, key=len)] if found else None

    def kind_of(self, phrase: str) -> str | None:
        """strong/weak/rank for a lowercase office phrase, else None."""
        phrase = normalize_dashes(phrase.lower())
        for kind in ("weak", "strong", "rank"):
            options = getattr(self, kind)
            if phrase in options or phrase.replace("-", " ") in options:
                return kind
        return None


def strip_honorifics(words: list[str], honorifics: set[str]) -> list[str]:
    """Drop leading honorifics ("Sir Roy Denman" -> Roy Denman); keep a lone word."""
    out = list(words)
    while len(out) > 1 and out[0].lower() in honorifics:
        out.pop(0)
    return out


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", lower_unaccented(normalize_dashes(name))) if w]


@dataclass
class KindClassifier:
    """Organisation kinds from cue words (extractors/data/org_kinds.tsv).

    `kind()` returns one of records.ORG_KINDS, "exclude" for generic phrases, or None
    when no cue applies (the caller picks a default).
    """

    exact: dict[str, str] = field(default_factory=dict)
    suffix: dict[str, str] = field(default_factory=dict)
    words: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    heads: set[str] = field(default_factory=set)  # lowercase last words that end a name
    # exact cues written as acronyms or with digits ("U.N.", "G-7", "OECD"): NER often
    # misses them inside a phrase ("a U.N. trade embargo"), so they are matched as written
    written_cues: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None = None) -> KindClassifier:
        kinds = cls()
        columns = ("cue", "kind", "where", "head")
        for row in read_table(path or DATA_DIR / "org_kinds.tsv", columns, required=3):
            cue, kind, where, head = row.cells
            if where == "exact":
                kinds.exact[name_key(cue)] = kind
                letters = re.sub(r"[^A-Za-z]", "", cue)
                shaped = letters.isupper() and (len(letters) >= 2 or any(c.isdigit() for c in cue))
                if shaped and kind in ("intergovernmental", "forum", "government"):
                    kinds.written_cues.append(cue)
            elif where == "suffix":
                kinds.suffix[lower_unaccented(cue)] = kind
            elif where == "word":
                kinds.words.append((tuple(_words(cue)), kind))
            else:
                raise row.error(f"unknown match {where!r} for {cue!r}")
            if head not in ("", "head"):
                raise row.error(f"the fourth column is 'head' or empty, not {head!r}")
            if head:
                kinds.heads.add(_words(cue)[-1])
        return kinds

    def kind(self, name: str) -> str | None:
        key = name_key(name)
        if key in self.exact:
            return self.exact[key]
        words = _words(name)
        if not words:
            return "exclude"
        suffix_kind = self.suffix.get(words[-1])
        # "Bank of America", "Organisation for Security and Cooperation in Europe",
        # "Chamber of Mines of South Africa": a place (of up to three words) after a
        # preposition is the body's domain, not the end of a place name
        domain = suffix_kind == "exclude" and any(
            w in ("of", "in", "for") for w in words[max(1, len(words) - 4) : -1]
        )
        if suffix_kind is not None and not domain:
            return suffix_kind
        found: list[tuple[int, int, str]] = []  # (position, -length, kind)
        for cue, kind in self.words:
            n = len(cue)
            for pos in range(len(words) - n + 1):
                if tuple(words[pos : pos + n]) == cue:
                    found.append((pos, -n, kind))
                    break
        if not found:
            return None
        found.sort()
        # An intergovernmental owner wins ("U.N. Security Council"); then the head noun
        # ("Securities and Exchange Commission", "Bank of France"); then the earliest cue.
        for _, _, kind in found:
            if kind == "intergovernmental":
                return kind
        head = head_position(words)
        for pos, neg_len, kind in found:
            if pos <= head < pos - neg_len:
                return kind
        return found[0][2]


def head_position(words: list[str]) -> int:
    """The head noun of an org name or an office: the word before the first of/for/on,
    else the last ("Bank of Japan", "minister for energy", "foreign ministry spokesperson")."""
    for i, word in enumerate(words):
        if word in ("of", "for", "on") and i > 0:
            return i - 1
    return len(words) - 1


@dataclass
class NewsAgencies:
    """News agencies and wire services (extractors/data/news_agencies.txt)."""

    canonical: dict[str, str] = field(default_factory=dict)  # name_key(alias) -> first name

    @classmethod
    def load(cls, path: Path | None = None) -> NewsAgencies:
        agencies = cls()
        for row in read_table(path or DATA_DIR / "news_agencies.txt", ("names",)):
            aliases = [a.strip() for a in row[0].split("|") if a.strip()]
            for alias in aliases:
                agencies.canonical[name_key(alias)] = aliases[0]
        return agencies

    def lookup(self, name: str) -> str | None:
        return self.canonical.get(name_key(name))


def sentence_index(doc: Doc) -> list[Span]:
    """The sentence of every token, by token index: one pass over doc.sents, reused
    (Span.sent re-walks the sentence starts on every call)."""
    out: list[Span] = []
    for sent in doc.sents:
        out.extend([sent] * len(sent))
    return out


class DocContext:
    """What the officials rules read from earlier components (countries, orgs) and the
    sentence of every token, indexed by token start offset."""

    def __init__(self, doc: Doc, lex: OfficeLexicon) -> None:
        self.sent_at = sentence_index(doc)
        self.countries: dict[int, str] = {}
        counts: Counter[str] = Counter()
        for m in doc._.nw_countries or []:
            counts[m["canonical"]] += 1
            for tok in doc.char_span(m["start"], m["end"], alignment_mode="expand") or []:
                self.countries[tok.idx] = m["canonical"]
        self.main_country = counts.most_common(1)[0][0] if counts else None
        self.all_countries = set(counts)
        seats: Counter[str] = Counter()
        for org in doc._.nw_organizations or []:
            seat = lex.seats.get(lower_unaccented(org["name"]).replace(".", ""))
            if seat:
                seats[seat] += len(org["mentions"])
        self.seat_country = seats.most_common(1)[0][0] if seats else None
        self.orgs: dict[int, str] = {}
        for org in doc._.nw_organizations or []:
            for m in org["mentions"]:
                for tok in doc.char_span(m["start"], m["end"], alignment_mode="expand") or []:
                    self.orgs[tok.idx] = org["kind"]
        for idx in doc._.nw_org_passing or []:  # a name said once in passing: mostly a firm
            self.orgs.setdefault(idx, "company")

    def public_sentence(self, sent: Span) -> bool:
        kinds = {self.orgs[t.idx] for t in sent if t.idx in self.orgs}
        return bool(kinds & set(PUBLIC_KINDS)) and "company" not in kinds

    def igo_sentence(self, sent: Span) -> bool:
        """An intergovernmental body named and no country: "UN spokesperson X said ..."."""
        has_igo = any(self.orgs.get(t.idx) == "intergovernmental" for t in sent)
        return has_igo and not any(t.idx in self.countries for t in sent)


def name_like(span: Span, ctx: DocContext) -> bool:
    """Two or three capitalised proper-noun tokens that are not a country or an org."""
    return (
        2 <= len(span) <= 3
        and all(t.pos_ == "PROPN" and t.is_alpha and t.text[:1].isupper() for t in span)
        and not any(t.idx in ctx.countries or t.idx in ctx.orgs for t in span)
        and span.end < len(span.doc)
        and span.doc[span.end].text == ","
    )


def unlabelled_names(doc: Doc, ctx: DocContext) -> list[Span]:
    """Sentence-initial "Firstname Lastname," that NER left without a label."""
    out = []
    starts = {sent.start for sent in ctx.sent_at}
    spaces = doc.to_array("IS_SPACE")  # array access: no Token objects for every word
    starts.update(i + 1 for i in spaces.nonzero()[0].tolist() if "\n\n" in doc[i].text)
    for k in sorted(starts):
        while k < len(doc) and doc[k].is_space:
            k += 1
        for n in (3, 2):
            span = doc[k : k + n]
            if len(span) == n and not any(t.ent_type_ for t in span) and name_like(span, ctx):
                out.append(span)
                break
    return out
