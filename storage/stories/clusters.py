"""Story clusters: syndicated copies of one story, persisted (schema v3).

The clustering itself is `storage.stories.neardup.StoryIndex` (MinHash LSH + verified
Jaccard). What is stored, per article: its signature (`article_signatures`), its
cluster (`articles.cluster_id`) and the wire its copy credits (`articles.wire`);
per cluster (`story_clusters`): the canonical (earliest published) copy, the
pickup count, the outlets and the originating wire.

A signature is made from the article's text without its outlet's furniture
(storage.stories.furniture: lines the same site printed on its recent pages), learned
from the articles stored before it. The index and the furniture counts live in
memory and are rebuilt from the stored signatures and texts in article id order,
so the index hands out the same cluster ids as the index that stored them.
Articles stored without a signature (an old database, a run killed between
storing an article and clustering it) get one on that rebuild, so they are
clustered late instead of never.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from storage.stories.furniture import OutletFurniture, outlet_of
from storage.stories.neardup import DEFAULT_THRESHOLD, ClusterAssignment, StoryIndex, signature
from storage.stories.wires import originating_wire

# "Also in N outlets", the one rule for every reader (search, events, digest, stories):
# the distinct outlets carrying an article's story besides its own copy's, 0 for an
# article in no cluster. `outlets` is what _write_cluster stores: the distinct sources.


def also_in(outlets: list[str]) -> int:
    """Outlets carrying a story besides the one copy shown."""
    return max(len(outlets) - 1, 0)


def also_in_sql(article: str = "a") -> str:
    """`also_in` as an SQL expression over the articles row aliased `article`."""
    return (
        "coalesce((SELECT max(json_array_length(c.outlets) - 1, 0) FROM story_clusters c "
        f"WHERE c.id = {article}.cluster_id), 0)"
    )


@dataclass(frozen=True)
class StoredCluster:
    """One stored cluster (a syndicated story) as readers see it; the in-memory
    index's own view is storage.stories.neardup.IndexedCluster."""

    id: int
    canonical_article_id: int
    pickup_count: int  # stored copies, the canonical one included
    outlets: list[str]  # distinct sources carrying the story
    wire: str | None
    members: list[int]

    @property
    def also_in(self) -> int:
        """Outlets carrying the story besides the canonical copy's."""
        return also_in(self.outlets)


