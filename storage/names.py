"""Name normalisation for entity linking: the keys two surface forms must share.

These are deliberately conservative: a false merge ("Forum" swallowing every
forum) is worse for an analyst than a missed one, which a later full name or
acronym still joins.
"""

from __future__ import annotations

import re
import unicodedata

from extractors.lexicons import DATA_DIR, read_word_lists

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w\s&]")

# Leading honorifics and office words ("Minister Vaishnaw") and trailing suffixes ("Jr"),
# never part of a name: extractors/data/name_affixes.tsv (the extractor drops the titles
# already; this is the safety net so such a form still links).
_AFFIXES = read_word_lists(DATA_DIR / "name_affixes.tsv", ("title", "suffix"))
_TITLES = frozenset(_AFFIXES["title"])
_SUFFIXES = frozenset(_AFFIXES["suffix"])


def plain_key(text: str) -> str:
    """`text` compared as plain words: case, accents, dash variants and spacing ignored.

    The loosest of the linking keys (see `official_key` and `org_key` for the stricter
    ones); also what the read side matches names and minerals with (SQL `nw_fold`).
    """
    if not text.isascii():  # the common ASCII case needs no Unicode decomposition
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", text.translate(_DASHES).casefold()).strip()


def _words(text: str) -> list[str]:
    # Drop dots first so "U.S." and "US" agree; dashes and slashes separate words.
    folded = plain_key(text).replace(".", "").replace("-", " ").replace("/", " ")
    return _NOT_WORD.sub(" ", folded).split()


def official_key(name: str) -> str:
    """Normalised full name: no honorifics or office words in front, no Jr/III behind."""
    words = [w for w in _words(name) if w != "&"]
    while len(words) > 1 and words[0] in _TITLES:
        words.pop(0)
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


def surname(key: str) -> str:
    """The last word of an official key (the spec's matching rule for officials)."""
    return key.rsplit(" ", 1)[-1]


def org_key(name: str) -> str:
    """Normalised organisation name: case, dots, dashes, '&', a leading 'the'."""
    words = ["and" if w == "&" else w for w in _words(name)]
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def is_acronym(name: str) -> bool:
    """'USISPF', 'G7', 'U.S.' style short forms (one word, mostly capitals)."""
    compact = name.replace(".", "").replace("-", "")
    if not compact or " " in name.strip() or len(compact) > 12:
        return False
    upper = sum(c.isupper() or c.isdigit() for c in compact)
    return upper >= 2 and upper * 2 >= len(compact)


def display_rank(name: str) -> tuple[bool, int, str]:
    """Sort key choosing the name people read: not shouting, fullest, then stable."""
    return (name.isupper() and len(name) > 4, -len(name), name)


def org_display_rank(name: str) -> tuple[bool, int, bool, int, str]:
    """Like `display_rank` for organisations: fullest name first, then the plainest
    spelling ("US-India ..." over "The U.S.-India ...")."""
    key = org_key(name)
    punctuation = sum(not (c.isalnum() or c.isspace()) for c in name)
    leading_the = plain_key(name).startswith("the ")
    return (name.isupper() and len(name) > 4, -len(key), leading_the, punctuation, name)
