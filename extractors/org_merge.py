"""One record per organisation per article: merging mentions and short forms.

Mentions merge by normalised name (`names.name_key`); a shorter form folds into the
longer name it abbreviates ("Labour" into "Labour Party", "Communist Party" into
"Chinese Communist Party"), and a bare all-caps token that spells an org's initials
becomes its acronym ("BP" for British Petroleum Co PLC).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from extractors import acronyms
from extractors.names import name_key
from extractors.org_lexicons import COMPANY_FORMS, SUB_BODY_HEADS
from extractors.records import Mention


@dataclass
class OrgRecord:
    name: str
    key: str
    mentions: list[Mention] = field(default_factory=list)
    acronym: str | None = None
    agency: bool = False  # a news agency or other media outlet: kind `other`
    marked: bool = False  # the wire marks it a company name ("<Gruppo Ferruzzi>")
    # a mention names it on its own, not as the modifier of a noun after it ("the House
    # nor the Senate", not "the House committee on China" or "House Resolution 11")
    named_alone: bool = False


def make_mention(span: Span, name: str, sent_at: list[Span]) -> Mention:
    sent = sent_at[span.start]
    return Mention(name, span.start_char, span.end_char, span.text, sent.start_char, sent.end_char)


def _strip_country_words(words: list[str], country_words: set[str]) -> list[str]:
    while len(words) > 1 and (words[0] in country_words or words[0] in ("us", "uk", "un", "eu")):
        words = words[1:]
    return words


def merge_short_forms(
    records: list[OrgRecord],
    country_words: set[str],
    whole_bodies: frozenset[str] = frozenset(),
    heads: frozenset[str] = frozenset(),
) -> list[OrgRecord]:
    """Fold "Labour" into "Labour Party", "Hecla" into "Hecla Mining Co", "Communist
    Party" into "Chinese Communist Party", a bare acronym into its long name.

    `whole_bodies` are the keys of names that are a body of their own ("Senate", "House",
    "European Community": the kind lexicon's exact names); one of those the article names
    on its own is not folded into a body inside it ("Senate Finance Committee").
    `heads` are the org head words and legal forms: a name ending in one folds into the
    only longer name of the article that ends with it ("Agriculture Committee" into
    "House Agriculture Committee")."""
    by_acronym = {name_key(r.acronym): r for r in records if r.acronym}
    keep = _LongerForms(country_words, whole_bodies, heads)
    ordered = sorted(records, key=lambda r: -len(r.key.split()))
    for rec in ordered:
        target = by_acronym.get(rec.key)
        if target is None:
            target = keep.longer_form(rec)
        if target is not None and target is not rec:
            target.mentions.extend(rec.mentions)
            target.agency = target.agency or rec.agency
            if acronyms.looks_like_acronym(rec.name) and rec.name.isupper():
                target.acronym = target.acronym or rec.name
            continue
        keep.add(rec)
    return keep.records


class _LongerForms:
    """The records kept so far, indexed by what a shorter form can match: the first
    kept record (in keeping order) that a short form fits is found by lookup, not by
    trying every kept record, so merging stays linear in the number of records."""

    def __init__(
        self, country_words: set[str], whole_bodies: frozenset[str], heads: frozenset[str]
    ) -> None:
        self.heads = heads
        self.country_words = country_words
        self.whole_bodies = whole_bodies
        self.records: list[OrgRecord] = []
        self._by_letters: dict[str, OrgRecord] = {}  # a strict acronym -> first record
        self._by_words: dict[tuple[str, ...], list[OrgRecord]] = defaultdict(list)
        self._by_ending: dict[tuple[str, ...], list[OrgRecord]] = defaultdict(list)

    def add(self, rec: OrgRecord) -> None:
        self.records.append(rec)
        for form in acronyms.strict_forms(rec.name):
            self._by_letters.setdefault(form, rec)
        cwords = tuple(_strip_country_words(rec.key.split(), self.country_words))
        for k in range(1, len(cwords) + 1):
            self._by_words[cwords[:k]].append(rec)
        words = rec.key.split()
        for k in range(1, len(words)):
            self._by_ending[tuple(words[-k:])].append(rec)

    def longer_form(self, rec: OrgRecord) -> OrgRecord | None:
        words = rec.key.split()
        if rec.name.isupper() and len(words) == 1:
            letters = acronyms.acronym_letters(rec.name)
            return self._by_letters.get(letters) if len(letters) >= 2 else None
        for cand in self._by_words.get(tuple(words), ()):
            # A record whose words are exactly these, with no country stripped, is not longer.
            if cand.key.split() != words and not self._inside(rec, cand):
                return cand
        # "Agriculture Committee" after "House Agriculture Committee", "Development Bank"
        # after "Asian Development Bank", "the Agency" after "European Space Agency": the
        # same body, named by its head word without what sets it apart, when only one
        # name in the article ends that way ("Bank of Canada" is not "Royal Bank of
        # Canada": it ends in its domain, not a head word). A body of its own ("Congress")
        # is not a head word standing for another.
        if words[-1] not in self.heads or rec.key in self.whole_bodies:
            return None
        ending = self._by_ending.get(tuple(words), [])
        return ending[0] if len(ending) == 1 else None

    def _inside(self, rec: OrgRecord, longer: OrgRecord) -> bool:
        """Is the longer name a body inside the one `rec` names ("Senate" and "Senate
        Finance Committee"), rather than its full form ("Treasury" and "Treasury
        Department")?"""
        head = longer.key.split()[-1]
        return (
            rec.named_alone
            and rec.key in self.whole_bodies
            and head in SUB_BODY_HEADS
            and head not in rec.key.split()
        )


def is_bare_head(rec: OrgRecord, whole_bodies: frozenset[str], heads: frozenset[str]) -> bool:
    """A name that is only a head word ("the Agency", "the Department") and no body of its
    own: a reference back to a body the article names in full, or a generic phrase (the
    spec's "the government"), never a name by itself."""
    return rec.key in heads and rec.key not in whole_bodies and not rec.acronym


def link_bare_acronyms(doc: Doc, records: list[OrgRecord], sent_at: list[Span]) -> None:
    """An all-caps token that abbreviates an org ("BP" for British Petroleum Co PLC)."""
    multiword = [r for r in records if not r.acronym and len(r.key.split()) >= 2]
    if not multiword:
        return
    # Which records each short form would fit, in record order: a lookup per token
    # instead of trying every record for every capitalised token.
    fitting: dict[str, list[int]] = defaultdict(list)
    for n, rec in enumerate(multiword):
        forms = {acronyms.initials(rec.name), acronyms.spelled_initials(rec.name)}
        prefixes = set()
        if rec.key.split()[-1] in COMPANY_FORMS:  # a company: "BP" for British Petroleum Co
            prefixes = acronyms.strict_forms(rec.name)
        for form in forms | prefixes:
            fitting[form].append(n)
    upper = doc.to_array("IS_UPPER")  # array access: no Token objects for every word
    for i in upper.nonzero()[0].tolist():
        tok = doc[i]
        if not (2 <= len(tok.text) <= 6 and tok.is_alpha):
            continue
        span = doc[i : i + 1]
        if tok.ent_type_ in ("GPE", "NORP", "PERSON") or (tok.i > 0 and doc[tok.i - 1].text == "<"):
            continue  # a country, a name, or a ticker ("<BP>")
        letters = acronyms.acronym_letters(tok.text)
        candidates = sorted(set(fitting.get(tok.text, ())) | set(fitting.get(letters, ())))
        for n in candidates:
            rec = multiword[n]
            if rec.acronym:
                continue
            full = tok.text in (acronyms.initials(rec.name), acronyms.spelled_initials(rec.name))
            prefix = rec.key.split()[-1] in COMPANY_FORMS and acronyms.fits(
                tok.text, rec.name, True
            )
            if full or prefix:
                rec.acronym = tok.text
                rec.mentions.append(make_mention(span, rec.name, sent_at))
                break
