"""The newswatch_kb component: officials linked to the office-holder KB (extractors/kb.py).

Runs after newswatch_officials. For each official it found, the KB's person with that
name (and, when the article names one, a tenure for that country) gives `kb_id` (the
Wikidata id) and `kb_office` (the office the KB records around the story's date);
`role` stays as the article states it (spec). When the text gave no country, the
KB's is filled in only if that tenure covers the story's date.

It also finds office holders the article names without any office ("Narendra Modi
said ..."): a PERSON entity whose full name (two words or more) is the name of exactly
one KB person who had taken office by the story's date. Their `role` is null (the
article names none); their country is the KB's when the tenure covers the date, and
for a former office holder the one country all their offices were for.
A surname already held by an official of the article is left alone (it is that
official, or a relative the scorer would count against us).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.dates import anchor_date, parse_published
from extractors.docs import body_offset
from extractors.kb import KBRow, Link, OfficeHolderKB, shipped_kb
from extractors.names import lower_unaccented, strip_possessive
from extractors.records import Mention, Official, from_plain, to_plain

_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")


@Language.factory(
    "newswatch_kb",
    assigns=["doc._.nw_officials"],
    requires=["doc.ents", "doc.sents", "doc._.nw_officials"],
)
def make_component(nlp: Language, name: str) -> KBOfficialsComponent:
    return KBOfficialsComponent(shipped_kb())


class KBOfficialsComponent:
    def __init__(self, kb: OfficeHolderKB) -> None:
        self.shipped = kb
        self.kb = kb

    def use_rows(self, rows: Iterable[KBRow]) -> None:
        """Rows kept by the application (analyst corrections, a refresh) on top of the
        shipped KB; replaces the previous ones."""
        self.kb = self.shipped.with_rows(rows)

    def __call__(self, doc: Doc) -> Doc:
        officials = [from_plain(Official, d) for d in doc._.nw_officials or []]
        on = story_date(doc)
        for official in officials:
            self.link_official(official, on)
        officials.extend(self.named_only(doc, officials, on))
        doc._.nw_officials = [to_plain(o) for o in officials]
        return doc

    def link_official(self, official: Official, on: str | None) -> None:
        if len(official.name.split()) < 2:
            return  # a surname alone is anyone's
        link = self.kb.link(official.name, official.country, on, middle_names=True)
        if link is None:
            return
        holds_role = _holds_the_role(link, official.role)
        if not _fits_country(link, official.country) and not holds_role:
            return
        tenure = link.tenure
        official.kb_id = link.kb_id
        official.kb_office = tenure.office if tenure else None
        if tenure is not None and link.covers_date and (official.country is None or holds_role):
            # "President Hage Geingob" in a sentence about a flight from the United States:
            # the office he held that day says whose government he served, not the
            # country the sentence happens to name
            official.country = tenure.country

    def named_only(self, doc: Doc, officials: list[Official], on: str | None) -> list[Official]:
        taken = {lower_unaccented(o.name.split()[-1]) for o in officials if o.name.split()}
        found: dict[str, tuple[Official, Link]] = {}
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _person_name(ent)
            if name is None:
                continue
            surname = lower_unaccented(name.split()[-1])
            if surname in taken:
                continue
            link = self.kb.link(name, None, on)
            if link is None or link.tenure is None:
                continue
            if on is not None and not link.tenure.began_by(on):
                continue  # not (yet) an office holder when the story ran
            pid = link.person.pid
            if pid not in found:
                country = _served_country(link)
                official = Official(
                    name, None, country, kb_id=link.kb_id, kb_office=link.tenure.office
                )
                found[pid] = (official, link)
            official = found[pid][0]
            if len(name) > len(official.name):
                official.name = name
            official.mentions.append(_mention(ent, official.name))
        out = [o for o, _ in found.values()]
        _surname_mentions(doc, out)
        return out


def story_date(doc: Doc) -> str | None:
    """The story's date (ISO), else its year, from the published field and dateline."""
    meta = doc._.nw_meta or {}
    body = doc.text[body_offset(doc) :]
    anchor: date | None = anchor_date(meta.get("published"), meta.get("dateline"), body)
    if anchor is not None:
        return anchor.isoformat()
    _, year = parse_published(meta.get("published"))
    return f"{year:04d}" if year else None


def _served_country(link: Link) -> str | None:
    """The country of an office holder the article names without an office: the
    tenure's when it covers the story's date; for a former office holder, the one
    country every tenure was for (the spec's "country whose government they serve",
    as the gold gives a former Secretary of State hers); else none."""
    if link.covers_date and link.tenure is not None:
        return link.tenure.country
    countries = {t.country for t in link.person.tenures}
    return countries.pop() if len(countries) == 1 else None


def _fits_country(link: Link, country: str | None) -> bool:
    """A namesake check: an official the article places in one country is not the
    KB person whose every office was in another."""
    if country is None:
        return True
    countries = {t.country for t in link.person.tenures if t.country}
    return not countries or country in countries


# Letters of a word's stem compared ("senat" in "senator" and "senate").
STEM = 5


def _holds_the_role(link: Link, role: str | None) -> bool:
    """Is the article's role the office the KB has the person in on the story's date
    ("President" for "President of the Republic of Namibia", "Senator" for "Member of
    the Senate of Nigeria": the role's head word and an office word share their stem)?
    A namesake in another office ("Inspector-General of Police" for a state governor)
    is not."""
    if not role or link.tenure is None or not link.covers_date:
        return False
    head = lower_unaccented(role.split()[-1]).strip(".,")
    office = lower_unaccented(link.tenure.office).replace("-", " ").split()
    return len(head) >= 4 and any(w[:STEM] == head[:STEM] for w in office if len(w) >= 4)


def _person_name(ent: Span) -> str | None:
    text = strip_possessive(ent.text.strip())
    words = text.split()
    if len(words) < 2 or "\n" in text or text.isupper():
        return None
    if not all(_NAME_WORD.match(w) for w in words):
        return None
    return " ".join(words)


def _mention(span: Span, name: str) -> Mention:
    sent = span.sent
    return Mention(name, span.start_char, span.end_char, span.text, sent.start_char, sent.end_char)


def _surname_mentions(doc: Doc, officials: list[Official]) -> None:
    """Later mentions by surname alone that NER tagged PERSON ("Modi said")."""
    by_surname = {lower_unaccented(o.name.split()[-1]): o for o in officials}
    if not by_surname:
        return
    for ent in doc.ents:
        if ent.label_ != "PERSON" or len(ent) != 1:
            continue
        official = by_surname.get(lower_unaccented(strip_possessive(ent.text)))
        if official is not None and all(m.start != ent.start_char for m in official.mentions):
            official.mentions.append(_mention(ent, official.name))
    for official in officials:
        official.mentions.sort(key=lambda m: m.start)
