"""Output encoders: what article-supplied text becomes at each sink.

Titles, evidence, names, URLs and error messages come from whoever runs a feed or a
page, so every place that writes them out encodes them for that sink here, once:

- `terminal_text` / `terminal_line`: what a terminal receives. ANSI escape sequences
  (colours, cursor moves, OSC window titles, clear-screen) are removed whole, and every
  other control character (C0 but newline and tab, DEL, C1 such as the 8-bit CSI
  U+009B) and the bidi overrides that reorder what is shown (U+202A-E, U+2066-9) are
  dropped. `terminal_line` also folds newlines and tabs into spaces, so a value cannot
  forge a line of its own. `TerminalSafeFormatter` applies the same to log records.
- `json_text`: JSON whose strings cannot carry a raw control character either: json
  escapes C0 itself; DEL, C1, the bidi overrides and U+2028/9 are written as \\uXXXX,
  which decodes to the same value (lossless, unlike the terminal encoders).
- `csv_cell`: the OWASP rule against CSV (formula) injection: a text cell starting
  with `=`, `+`, `-`, `@` or tab (after any leading spaces) gets a leading `'`, so
  spreadsheets show it as text instead of evaluating it. Numbers stay numbers.
  Control characters but tab and newline are dropped, carriage returns included (a
  csv printed on a terminal must not rewind its line), so none can lead a cell.
- `markdown_text` / `markdown_url`: Markdown whose article text is only text: the
  characters that make links, emphasis, code, raw HTML and tables are backslash-escaped
  (CommonMark escapes), a leading block marker (`#`, `>`, `- `, `1. `) too, and
  newlines are folded, so a title cannot open a heading or an <img>. Link targets keep
  only http, https and file URLs, with the characters that end a Markdown link
  percent-encoded.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import quote, urlsplit

from storage.redact import redact_userinfo

# ESC-introduced sequences, removed whole so their payload (a window title, "2J")
# is not left behind: CSI (ESC [ ... final), OSC/DCS/PM/APC/SOS strings up to BEL or
# ST, and two-character ESC sequences. The 8-bit CSI (U+009B) with its parameters too.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
_BIDI_OVERRIDES = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_CONTROLS = [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]

# Kept: newline and tab (multi-line output, tracebacks). CR goes: it rewinds the line.
_TERMINAL = dict.fromkeys([c for c in _CONTROLS if c not in (0x09, 0x0A)] + _BIDI_OVERRIDES)
_TERMINAL_LINE = {**_TERMINAL, 0x09: " ", 0x0A: " ", 0x0D: " ", 0x2028: " ", 0x2029: " "}
# CSV keeps tab and newline inside a (quoted) cell; the csv module quotes them.
_CSV = dict.fromkeys([c for c in _CONTROLS if c not in (0x09, 0x0A)] + _BIDI_OVERRIDES)

_JSON_ESCAPED = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def terminal_text(value: Any) -> str:
    """`value` as text safe to show on a terminal; newlines and tabs are kept."""
    text = value if isinstance(value, str) else str(value)
    return _ESCAPE_SEQUENCE.sub("", text).translate(_TERMINAL)


def terminal_line(value: Any) -> str:
    """`value` as one line of terminal text (newlines, CR and tabs become spaces)."""
    text = value if isinstance(value, str) else str(value)
    return _ESCAPE_SEQUENCE.sub("", text).translate(_TERMINAL_LINE)


def json_text(value: Any, **dumps_options: Any) -> str:
    """`json.dumps(value, **dumps_options)` with no raw DEL, C1, bidi override or U+2028/9."""
    text = json.dumps(value, **dumps_options)
    return _JSON_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TerminalSafeFormatter(logging.Formatter):
    """A logging.Formatter whose message is one terminal-safe line.

    The message (often a title, URL or a server's error text) is folded to one line,
    so a record cannot forge the next one; a traceback keeps its newlines but loses
    its control characters too. The login of any URL in it is shown as *** (a feed
    configured as https://user:secret@host/ is logged without its secret).
    """

    def format(self, record: logging.LogRecord) -> str:
        saved = record.msg, record.args
        record.msg, record.args = terminal_line(redact_userinfo(record.getMessage())), None
        try:
            return terminal_text(redact_userinfo(super().format(record)))
        finally:
            record.msg, record.args = saved


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """One CSV cell: text neutralised by the OWASP rule, numbers and None as they are."""
    if not isinstance(value, str):
        return value
    text = _ESCAPE_SEQUENCE.sub("", value).translate(_CSV)
    if text.lstrip(" ").startswith(_FORMULA_START):
        return "'" + text
    return text


class MarkdownSafe(str):
    """Text already encoded for Markdown (a URL from `markdown_url`): not escaped again."""


# Inline syntax: escapes, code, emphasis, strikethrough, links and images, raw HTML and
# autolinks, table cells. `!` and `(` only matter next to a `[`, which is escaped.
_MARKDOWN_INLINE = re.compile(r"([\\`*_~\[\]<>|])")
# A block marker where a value starts a line or a list item's content: a heading, a
# bullet, a thematic break (`---`), an ordered item (`1.`, whose `.` is escaped).
# Whitespace is folded to single spaces (not stripped: template separators are values
# too), so at most one space comes before the marker.
_MARKDOWN_BLOCK_START = re.compile(r"^( ?)(#|[-+](?=\s|$)|-(?=\s*-\s*-))")
_MARKDOWN_ORDERED_START = re.compile(r"^( ?\d{1,9})([.)])(?=\s|$)")
_WHITESPACE = re.compile(r"\s+")


def markdown_text(value: Any) -> str:
    """`value` as Markdown that renders as exactly its text, on one line."""
    if isinstance(value, MarkdownSafe):
        return value
    if not isinstance(value, str):
        return str(value)
    text = _WHITESPACE.sub(" ", terminal_line(value))
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    text = _MARKDOWN_ORDERED_START.sub(r"\1\\\2", text, count=1)
    return _MARKDOWN_BLOCK_START.sub(r"\1\\\2", text, count=1)


_LINK_SCHEMES = ("http", "https", "file")
# Everything that may stay as it is in a link target; the rest (space, <, >, (, ),
# quotes, backslash, controls, non-ASCII) is percent-encoded.
_URL_SAFE = "/:?#[]@!$&*+,;=%-._~"


def safe_url(url: Any) -> str:
    """`url` when it is http, https, file or relative; "" for any other scheme."""
    text = terminal_line(url or "").strip()
    scheme = urlsplit(text).scheme.lower() if ":" in text else ""
    if scheme and scheme not in _LINK_SCHEMES:
        return ""
    return text


def markdown_url(url: Any) -> MarkdownSafe:
    """A link target for `[text](target)`: a safe scheme, nothing that ends the link."""
    return MarkdownSafe(quote(safe_url(url), safe=_URL_SAFE))


def markdown_finalize(value: Any) -> Any:
    """Jinja2 `finalize` for Markdown templates: every `{{ }}` value escaped by default."""
    if value is None or isinstance(value, int | float | MarkdownSafe):
        return value
    return markdown_text(value)
