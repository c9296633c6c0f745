"""`newswatch stories`: the syndicated stories, most picked-up first.

The clusters themselves are the store's (storage.stories.clusters: copies, outlets,
wire and the "also in N outlets" rule); this adds what a reader needs to recognise
each one, the canonical copy's title and URL.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from storage.stories.clusters import StoredCluster, clusters


@dataclass(frozen=True)
class StoryListing:
    cluster: StoredCluster
    title: str | None  # the canonical copy's
    url: str  # the canonical copy's; "" when that article is gone


def syndicated_stories(
    db: sqlite_utils.Database, *, min_copies: int = 2, limit: int = 100
) -> list[StoryListing]:
    """Stories with at least `min_copies` stored copies, most picked-up first."""
    found = []
    for cluster in clusters(db, min_copies=min_copies, limit=limit):
        row = db.execute(
            "SELECT title, url FROM articles WHERE id = ?", [cluster.canonical_article_id]
        ).fetchone()
        title, url = row if row else (None, "")
        found.append(StoryListing(cluster, title, url))
    return found
