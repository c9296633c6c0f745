"""Build data/listed_firm_words.txt: the words companies' names are made of.

    python -m extractors.firm_words_build LISTING.csv [LISTING.csv ...] [--out FILE]

Each LISTING is a stock exchange's symbol directory as the Open Knowledge
`datasets/nasdaq-listings` repository keeps it (a symbol column, then the security's
name: "Ulta Beauty, Inc. - Common Stock"). A security's issuer is its name before the
security type; funds, notes, warrants and units are no operating company and are left
out. A word is a firm word when it stands in second place or later in the issuer names
of at least MIN_NAMES listed companies, their legal forms (cleanco's) taken off:
"Media" (Liberty Media, AMC Global Media), "Healthcare", "Gold", "Systems".

The organisation rules read them (extractors/org_products.py) to tell a firm's own
longer name ("GateHouse Media" beside "GateHouse") from a product named after the firm
("Apple Watch" beside "Apple"). The source and its commits are in the file's header.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from extractors.field_libraries import legal_forms
from extractors.lexicons import DATA_DIR

DEFAULT_OUT = DATA_DIR / "listed_firm_words.txt"
MIN_NAMES = 2  # a word in one listed name is that company's, not a word firms' names use
NOT_A_COMPANY = re.compile(
    r"\b(ETF|ETN|Fund|Index|Trust|Portfolio|Notes?|Depositary|Warrants?|Rights?|Units?)\b"
)
# where the issuer's name ends and the security's type begins
SECURITY_TYPE = re.compile(
    r"\s+-\s+|\s+(?:Common|Class|Ordinary|Preferred|American|Series|Depositary)\b"
)
FUNCTION_WORDS = frozenset({"and", "of", "the", "de", "for"})

HEADER = """\
# Words companies' names are made of, in second place or later ("Liberty Media",
# "Acadia Healthcare", "Battle Mountain Gold"): each in the issuer names of at least
# {min_names} listed companies, legal forms (cleanco's) taken off, funds, notes and
# warrants left out. Read by extractors/org_products.py: a name that is a firm's name
# followed by such words is the firm's own longer name, not its product.
# Built by `python -m extractors.firm_words_build` from the symbol directories in
# github.com/datasets/nasdaq-listings (Open Knowledge; licence ODC-PDDL-1.0, the
# directories published by Nasdaq):
#   data/nasdaq-listed.csv at commit 31d3809cc090d5a535ecc3db2b26904cbb2ac84d (2026-08-01)
#   data/nyse-listed.csv   at commit f533e2ad467c2728978554974c0ff41f86927a4e (2015-01-10,
#                          the last commit that holds it)
# Only these derived words are shipped, not the listings. {names} issuer names read.
"""


def issuers(rows: Iterable[Sequence[str]]) -> set[str]:
    """The operating companies' names of a symbol directory's rows."""
    out = set()
    for row in rows:
        if len(row) < 2 or not row[0] or "Symbol" in row[0]:
            continue  # the header, or an empty line
        name = row[1]
        if NOT_A_COMPANY.search(name):
            continue
        name = SECURITY_TYPE.split(name, maxsplit=1)[0].strip(' ,"')
        if name:
            out.add(name)
    return out


def name_words(name: str) -> list[str]:
    """The name's words, lowercase, without punctuation and its trailing legal forms."""
    words = [w for w in (re.sub(r"[^\w&]", "", t).lower() for t in name.split()) if w]
    forms = legal_forms()
    while words:
        k = next((k for k in (3, 2, 1) if tuple(words[-k:]) in forms), 0)
        if not k or k == len(words):
            break
        del words[-k:]
    return words


def firm_words(names: Iterable[str], min_names: int = MIN_NAMES) -> list[str]:
    """Words in second place or later of at least `min_names` names, sorted."""
    counts: Counter[str] = Counter()
    for name in names:
        counts.update({w for w in name_words(name)[1:] if w.isalpha() and len(w) > 1})
    return sorted(w for w, n in counts.items() if n >= min_names and w not in FUNCTION_WORDS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listings", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    names: set[str] = set()
    for path in args.listings:
        if not path.is_file():
            print(f"error: no listing at {path}", file=sys.stderr)
            return 2
        with path.open(encoding="utf-8", newline="") as handle:
            names |= issuers(csv.reader(handle))
    words = firm_words(names)
    text = HEADER.format(min_names=MIN_NAMES, names=len(names)) + "".join(w + "\n" for w in words)
    args.out.write_text(text, encoding="utf-8")
    print(f"{len(words)} firm words from {len(names)} listed names -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
