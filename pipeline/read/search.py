"""Full-text search over stored articles, for journalists: ranked hits with snippets.

The FTS5 index (`articles_fts`, title and text, porter stemming) finds the
matches; ranking them (bm25) is what costs, per match: at 100,000 articles a
common word matches nearly all of them and ranking every one took ~230 ms
(benchmarks/bench_search_scale.py). So a search ranks the RANK_WINDOW most
recently stored matches (FTS5 lists matches in rowid order for free) and the
filters (entity, event type, source, time) apply in the same SQL, before
scoring. When fewer than `limit` hits pass, the window grows (x4) until enough
do or it covers every match. A query with fewer matches than the window ranks
them all, exactly as before; a very broad one gets the best of the recent matches.

Without a query, `search` lists the newest articles that pass the filters; with
--entity the snippet is the sentence naming that entity.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any

import sqlite_utils

from pipeline.core.errors import QueryError
from pipeline.read.queries import check_event_type, check_limit, entity_ids, time_filters
from storage.stories.clusters import also_in_sql

__all__ = ["HIGHLIGHT", "SearchHit", "search"]

# Markers around matched words in snippets: readable in json/csv, turned into
# styling by the table output.
HIGHLIGHT = ("[[", "]]")
# Title matches weigh more than body matches in the bm25 ranking.
_BM25_WEIGHTS = "5.0, 1.0"
# Matches ranked per pass: the most recently stored ones (see the module docstring).
RANK_WINDOW = 5000
_SNIPPET_TOKENS = 24
_PLAIN_SNIPPET_CHARS = 200

_ARTICLE_TIME = "coalesce(a.published, a.fetched_at)"


@dataclass(frozen=True)
class SearchHit:
    article_id: int
    title: str | None
    source: str
    published: str | None  # the article's time: published, else when it was fetched
    url: str
    snippet: str
    score: float | None  # bm25 (lower is better); None when listing without a query
    also_in: int = 0  # other outlets carrying this story (its copies are not listed)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SEARCH_COLUMNS = (
    "title", "source", "published", "url", "snippet", "article_id", "score", "also_in",
)  # fmt: skip
SEARCH_TABLE_COLUMNS = ("published", "source", "title", "snippet", "url", "also_in")


def search(
    db: sqlite_utils.Database,
    query: str | None,
    *,
    entity: str | None = None,
    type: str | None = None,  # an event type, as --type
    source: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Articles matching the FTS5 `query` (best first) and every filter given.

    `entity` is any name or alias of an entity and keeps articles naming it;
    `type` keeps articles reporting an event of that type. A query FTS5 cannot
    parse, an unknown entity or a bad time raise QueryError.
    """
    check_event_type(type)
    check_limit(limit)
    params: dict[str, Any] = {}
    where: list[str] = []
    ids: list[int] = []
    if entity is not None:
        ids = entity_ids(db, entity)
        if not ids:
            raise QueryError(
                f"no entity named {entity!r} in the database "
                "(`newswatch export --what entities` lists them)"
            )
        params["entity_ids"] = json.dumps(ids)
        where.append(
            "a.id IN (SELECT article_id FROM article_entities "
            "WHERE entity_id IN (SELECT value FROM json_each(:entity_ids)))"
        )
    if type is not None:
        params["type"] = type
        where.append("EXISTS (SELECT 1 FROM events e WHERE e.article_id = a.id AND e.type = :type)")
    if source is not None:
        params["source"] = source
        where.append("a.source = :source COLLATE NOCASE")
    where += time_filters(_ARTICLE_TIME, since, until, params)

    if query is None or not query.strip():
        return _newest(db, where, params, limit, ids)
    return _ranked(db, query, where, params, limit)


def _ranked(
    db: sqlite_utils.Database,
    query: str,
    where: list[str],
    params: dict[str, Any],
    limit: int,
) -> list[SearchHit]:
    inner = limit
    window = RANK_WINDOW
    while True:
        floor = _window_floor(db, query, window)
        ranked = _fts_ids(db, query, inner, where, params, floor)
        # A syndicated story is one hit: its best-ranked copy.
        first = set(_one_per_story(db, [r for r, _ in ranked]))
        hits = [(r, s) for r, s in ranked if r in first][:limit]
        if len(hits) >= limit or (floor is None and len(ranked) < inner):
            break
        if len(ranked) < inner:
            window *= 4  # filters passed too few of the newest matches: look further back
        else:
            inner *= 4  # copies of one story filled the list: ask for a longer one
    snippets = _snippets(db, query, [r for r, _ in hits])
    articles = _articles(db, [r for r, _ in hits])
    return [
        _hit(articles[rowid], snippets.get(rowid, ""), score)
        for rowid, score in hits
        if rowid in articles
    ]


def _window_floor(db: sqlite_utils.Database, query: str, window: int) -> int | None:
    """The rowid of the `window`-th most recently stored match, or None when there are fewer.

    FTS5 walks its doclists in rowid order for free; only ranking costs per match.
    """
    sql = (
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :query "
        "ORDER BY rowid DESC LIMIT 1 OFFSET :offset"
    )
    row = _fts(db, sql, {"query": query, "offset": window - 1}, query)
    return int(row[0][0]) if row else None


