"""Finishing organisation names that NER or the tokenizer cut short.

The small model often stops a name early: at a lowercase head word ("House
Appropriations" + "subcommittee") or before an "of"/"on" tail ("General Agreements"
+ "on Tariffs and Trade"). These helpers widen a candidate span to the whole name.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractors.org_lexicons import LOWER_HEADS


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
    return doc[ent.start : end] if end > ent.end else ent
