"""The headline, chosen by agreement between the titles a page offers.

Every page states its title several times: og:title, twitter:title, the JSON-LD
headline, the visible <h1>, <title>, and trafilatura picks one of them (og:title when
there is one). They differ in two ways:

- site labels: "Headline | Site", "Headline - Section - Site", "Site: Headline". A
  label is removed only when another candidate is the headline without it (or it is
  exactly the site name the page declares), and only when what goes names the site:
  a kicker ("Kenia: Nairobi von unten") stays even where the <h1> leaves it out;
- wording: the social-card title and the on-page headline are often edited apart.
  On the tuning publishers of the dev pages trafilatura's choice won such
  disagreements 8 to 5 against the JSON-LD headline and <h1> together, and on sealed
  pages of other publishers it beat a vote between them (issue 14), so trafilatura's
  choice is kept and only its labels go.

When trafilatura finds no title (or only the site's name), the candidates vote: each
loses its confirmed labels, and the form most of them share wins.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.core.models import FeedItem
from pipeline.text.metadata import PageMetadata
from pipeline.text.sitenames import (
    SEPARATORS,
    is_site_name,
    site_names,
    squash,
    strip_site_name,
)

# Where a label may be cut off: separator punctuation with any spacing around it
# ("X-정치ㅣ한국일보" has none). Cutting is safe because a cut only stands when another
# candidate is exactly the remaining text.
_CUT = re.compile(r"\s*[|｜:：\-–—·•»«/~*]+\s*")
_MAX_CUTS = 24


def choose_title(
    meta: PageMetadata, trafilatura_title: str | None, url: str, item: FeedItem | None
) -> str | None:
    """The headline: trafilatura's choice without the labels another candidate lacks."""
    sites = site_names(meta, url)
    declared = declared_site_names(meta)
    candidates = title_candidates(meta, item)
    base = _clean(trafilatura_title)
    if base and not is_site_name(base, sites):
        return confirmed_core(base, candidates, declared, sites)
    return _by_agreement(candidates, declared, sites)


def declared_site_names(meta: PageMetadata) -> list[str]:
    """The names the page gives its site (og:site_name, the JSON-LD publisher, ...)."""
    return [
        *meta.all_meta("og:site_name", "application-name", "al:ios:app_name"),
        *meta.ld_publishers,
    ]


def title_candidates(meta: PageMetadata, item: FeedItem | None) -> list[str]:
    """Every title the page (and the feed item linking to it) states, most trusted first."""
    raw = [
        *meta.all_meta("og:title")[:1],
        *meta.ld_headlines[:3],
        *meta.h1[:3],
        *meta.all_meta("twitter:title", "dc.title", "title")[:3],
        meta.title_tag,
        item.title if item else None,
    ]
    return [c for c in (_clean(r) for r in raw) if c]


def confirmed_core(title: str, candidates: list[str], declared: list[str], sites: list[str]) -> str:
    """`title` without the site labels that some other candidate is without.

    The longest span of `title` between separators whose letters equal another
    candidate's whole text, when all it leaves out names the site; else `title`
    without a label that is exactly a `declared` site name; else `title` itself.
    """
    return _longest_confirmed_core(title, candidates, sites) or _without_declared_labels(
        title, {squash(d) for d in declared}
    )


def _without_declared_labels(title: str, known: set[str]) -> str:
    for _ in range(3):
        parts = SEPARATORS.split(title)
        seps = SEPARATORS.findall(title)
        if len(parts) < 2:
            break
        if squash(parts[-1]) in known:
            title = title[: len(title) - len(parts[-1]) - len(seps[-1])].strip()
        elif squash(parts[0]) in known:
            title = title[len(parts[0]) + len(seps[0]) :].strip()
        else:
            break
    return title


def _longest_confirmed_core(title: str, candidates: list[str], sites: list[str]) -> str:
    key = squash(title)
    others = {squash(c) for c in candidates} - {key, ""}
    best = ""
    for start, end in _core_spans(title):
        core = title[start:end].strip()
        core_key = squash(core)
        if (
            core_key in others
            and len(core_key) > len(squash(best))
            and not is_site_name(core, sites)
            and _is_label(title[:start], sites)
            and _is_label(title[end:], sites)
        ):
            best = core
    return best


def _is_label(cut_off: str, sites: list[str]) -> bool:
    # Only what names the site goes ("| Bhopal News - The Times of India"); a kicker
    # ("Kenia: Nairobi von unten") is part of the headline even where the <h1> puts it
    # in a separate line.
    segments = [s for s in _CUT.split(cut_off) if squash(s)]
    return not segments or any(is_site_name(s, sites) for s in segments)


def _core_spans(title: str) -> list[tuple[int, int]]:
    cuts = [(m.start(), m.end()) for m in _CUT.finditer(title)]
    if len(cuts) > _MAX_CUTS:  # not a headline with labels; and spans grow as cuts²
        return []
    starts = [0] + [end for _, end in cuts]
    ends = [start for start, _ in cuts] + [len(title)]
    spans = {(a, b) for a in starts for b in ends if b > a} - {(0, len(title))}
    return sorted(spans)


def _by_agreement(candidates: list[str], declared: list[str], sites: list[str]) -> str | None:
    reduced = [confirmed_core(c, candidates, declared, sites) for c in candidates]
    reduced = [r for r in reduced if not is_site_name(r, sites)]
    if not reduced:
        return None
    votes = Counter(squash(r) for r in reduced)
    best = max(reduced, key=lambda r: votes[squash(r)])  # max keeps the first on ties
    if votes[squash(best)] == 1:
        # Nothing agrees: the most trusted candidate, without a label naming the site.
        best = strip_site_name(best, sites) or best
    return best


def _clean(value: str | None) -> str:
    return " ".join(value.split()) if value else ""
