"""`newswatch serve`: the database in Datasette, read-only, described and ready to browse.

What people get: descriptions of every table and column, full-text search on
articles (the same FTS5 index as `newswatch search`), facets on events (type,
mineral, country) and on mentions (entity, entity type), canned queries for the
daily questions, and links from every event and mention to its article.

Two views, `event_list` and `mention_list`, put an event's countries and an
article's title beside each row so Datasette can facet and link them. They are
TEMP views made on each of Datasette's connections: serving must not change the
database file, and a temp view is private to its connection. Datasette 0.65
lists views from sqlite_master only, so `_ReadOnlyDatabase` also reports the
temp ones. Every connection is `mode=ro` and `query_only`: the UI cannot write.
`serve` puts pipeline/read/webguard.py in front: the Host check against DNS
rebinding, read methods only, and one log line per error.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from pipeline.read.webguard import RequestGuard, install_error_log, log_sql_error
from storage.errors import StorageError

DB_NAME = "newswatch"

# name -> SELECT; created as TEMP views on every connection Datasette opens.
WEB_VIEWS: dict[str, str] = {
    "event_list": """
        SELECT e.id, e.type, coalesce(e.date, a.published, a.fetched_at) AS "when",
            e.location, e.minerals,
            (SELECT json_group_array(DISTINCT p.name) FROM event_participants p
             WHERE p.event_id = e.id AND p.kind = 'country') AS countries,
            (SELECT json_group_array(p.name) FROM event_participants p
             WHERE p.event_id = e.id) AS participants,
            e.evidence, e.article_id, a.title AS article_title, a.url AS article_url, a.source
        FROM events e JOIN articles a ON a.id = e.article_id""",
    "mention_list": """
        SELECT m.id, en.canonical_name AS entity, en.type AS entity_type, m.text,
            m.sentence, m.article_id, a.title AS article_title, a.url AS article_url,
            coalesce(a.published, a.fetched_at) AS published, m.entity_id
        FROM mentions m JOIN entities en ON en.id = m.entity_id
        JOIN articles a ON a.id = m.article_id""",
}

_ARTICLE_LINK_COLUMNS = ("article_id",)

_ENTITY_MATCH = (
    "(e.canonical_name = :{p} COLLATE NOCASE OR EXISTS (SELECT 1 FROM json_each(e.aliases) x "
    "WHERE x.value = :{p} COLLATE NOCASE))"
)

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "mentions_of_a_mineral": {
        "title": "Mentions of a mineral",
        "description": "Every sentence naming the mineral (any alias), newest article first.",
        "sql": "SELECT coalesce(a.published, a.fetched_at) AS published, m.sentence, "
        "e.canonical_name AS mineral, m.article_id, a.title AS article_title, "
        "a.url AS article_url FROM mentions m JOIN entities e ON e.id = m.entity_id "
        "JOIN articles a ON a.id = m.article_id WHERE e.type = 'mineral' AND "
        + _ENTITY_MATCH.format(p="mineral")
        + " ORDER BY published DESC, m.id LIMIT 500",
    },
    "official_quoted_on": {
        "title": "What an official was quoted on",
        "description": "Sentences naming the official that report speech (said, told, "
        "quotation marks) and statements the official took part in; name or any alias.",
        "sql": "SELECT coalesce(a.published, a.fetched_at) AS published, m.sentence AS quote, "
        "e.canonical_name AS official, m.article_id, a.title AS article_title, "
        "a.url AS article_url FROM mentions m JOIN entities e ON e.id = m.entity_id "
        "JOIN articles a ON a.id = m.article_id WHERE e.type = 'official' AND "
        + _ENTITY_MATCH.format(p="official")
        + " AND (m.sentence LIKE '%said%' OR m.sentence LIKE '%says%' "
        "OR m.sentence LIKE '%told%' OR m.sentence LIKE '%\u201c%' OR m.sentence LIKE '%\"%' "
        "OR EXISTS (SELECT 1 FROM events ev JOIN event_participants p ON p.event_id = ev.id "
        "WHERE ev.article_id = m.article_id AND ev.type = 'statement' "
        "AND p.entity_id = e.id)) ORDER BY published DESC, m.id LIMIT 500",
    },
    "events_this_week": {
        "title": "Events this week",
        "description": "Events of the last seven days (the event's date, else the "
        "article's), newest first.",
        "sql": "SELECT * FROM event_list WHERE \"when\" >= date('now', '-7 days') "
        'ORDER BY "when" DESC, id DESC',
    },
    "new_entities": {
        "title": "New entities",
        "description": "Officials, organisations, minerals and countries first seen in the "
        "last N days (default 7).",
        "sql": "SELECT id, type, canonical_name, first_seen, mention_count, aliases, attributes "
        "FROM entities WHERE first_seen >= date('now', '-' || coalesce(nullif(:days, ''), '7') "
        "|| ' days') ORDER BY first_seen DESC, mention_count DESC",
    },
}

_TABLES: dict[str, dict[str, Any]] = {
    "articles": {
        "description": "One row per stored news article (deduplicated by canonical URL "
        "and by text). Search box: full-text search over title and text.",
        "fts_table": "articles_fts",
        "fts_pk": "id",
        "sort_desc": "published",
        "label_column": "title",
        "facets": ["source"],
        "columns": {
            "source": "Feed name from the config",
            "url": "The article's address as the feed gave it",
            "canonical_url": "URL without tracking parameters or fragment (the dedup key)",
            "text_hash": "Hash of the normalised text (the second dedup key)",
            "published": "Publication time from the page or feed (ISO 8601), when known",
            "dateline": "Place and agency line at the top of the story",
            "text": "Extracted article text (title first)",
            "raw_html": "zlib-compressed page bytes, kept for reprocessing",
            "fetched_at": "When newswatch fetched it (UTC)",
            "extractor_version": "Version of the extraction that produced its records",
        },
    },
    "events": {
        "description": "Events extracted from articles: meetings, agreements, statements... "
        "each with its evidence sentence. See event_list for countries and article titles.",
        "facets": ["type", {"array": "minerals"}, "location"],
        "columns": {
            "type": "Event type (meeting, agreement, statement, ...)",
            "date": "The event's date when the article gives one",
            "date_text": "The words the date was read from",
            "location": "Where it happens, when stated",
            "minerals": "Minerals the event concerns (JSON list)",
            "evidence": "The sentence the event was extracted from",
            "article_id": "The article reporting it",
        },
    },
    "event_list": {
        "description": "Events with their countries, participants and article, newest "
        "first; faceted by type, mineral and country.",
        "facets": ["type", {"array": "minerals"}, {"array": "countries"}],
        "sort_desc": "when",
        "columns": {
            "when": "The event's date, else the article's published (or fetched) time",
            "countries": "Countries taking part (JSON list)",
            "participants": "Everyone and everything taking part (JSON list)",
            "evidence": "The sentence the event was extracted from",
            "article_id": "Link to the article page",
            "article_url": "The original article",
        },
    },
    "mentions": {
        "description": "Every place an entity is named in an article, with its sentence.",
        "facets": ["entity_id"],
        "columns": {
            "text": "The words as written",
            "start": "Character offset in the article (title + text)",
            "end": "End offset (exclusive)",
            "sentence": "The sentence containing the mention (evidence)",
        },
    },
    "mention_list": {
        "description": "Mentions with the entity's name and type and the article, "
        "faceted by entity and entity type.",
        "facets": ["entity_type", "entity"],
        "sort_desc": "published",
        "columns": {
            "entity": "The entity's canonical name",
            "entity_type": "official, organization, mineral or country",
            "sentence": "The sentence containing the mention",
            "article_id": "Link to the article page",
        },
    },
    "entities": {
        "description": "Officials, organisations, minerals and countries, linked across "
        "articles: one row per real-world entity.",
        "facets": ["type"],
        "label_column": "canonical_name",
        "columns": {
            "canonical_name": "The name people read",
            "key": "Normalised name used for linking (unique per type)",
            "aliases": "Every surface form seen (JSON list)",
            "attributes": "Current role, country, acronym, kind (latest by article time)",
            "history": "Every value each attribute had, with when it was last seen",
            "mention_count": "Mentions across all articles",
        },
    },
    "article_entities": {
        "description": "Which entity each article names (one row per extraction record).",
        "facets": ["type"],
    },
    "entity_keys": {"description": "Lookup keys the linker uses (surnames, acronyms)."},
    "event_participants": {
        "description": "Who or what takes part in each event; entity_id is empty when the "
        "participant matched no record of the article.",
        "facets": ["kind"],
    },
    "sources": {"description": "Feeds polled, with their health (failures, last status)."},
    "runs": {"description": "One row per polling run, with its counts."},
    "run_errors": {"description": "What went wrong in each run, per source or URL."},
}


def metadata(db_name: str = DB_NAME) -> dict[str, Any]:
    """Datasette metadata: descriptions, full-text search, facets and canned queries."""
    return {
        "title": "newswatch",
        "description": "News monitoring: officials, organisations, critical minerals and "
        "events extracted from the news. Read-only.",
        "databases": {
            db_name: {
                "description": "Articles and what was extracted from them.",
                "tables": _TABLES,
                "queries": CANNED_QUERIES,
            }
        },
    }


def prepare(conn: sqlite3.Connection) -> None:
    """Give one connection the web views, then forbid it any write."""
    for name, sql in WEB_VIEWS.items():
        conn.execute(f"CREATE TEMP VIEW IF NOT EXISTS {name} AS {sql}")
    conn.execute("PRAGMA query_only = 1")


def build_datasette(db_path: str | Path, db_name: str = DB_NAME) -> Any:
    """A Datasette app over `db_path`, read-only, with newswatch's metadata."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    path = Path(db_path)
    if not path.is_file():
        raise StorageError(f"database not found: {path} (run `newswatch run` first)")
    _check_schema(path)
    if not pm.is_registered(_Plugin):
        pm.register(_Plugin, name="newswatch-webui")
    from pipeline.read.entity_pages import register_pages

    register_pages(pm)  # entity, event and search pages; the alerts feed
    install_error_log(pm)
    ds = Datasette(
        metadata=metadata(db_name),
        settings={"default_page_size": 50, "sql_time_limit_ms": 3000},
    )
    ds.add_database(_read_only_database(ds, path), name=db_name)
    if "_memory" in ds.databases:
        ds.remove_database("_memory")  # an empty scratch database only confuses readers
    return ds


