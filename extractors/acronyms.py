"""Acronyms: "Long Name (ACRONYM)" pairs and whether a short form fits a long name."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

# Words that acronyms usually skip ("Association of Southeast Asian Nations" -> ASEAN).
FUNCTION_WORDS = frozenset({"of", "and", "the", "for", "on", "in", "&", "-", "de", "du", "e"})
_ACRONYM_RE = re.compile(r"^[A-Za-z][A-Za-z&.+]{1,9}$")


def without_article(name: str) -> str:
    """The name without the leading "the" NER spans often keep."""
    return re.sub(r"^(?:the|The)\s+", "", name)


def looks_like_acronym(text: str) -> bool:
    """ "WTO", "USISPF", "LeT", "Nato": two capitals, or a short capitalised word."""
    if not _ACRONYM_RE.match(text) or not text[0].isupper():
        return False
    return sum(c.isupper() for c in text) >= 2 or len(text) <= 5


def initials(name: str) -> str:
    """Initials of the content words, hyphenated parts counted ("US-India" -> UI)."""
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in FUNCTION_WORDS]
    return "".join(w[0] for w in words if w[0].isalnum()).upper()


def spelled_initials(name: str) -> str:
    """Initials where an all-caps word gives all its letters: "US-India Strategic
    Partnership Forum" -> USISPF, "EU Raw Materials Alliance" -> EURMA. Short forms
    coined from names that open with a country code spell the code out in full."""
    words = [w for w in re.split(r"[\s\-\u2013\u2014]+", name) if w]
    words = [w for w in words if w.lower() not in FUNCTION_WORDS]
    out = []
    for word in words:
        letters = re.sub(r"[^A-Za-z]", "", word)
        if not letters:
            continue
        out.append(letters if letters.isupper() and len(letters) <= 4 else letters[0])
    return "".join(out).upper()


def acronym_letters(acronym: str) -> str:
    """The letters `fits` compares: A-Z only, upper-cased ("U.S." -> "US")."""
    return re.sub(r"[^A-Za-z]", "", acronym).upper()


def strict_forms(name: str) -> set[str]:
    """Every `acronym_letters` value that `fits(..., name, strict=True)` accepts: the
    initials and their prefixes of two letters or more, and the spelled initials. A
    set to look short forms up in, instead of trying each name for each short form."""
    inits = initials(name)
    forms = {inits[:k] for k in range(2, len(inits) + 1)}
    spelled = spelled_initials(name)
    if len(spelled) >= 2:
        forms.add(spelled)
    return forms


def fits(acronym: str, name: str, strict: bool = False) -> bool:
    """Does `acronym` abbreviate `name`?

    Either its letters are the initials of the name's content words, or of its first
    words (BP = British Petroleum Co PLC), or they occur in order inside the name's
    words starting with the first letter (ASEAN in "Association of Southeast Asian
    Nations", USISPF in "US-India Strategic Partnership Forum"). `strict` (for a
    short form NOT introduced in parentheses) allows only the two initials readings.
    """
    letters = re.sub(r"[^A-Za-z]", "", acronym).upper()
    if len(letters) < 2:
        return False
    inits = initials(name)
    if letters == inits or (len(letters) >= 2 and inits.startswith(letters)):
        return True
    if letters == spelled_initials(name):
        return True
    flat = re.sub(r"[^A-Za-z]", "", name).upper()
    if strict or not flat or flat[0] != letters[0]:
        return False
    # in-order subsequence, and every content word's initial must be used
    pos = 0
    for ch in letters:
        pos = flat.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def short_form_at(doc: Doc, i: int) -> str | None:
    """The short form written in parentheses from token `i` on ("( LIFFE )"), if any."""
    if i + 2 >= len(doc) or doc[i].text != "(" or doc[i + 2].text != ")":
        return None
    inner = doc[i + 1].text
    return inner if looks_like_acronym(inner) else None


def parenthesised_pairs(doc: Doc, spans: list[Span]) -> dict[int, str]:
    """For spans directly followed by "(ACR)" or ", ACR," that fits them: span index -> ACR."""
    pairs: dict[int, str] = {}
    for i, span in enumerate(spans):
        short = short_form_at(doc, span.end) or _appositive_short_form(doc, span.end)
        if short and fits(short, without_article(span.text)):
            pairs[i] = short
    return pairs


def _appositive_short_form(doc: Doc, i: int) -> str | None:
    """ "Zambia Consolidated Copper Mines, ZCCM, said": an all-caps appositive."""
    if i + 2 >= len(doc) or doc[i].text != "," or doc[i + 2].text not in (",", ".", ";"):
        return None
    inner = doc[i + 1]
    return (
        inner.text
        if inner.text.isupper() and inner.is_alpha and looks_like_acronym(inner.text)
        else None
    )


def concept_acronyms(doc: Doc) -> set[str]:
    """Short forms the text spells out in common words: "robotic process automation
    (RPA)", "Value added tax (VAT)" at a sentence start. They abbreviate a thing, not
    an organisation's name, however often NER tags them ORG later."""
    found: set[str] = set()
    for tok in doc:
        short = short_form_at(doc, tok.i) if tok.text == "(" else None
        if short is None or not short.isupper():
            continue
        words: list[str] = []
        k = tok.i - 1
        while k >= 0 and len(words) < len(short) + 2 and doc[k].is_alpha:
            word = doc[k]
            if not (word.is_lower or (word.is_sent_start and word.is_title)):
                break
            words.insert(0, word.text)
            if initials(" ".join(words)) == short:
                found.add(short)
                break
            k -= 1
    return found
