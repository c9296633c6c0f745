"""Near-duplicate article texts: syndicated copies of one story grouped into clusters.

Wire stories (IANS, PTI, Reuters, ...) are republished by dozens of outlets, each
with its own headline, byline, "Also read:" links and trailer, sometimes cut short
or lightly edited. We compare MAIN TEXTS, not pages:

1. Normalise (`shingle_words`): NFKC, drop the wire dateline and the closing
   signature/credit lines (wires.strip_wire_marks) and outlet furniture lines
   ("Also read: ...", "Read more"), casefold, punctuation → space, collapse
   whitespace. Curly vs straight quotes, dashes and paragraph splits then vanish.
2. Shingle: overlapping word K-grams (SHINGLE_WORDS = 5). Word 5-grams are
   specific enough that two different stories on the same topic share few of them
   even when they share vocabulary ("copper", "tonnes", "price"), while a light
   edit (one changed word) breaks only five shingles.
3. MinHash (datasketch, NUM_PERM = 128 permutations, affine32 scheme) →
   `signature(text)`: bytes that storage can persist; `similarity(a, b)` is the
   estimated Jaccard of two signatures (standard error ≈ 0.04 at 128 permutations).
4. `StoryIndex`: MinHash LSH proposes candidates; each candidate is VERIFIED with
   the estimated Jaccard ≥ threshold before a story joins a cluster (LSH alone lets
   through pairs well below its nominal threshold). Clusters are transitive: a copy
   that matches members of two clusters merges them. The canonical copy is the
   earliest published one (ties and undated copies: the first added).

What is compared is the text without its outlet's furniture (storage.stories.furniture,
applied by storage.stories.clusters): lines the same site printed on its recent pages.

Choosing the threshold (measured, `python -m benchmarks.syndication_pairs`): pairs are
copies of real stories composed into OTHER real outlets' pages (each outlet with four
earlier pages) and extracted by the text stage, and Reuters retransmissions, vs
same-topic Reuters-21578 stories (half inside one shared host page), same-outlet
pairs and random pairs. Larger run: 120 stories, 168 host pages, 270 positive and
418 negative pairs.

    thr   without furniture     whole texts
          precision  recall     precision  recall
    0.20  1.000      0.993      0.891      0.907
    0.30  1.000      0.993      0.919      0.841
    0.40  1.000      0.978      0.939      0.744
    0.50  1.000      0.956      0.953      0.674
    0.60  1.000      0.885      0.963      0.585

DEFAULT_THRESHOLD = 0.3: negatives score at most 0.05 once furniture is left out,
copies in different outlets at least 0.40, so 0.3 sits in the gap with room for the
estimate's error (about 0.04 at 128 permutations) on both sides; lower thresholds
make LSH propose more candidates for nothing. The misses at 0.3 are two wire
stories re-sent with rewritten bodies under the same lede (0.19, 0.24). With whole
texts no threshold reaches the targets: furniture makes an outlet's different
stories alike and dilutes copies in different outlets. An outlet's first two pages
are compared whole (nothing learned yet).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from datasketch import MinHash, MinHashLSH

from storage.stories.wires import strip_wire_marks

SHINGLE_WORDS = 5
NUM_PERM = 128
DEFAULT_THRESHOLD = 0.3
# datasketch 2.x hashes with a named scheme; a persisted signature is only
# comparable with one made by the same scheme, seed and permutation count.
_SCHEME = "affine32"
_SEED = 1
# signature bytes = magic (4) + NUM_PERM little-endian uint32 hash values
_MAGIC = b"NWM1"

# Outlet furniture that lands inside the main text: related-link teasers, calls to
# follow or subscribe. Dropped line by line, so an outlet's own lines do not count
# against a copy.
_FURNITURE_LINE = re.compile(
    r"^\s*(?:also read|read also|read more|also see|see also|related(?: stories| articles| news)?"
    r"|recommended|more from|click here|follow us|subscribe|sign up|advertisement"
    r"|share this|trending|must read|don't miss|do not miss)\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_NON_WORD = re.compile(r"[\W_]+")


class SignatureError(ValueError):
    """Persisted signature bytes that are not a newswatch MinHash signature."""


def shingle_words(text: str) -> list[str]:
    """The normalised words of `text` that shingles are built from."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    return normalised_words(_FURNITURE_LINE.sub(" ", strip_wire_marks(text)))


def normalised_words(text: str) -> list[str]:
    """Casefolded words, punctuation dropped: quotes, dashes and case stop mattering."""
    return _NON_WORD.sub(" ", text.casefold()).split()


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """Word k-grams of the normalised text (the whole text when it has fewer than k words)."""
    words = shingle_words(text)
    if not words:
        raise ValueError("text has no words to compare")
    if len(words) < k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard of two shingle sets (used by the benchmark to check the estimate)."""
    return len(a & b) / len(a | b) if a or b else 0.0


def _minhash(shingle_set: set[str]) -> MinHash:
    mh = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME)
    mh.update_batch([s.encode("utf-8") for s in sorted(shingle_set)])
    return mh


def _from_bytes(sig: bytes) -> MinHash:
    expected = len(_MAGIC) + 4 * NUM_PERM
    if not isinstance(sig, bytes | bytearray | memoryview) or len(sig) != expected:
        raise SignatureError(f"a signature is {expected} bytes starting with {_MAGIC!r}")
    sig = bytes(sig)
    if not sig.startswith(_MAGIC):
        raise SignatureError(f"a signature starts with {_MAGIC!r}, got {sig[:4]!r}")
    values = np.frombuffer(sig, dtype="<u4", offset=len(_MAGIC)).astype(np.uint64)
    return MinHash(num_perm=NUM_PERM, seed=_SEED, hashvalues=values, scheme=_SCHEME)


def _to_bytes(mh: MinHash) -> bytes:
    return _MAGIC + np.asarray(mh.hashvalues, dtype="<u4").tobytes()


def signature(text: str) -> bytes:
    """A persistable MinHash signature of the article's main text.

    Raises ValueError when the text has no words (nothing to compare).
    """
    return _to_bytes(_minhash(shingles(text)))


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity (0..1) of the shingle sets behind two signatures."""
    return float(_from_bytes(sig_a).jaccard(_from_bytes(sig_b)))