def serve(
    db_path: str | Path,
    port: int = 8001,
    host: str = "127.0.0.1",
    allow_hosts: tuple[str, ...] = (),
) -> None:
    """Run the web UI until interrupted; only for requests whose Host is `host`, a
    loopback name or one of `allow_hosts` (webguard.RequestGuard)."""
    import uvicorn

    ds = build_datasette(db_path)
    app = RequestGuard(ds.app(), bind_host=host, allow_hosts=allow_hosts)
    print(f"newswatch web UI on http://{host}:{port}/{DB_NAME} (Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _check_schema(path: Path) -> None:
    # Same checks as every reader (missing file, not SQLite, schema too old/new).
    from storage import open_database

    open_database(path, readonly=True).close()


def _read_only_database(ds: Any, path: Path) -> Any:
    from datasette.database import Database

    class _ReadOnlyDatabase(Database):
        def connect(self, write: bool = False) -> sqlite3.Connection:
            if write:
                raise PermissionError("newswatch serves the database read-only")
            conn = super().connect(write=False)  # a mode=ro URI
            prepare(conn)
            return conn

        async def view_names(self) -> list[str]:
            return [*await super().view_names(), *WEB_VIEWS]

        async def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
            # Datasette writes a refused query to stderr whole; one bounded line instead.
            logged = kwargs.pop("log_sql_errors", True)
            try:
                return await super().execute(sql, *args, log_sql_errors=False, **kwargs)
            except sqlite3.DatabaseError as exc:
                if logged and exc.args != ("interrupted",):
                    log_sql_error(sql, exc)
                raise

        async def get_view_definition(self, view: str) -> str | None:
            if view in WEB_VIEWS:
                return f"CREATE TEMP VIEW {view} AS {WEB_VIEWS[view]};"
            result: str | None = await super().get_view_definition(view)
            return result

    return _ReadOnlyDatabase(ds, path=str(path), is_mutable=True)


class _Plugin:
    """Datasette hooks: article ids in views and canned queries link to the article page."""

    from datasette import hookimpl

    @staticmethod
    @hookimpl
    def render_cell(
        row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
    ) -> Any:
        if column not in _ARTICLE_LINK_COLUMNS or table in ("events", "mentions"):
            return None  # tables link their foreign keys already
        if not isinstance(value, int):
            return None
        from markupsafe import Markup, escape

        keys = row.keys() if hasattr(row, "keys") else []
        title = row["article_title"] if "article_title" in keys else None
        href = datasette.urls.table(database, "articles") + f"/{value}"
        return Markup(f'<a href="{escape(href)}">{escape(title or f"article {value}")}</a>')


def metadata_json(db_name: str = DB_NAME) -> str:
    """The metadata as JSON, e.g. for `datasette serve -m` by hand."""
    return json.dumps(metadata(db_name), indent=2, ensure_ascii=False)
