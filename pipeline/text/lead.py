"""The lead: the standfirst that trafilatura's precision mode drops.

extract.py takes the main text from trafilatura's precision mode (it keeps less
boilerplate, so the body scores better), but on many layouts that mode also drops
the standfirst: the summary paragraph between the headline and the body, often in
its own container or in a heading tag (<h2 class="lead">). trafilatura's default
mode keeps it. Measured on the tuning publishers of the dev pages, that loss was
the main reason our first words differed from the article's.

So the default-mode extraction is aligned with the precision one: what it has
before the precision text's first paragraph is the headline area, and of that,
the paragraphs that read as prose and are not a title are put back.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.text.sitenames import squash

# A standfirst is a sentence or two: at least this many words (or CJK characters).
_MIN_WORDS = 6
_MIN_CJK_CHARS = 15
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)]*$")
# Dates, times and bylines: the furniture between a headline and the body.
_FURNITURE = re.compile(
    r"\d{1,2}[:.]\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b|^(?:by|von|par|por|door)\s", re.I
)


def blocks(body: Any) -> list[tuple[str, str]]:
    """(tag, text) of each top-level block of a trafilatura body element."""
    if body is None:
        return []
    out = []
    for element in body:
        text = " ".join(" ".join(element.itertext()).split())
        if squash(text):
            out.append((str(element.tag), text))
    return out


def restored_lead(precision: Any, default: Any, titles: list[str]) -> list[str]:
    """The standfirst paragraphs the default mode has before the precision text starts.

    `precision` and `default` are the two modes' body elements; `titles` every title
    the page states, so the headline (and a kicker glued to it) is never restored.
    """
    kept = blocks(precision)
    if not kept:
        return []
    first = squash(kept[0][1])
    found = blocks(default)
    start = next((i for i, (_, text) in enumerate(found) if squash(text) == first), None)
    if not start:
        return []
    body = {squash(text) for _, text in kept}
    title_keys = [k for k in (squash(t) for t in titles) if len(k) >= 10]
    return [
        text
        for tag, text in found[:start]
        if squash(text) not in body and _is_standfirst(tag, text, title_keys)
    ]


def _is_standfirst(tag: str, text: str, title_keys: list[str]) -> bool:
    if tag not in ("p", "head"):  # lists, quotes, tables, images: not a lead
        return False
    key = squash(text)
    if any(t in key or key in t for t in title_keys):
        return False
    cjk = len(_CJK.findall(text))
    if len(text.split()) < _MIN_WORDS and cjk < _MIN_CJK_CHARS:
        return False
    if _FURNITURE.search(text):
        return False
    # A heading is a standfirst only when it is written as a sentence; otherwise it
    # is a headline variant or a section title.
    return tag == "p" or bool(_SENTENCE_END.search(text))


# "WASHINGTON —", "NEW DELHI, March 3 (Reuters) -", "Beijing (Xinhua)": a wire dateline
# that a site put on a line of its own belongs to the first paragraph.
_WIRE_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\-]+(?:\s[A-Z][A-Z.'\-]+)*\b.*[—–-]$|.*\([A-Z][A-Za-z&./ ]{1,20}\)\s*[—–-]?$)"
)
# Lines above the first paragraph are looked at this far down.
_HEAD_LINES = 6
_MAX_HEADING_WORDS = 12
_MAX_FURNITURE_WORDS = 8


def without_leading_furniture(text: str, titles: list[str], authors: tuple[str, ...]) -> str:
    """`text` without the headline area the extraction kept above the first paragraph.

    Extractors keep the <h1>, a kicker, "Updated 15.59 | Published 14.14", "By Jane
    Doe", a place or an image credit as lines of their own. The headline area ends at
    the first line written as a sentence; within it, everything down to the last line
    that is a title or a date/byline is dropped, and with it the short lines that follow
    it before the first sentence. Nothing is dropped unless such a line is there.
    """
    lines = text.split("\n")
    title_keys = [k for k in (squash(t) for t in titles) if len(k) >= 10]
    names = [a.casefold() for a in authors if len(a) >= 4]
    cut = 0
    for i, line in enumerate(lines[:_HEAD_LINES]):
        key = squash(line)
        if _is_list_item(line):  # a summary box ("- Children killed (11.39)"): content
            break
        if not key or _is_title(key, title_keys) or _is_furniture(line, names):
            cut = i + 1
        elif not _is_heading(line) or _WIRE_DATELINE.match(line.strip()):
            break  # the body has begun (a dateline on its own line starts it too)
        elif cut:  # a short line after the headline or the byline, before the body
            cut = i + 1
    rest = "\n".join(lines[cut:]).strip()
    return rest if squash(rest) else text


def _is_title(key: str, title_keys: list[str]) -> bool:
    # The line is a title, part of one ("Kenia: Nairobi von unten" → "Nairobi von
    # unten"), or a title with a kicker glued on, but never a paragraph that merely
    # mentions the headline's words.
    return any(
        key == t or (key in t and len(key) >= 10) or (t in key and len(key) <= 1.5 * len(t) + 20)
        for t in title_keys
    )


def _is_list_item(line: str) -> bool:
    return line.lstrip().startswith(("- ", "• ")) and len(line.split()) > 3


def _is_heading(line: str) -> bool:
    return len(line.split()) <= _MAX_HEADING_WORDS and not _SENTENCE_END.search(line.strip())


def _is_furniture(line: str, author_names: list[str]) -> bool:
    # Bylines and date lines are short; a ticker item with a time in it is not one.
    if not _is_heading(line) or len(line.split()) > _MAX_FURNITURE_WORDS:
        return False
    folded = line.casefold()
    return bool(_FURNITURE.search(line.strip())) or any(n in folded for n in author_names)