class StoryClusters:
    """Assigns stored articles to story clusters; one per writer (it holds the index)."""

    def __init__(self, db: sqlite_utils.Database, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.db = db
        self.threshold = threshold
        self._index: StoryIndex | None = None
        self._furniture = OutletFurniture()

    def forget(self) -> None:
        """Drop the in-memory index (after a rollback); the next use rebuilds it."""
        self._index = None
        self._furniture = OutletFurniture()

    @property
    def index(self) -> StoryIndex:
        if self._index is None:
            with self.db.atomic():  # one commit for any late signatures and clusters
                self._index = self._rebuild()
        return self._index

    def assign(self, article_id: int) -> ClusterAssignment | None:
        """Cluster one stored article; None when already clustered or its text has no words."""
        index = self.index  # a rebuild may already have clustered it
        if article_id in index:
            return None
        row = self.db.execute(
            "SELECT text, published, authors, canonical_url, source FROM articles WHERE id = ?",
            [article_id],
        ).fetchone()
        if row is None:
            raise KeyError(f"no article {article_id}")
        outlet = outlet_of(row[3], row[4])
        try:
            sig = signature(self._furniture.comparable_then_observe(outlet, row[0]))
        except ValueError:
            return None
        try:
            with self.db.atomic():
                self._store_wire(article_id, row[0], row[2])
                self.db.execute(
                    "INSERT OR REPLACE INTO article_signatures (article_id, signature) "
                    "VALUES (?, ?)",
                    [article_id, sig],
                )
                assignment = index.add_signature(article_id, sig, row[1])
                self._write(index, assignment)
        except BaseException:
            self.forget()  # the index may hold what the rollback undid
            raise
        return assignment

    def rebuild(self) -> int:
        """Recluster every stored article from scratch (after texts changed); returns clusters."""
        self._index = index = self._recluster(recompute_all=True)
        return len(index.clusters())

    def recluster(self) -> int:
        """Recluster the stored articles from their stored signatures; returns clusters.

        For after articles were deleted: what is left is clustered as the next
        writer's index will cluster it (the same ids), and written out whole.
        The in-memory index is dropped, not kept: when this runs inside a
        caller's transaction, a rollback must not leave it ahead of the database.
        """
        return len(self._recluster(recompute_all=False).clusters())

    # --- internals -----------------------------------------------------------------

    def _recluster(self, recompute_all: bool) -> StoryIndex:
        """Every cluster row written afresh from an index rebuilt in article id order."""
        self.forget()
        with self.db.atomic():
            self.db.execute("DELETE FROM story_clusters")
            self.db.execute("UPDATE articles SET cluster_id = NULL")
            index = self._rebuild(recompute_all, write_late=False)
            for cluster in index.clusters():
                self._write_cluster(cluster.cluster_id, cluster.canonical_id, cluster.members)
        return index

    def _rebuild(self, recompute_all: bool = False, write_late: bool = True) -> StoryIndex:
        index = StoryIndex(self.threshold)
        self._furniture = furniture = OutletFurniture()
        rows = self.db.execute(
            "SELECT a.id, s.signature, a.published, a.text, a.authors, a.cluster_id, "
            "a.canonical_url, a.source "
            "FROM articles a LEFT JOIN article_signatures s ON s.article_id = a.id ORDER BY a.id"
        ).fetchall()
        for article_id, sig, published, text, authors, cluster_id, url, source in rows:
            outlet = outlet_of(url, source)
            # Every page counts for the furniture of later ones; only pages without a
            # stored signature need their own comparable text.
            if sig is None or recompute_all:
                comparable = furniture.comparable_then_observe(outlet, text)
                try:
                    sig = signature(comparable)
                except ValueError:
                    continue
                self.db.execute(
                    "INSERT OR REPLACE INTO article_signatures (article_id, signature) "
                    "VALUES (?, ?)",
                    [article_id, sig],
                )
                self._store_wire(article_id, text, authors)
            else:
                furniture.observe(outlet, text)
            assignment = index.add_signature(article_id, sig, published)
            if cluster_id is None and write_late:
                self._write(index, assignment)  # clustered late (see the module docstring)
        return index

    def _store_wire(self, article_id: int, text: str, authors: str | None) -> None:
        names = tuple(json.loads(authors or "[]"))
        wire = originating_wire(text, authors=names)
        self.db.execute("UPDATE articles SET wire = ? WHERE id = ?", [wire, article_id])

    def _write(self, index: StoryIndex, assignment: ClusterAssignment) -> None:
        cluster = index.cluster_of(assignment.article_id)
        for old in assignment.merged:  # clusters this copy bridged into one
            self.db.execute("DELETE FROM story_clusters WHERE id = ?", [old])
        self._write_cluster(cluster.cluster_id, cluster.canonical_id, cluster.members)

    def _write_cluster(
        self, cluster_id: int | str, canonical_id: int | str, members: tuple[int | str, ...]
    ) -> None:
        ids = json.dumps(list(members))
        self.db.execute(
            "UPDATE articles SET cluster_id = ? WHERE id IN (SELECT value FROM json_each(?))",
            [cluster_id, ids],
        )
        rows = self.db.execute(
            "SELECT source, wire FROM articles WHERE id IN (SELECT value FROM json_each(?)) "
            "ORDER BY id",
            [ids],
        ).fetchall()
        outlets = sorted({r[0] for r in rows})
        self.db.execute(
            "INSERT OR REPLACE INTO story_clusters (id, canonical_article_id, pickup_count, "
            "outlets, wire) VALUES (?, ?, ?, ?, ?)",
            [
                cluster_id,
                canonical_id,
                len(members),
                json.dumps(outlets, ensure_ascii=False),
                _cluster_wire(self.db, canonical_id, [r[1] for r in rows]),
            ],
        )


def _cluster_wire(
    db: sqlite_utils.Database, canonical_id: int | str, wires: list[str | None]
) -> str | None:
    """The canonical copy's wire when it credits one, else the one most copies credit."""
    row = db.execute("SELECT wire FROM articles WHERE id = ?", [canonical_id]).fetchone()
    if row and row[0]:
        return str(row[0])
    counts = Counter(w for w in wires if w)
    return counts.most_common(1)[0][0] if counts else None


# --- reading ---------------------------------------------------------------------------


def cluster_of(db: sqlite_utils.Database, article_id: int) -> StoredCluster | None:
    """The stored cluster holding `article_id`, or None when it was not clustered."""
    row = db.execute("SELECT cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None or row[0] is None:
        return None
    return _load(db, int(row[0]))


def clusters(
    db: sqlite_utils.Database, min_copies: int = 2, limit: int = 100
) -> list[StoredCluster]:
    """Clusters with at least `min_copies` copies, most picked-up first."""
    ids = [
        int(r[0])
        for r in db.execute(
            "SELECT id FROM story_clusters WHERE pickup_count >= ? "
            "ORDER BY pickup_count DESC, id DESC LIMIT ?",
            [min_copies, limit],
        )
    ]
    return [c for c in (_load(db, i) for i in ids) if c is not None]


def also_in_by_article(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, int]:
    """article id → how many other outlets carry its story (0 for a lone article)."""
    rows = db.execute(
        f"SELECT a.id, {also_in_sql('a')} FROM articles a "
        "WHERE a.id IN (SELECT value FROM json_each(?))",
        [json.dumps(article_ids)],
    ).fetchall()
    return {int(r[0]): int(r[1]) for r in rows}


def _load(db: sqlite_utils.Database, cluster_id: int) -> StoredCluster | None:
    row: Any = db.execute(
        "SELECT id, canonical_article_id, pickup_count, outlets, wire FROM story_clusters "
        "WHERE id = ?",
        [cluster_id],
    ).fetchone()
    if row is None:
        return None
    members = [
        int(r[0])
        for r in db.execute("SELECT id FROM articles WHERE cluster_id = ? ORDER BY id", [row[0]])
    ]
    return StoredCluster(int(row[0]), int(row[1]), int(row[2]), json.loads(row[3]), row[4], members)
