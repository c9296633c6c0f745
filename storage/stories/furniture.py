"""Outlet furniture: lines an outlet prints on page after page, learned as pages arrive.

The text stage sometimes keeps page furniture inside the main text: related-story
teasers, a newsletter blurb, a standing "about us" paragraph, the leftovers of a
live page. Two different stories from one outlet then share those lines and look
alike to the near-duplicate comparison, and two copies of one story in different
outlets each carry their own and look less alike. Outlets repeat their furniture
from page to page and stories do not, so a line (normalised as the comparison
normalises words) that the same outlet printed on at least `min_pages` of its
last `window` pages is furniture, and is left out of the comparison.

Choices, measured with `python -m benchmarks.syndication_pairs`:
- Lines, because trafilatura writes one paragraph or list item per line and
  furniture comes as whole paragraphs and items.
- Only EARLIER pages count, so a page's comparable text depends only on what
  arrived before it: stored signatures stay valid, and a rebuild in arrival
  order gives the same ones.
- min_pages = 2: one earlier page sharing a line may be an earlier copy of the
  same story (an outlet's update at a new URL); two is the least that is a
  pattern of the outlet's.
- When fewer than `min_words` words would remain (a page that is all furniture,
  the third copy of one story in one outlet) the whole text is compared instead:
  a text with nothing left cannot be clustered at all.
"""

from __future__ import annotations

from collections import Counter, deque
from urllib.parse import urlsplit

from storage.stories.neardup import normalised_words, shingle_words

WINDOW = 50  # recent pages per outlet that furniture is learned from
MIN_PAGES = 2
MIN_WORDS = 20


def outlet_of(url: str, source: str = "") -> str:
    """The outlet a page belongs to: its host without "www.", else the source name.

    The host, not the feed, because furniture comes with the site's templates
    (one feed can list several sites; several feeds can list one site).
    """
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host or source


class OutletFurniture:
    """Per-outlet counts of recently seen lines; strips the ones that recur."""

    def __init__(
        self, window: int = WINDOW, min_pages: int = MIN_PAGES, min_words: int = MIN_WORDS
    ) -> None:
        if window < min_pages or min_pages < 1:
            raise ValueError(f"need 1 <= min_pages <= window, got {min_pages} and {window}")
        self.window = window
        self.min_pages = min_pages
        self.min_words = min_words
        self._recent: dict[str, deque[frozenset[str]]] = {}
        self._pages_with: dict[str, Counter[str]] = {}  # outlet → line → recent pages

    def comparable_text(self, outlet: str, text: str) -> str:
        """`text` without the outlet's furniture lines (or whole, see the module docstring)."""
        seen = self._pages_with.get(outlet)
        if not outlet or not seen:
            return text
        lines = text.splitlines()
        kept = [line for line in lines if seen[_key(line)] < self.min_pages]
        stripped = "\n".join(kept)
        if len(kept) == len(lines) or len(shingle_words(stripped)) < self.min_words:
            return text
        return stripped

    def observe(self, outlet: str, text: str) -> None:
        """Count the lines of one more page of `outlet` (its oldest page drops out)."""
        if not outlet:
            return
        lines = frozenset(k for k in map(_key, text.splitlines()) if k)
        recent = self._recent.setdefault(outlet, deque())
        counts = self._pages_with.setdefault(outlet, Counter())
        recent.append(lines)
        counts.update(lines)
        if len(recent) > self.window:
            oldest = recent.popleft()
            counts.subtract(oldest)
            for key in oldest:
                if counts[key] <= 0:
                    del counts[key]

    def comparable_then_observe(self, outlet: str, text: str) -> str:
        """What a newly arrived page is compared by; the page then counts for later ones."""
        comparable = self.comparable_text(outlet, text)
        self.observe(outlet, text)
        return comparable


def _key(line: str) -> str:
    # Normalised like the comparison's words, so furniture that differs only in
    # quotes, dashes or case is one line.
    return " ".join(normalised_words(line))
