"""URL canonicalisation and text fingerprints, the two keys articles are deduplicated on.

The same story reaches us under many URLs: with campaign parameters, fragments,
`:443`, upper-case hosts, parameters in another order, a feed's login carried into
its relative links. `canonicalize_url` maps all of those to one string; `text_hash`
catches what is left (one text under two paths).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from, never which page it is.
# Exact names (compared case-insensitively) ...
TRACKING_PARAMS = frozenset(
    {
        "fbclid",  # Facebook
        "gclid",  # Google Ads
        "gclsrc",
        "dclid",  # DoubleClick
        "gbraid",
        "wbraid",
        "msclkid",  # Microsoft Ads
        "yclid",  # Yandex
        "twclid",  # Twitter/X
        "li_fat_id",  # LinkedIn
        "igshid",  # Instagram
        "mc_cid",  # Mailchimp
        "mc_eid",
        "_ga",  # Google Analytics cross-domain
        "_gl",
        "ref",  # "where the link was posted", e.g. ?ref=rss
        "ref_src",  # Twitter embeds
        "ref_url",
        "referrer",
        "cmpid",  # Campaign ids used by many publishers (Guardian, Condé Nast, ...)
        "cmp",
        "ocid",  # Microsoft / MSN
        "icid",  # internal campaign ids
        "smid",  # NYT share ids
        "smtyp",
        "mbid",
        "ito",
        "ns_mchannel",  # comScore
        "ns_source",
        "ns_campaign",
        "ns_linkname",
        "ns_fee",
        "rss",  # ?rss=1 style feed markers
        "rssfeed",
        "share",
        "sharetype",
        "s_cid",  # Adobe
        "s_kwcid",
        "cid",
        "vero_id",  # Vero mailing
        "oly_enc_id",  # Omeda
        "oly_anon_id",
        "__twitter_impression",
        "spm",  # Alibaba
        "at_medium",  # AT Internet
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
    }
)
# ... and prefixes: whole families of campaign parameters.
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "ga_")

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_WS = re.compile(r"\s+")


def is_tracking_param(name: str) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str) -> str:
    """One spelling per page: see the module docstring for what is normalised.

    Idempotent: canonicalize_url(canonicalize_url(u)) == canonicalize_url(u).
    Strings that are not absolute URLs come back stripped but otherwise untouched.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the netloc
        return url
    scheme = parts.scheme.lower()
    if not scheme:
        return url
    if scheme == "file":
        # file:// URLs name a local path: keep the path exactly, drop only the fragment.
        return urlunsplit((scheme, parts.netloc.lower(), parts.path or "/", parts.query, ""))
    netloc = _canonical_netloc(scheme, parts)
    path = _canonical_path(parts.path)
    query = _canonical_query(parts.query)
    return urlunsplit((scheme, netloc, path, query, ""))


def _canonical_netloc(scheme: str, parts: SplitResult) -> str:
    netloc = parts.netloc
    # The userinfo (a login) is no part of which page it is, and must not be kept.
    _userinfo, _, hostport = netloc.rpartition("@")
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: leave the host as it is, lowercased
        return hostport.lower()
    host = hostport
    if port is not None or (hostport.rsplit(":", 1)[-1] == "" and ":" in hostport):
        host = hostport.rsplit(":", 1)[0]
    host = host.lower().rstrip(".")  # "example.com." and "example.com" are one host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        host = f"{host}:{port}"
    return host


# Characters a path may hold unescaped (RFC 3986 pchar plus "/"); everything else is
# percent-encoded, so "%7E" and "~" or "é" and "%C3%A9" end up as one spelling.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _canonical_path(path: str) -> str:
    if not path:
        return "/"

    # Decode only unreserved escapes (%41 -> A) and upper-case the rest, so encoded
    # delimiters such as %2F keep their meaning.
    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        if char.isascii() and (char.isalnum() or char in "-._~"):
            return char
        return match.group(0).upper()

    path = re.sub(r"%([0-9A-Fa-f]{2})", fix, path)
    return quote(path, safe=_PATH_SAFE + "%")


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = sorted((k, v) for k, v in pairs if k and not is_tracking_param(k))
    return urlencode(kept, quote_via=quote)


def normalize_text(text: str) -> str:
    """The form `text_hash` fingerprints: NFKC, casefolded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_hash(text: str) -> str:
    """sha256 hex of `normalize_text(text)`: equal for one article text under two URLs."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()
