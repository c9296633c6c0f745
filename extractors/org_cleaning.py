"""Trimming a candidate span to the organisation name it holds.

Candidates carry debris around the name: a leading "the", a country's possessive
("Mexico's National Statistics Institute"), tickers and dates from wire headers, a
trailing job title ("Waseda University Political Science Professor"), a second name
after "and"/"or". `clean_span` cuts it away, or returns None when the span is no
single name at all (a paragraph break inside, a quoted title).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from extractors.field_libraries import ends_in_legal_form, legal_forms
from extractors.gazetteer import country_lookup
from extractors.names import POSSESSIVE_S, POSSESSIVES, lower_unaccented
from extractors.org_lexicons import (
    AFFILIATION_NOUNS,
    LEGAL_FORMS,
    LOWER_HEADS,
    REPORTING,
    OrgLexicons,
)
from extractors.org_place_compounds import joins_places

LEADING_DROP = {"the", "his", "her", "its", "their", "a", "an", "our"}

# Tokens a name never ends on: a possessive, a bracket, a comma or a dash.
TRAILING_MARKS = POSSESSIVES | {">", "<", ")", "(", ",", "-"}


def clean_span(
    span: Span, countries: dict[int, str], places: dict[int, int], lex: OrgLexicons
) -> Span | None:
    """`countries`: token offsets in a country mention; `places`: token index -> start
    of the place it lies in (org_place_compounds)."""
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
        if doc[k].text in POSSESSIVES and k > start:
            if (
                doc[k - 1].idx in countries
                or country_lookup(doc[start:k].text)
                or (k < end - 1 and _owner_named(doc[start:k], lex))
            ):
                start = k + 1
            elif k == end - 1 or lex.kinds.kind(doc[k + 1 : end].text) in (None, "exclude"):
                end = k  # "Toblerone's Facebook": the owner is the org
            break  # else "National People's Congress": one name
    while start < end and (
        doc[start].lower_ in LEADING_DROP
        or (lex.agencies.lookup(doc[start].text) and end - start > 2 and doc[start + 1].text == "-")
    ):
        start += 2 if doc[start + 1 : start + 2].text == "-" else 1
    start = _after_roles(doc, start, end - 1)
    for k in range(start, end):
        text = doc[k].text
        if (text == "based" and k > start and doc[k - 1].text == "-") or text.endswith("-based"):
            # "Mo.-based Commerce Bancshares Inc.": where it is based, not its name (the
            # tokenizer keeps "Mo.-based" one token after an abbreviation's full stop)
            start = k + 1
            continue
        next_form = k + 1 < end and lower_unaccented(doc[k + 1].text) in LEGAL_FORMS
        listed = text == "," and (next_form or _lists_in_one_name(doc, k, end))
        if k > start and (text == "or" or (text == "," and not listed)):
            end = k  # "Mercantile or Commerce", "Mercantile, Commerce"
            break
        if text == ":" and k > start:
            return None  # a title ("The Palace: Tale of Jang Noksu"), not a name
        if text in ("(", "/") and k > start and not _legal_past_parenthesis(doc, k, end):
            end = k  # "National League for Democracy ( NLD"
            break
        if (
            k > start
            and lower_unaccented(doc[k - 1].text) in LEGAL_FORMS
            and lower_unaccented(text) not in LEGAL_FORMS
            and text not in (".", "-")
            and not _more_legal_form(doc, k, end)
            and not _named_on_to_legal_form(doc, k, end)
        ):
            # A company's name ends at its legal form: "First Bank System Inc. and
            # Norwest Corp." is two names, "Daniels Pharmaceuticals Inc of St.
            # Petersburg" says where it is, "Bear Stearns & Co Inc Underwriters" what it did.
            end = k
            break
        if k + 1 < end and (
            re.search(r"\d", text)
            or (
                text == "-"
                and doc[start:k].text.isupper()
                and (doc[k - 1].whitespace_ or doc[k].whitespace_)  # "TI-CARO Inc": one word
                and not joins_places(doc, k, places)  # "UK-Japan Business Council"
            )
        ):
            start = k + 1  # "Maggie McNeil WASHINGTON 1996-08-30 U.S. Agriculture ..."
    if (
        end + 1 < len(doc)
        and doc[end].lower_ == "in"
        and country_lookup(doc[end + 1].text)
        and lex.kinds.kind(doc[start:end].text) == "other"
        and any(lower_unaccented(t.text) in lex.kinds.heads for t in doc[start:end])
    ):
        # "Institute for Political Studies in Japan"; a group named by no head word is
        # only located ("held by the Taliban in Afghanistan")
        end += 2
    full_end = end
    while end > start and (
        doc[end - 1].text in TRAILING_MARKS
        or doc[end - 1].is_space
        or (end - start > 1 and re.search(r"\d|=", doc[end - 1].text))
        or (
            end - start > 1
            and doc[start].text[:1].isupper()
            and trailing_descriptor(doc[end - 1], lex)
            and not _hyphen_tail(doc, end - 1)
            and not _office_named(doc, start, end, lex)
        )
    ):
        end -= 1
    if any(
        doc[k].lower_ in lex.honorifics or doc[k].lower_ in lex.office_heads
        for k in range(end, full_end)
    ):
        # "Waseda University Political Science Professor": the org ends at its head
        heads = [k for k in range(start, end) if lower_unaccented(doc[k].text) in lex.kinds.heads]
        end = heads[-1] + 1 if heads else end
    while start < end and doc[start].text in ("<", "(", "-", '"', "“"):
        start += 1
    return doc[start:end] if end > start else None


def _more_legal_form(doc: Doc, k: int, end: int) -> bool:
    """Whether the legal form goes on at token k: "Moonie Pipeline Co Pty Ltd",
    "Sterling Grace Capital Management Inc LP" (cleanco's forms, one or two words,
    written as a form is: in capitals or title case, not a common word or a place)."""
    forms = legal_forms()
    words = [re.sub(r"[^\w&]", "", t.text).lower() for t in doc[k : min(end, k + 2)]]
    tok = doc[k]
    if len(words) == 2 and tuple(words) in forms:
        return True
    return (
        (words[0],) in forms
        and len(words[0]) >= 2
        and not tok.is_stop
        and tok.ent_type_ not in ("GPE", "LOC", "NORP")
        and (tok.text.isupper() or tok.text.istitle())
    )


def _named_on_to_legal_form(doc: Doc, k: int, end: int) -> bool:
    """Whether the name goes on from token k to the legal form that ends it: "Bond
    Corp" + "International Ltd" is one company (a subsidiary named after its parent),
    where "Bear Stearns & Co Inc Underwriters" says what the firm did."""
    rest = doc[k:end]
    return (
        2 <= len(rest) <= 3
        and all(
            (t.text.istitle() or t.text.isupper()) and t.ent_type_ not in ("GPE", "LOC", "NORP")
            for t in rest[:-1]
        )
        and ends_in_legal_form([t.text for t in rest])
    )


def _legal_past_parenthesis(doc: Doc, k: int, end: int) -> bool:
    """Is the "(" at k a place or form inside a company's name, which runs on past
    the ")" to its legal form ("Borg-Warner (Australia) Ltd", org_expansion)?"""
    close = next((j for j in range(k + 1, end - 1) if doc[j].text == ")"), None)
    return close is not None and ends_in_legal_form([t.text for t in doc[close + 1 : end]])


def _lists_in_one_name(doc: Doc, comma: int, end: int) -> bool:
    """Whether a comma lists the parts of one name: NER read the whole as one
    organisation and an "and" closes the list ("Ministry of Environment, Forestry and
    Tourism", "Immigration, Refugees and Citizenship Canada"); two names side by side
    ("Mercantile, Commerce") have no "and" after the comma."""
    if doc[comma].ent_type_ != "ORG":
        return False
    return any(
        doc[k].lower_ in ("and", "&") and k + 1 < end and doc[k + 1].text[:1].isupper()
        for k in range(comma + 1, end)
    )


def _after_roles(doc: Doc, start: int, last: int) -> int:
    """Where the name starts when the span opens with the roles of someone who works for
    it: "CEO of New Media Investment Group", "Chairman and Founder of Acme Mining Corp."
    name the group and the company, as "a spokesman for X" does."""
    k = start
    while k < last and (
        doc[k].lower_ in AFFILIATION_NOUNS or (k > start and doc[k].lower_ in ("and", "&", ","))
    ):
        k += 1
    return k + 1 if k > start and doc[k].lower_ == "of" else start


def _office_named(doc: Doc, start: int, end: int, lex: OrgLexicons) -> bool:
    """Whether the name ends in an office after "of": "of the <office>", an "Office of
    <office>", or "of" and nothing but office words. The office is then part of the name
    ("Office of the U.S. Trade Representative", "DHS Office of Inspector General",
    "Department of Justice", "International Court of Justice"), where a title after a name is not
    ("Bank of Japan Governor", "Waseda University ... Professor")."""
    of = next((k for k in range(end - 2, start, -1) if doc[k].lower_ == "of"), None)
    if of is None or doc[of + 1 : end].root.i != end - 1:
        return False
    return (
        doc[of + 1].lower_ == "the"
        or doc[of - 1].lower_ == "office"
        or all(_is_office_word(t, lex) for t in doc[of + 1 : end])
    )


def _is_office_word(tok: Token, lex: OrgLexicons) -> bool:
    """A word of an office title ("Justice", "Staff", "General")."""
    return tok.lower_ in lex.office_words or tok.lower_ in lex.office_heads


def named_owner(span: Span, lex: OrgLexicons) -> Span | None:
    """The owner before a possessive inside a candidate when it is a name of its own
    ("NASA" in "NASA's Ames Research Center"): `clean_span` keeps what follows, and the
    owner is a candidate too."""
    doc = span.doc
    for k in range(span.start + 1, span.end - 1):
        if doc[k].text in POSSESSIVE_S and _owner_named(doc[span.start : k], lex):
            return doc[span.start : k]
    return None


def _owner_named(owner: Span, lex: OrgLexicons) -> bool:
    """Whether the part before a possessive is a name of its own, so the organisation is
    what follows ("NASA's Ames Research Center", "University of Pretoria's Centre for
    Human Rights"), as after a country's: an acronym, a name with an org head word, or a
    person NER marks as one. "National People's Congress" is one name."""
    words = [t for t in owner if not t.is_punct]
    if not words:
        return False
    acronym = len(words) == 1 and words[0].text.isupper() and len(words[0].text) >= 2
    person = all(t.ent_type_ == "PERSON" for t in words)
    headed = any(lower_unaccented(t.text).rstrip(".") in lex.kinds.heads for t in words)
    return acronym or person or headed


def _hyphen_tail(doc: Doc, i: int) -> bool:
    """The lowercase end of a hyphenated word ("Co-operation"), not a word of its own."""
    return (
        i >= 2
        and doc[i - 1].text == "-"
        and not doc[i - 1].whitespace_
        and not doc[i - 2].whitespace_
    )


def trailing_descriptor(tok: Token, lex: OrgLexicons) -> bool:
    """ "Antara news agency", "Waseda University ... Professor", "AP Photographer"."""
    low = tok.lower_
    if low in LOWER_HEADS:
        return False  # "the House Appropriations subcommittee": part of the name
    if tok.text.islower():
        return True  # callers only strip after a capitalised start
    if lower_unaccented(tok.text) in lex.kinds.heads:
        return False
    return (
        low in REPORTING
        or low in lex.honorifics
        or low in lex.office_heads
        or lex.kinds.kind(tok.text) == "platform"  # "Toblerone Facebook" page
    )
