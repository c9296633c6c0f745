"""What the database never keeps: the user name and password written into a URL.

A feed that needs a login is configured as `https://user:secret@host/feed`: the
fetcher needs the userinfo, nothing else does. Every URL and message the store writes
(sources, run errors, article URLs) goes through `redact_userinfo` on its way in, so
`status`, the web UI and exports, which only read the database, cannot show it; the
application's log formatter uses the same function for what it prints.
"""

from __future__ import annotations

import re

# scheme://userinfo@ : userinfo is everything up to an "@" before the host's end
# ("/", "?", "#" or whitespace), so "https://host/path@x" is left alone.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^\s/?#@]*)@")
REDACTED = "***"


def redact_userinfo(text: str) -> str:
    """`text` with the secret of every URL's userinfo replaced by ***: the password of
    "user:password" (the user name says which login it was), a lone token whole."""
    if "@" not in text:
        return text
    return _USERINFO.sub(_redacted, text)


def _redacted(found: re.Match[str]) -> str:
    user, colon, _secret = found.group(2).partition(":")
    return f"{found.group(1)}{user}:{REDACTED}@" if colon else f"{found.group(1)}{REDACTED}@"


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact_userinfo(text)
