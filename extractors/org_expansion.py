"""Finishing organisation names that NER or the tokenizer cut short.

The small model often stops a name early: at a lowercase head word ("House
Appropriations" + "subcommittee") or before an "of"/"on" tail ("General Agreements"
+ "on Tariffs and Trade"). These helpers widen a candidate span to the whole name.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from extractors.acronyms import fits, short_form_at, without_article
from extractors.doc_bounds import inside_paragraph
from extractors.field_libraries import ends_in_legal_form
from extractors.org_lexicons import LOWER_HEADS

# Words a name continues over on its way to the short form it gives in parentheses.
_TO_ACRONYM = ("and", "&", "of", "for", "in", "on", "the", "-")


def is_cap(tok: Token) -> bool:
    text = tok.text
    return bool(text) and (text[0].isupper() or text[0].isdigit()) and not tok.is_punct


def extend_name(ent: Span, sent: Span) -> Span:
    """Finish a name NER cut short: "General Agreements" + "on Tariffs and Trade",
    "House Appropriations" + "subcommittee". A following country, person or date is
    not part of the name ("Toyota of Japan", "the WTO on Friday"), and a one-word
    name takes no lowercase head ("the House committee on China" is a description)."""
    doc = ent.doc

    def skip_space(i: int) -> int:  # wire texts wrap lines inside names
        while i < sent.end and inside_paragraph(doc[i]):
            i += 1
        return i

    end = ent.end
    while True:
        k = skip_space(end)
        nxt = skip_space(k + 1)
        if not (
            nxt < sent.end
            and doc[k].lower_ in ("of", "on", "for")
            and is_cap(doc[nxt])
            and not doc[nxt].ent_type_
        ):
            break
        stop = nxt
        while stop < sent.end:
            after = skip_space(stop + 1)
            if doc[stop].lower_ in ("and", "&") and after < sent.end and is_cap(doc[after]):
                stop = after
            elif is_cap(doc[stop]) and not doc[stop].ent_type_:
                end = stop + 1
                stop = after
            else:
                break
        if end <= k:
            break
    k = skip_space(end)
    if k < sent.end and doc[k].lower_ in LOWER_HEADS and end - ent.start >= 2:
        end = k + 1
    if doc[end - 1].lower_ in ("and", "&"):
        # NER stopped on the "and" ("the Organisation for Economic Co-operation and"
        # + "Development"): no name ends there
        while end < sent.end and is_cap(doc[end]):
            end += 1
    end = _to_acronym(doc, ent.start, end, sent.end)
    end = _over_parenthesis(doc, ent.start, end, sent.end)
    return doc[ent.start : end] if end > ent.end else ent


def _over_parenthesis(doc: Doc, start: int, end: int, limit: int) -> int:
    """Where a company's name ends when it runs on over a place or a form in
    parentheses to its legal form: "Borg-Warner" + "(Australia) Ltd", "SHV" + "(United
    Kingdom) Holding Co Ltd", "Toshiba Information Systems" + "(U.K.) Ltd". Only when
    the longer name ends in a legal form (cleanco): a short form in parentheses
    ("(BWA)") or a remark ("(the company)") is left where it is."""
    if end >= limit or doc[end].text != "(":
        return end
    close = next((j for j in range(end + 1, min(limit, end + 5)) if doc[j].text == ")"), None)
    if close is None or close == end + 1:
        return end
    if not all(is_cap(t) or t.text == "." for t in doc[end + 1 : close]):
        return end
    if close == end + 2 and fits(doc[end + 1].text, doc[start:end].text):
        return end  # "(BWA)": the short form the name gives, not part of it
    out, last = end, close + 1
    while last < min(limit, close + 5) and is_cap(doc[last]):
        last += 1
        if ends_in_legal_form([t.text for t in doc[start:last]]):
            out = last  # the longest: "Holding Co Ltd", not "Holding Co"
    return out


def _to_acronym(doc: Doc, start: int, end: int, limit: int) -> int:
    """Where the name ends when it runs on to the short form it gives: "London
    International Financial Futures" + "and Options Exchange (LIFFE)", "... Democracy"
    + "in Rwanda (RDR)". Only when the short form fits the longer name and not the
    shorter one, so "the WTO and Japan (JPN)" stays apart."""
    j = end
    while j < min(limit, end + 8) and (is_cap(doc[j]) or doc[j].lower_ in _TO_ACRONYM):
        j += 1
    short = short_form_at(doc, j) if j > end else None
    if short is None:
        return end
    stop = end
    while stop > start and doc[stop - 1].lower_ in _TO_ACRONYM:
        stop -= 1  # NER's span can end on the "and" ("... Co-operation and")
    longer, shorter = without_article(doc[start:j].text), without_article(doc[start:stop].text)
    if fits(short, longer) and not fits(short, shorter, strict=True):
        return j
    return end