# --- clustering ----------------------------------------------------------------


@dataclass(frozen=True)
class ClusterAssignment:
    """Where one added article went.

    cluster_id: the id of the cluster's first-added article (stable as copies arrive);
    canonical_id: its earliest published copy; similarity: the best verified match
    (None for a new cluster); merged: ids of clusters this article joined into one.
    """

    article_id: int | str
    cluster_id: int | str
    canonical_id: int | str
    is_new_cluster: bool
    similarity: float | None = None
    merged: tuple[int | str, ...] = ()


@dataclass(frozen=True)
class IndexedCluster:
    """A cluster as the in-memory index holds it: ids only (storage.stories.clusters
    keeps the stored story, with its outlets and wire, as StoredCluster)."""

    cluster_id: int | str
    canonical_id: int | str
    members: tuple[int | str, ...]  # in the order they were added


@dataclass
class _Entry:
    minhash: MinHash
    published: datetime | None
    order: int


class StoryIndex:
    """Incremental clustering of article texts into syndicated-story clusters."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._entries: dict[int | str, _Entry] = {}
        self._parent: dict[int | str, int | str] = {}  # union-find over article ids
        self._members: dict[int | str, list[int | str]] = {}  # root → members

    @classmethod
    def from_signatures(
        cls,
        rows: Iterable[tuple[int | str, bytes, str | None]],
        threshold: float = DEFAULT_THRESHOLD,
    ) -> StoryIndex:
        """Rebuild an index from persisted (article_id, signature, published) rows.

        Rows are added in the order given; pass them in insertion (e.g. rowid) order
        to get the same cluster ids as the index that produced them.
        """
        index = cls(threshold)
        for article_id, sig, published in rows:
            index.add_signature(article_id, sig, published)
        return index

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def add(
        self, article_id: int | str, text: str, published: str | None = None
    ) -> ClusterAssignment:
        """Index one article's main text; raises ValueError for a text with no words."""
        return self._add(article_id, _minhash(shingles(text)), published)

    def add_signature(
        self, article_id: int | str, sig: bytes, published: str | None = None
    ) -> ClusterAssignment:
        """Index one article from its persisted `signature(text)`."""
        return self._add(article_id, _from_bytes(sig), published)

    def cluster_of(self, article_id: int | str) -> IndexedCluster:
        if article_id not in self._entries:
            raise KeyError(f"article {article_id!r} is not in the index")
        return self._cluster(self._find(article_id))

    def clusters(self) -> list[IndexedCluster]:
        """Every cluster (singletons included), in the order their first article was added."""
        roots = sorted(self._members, key=lambda r: self._entries[r].order)
        return [self._cluster(root) for root in roots]

    def _add(self, article_id: int | str, mh: MinHash, published: str | None) -> ClusterAssignment:
        if article_id in self._entries:
            raise ValueError(f"article {article_id!r} is already in the index")
        matches: dict[int | str, float] = {}  # root → best verified similarity
        for other in self._lsh.query(mh):
            score = float(mh.jaccard(self._entries[other].minhash))
            if score >= self.threshold:
                root = self._find(other)
                matches[root] = max(score, matches.get(root, 0.0))
        self._entries[article_id] = _Entry(mh, _parse_published(published), len(self._entries))
        self._lsh.insert(article_id, mh)
        self._parent[article_id] = article_id
        self._members[article_id] = [article_id]
        if not matches:
            return ClusterAssignment(article_id, article_id, article_id, True)
        # The oldest cluster absorbs the others, so cluster ids already handed out stay valid.
        roots = sorted(matches, key=lambda r: self._entries[r].order)
        for root in [*roots[1:], article_id]:
            self._union(roots[0], root)
        cluster = self._cluster(roots[0])
        return ClusterAssignment(
            article_id,
            cluster.cluster_id,
            cluster.canonical_id,
            False,
            max(matches.values()),
            tuple(roots[1:]),
        )

    def _find(self, article_id: int | str) -> int | str:
        root = article_id
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[article_id] != root:  # path compression
            self._parent[article_id], article_id = root, self._parent[article_id]
        return root

    def _union(self, keep: int | str, other: int | str) -> None:
        other = self._find(other)
        if other == keep:
            return
        self._parent[other] = keep
        self._members[keep].extend(self._members.pop(other))

    def _cluster(self, root: int | str) -> IndexedCluster:
        members = sorted(self._members[root], key=lambda m: self._entries[m].order)
        canonical = min(members, key=self._age_key)
        return IndexedCluster(root, canonical, tuple(members))

    def _age_key(self, article_id: int | str) -> tuple[bool, datetime, int]:
        entry = self._entries[article_id]
        when = entry.published or datetime.max.replace(tzinfo=UTC)
        return (entry.published is None, when, entry.order)


def _parse_published(published: str | None) -> datetime | None:
    """ISO date/datetime → aware UTC datetime; None for missing or unparseable values."""
    if not published:
        return None
    try:
        when = datetime.fromisoformat(published.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iter_signatures(texts: Iterable[tuple[int | str, str]]) -> Iterator[tuple[int | str, bytes]]:
    """(article_id, signature) for each (article_id, text), skipping texts with no words."""
    for article_id, text in texts:
        try:
            yield article_id, signature(text)
        except ValueError:
            continue
