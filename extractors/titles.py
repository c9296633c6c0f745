"""Reading an office holder's role from the words around a name.

Three places name an office: a title before the name ("US Treasury Secretary Scott
Bessent", "Lt. Gen." expanded from the rank abbreviations), an apposition after it
("Roy Denman, head of the EC delegation") or one before it ("the chairman of the
working party, Ambassador Stefan Johannesson"). `TitleReader` turns each into a
`Role`: country words before the office word leave the role and become its country
("former Iranian president"), and organisational roles ("chairman", "director")
count only for government or intergovernmental bodies. Which person a role belongs
to, and their country, is the officials component's job (officials.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from extractors.lexicons import DATA_DIR, read_word_lists
from extractors.names import (
    POSSESSIVE_S,
    PUBLIC_KINDS,
    DocContext,
    KindClassifier,
    OfficeLexicon,
    lower_unaccented,
    normalize_dashes,
)

# The words the title rules read are in data/title_words.tsv, which says what each is for.
TITLE_WORDS = read_word_lists(
    DATA_DIR / "title_words.tsv",
    (
        "modifier", "private_body", "state_only_head", "evaluative", "stop_head", "dotted",
        "apposition_verb",
    ),
    meanings=("apposition_verb",),
)  # fmt: skip
MODIFIERS = frozenset(TITLE_WORDS["modifier"])
PRIVATE_BODIES = frozenset(TITLE_WORDS["private_body"])
# Organisation kinds whose posts are no public office: the spec leaves out company
# executives and forum staff ("vice president of the Trade Partnership").
PRIVATE_KINDS = frozenset({"company", "association", "forum"})
STATE_ONLY_HEADS = frozenset(TITLE_WORDS["state_only_head"])
EVALUATIVE = frozenset(TITLE_WORDS["evaluative"])
STOP_HEADS = frozenset(TITLE_WORDS["stop_head"])  # the vaguest roles: used only when nothing better
DOTTED = frozenset(TITLE_WORDS["dotted"])
APPOSITION_VERBS = TITLE_WORDS["apposition_verb"]  # "who heads ..." -> head
# Penn Treebank tags of a finite verb: an apposition ends where a clause starts.
FINITE = {"VBD", "VBZ", "VBP", "MD"}


@dataclass
class Role:
    text: str
    priority: int  # 3 apposition, 2 title, 1 rank only, 0 officer/official
    country: str | None = None
    igo: bool = False


class TitleReader:
    """Roles from titles and appositions, judged against the office and org-kind lexicons."""

    def __init__(self, offices: OfficeLexicon, kinds: KindClassifier) -> None:
        self.lex = offices
        self.kinds = kinds
        self.office_words = offices.office_words
        self.heads = {p.split()[-1].split("-")[-1] for p in offices.office_phrases}
        self.abbrev_words = {w for key in offices.abbrev for w in key.split()}

    def rank(self, role: Role) -> tuple[int, int]:
        """Appositions over titles over ranks; within those, "President" over "leader"."""
        kind, _ = self.head(re.findall(r"[\w'.]+", lower_unaccented(role.text)))
        return role.priority, {"strong": 2, "rank": 1}.get(kind or "", 0)

    def title(self, span: Span, ctx: DocContext, lead: str | None) -> Role | None:
        """The title right before the name: "US Treasury Secretary", "Lt. Gen."."""
        doc = span.doc
        k = span.start - 1
        while (
            k >= ctx.sent_at[span.start].start
            and doc[k].lower_ in self.lex.honorifics
            and doc[k].lower_ not in self.lex.abbrev
        ):
            k -= 1  # "Prime Minister Sir Keir Starmer"
        end = k + 1
        while k >= ctx.sent_at[span.start].start and self._title_token(doc, k, end, ctx):
            k -= 1
        start = k + 1
        while start < end and (
            not self._useful_lead(doc[start], ctx) or doc[start].lower_ in self.lex.honorifics
        ):
            start += 1  # "Yesterday", "Mr" (of "Mr Justice Millett")
        # a first name NER left out of the PERSON span ("Minister Alejandro [Martinez Cuenca]")
        cut = end
        while cut > start and (self._name_part(doc[cut - 1]) or doc[cut - 1].is_space):
            cut -= 1
        while cut < end and doc[cut].is_space:
            cut += 1
        if cut < end and cut > start and doc[cut - 1].lower_ in self.heads:
            end = cut  # only when what remains ends in an office word
        if start >= end:
            return Role(lead, 1) if lead else None
        role = self._role_from(doc[start:end], ctx, priority=2, allow_abbrev=True)
        if role is None and ctx.public_sentence(ctx.sent_at[span.start]):
            # "lawmakers on the House Select Committee ..., led by chairman Mike Gallagher"
            role = self._role_from(doc[start:end], ctx, priority=2, public=True)
        return role

    def _name_part(self, tok: Token) -> bool:
        low = tok.lower_
        return (
            tok.pos_ == "PROPN"
            and tok.is_title
            and tok.ent_type_ in ("", "PERSON")
            and low not in self.office_words
            and low not in self.abbrev_words
            and low not in MODIFIERS
        )

    def _title_token(self, doc: Doc, k: int, end: int, ctx: DocContext) -> bool:
        tok, low = doc[k], doc[k].lower_
        nxt = doc[k + 1] if k + 1 < end else None
        # a PERSON token is no title, unless the name was trimmed out of the same entity
        # ("Minister of [Mines G. Kishan Reddy]": "Mines" is the portfolio)
        same_entity = end < len(doc) and all(doc[j].ent_iob_ == "I" for j in range(k + 1, end + 1))
        if (tok.ent_type_ == "PERSON" and not same_entity) or "\n\n" in tok.text:
            return False
        if tok.is_space:
            return True  # a wrapped line inside a title (Reuters texts)
        if low in self.office_words or low in MODIFIERS or low in self.abbrev_words:
            return True
        if tok.text == "." and k > 0 and (doc[k - 1].text + ".").lower() in self.abbrev_words:
            return True
        if tok.text == "-" or (
            low in ("to", "be", "elect")
            and ((nxt is not None and nxt.text == "-") or doc[k - 1].text == "-")
        ):
            return True
        if (
            (doc[k - 1].text + ".").lower() in self.abbrev_words
            and nxt is not None
            and nxt.text == "."
        ):
            return True
        if tok.text in POSSESSIVE_S and k > 0 and doc[k - 1].idx in ctx.countries:
            return True
        if low == "of" and nxt is not None and nxt.text[:1].isupper() and k > 0:
            # "Secretary of State", "Bank of Japan governor"; not a headline's "Dismissal
            # of Defense Minister": the word before "of" must be an office or a body
            before = doc[k - 1]
            return (
                before.lower_ in self.heads
                or before.idx in ctx.orgs
                or before.ent_type_ in ("ORG", "GPE", "FAC")
            )
        if (tok.text[:1].isupper() and tok.is_alpha) or tok.text in DOTTED:
            return True
        # "finance minister", "standards commissioner": a lowercase word before an office word
        if (
            tok.is_alpha
            and tok.pos_ in ("NOUN", "ADJ", "PROPN")
            and nxt is not None
            and (nxt.lower_ in self.office_words or nxt.text == "-")
        ):
            return True
        # "natural resources minister": a modifier of a portfolio word already read
        if (
            tok.is_alpha
            and tok.text.islower()
            and low not in EVALUATIVE
            and not tok.is_stop
            and tok.dep_ in ("compound", "amod")
            and k < tok.head.i < end
            and nxt is not None
            and nxt.text.islower()
        ):
            return True
        return self._lower_portfolio(doc, k, ctx)

    def _lower_portfolio(self, doc: Doc, k: int, ctx: DocContext) -> bool:
        """ "minister of mines and power": lowercase portfolio words after "<office> of"."""
        low_start = ctx.sent_at[k].start
        j = k
        while j >= low_start and j > k - 6:
            tok = doc[j]
            if tok.lower_ in ("of", "for") and j > low_start and doc[j - 1].lower_ in self.heads:
                return True
            if not (tok.is_alpha and tok.text.islower()) and tok.text != ",":
                return False
            j -= 1
        return False

    def _useful_lead(self, tok: Token, ctx: DocContext) -> bool:
        """A title may start with a country, an org, an office word; not "Yesterday"."""
        low = tok.lower_
        return (
            tok.idx in ctx.countries
            or tok.idx in ctx.orgs
            or low in self.office_words
            or low in MODIFIERS
            or low in self.abbrev_words
            or tok.pos_ == "PROPN"
            or tok.ent_type_ in ("ORG", "NORP", "GPE")
        )

    def _role_from(
        self,
        phrase: Span,
        ctx: DocContext,
        priority: int,
        allow_abbrev: bool = False,
        public: bool = False,
    ) -> Role | None:
        """Check a title phrase and turn it into a role: country words out, abbreviations
        expanded, organisational roles only for public bodies."""
        doc = phrase.doc
        text = normalize_dashes(phrase.text)
        low = lower_unaccented(text)
        if allow_abbrev:
            for abbrev, office in sorted(self.lex.abbrev.items(), key=lambda kv: -len(kv[0])):
                if low == abbrev:
                    return Role(office, 1)
                if low.endswith(" " + abbrev):  # "Military spokesperson Lt. Gen."
                    cut = len(text) - len(abbrev)
                    rest = [t for t in phrase if t.idx - phrase.start_char < cut]
                    if rest:
                        phrase = doc[rest[0].i : rest[-1].i + 1]
                        text, low = (
                            normalize_dashes(phrase.text),
                            lower_unaccented(normalize_dashes(phrase.text)),
                        )
                    break
        bare = re.sub(r"-(to-be|elect|designate)$", "", low)
        words = [w.strip(".,") for w in re.split(r"[\s-]+", bare) if w.strip(".,")]
        head_kind, head_word = self.head(words)
        if head_kind is None:
            return None
        # country words before the office word leave the role ("former Iranian president")
        country, kept = None, []
        head_seen = False
        for tok in phrase:
            head_seen = head_seen or lower_unaccented(tok.text).strip(".,") == head_word
            if not head_seen and (tok.idx in ctx.countries or tok.text in POSSESSIVE_S):
                country = country or ctx.countries.get(tok.idx)
                continue
            kept.append(tok)
        if not kept:
            return None
        public = public or self._public(phrase, ctx)
        if head_kind == "weak" and not public:
            return None  # "Irish director", "black leader": no public body named
        if head_word not in STATE_ONLY_HEADS and self._private(phrase, ctx):
            return None  # "Union Secretary", "Party chairman": not a public office
        role_text = normalize_dashes("".join(t.text_with_ws for t in kept[:-1]) + kept[-1].text)
        if head_word in STOP_HEADS:
            priority = 0
        elif head_kind == "rank" and priority == 2:
            priority = 1
        return Role(role_text, priority, country, igo=self._igo(phrase, ctx))

    def head(self, words: list[str]) -> tuple[str | None, str]:
        """The rightmost office phrase: "Minister for Railways, ..." -> minister."""
        for i in range(len(words) - 1, -1, -1):
            for n in (3, 2, 1):
                if i - n + 1 >= 0:
                    kind = self.lex.kind_of(" ".join(words[i - n + 1 : i + 1]))
                    if kind:
                        return kind, words[i]
        return None, ""

    def _public(self, phrase: Span, ctx: DocContext) -> bool:
        low = " " + lower_unaccented(phrase.text) + " "
        if any(f" {w} " in low for w in self.lex.govwords):
            return True
        for tok in phrase:
            kind = (
                ctx.orgs.get(tok.idx) or self.kinds.kind(tok.text)
                if tok.text[:1].isupper()
                else None
            )
            if kind in PUBLIC_KINDS:
                return True
        return False

    def _private(self, phrase: Span, ctx: DocContext) -> bool:
        """Does a company, a forum, a union or a party own the title?"""
        owner = [t for t in phrase if t.text[:1].isupper() and t.lower_ not in self.office_words]
        if any(ctx.orgs.get(t.idx) in PRIVATE_KINDS for t in owner):
            return True
        if any(t.lower_ in ("party", "union", "unions") for t in owner):
            return True
        # the owner as a whole: "Central Bank" is public, "Mitsubishi Corp" is not
        return bool(owner) and self.kinds.kind(" ".join(t.text for t in owner)) in PRIVATE_KINDS

    def _igo(self, phrase: Span, ctx: DocContext) -> bool:
        return any(
            (
                ctx.orgs.get(t.idx)
                or self.kinds.exact.get(lower_unaccented(t.text).replace(".", ""), "")
            )
            == "intergovernmental"
            for t in phrase
            if t.text[:1].isupper()
        )

    def appositions(self, span: Span, ctx: DocContext) -> list[Role | None]:
        doc = span.doc
        roles: list[Role | None] = []
        end = span.end
        if end < ctx.sent_at[span.start].end - 1 and doc[end].text == ",":
            roles.append(self._apposition(doc, end + 1, ctx.sent_at[span.start].end, ctx))
        k = span.start - 1
        while k >= ctx.sent_at[span.start].start and self._title_token(doc, k, span.start, ctx):
            k -= 1
        if k > ctx.sent_at[span.start].start and doc[k].text == ",":
            j = k - 1
            while (
                j >= ctx.sent_at[span.start].start
                and doc[j].text not in (",", ";", ":")
                and doc[j].tag_ not in FINITE
            ):
                j -= 1
            start = j + 1
            # "talks with the U.S. special envoy to Burundi, Howard Wolpe": the noun
            # group starts at its determiner, after the clause's own words
            head = next((i for i in range(start, k) if doc[i].lower_ in self.heads), None)
            dets = [i for i in range(start, head or start) if doc[i].lower_ in ("the", "a", "an")]
            roles.append(self._apposition(doc, dets[-1] if dets else start, k, ctx))
        return roles

    def _apposition(self, doc: Doc, start: int, limit: int, ctx: DocContext) -> Role | None:
        """ "the FBI director", "Minister for Railways, Information and Broadcasting, and
        Electronics and Information Technology", "a spokesman for EU trade commissioner X"."""
        while start < limit and (
            doc[start].lower_ in ("but", "and", "while") or doc[start].is_space
        ):
            start += 1
        verb = doc[start + 1].lower_ if start + 1 < limit and doc[start].lower_ == "who" else ""
        if verb in APPOSITION_VERBS and start + 2 < limit:
            end = self._phrase_end(doc, start + 2, limit)
            phrase_text = f"{APPOSITION_VERBS[verb]} of {doc[start + 2 : end].text}"
            role = self._role_from(doc[start + 2 : end], ctx, 3)
            public = self._public(doc[start + 2 : end], ctx)
            return (
                Role(normalize_dashes(phrase_text), 3, igo=self._igo(doc[start + 2 : end], ctx))
                if public or role
                else None
            )
        country = None
        if start < limit and doc[start].lower_ in ("the", "a", "an"):
            start += 1
        if start + 1 < limit and doc[start + 1].text in POSSESSIVE_S:
            country = ctx.countries.get(doc[start].idx)
            if country is None and doc[start].lower_ not in (
                "country",
                "nation",
                "region",
                "state",
                "government",
            ):
                return None  # "the Prime Minister's wife" is about someone else
            start += 2
        end = self._phrase_end(doc, start, limit)
        if end <= start:
            return None
        head = next((i for i in range(start, end) if doc[i].lower_ in self.heads), None)
        if head is None or head - start > 4:
            return None
        if any(doc[i].pos_ not in ("NOUN", "PROPN", "ADJ", "PUNCT") for i in range(start, head)):
            return None  # "both prior to the general": not a noun group
        after = head + 1
        while after < end and doc[after].is_space:
            after += 1
        if after < end and doc[after].text in POSSESSIVE_S:
            return None
        # the role is the noun group up to the head, plus its "of/for ..." complement
        stop = end if after < end and doc[after].lower_ in ("of", "for", "at", "to") else head + 1
        phrase = doc[start:stop]
        complement = doc[head + 1 : end]
        if any(ctx.orgs.get(t.idx) not in (None, *PUBLIC_KINDS, "forum") for t in complement):
            return None  # "president of the Carnegie Corporation": a company role
        if any(t.lower_ in PRIVATE_BODIES for t in complement):
            return None  # "president of the agricultural league of the sugar cane industry"
        role = self._role_from(phrase, ctx, 3)
        if role is None:
            return None
        role.country = role.country or country
        role.igo = role.igo or self._igo(complement, ctx)
        return role

    def _phrase_end(self, doc: Doc, start: int, limit: int) -> int:
        """End of an apposition: the next clause boundary, but not inside a portfolio
        list ("Minister for Railways, Information and Broadcasting, and ...")."""
        i = start
        while i < limit:
            tok = doc[i]
            if tok.text in (".", ";", ":", "(", ")", '"', "“", "”") or "\n\n" in tok.text:
                break
            if tok.tag_ in FINITE or tok.lower_ in ("who", "which", "that", "said", "says"):
                break
            if tok.text == ",":
                nxt = doc[i + 1] if i + 1 < limit else None
                after = doc[i + 2] if i + 2 < limit else None
                in_list = any(doc[j].lower_ in ("for", "of") for j in range(start, i))
                if not (
                    in_list
                    and nxt is not None
                    and (
                        nxt.text[:1].isupper()
                        or (nxt.lower_ == "and" and after is not None and after.text[:1].isupper())
                    )
                ):
                    break
            i += 1
        return i
