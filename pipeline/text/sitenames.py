"""The names a site goes by, and telling them apart from headlines and bylines.

Titles carry " | Site" and bylines credit "Site" or "Site staff"; both titles.py and
authors.py need to recognise the site's own name, so it lives here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pipeline.text.metadata import PageMetadata

# Between a headline and a label: " | ", " - ", "：", ": " (a colon needs a space after
# it, so "10:30" and "Co.:Name" are not cut).
SEPARATORS = re.compile(r"\s+[|\-–—·•»«:/~*]+\s+|\s*[|｜：]\s*|:\s+")
_NON_ALNUM = re.compile(r"[\W_]+")


def squash(text: str) -> str:
    """Letters and digits only, casefolded: "Kohberger’s" and "Kohberger's" compare equal."""
    return _NON_ALNUM.sub("", text.casefold())


def site_names(meta: PageMetadata, url: str) -> list[str]:
    """Names the site goes by: og:site_name, publisher, application-name, host labels."""
    names = meta.all_meta("og:site_name", "application-name", "twitter:site", "al:ios:app_name")
    names += meta.ld_publishers
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        names.append(host)
        names.append(host.split(".")[0])
    return [n.lstrip("@") for n in names if n.strip()]


def is_site_name(segment: str, sites: list[str]) -> bool:
    """`segment` is one of `sites`, or a site name with a little decoration around it."""
    seg = squash(segment)
    if not seg:
        return True
    # "NTV Haber", "BBC News": the site's short name as the first word, a word or two after.
    first_word = squash(segment.split()[0])
    if len(segment.split()) <= 3 and any(squash(site) == first_word for site in sites):
        return True
    for site in sites:
        key = squash(site)
        if key and (seg == key or (len(key) >= 4 and key in seg and len(seg) <= len(key) + 12)):
            return True
        if key and len(seg) >= 4 and seg in key:
            return True
    return False


def strip_site_name(title: str, sites: list[str]) -> str:
    """Drop " | Site", " - Site", "Site: " and the like from either end of a title."""
    title = " ".join(title.split())
    for _ in range(3):
        parts = SEPARATORS.split(title)
        seps = SEPARATORS.findall(title)
        if len(parts) < 2:
            break
        if is_site_name(parts[-1], sites):
            title = title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
        elif is_site_name(parts[0], sites):
            title = title[len(parts[0]) + len(seps[0]) :].strip()
        else:
            break
    return title