def _fts_ids(
    db: sqlite_utils.Database,
    query: str,
    limit: int,
    where: list[str],
    params: dict[str, Any],
    floor: int | None,
) -> list[tuple[int, float]]:
    """The best `limit` matches at or above rowid `floor` that pass `where`, with bm25 scores.

    bm25() as a plain function (not FTS5's `rank` column) so SQLite filters first and
    scores only the rows that pass: FTS5 would score every match to sort by `rank`.
    """
    conditions = ["articles_fts MATCH :query"]
    if floor is not None:
        conditions.append("articles_fts.rowid >= :floor")
    join = ""
    if where:
        join = "JOIN articles a ON a.id = articles_fts.rowid "
        conditions += where
    sql = (
        f"SELECT articles_fts.rowid, bm25(articles_fts, {_BM25_WEIGHTS}) AS score "
        f"FROM articles_fts {join}WHERE {' AND '.join(conditions)} "
        "ORDER BY score, articles_fts.rowid LIMIT :limit"
    )
    args = {**params, "query": query, "limit": limit, "floor": floor}
    return [(int(r), float(s)) for r, s in _fts(db, sql, args, query)]


def _snippets(db: sqlite_utils.Database, query: str, ids: list[int]) -> dict[int, str]:
    """snippet() for the final hits only: it reads each article's text, so not for every match."""
    if not ids:
        return {}
    sql = (
        f"SELECT rowid, snippet(articles_fts, -1, :open, :close, '…', {_SNIPPET_TOKENS}) "
        "FROM articles_fts WHERE articles_fts MATCH :query "
        "AND rowid IN (SELECT value FROM json_each(:ids))"
    )
    params = {"query": query, "ids": json.dumps(ids), "open": HIGHLIGHT[0], "close": HIGHLIGHT[1]}
    return {int(r): s for r, s in _fts(db, sql, params, query)}


def _fts(db: sqlite_utils.Database, sql: str, params: dict[str, Any], query: str) -> list[Any]:
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if "locked" in message or "busy" in message:
            raise
        reason = message.removeprefix("fts5: ")
        raise QueryError(
            f"cannot search for {query!r}: {reason}. Put phrases in double quotes "
            '("rare earth"); AND, OR and NOT go between two terms'
        ) from None


def _one_per_story(db: sqlite_utils.Database, ids: list[int]) -> list[int]:
    """`ids` in order, keeping the first copy of each story cluster (schema v3)."""
    clusters = dict(
        db.execute(
            "SELECT id, cluster_id FROM articles WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(ids)],
        ).fetchall()
    )
    seen: set[int] = set()
    kept = []
    for article_id in ids:
        cluster = clusters.get(article_id)
        if cluster is None or cluster not in seen:
            kept.append(article_id)
            if cluster is not None:
                seen.add(cluster)
    return kept


def _articles(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = db.query(
        f"SELECT a.id, a.title, a.source, {_ARTICLE_TIME} AS published, a.url, "
        f"substr(a.text, 1, {_PLAIN_SNIPPET_CHARS * 2}) AS lead, "
        f"{also_in_sql('a')} AS also_in "
        "FROM articles a WHERE a.id IN (SELECT value FROM json_each(:ids))",
        {"ids": json.dumps(ids)},
    )
    return {int(r["id"]): r for r in rows}


def _newest(
    db: sqlite_utils.Database,
    where: list[str],
    params: dict[str, Any],
    limit: int,
    entity_ids: list[int],
) -> list[SearchHit]:
    sql = (
        "SELECT a.id FROM articles a "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        f"ORDER BY {_ARTICLE_TIME} DESC, a.id DESC LIMIT :limit"
    )
    inner = limit
    while True:
        listed = [int(r[0]) for r in db.execute(sql, {**params, "limit": inner})]
        ids = _one_per_story(db, listed)[:limit]  # a syndicated story once: its newest copy
        if len(ids) >= limit or len(listed) < inner:
            break
        inner *= 4
    articles = _articles(db, ids)
    hits = []
    for article_id in ids:
        row = articles[article_id]
        snippet = _mention_snippet(db, article_id, entity_ids) if entity_ids else None
        hits.append(_hit(row, snippet or _lead(row["lead"], row["title"]), None))
    return hits


def _mention_snippet(db: sqlite_utils.Database, article_id: int, ids: list[int]) -> str | None:
    """The first sentence naming the entity, with the name marked like an FTS5 match."""
    row = db.execute(
        'SELECT sentence, sentence_start, start, "end" FROM mentions WHERE article_id = :a '
        "AND entity_id IN (SELECT value FROM json_each(:ids)) AND sentence IS NOT NULL "
        # A sentence starting at 0 is the headline, which the hit shows anyway.
        "ORDER BY sentence_start = 0, start LIMIT 1",
        {"a": article_id, "ids": json.dumps(ids)},
    ).fetchone()
    if row is None:
        return None
    sentence, sentence_start, start, end = row
    lo, hi = start - sentence_start, end - sentence_start
    if not 0 <= lo <= hi <= len(sentence):
        return str(sentence)
    return f"{sentence[:lo]}{HIGHLIGHT[0]}{sentence[lo:hi]}{HIGHLIGHT[1]}{sentence[hi:]}"


def _lead(text: str | None, title: str | None) -> str:
    # The stored text starts with the title line; the lead is what follows it.
    body = (text or "").removeprefix(title or "").strip()
    if len(body) <= _PLAIN_SNIPPET_CHARS:
        return body
    return body[:_PLAIN_SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def _hit(row: dict[str, Any], snippet: str, score: float | None) -> SearchHit:
    return SearchHit(
        article_id=int(row["id"]),
        title=row["title"],
        source=row["source"],
        published=row["published"],
        url=row["url"],
        snippet=" ".join(snippet.split()),  # newlines inside a snippet break table rows
        score=score,
        also_in=int(row["also_in"]),
    )
