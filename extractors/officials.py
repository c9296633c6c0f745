"""The newswatch_officials component: public office holders with role and country.

People come from NER PERSON spans (honorifics dropped, surname-only mentions folded
into the fullest name). A person is an official only when the article ties an office
to them: a title before the name ("US Treasury Secretary Scott Bessent"), an
apposition after it ("Roy Denman, head of the EC delegation") or before it ("the
chairman of the working party, Ambassador Stefan Johannesson"). Organisational
roles ("chairman", "spokesman", "director") count only for government or
intergovernmental bodies, so company and union people stay out; reading those roles
is titles.py's job. The country comes from the title's country word, else the
sentence, else the article's main country; officials of intergovernmental bodies get
none.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.doc_bounds import is_heading
from extractors.names import (
    DATA_DIR,
    POSSESSIVES,
    DocContext,
    KindClassifier,
    OfficeLexicon,
    lower_unaccented,
    name_like,
    normalize_dashes,
    strip_possessive,
    unlabelled_names,
)
from extractors.records import Mention, Official, to_plain
from extractors.settings import LexiconFolderSettings, defaults
from extractors.titles import PRIVATE_BODIES, Role, TitleReader


@Language.factory(
    "newswatch_officials",
    assigns=["doc._.nw_officials"],
    requires=[
        "doc.ents", "doc.sents", "token.dep", "token.tag",
        "doc._.nw_countries", "doc._.nw_organizations",
    ],
    default_config=defaults(LexiconFolderSettings),
)  # fmt: skip
def make_component(nlp: Language, name: str, data_dir: str) -> OfficialsComponent:
    return OfficialsComponent.from_data(Path(data_dir) if data_dir else DATA_DIR)


@dataclass
class _Person:
    words: list[str]
    mentions: list[Mention] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    of_country: str | None = None
    context_countries: list[str | None] = field(default_factory=list)
    igo_context: bool = False


class OfficialsComponent:
    def __init__(self, offices: OfficeLexicon, kinds: KindClassifier) -> None:
        self.lex = offices
        self.kinds = kinds
        self.office_words = offices.office_words
        self.titles = TitleReader(offices, kinds)

    @classmethod
    def from_data(cls, data_dir: Path) -> OfficialsComponent:
        return cls(
            OfficeLexicon.load(data_dir / "office_titles.txt"),
            KindClassifier.load(data_dir / "org_kinds.tsv"),
        )

    def __call__(self, doc: Doc) -> Doc:
        doc._.nw_officials = [to_plain(o) for o in self.extract(doc)]
        return doc

    def extract(self, doc: Doc) -> list[Official]:
        ctx = DocContext(doc, self.lex)
        people: list[_Person] = []
        known = _PeopleIndex(people)
        for ent in sorted([*doc.ents, *unlabelled_names(doc, ctx)], key=lambda e: e.start):
            # NER misses some names ("Ajit Doval" as GPE, "Waqar Noor" as nothing):
            # take those only with an apposition that names an office
            if ent.label_ != "PERSON" and (
                not name_like(ent, ctx) or not any(self.titles.appositions(ent, ctx))
            ):
                continue
            span, lead = self._person_span(ent)
            if (
                span is None
                or (len(span.text) > 3 and span.text.isupper())
                or lower_unaccented(span[-1].text) in PRIVATE_BODIES
            ):
                continue  # none, or an all-caps headline fragment ("SUBROTO SAYS")
            person = known.attach([w for w in strip_possessive(span.text).split()])
            person.mentions.append(_mention(span, " ".join(person.words), ctx.sent_at[span.start]))
            title = self.titles.title(span, ctx, lead)
            roles = [r for r in (title, *self.titles.appositions(span, ctx)) if r]
            person.roles.extend(roles)
            if span.end + 1 < len(doc) and doc[span.end].lower_ == "of":
                person.of_country = person.of_country or ctx.countries.get(doc[span.end + 1].idx)
            if roles:
                best = max(roles, key=lambda r: r.priority)
                person.context_countries.append(self._context_country(span, best, ctx))
                person.igo_context = person.igo_context or ctx.igo_sentence(ctx.sent_at[span.start])
        _surname_mentions(doc, people, ctx)
        out = []
        for person in people:
            if not person.roles:
                continue
            role = max(person.roles, key=self.titles.rank)  # max() keeps the first of equals
            name = normalize_dashes(" ".join(person.words))
            out.append(Official(name, role.text, self._country(person, role, ctx), person.mentions))
        return out

    # -- people -------------------------------------------------------------------
    def _person_span(self, ent: Span) -> tuple[Span | None, str | None]:
        """The name without honorifics or titles NER swallowed ("Lady Starmer")."""
        start, lead = ent.start, None
        doc = ent.doc
        if start > 1 and doc[start - 1].lower_ in ("of", "for"):
            # "Minister of [Mines G. Kishan Reddy]": the portfolio's plural noun is no name
            while (
                start < ent.end - 1
                and doc[start].tag_ in ("NNP", "NNPS")
                and (doc[start].lower_.endswith("s") or doc[start].lower_ in self.lex.govwords)
            ):
                start += 1
        while start < ent.end - 1 and (
            ent.doc[start].lower_ in self.lex.honorifics
            or ent.doc[start].lower_ in self.lex.abbrev
            or ent.doc[start].lower_ in self.office_words
        ):
            if ent.doc[start].lower_ in self.lex.abbrev:
                lead = self.lex.abbrev[ent.doc[start].lower_]
            start += 1
        end = ent.end
        while end > start and (ent.doc[end - 1].text in POSSESSIVES or ent.doc[end - 1].is_space):
            end -= 1
        span = ent.doc[start:end]
        if not span.text or "\n" in span.text or not span.text[0].isupper():
            return None, None
        if any(not (t.is_alpha or t.text in (".", "-") or t.is_title) for t in span):
            return None, None
        return span, lead

    # -- country ------------------------------------------------------------------------
    def _country(self, person: _Person, role: Role, ctx: DocContext) -> str | None:
        if role.country:
            return role.country
        if role.igo:
            return None
        for other in person.roles:
            if other.country:
                return other.country
        if any(r.igo for r in person.roles):
            return None
        if person.of_country:
            return person.of_country
        seat = self.lex.seat_country(" ".join(r.text for r in person.roles))
        if seat and (seat in ctx.all_countries or not ctx.all_countries):
            return seat
        for guess in person.context_countries:
            if guess is not None:
                return guess
        if person.igo_context and self.titles.head(_role_words(role.text))[0] != "strong":
            return None  # "UN spokesperson X", not "Finance minister X" at an IMF meeting
        if person.igo_context and "general" in _role_words(role.text):
            return None  # "Secretary General Antonio Guterres"
        return ctx.seat_country or ctx.main_country

    def _context_country(self, span: Span, role: Role, ctx: DocContext) -> str | None:
        """A country for a title without one: the same office with a country word in
        the two sentences before ("Pakistan's defense minister condemns ..." then
        "Defense Minister Khawaja Mohammad Asif"), else the first country named
        before the person in the sentence."""
        doc = span.doc
        head = _last_word(role.text)
        sent = ctx.sent_at[span.start]
        prev_start = sent.start
        for _ in range(2):
            if prev_start == 0:
                break
            prev_start = ctx.sent_at[prev_start - 1].start
        for tok in doc[prev_start : sent.start]:
            if tok.idx in ctx.countries:
                window = doc[tok.i + 1 : min(tok.i + 5, sent.start)]
                if any(t.lower_ == head for t in window):
                    return ctx.countries[tok.idx]
        before = [
            ctx.countries[t.idx] for t in doc[sent.start : span.start] if t.idx in ctx.countries
        ]
        if before:
            return before[0]
        heading = ctx.sent_at[sent.start - 1] if sent.start else None
        if heading is not None and is_heading(heading):
            # "Emergency declared in hospitals in Pakistan-controlled Kashmir" heads
            # "Waqar Noor, the region's interior minister, says ...": a heading's country
            # is the paragraph's, as if named before the person
            named = [ctx.countries[t.idx] for t in heading if t.idx in ctx.countries]
            if named:
                return named[0]
        # "Prime Minister Keir Starmer says the U.K. is ...": a country as the next subject
        speech_verb = span.root.head
        for tok in doc[span.end : sent.end]:
            if tok.idx not in ctx.countries:
                continue
            if tok.dep_.startswith("nsubj"):
                subject = tok
            elif tok.dep_ in ("poss", "compound"):
                subject = tok.head  # "the country's government is ..."
            else:
                continue  # "a boycott of South Africa and Namibia would ...": not the speaker
            verb = subject.head
            if (
                subject.dep_.startswith("nsubj")
                and verb.head == speech_verb
                and verb.dep_ == "ccomp"
            ):
                return ctx.countries[tok.idx]
        return None


class _PeopleIndex:
    """The person a mention refers to: same full name, or a surname/first-name mention of
    the latest person who has it; a fuller name upgrades a surname-only record.

    The latest such person is looked up (per full name, first word, last word and
    one-word name) rather than searched for among everyone named so far, so a text
    naming thousands of people costs the same per mention as one naming three.
    """

    def __init__(self, people: list[_Person]) -> None:
        self.people = people
        # (what, *words) -> max-heap (negated) of the positions of the people it matches
        self._heaps: dict[tuple[str, ...], list[int]] = defaultdict(list)

    def attach(self, words: list[str]) -> _Person:
        key = tuple(lower_unaccented(w) for w in words)
        if len(key) == 1:  # a surname or a first name alone
            found = self._latest(("first", key[0]), ("last", key[0]))
        elif key:  # the same full name, or a one-word person it completes
            found = self._latest(("full", *key), ("single", key[-1]))
        else:
            found = self._latest(("full",))
        if found is not None:
            person = self.people[found]
            if len(key) > 1 and len(self._key(found)) == 1:
                person.words = list(words)  # the fuller name upgrades the record
                self._register(found)
            return person
        self.people.append(_Person(list(words)))
        self._register(len(self.people) - 1)
        return self.people[-1]

    def _key(self, n: int) -> tuple[str, ...]:
        return tuple(lower_unaccented(w) for w in self.people[n].words)

    def _register(self, n: int) -> None:
        pkey = self._key(n)
        tags = [("full", *pkey)]
        if pkey:
            tags += [("first", pkey[0]), ("last", pkey[-1])]
        if len(pkey) == 1:
            tags.append(("single", pkey[0]))
        for tag in tags:
            heapq.heappush(self._heaps[tag], -n)

    def _matches(self, tag: tuple[str, ...], n: int) -> bool:
        pkey = self._key(n)
        what, words = tag[0], tag[1:]
        if what == "full":
            return pkey == words
        if what == "single":
            return len(pkey) == 1 and pkey == words
        return bool(pkey) and pkey[0 if what == "first" else -1] == words[0]

    def _latest(self, *tags: tuple[str, ...]) -> int | None:
        best = None
        for tag in tags:
            heap = self._heaps.get(tag)
            # A one-word person upgraded to a full name no longer matches its old entries.
            while heap and not self._matches(tag, -heap[0]):
                heapq.heappop(heap)
            if heap and (best is None or -heap[0] > best):
                best = -heap[0]
        return best


def _surname_mentions(doc: Doc, people: list[_Person], ctx: DocContext) -> None:
    """Later bare-surname mentions NER missed or called ORG ("Nakasone said ...")."""
    taken = {m.start for p in people for m in p.mentions}
    covered = {i for p in people for m in p.mentions for i in range(m.start, m.end)}
    # Where each surname occurs, from one pass over the tokens, not one per person.
    surnames = {doc.vocab.strings[p.words[-1]] for p in people if len(p.words) >= 2 and p.roles}
    places: dict[int, list[int]] = defaultdict(list)
    for i, orth in enumerate(doc.to_array("ORTH").tolist()):
        if orth in surnames:
            places[orth].append(i)
    for person in people:
        if len(person.words) < 2 or not person.roles:
            continue
        surname = doc.vocab.strings[person.words[-1]]
        for i in places.get(surname, []):
            tok = doc[i]
            if tok.idx in taken or tok.idx in covered or tok.pos_ != "PROPN":
                continue
            sent = ctx.sent_at[i]
            person.mentions.append(_mention(doc[i : i + 1], " ".join(person.words), sent))
        person.mentions.sort(key=lambda m: m.start)


def _role_words(text: str) -> list[str]:
    return re.findall(r"[\w'.]+", lower_unaccented(text).replace("-", " "))


def _last_word(text: str) -> str:
    words = re.findall(r"[\w']+", lower_unaccented(text))
    return words[-1] if words else ""


def _mention(span: Span, name: str, sent: Span) -> Mention:
    return Mention(name, span.start_char, span.end_char, span.text, sent.start_char, sent.end_char)
