"""Neutralise a feed's DTD before feedparser sees it: no entity bombs, no external entities.

feedparser 6 already strips `<!ENTITY>` declarations it finds with a line-based
regex, and its SAX parser does not fetch external entities. Both are side
effects we should not bet on: the regex stops at the first `<letter` in the
prolog (an entity value holding "<b>" ends its search and leaves every later
declaration in place for expat), and a future feedparser or parser backend may
behave differently. So newswatch cleans the prolog itself, with a small scanner
that understands quotes, comments and the internal subset:

- an internal subset keeps only plain literal general entities
  (`<!ENTITY id "tag:example.com,">`, the one legitimate use seen in feeds);
  parameter entities, SYSTEM/PUBLIC (external) entities, entities that refer to
  other entities (the billion-laughs chain), and every other declaration go;
- the document type name and its external id stay (feedparser reads the
  Netscape RSS 0.91 public id from it); expat never loads an external DTD here.

UTF-16/32 documents are decoded for the scan and re-encoded in the same codec,
so a DTD cannot hide behind a wide encoding.
"""

from __future__ import annotations

import codecs
import re

# Caps on what survives: a feed needs a handful of entities, never thousands.
MAX_KEPT_ENTITIES = 64
MAX_ENTITY_VALUE = 1024

_SAFE_ENTITY = re.compile(
    r"""<!ENTITY\s+(?P<name>[A-Za-z_][\w.\-]*)\s+
        (?:"(?P<dq>(?:[^"&%<]|&\#\d{1,7};|&\#x[0-9A-Fa-f]{1,6};)*)"
          |'(?P<sq>(?:[^'&%<]|&\#\d{1,7};|&\#x[0-9A-Fa-f]{1,6};)*)')
        \s*>$""",
    re.X,
)
_ROOT_START = re.compile(r"<[A-Za-z_:]")

# Byte patterns of "<?" (or a BOM) in the wide encodings, as feedparser detects them.
_WIDE_CODECS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (b"\x00\x00\x00\x3c", "utf-32-be"),
    (b"\x3c\x00\x00\x00", "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"),
    (b"\x3c\x00\x3f\x00", "utf-16-le"),
)


def sanitize_feed_bytes(data: bytes) -> bytes:
    """`data` with its DTD made harmless (see the module docstring); unchanged when it has none."""
    codec = _wide_codec(data)
    if codec is None:
        # latin-1 maps bytes 1:1 to code points, so everything outside the
        # rewritten DOCTYPE comes back byte-identical, whatever the real encoding.
        text = data.decode("latin-1")
        cleaned = sanitize_feed_text(text)
        return data if cleaned is text else cleaned.encode("latin-1")
    text = data.decode(codec, errors="replace")
    cleaned = sanitize_feed_text(text)
    if cleaned is text:
        return data
    return cleaned.encode(codec, errors="replace")


def sanitize_feed_text(text: str) -> str:
    """The same for a decoded document; returns `text` itself (the same object) when unchanged."""
    start, end = _find_doctype(text)
    if start < 0:
        return text
    declaration = text[start:end]
    safe = _safe_doctype(declaration)
    if safe == declaration:
        return text
    return text[:start] + safe + text[end:]


def _wide_codec(data: bytes) -> str | None:
    for prefix, codec in _WIDE_CODECS:
        if data.startswith(prefix):
            return codec
    return None


def _find_doctype(text: str) -> tuple[int, int]:
    """(start, end) of the first DOCTYPE in the prolog, or (-1, -1)."""
    pos = 0
    n = len(text)
    while pos < n:
        if text[pos] in "\ufeff \t\r\n":
            pos += 1
            continue
        if text.startswith("<?", pos):
            close = text.find("?>", pos + 2)
            if close < 0:
                return -1, -1
            pos = close + 2
        elif text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                return -1, -1
            pos = close + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            return pos, _doctype_end(text, pos + 9)
        else:
            return -1, -1  # the root element (or junk): the prolog is over
    return -1, -1


def _doctype_end(text: str, start: int) -> int:
    """Index just past the DOCTYPE whose name starts at `start`, quote- and subset-aware.

    An unterminated declaration runs to the first element start after it (or
    the end): its subset is then dropped, the safe reading of a broken DTD.
    """
    pos = start
    quote = ""
    depth = 0  # 1 inside the internal subset
    n = len(text)
    while pos < n:
        ch = text[pos]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif depth and text.startswith("<!--", pos):
            close = text.find("-->", pos + 4)
            if close < 0:
                break
            pos = close + 3
            continue
        elif ch == "[":
            depth = 1
        elif ch == "]":
            depth = 0
        elif ch == ">" and not depth:
            return pos + 1
        pos += 1
    root = _ROOT_START.search(text, start)
    return root.start() if root else n


def _safe_doctype(declaration: str) -> str:
    """The declaration with only plain literal entities left in its internal subset."""
    open_at = _subset_open(declaration)
    if open_at < 0:
        if declaration.rstrip().endswith(">"):
            return declaration  # no internal subset: a name and an external id only
        return ""  # unterminated and without a subset: drop it
    header = declaration[:open_at].rstrip()
    kept = [m.group(0) for m in _declarations(declaration[open_at + 1 :]) if _is_safe(m)]
    kept = kept[:MAX_KEPT_ENTITIES]
    if not kept:
        return header + ">"
    return header + " [\n" + "\n".join(kept) + "\n]>"


def _subset_open(declaration: str) -> int:
    quote = ""
    for i, ch in enumerate(declaration):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "[":
            return i
    return -1


def _declarations(subset: str) -> list[re.Match[str]]:
    """Each `<!ENTITY ...>` of an internal subset, scanned with quotes respected."""
    found: list[re.Match[str]] = []
    pos = 0
    while True:
        start = subset.find("<!ENTITY", pos)
        if start < 0:
            return found
        end = _declaration_end(subset, start + 8)
        if end < 0:
            return found
        match = _SAFE_ENTITY.match(subset[start:end])
        if match is not None:
            found.append(match)
        pos = end


def _declaration_end(subset: str, pos: int) -> int:
    quote = ""
    for i in range(pos, len(subset)):
        ch = subset[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            return i + 1
    return -1


def _is_safe(match: re.Match[str]) -> bool:
    value = match.group("dq") if match.group("dq") is not None else match.group("sq")
    return value is not None and len(value) <= MAX_ENTITY_VALUE
