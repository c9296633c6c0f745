"""Names of what an organisation of the article makes or runs, not of another body.

"Apple Watch", "Amazon Music Unlimited", "Dräger Infinity": the article names the firm
("Apple") on its own and elsewhere the firm's name followed by words that name a
product, a service or a programme. Those are no organisation (the spec keeps bodies;
the sealed set's errors name products and platforms), and left in, a product would also
swallow its maker: the short-form merge folds "Apple" into "Apple Watch".

A firm's own longer name reads the same way ("GateHouse" beside "GateHouse Media",
"Battle Mountain" beside "Battle Mountain Gold"). What tells it apart is its added
words: words firms' names are made of, learned from the names of listed companies
(data/listed_firm_words.txt, `extractors/firm_words_build.py`), or the kind lexicon's
cue words, head words and legal forms ("Boeing Defense Co", "House Science Committee").
The maker must not be a place ("China Daily" is no product of China), nor the longer
name a place ("Texaco Canada" is Texaco's Canadian arm).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

from extractors.field_libraries import names_a_place
from extractors.lexicons import read_table
from extractors.names import KindClassifier
from extractors.org_merge import OrgRecord


def read_firm_words(path: Path) -> frozenset[str]:
    """The words of listed_firm_words.txt, one per line, lowercase."""
    return frozenset(row[0].lower() for row in read_table(path, ("word",)))


def product_keys(
    records: Mapping[str, OrgRecord],
    kinds: KindClassifier,
    firm_words: Collection[str],
    heads: Collection[str],
) -> set[str]:
    """The keys of the records that name a product of another record's body: the
    other's whole name, then words none of which a firm's or a body's name is made of.
    A name the wire marks, one given with an acronym, or one the kind lexicon knows is
    a body whatever it starts with."""
    out = set()
    for key, rec in records.items():
        if rec.marked or rec.acronym or kinds.kind(rec.name) is not None:
            continue
        words = key.split()
        # the added words as written where the key kept every word ("U.S." folds to "us")
        written = rec.name.split()
        for k in range(1, len(words)):
            maker = records.get(" ".join(words[:k]))
            if maker is None:
                continue
            added = words[k:]
            shown = " ".join(written[k:] if len(written) == len(words) else added)
            if not (
                names_a_place(maker.name)
                or names_a_place(shown)
                or any(w in firm_words or w in heads for w in added)
                or kinds.kind(shown) is not None
            ):
                out.add(key)
            break  # the shortest maker decides
    return out
