"""Schema migrations: an ordered list of functions, the DB's version in PRAGMA user_version.

Migration N (1-based) takes the schema from version N-1 to N. Each one runs in
its own transaction together with the user_version bump, so a failure leaves
the database at the previous version, never half-migrated; running `migrate`
again only applies what is missing. Never edit a released migration: append a
new one.

Column notes (the things a reader cannot guess):
- sources.etag / last_modified: byte-exact as the server sent them (TEXT), sent
  back verbatim; they only change on a 200.
- articles.raw_html: zlib-compressed page bytes, kept for reprocessing.
- entities.key: the normalised name used for linking, unique per type;
  canonical_name is what people read. aliases: every surface form seen.
  attributes: current role/country/acronym/kind (latest non-null by article
  time); history: {field: {value: last time seen}}.
- article_entities: one row per extraction record per article (an official, an
  organisation, a mineral or a country named in it); the link that entity
  merges and splits move, and what an entity's fields are recomputed from.
- mentions."end" is a SQL keyword: quote it in queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlite_utils

from extractors.records import EVENT_TYPES

Migration = Callable[[sqlite_utils.Database], None]

ENTITY_TYPES = ("official", "organization", "mineral", "country", "person")


def _v1_initial_schema(db: sqlite_utils.Database) -> None:
    event_types = ", ".join(f"'{t}'" for t in EVENT_TYPES)
    entity_types = ", ".join(f"'{t}'" for t in ENTITY_TYPES)
    statements = [
        """CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            location TEXT NOT NULL,
            kind TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            etag TEXT,
            last_modified TEXT,
            last_polled TEXT,
            last_success TEXT,
            last_error TEXT,
            last_status TEXT,
            last_http_status INTEGER,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            items_seen INTEGER NOT NULL DEFAULT 0,
            polls INTEGER NOT NULL DEFAULT 0,
            not_modified_count INTEGER NOT NULL DEFAULT 0,
            disabled INTEGER NOT NULL DEFAULT 0,
            disabled_reason TEXT
        )""",
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL UNIQUE,
            text_hash TEXT NOT NULL UNIQUE,
            title TEXT,
            authors TEXT NOT NULL DEFAULT '[]',
            published TEXT,
            language TEXT,
            dateline TEXT,
            text TEXT NOT NULL,
            raw_html BLOB,
            fetched_at TEXT NOT NULL,
            extractor_version TEXT,
            processed_at TEXT
        )""",
        "CREATE INDEX idx_articles_published ON articles (published)",
        "CREATE INDEX idx_articles_source_published ON articles (source, published)",
        f"""CREATE TABLE entities (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ({entity_types})),
            canonical_name TEXT NOT NULL,
            key TEXT NOT NULL,
            aliases TEXT NOT NULL DEFAULT '[]',
            attributes TEXT NOT NULL DEFAULT '{{}}',
            history TEXT NOT NULL DEFAULT '{{}}',
            first_seen TEXT,
            last_seen TEXT,
            mention_count INTEGER NOT NULL DEFAULT 0,
            extractor_version TEXT NOT NULL DEFAULT '',
            UNIQUE (type, key)
        )""",
        "CREATE INDEX idx_entities_canonical ON entities (canonical_name COLLATE NOCASE)",
        # Lookup keys for linking: an official's surname, an organisation's
        # normalised names and acronyms. Not unique: two officials share a surname.
        """CREATE TABLE entity_keys (
            entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
            type TEXT NOT NULL,
            kind TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (type, kind, value, entity_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX idx_entity_keys_entity ON entity_keys (entity_id)",
        """CREATE TABLE article_entities (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            entity_id INTEGER NOT NULL REFERENCES entities (id),
            type TEXT NOT NULL,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            seen TEXT,
            extractor_version TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX idx_article_entities_entity ON article_entities (entity_id, article_id)",
        "CREATE INDEX idx_article_entities_article ON article_entities (article_id)",
        "CREATE INDEX idx_article_entities_name ON article_entities (type, name_key)",
        """CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            entity_id INTEGER NOT NULL REFERENCES entities (id),
            article_entity_id INTEGER REFERENCES article_entities (id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            sentence TEXT,
            sentence_start INTEGER,
            extractor_version TEXT NOT NULL DEFAULT '',
            CHECK (0 <= start AND start <= "end")
        )""",
        "CREATE INDEX idx_mentions_entity ON mentions (entity_id, article_id)",
        "CREATE INDEX idx_mentions_article ON mentions (article_id)",
        "CREATE INDEX idx_mentions_article_entity ON mentions (article_entity_id)",
        f"""CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            type TEXT NOT NULL CHECK (type IN ({event_types})),
            name TEXT,
            date TEXT,
            date_text TEXT,
            location TEXT,
            minerals TEXT NOT NULL DEFAULT '[]',
            evidence TEXT NOT NULL,
            evidence_start INTEGER,
            evidence_end INTEGER,
            extractor_version TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX idx_events_type_date ON events (type, date)",
        "CREATE INDEX idx_events_date ON events (date)",
        "CREATE INDEX idx_events_article ON events (article_id)",
        """CREATE TABLE event_participants (
            event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
            entity_id INTEGER REFERENCES entities (id),
            name TEXT NOT NULL,
            kind TEXT
        )""",
        "CREATE INDEX idx_event_participants_event ON event_participants (event_id)",
        "CREATE INDEX idx_event_participants_entity ON event_participants (entity_id)",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            sources_polled INTEGER NOT NULL DEFAULT 0,
            not_modified INTEGER NOT NULL DEFAULT 0,
            new_articles INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE run_errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            source TEXT,
            url TEXT,
            reason TEXT NOT NULL,
            message TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX idx_run_errors_run ON run_errors (run_id)",
    ]
    for sql in statements:
        db.execute(sql)
    # External-content FTS5 index kept in step by triggers on insert/update/delete.
    db.table("articles").enable_fts(
        ["title", "text"], fts_version="FTS5", create_triggers=True, tokenize="porter unicode61"
    )


def _v2_source_health(db: sqlite_utils.Database) -> None:
    """Per-source scheduling and health: when to poll next, backoff, disabling, outcomes.

    next_poll_at / retry_after_until / disabled_at / last_error_at: ISO 8601 UTC.
    retry_after_until is the server's own Retry-After window: nothing is sent to
    the feed before it. hard_failures counts consecutive hard failures (DNS, TLS,
    404, 410...); N of them set `disabled` (a v1 column). articles_attempted /
    articles_failed count article pages tried and lost, for the extraction rate.
    feed_ttl: the RSS <ttl> (minutes) of the last full answer; a 304 does not repeat it.
    """
    for column in (
        "next_poll_at TEXT",
        "retry_after_until TEXT",
        "hard_failures INTEGER NOT NULL DEFAULT 0",
        "last_failure_kind TEXT",
        "last_error_at TEXT",
        "disabled_at TEXT",
        "articles_attempted INTEGER NOT NULL DEFAULT 0",
        "articles_failed INTEGER NOT NULL DEFAULT 0",
        "feed_ttl INTEGER",
    ):
        db.execute(f"ALTER TABLE sources ADD COLUMN {column}")


def _v3_stories_and_story_events(db: sqlite_utils.Database) -> None:
    """Syndicated-story clusters and events merged across articles.

    articles.cluster_id: the story cluster (story_clusters.id, which is the id of
    the cluster's first-stored article); NULL until clustered (a singleton).
    articles.wire: the agency the copy credits (IANS, PTI, Reuters, ...), or NULL.
    article_signatures: the MinHash signature of each article's main text
    (storage.stories.neardup.signature), so the clustering index can be rebuilt.
    story_clusters: canonical_article_id is the earliest published copy;
    pickup_count the number of stored copies; outlets a JSON list of distinct
    sources carrying it; wire the cluster's originating wire.
    story_events: one real-world event reported by one or more articles;
    participant_keys is a JSON list of "e:<entity id>" / "n:<folded name>" keys;
    first_reported the earliest published (else fetched) time of a report.
    story_event_mentions: each per-article `events` row, linked to its story
    event; its evidence is that report's supporting sentence.
    """
    for column in ("cluster_id INTEGER", "wire TEXT"):
        db.execute(f"ALTER TABLE articles ADD COLUMN {column}")
    statements = [
        "CREATE INDEX idx_articles_cluster ON articles (cluster_id)",
        """CREATE TABLE article_signatures (
            article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
            signature BLOB NOT NULL
        )""",
        """CREATE TABLE story_clusters (
            id INTEGER PRIMARY KEY,
            canonical_article_id INTEGER NOT NULL,
            pickup_count INTEGER NOT NULL DEFAULT 1,
            outlets TEXT NOT NULL DEFAULT '[]',
            wire TEXT
        )""",
        """CREATE TABLE story_events (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL,
            date TEXT,
            participant_keys TEXT NOT NULL DEFAULT '[]',
            first_reported TEXT
        )""",
        "CREATE INDEX idx_story_events_type_date ON story_events (type, date)",
        """CREATE TABLE story_event_mentions (
            event_id INTEGER PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE,
            story_event_id INTEGER NOT NULL REFERENCES story_events (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX idx_story_event_mentions_story ON story_event_mentions (story_event_id)",
    ]
    for sql in statements:
        db.execute(sql)


def _v4_watch_alerts(db: sqlite_utils.Database) -> None:
    """The alert ledger of [[watch]] tables: decided first, delivered after.

    alerts: one row per (watch, key) ever decided; key is "event:<story_events.id>"
    for an event alert and "story:<cluster or article id>" for a story that names a
    watched term without a matching event, so syndicated copies (one story, one
    story event) never make a second row. payload: the JSON delivered (frozen at
    decision). evidence_key: a hash of the folded evidence sentence, so a copy
    whose event did not merge is still recognised. A row is committed BEFORE any
    delivery is tried: a crash after it loses nothing.
    alert_deliveries: one row per alert and channel (webhook, email); delivered_at
    is set only after the receiver accepted it, so a re-run sends what is missing
    and never what was sent. given_up_at: too many failed attempts.
    watch_cursors: the last article id a watch has looked at (new articles only).
    """
    statements = [
        """CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            watch TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('event', 'mention')),
            story_id INTEGER,
            article_id INTEGER,
            event_id INTEGER,
            evidence_key TEXT NOT NULL DEFAULT '',
            payload TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            UNIQUE (watch, key)
        )""",
        "CREATE INDEX idx_alerts_watch_decided ON alerts (watch, decided_at)",
        "CREATE INDEX idx_alerts_story ON alerts (watch, story_id, evidence_key)",
        """CREATE TABLE alert_deliveries (
            alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
            channel TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
            target TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_attempt_at TEXT,
            delivered_at TEXT,
            given_up_at TEXT,
            PRIMARY KEY (alert_id, channel)
        ) WITHOUT ROWID""",
        "CREATE INDEX idx_alert_deliveries_pending ON alert_deliveries (delivered_at, channel)",
        """CREATE TABLE watch_cursors (
            watch TEXT PRIMARY KEY,
            last_article_id INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        )""",
    ]
    for sql in statements:
        db.execute(sql)


def _v5_backfill_ledger(db: sqlite_utils.Database) -> None:
    """The backfill ledger: every WARC record a backfill has finished with, and how.

    A record is known by its file (the resolved path), its byte offset there (the
    start of its gzip member in a .warc.gz, as Common Crawl writes one member per
    record) and `part`, its place among the records of one member (0 unless a
    file packs several records into one member). status: 'stored' (article_id
    is the article), 'duplicate' (an article with its URL or text was stored
    before), 'skipped' (not a page: content type, HTTP status, over the size cap)
    or 'failed' (truncated, no main text, the worker died); reason is the short
    tag and message what happened. A row is written in the transaction that
    stores its article, so a killed backfill redoes exactly the unrecorded ones.
    """
    statements = [
        """CREATE TABLE backfill_records (
            file TEXT NOT NULL,
            byte_offset INTEGER NOT NULL,
            part INTEGER NOT NULL DEFAULT 0,
            url TEXT,
            status TEXT NOT NULL CHECK (status IN ('stored', 'duplicate', 'skipped', 'failed')),
            reason TEXT,
            message TEXT,
            article_id INTEGER REFERENCES articles (id) ON DELETE SET NULL,
            run_id INTEGER,
            at TEXT NOT NULL,
            PRIMARY KEY (file, byte_offset, part)
        ) WITHOUT ROWID""",
        # Deleting an article (retention) looks its ledger rows up by article.
        "CREATE INDEX idx_backfill_records_article ON backfill_records (article_id)",
    ]
    for sql in statements:
        db.execute(sql)


def _v6_kb_entries(db: sqlite_utils.Database) -> None:
    """Office-holder KB rows kept in the database, merged over the shipped KB
    (extractors/kb.py) when articles are extracted: an analyst's corrections
    (`newswatch kb add`, source 'analyst') and a Wikidata refresh (`newswatch kb
    update`, source 'wikidata', replaced whole by each refresh). aliases is a JSON
    list; office NULL for a row that only adds names; start/end ISO dates.
    """
    db.execute(
        """CREATE TABLE kb_entries (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            name TEXT NOT NULL,
            qid TEXT,
            aliases TEXT NOT NULL DEFAULT '[]',
            office TEXT,
            country TEXT,
            start TEXT,
            "end" TEXT,
            note TEXT,
            added_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX idx_kb_entries_source ON kb_entries (source)")


def _v7_nlp_chars_and_no_logins(db: sqlite_utils.Database) -> None:
    """`articles.nlp_chars`: set when the article was longer than NLP reads ([nlp]
    max_chars), to the characters it read; NULL when it read all. And the logins of
    feed URLs (`https://user:secret@host/`) that earlier versions stored in sources
    and run_errors are replaced by *** (storage/redact.py keeps new rows clean).
    """
    from storage.redact import redact_userinfo

    db.execute("ALTER TABLE articles ADD COLUMN nlp_chars INTEGER")
    columns = {
        "sources": ("name", ["location", "last_error", "disabled_reason"]),
        "run_errors": ("id", ["url", "message"]),
        "articles": ("id", ["url", "canonical_url"]),
    }
    for table, (key, names) in columns.items():
        found = " OR ".join(f"{name} LIKE '%://%@%'" for name in names)
        rows = db.execute(f"SELECT {key}, {', '.join(names)} FROM {table} WHERE {found}")
        for row in rows.fetchall():
            values = [redact_userinfo(v) if isinstance(v, str) else v for v in row[1:]]
            sets = ", ".join(f"{name} = ?" for name in names)
            db.execute(f"UPDATE {table} SET {sets} WHERE {key} = ?", [*values, row[0]])


MIGRATIONS: tuple[Migration, ...] = (
    _v1_initial_schema,
    _v2_source_health,
    _v3_stories_and_story_events,
    _v4_watch_alerts,
    _v5_backfill_ledger,
    _v6_kb_entries,
    _v7_nlp_chars_and_no_logins,
)
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the migrations the database lacks, each in one transaction; returns how many."""
    applied = 0
    for number, migration in enumerate(migrations, start=1):
        with db.atomic():
            # Re-read inside the transaction: the version is the source of truth.
            if schema_version(db) >= number:
                continue
            migration(db)
            # PRAGMA user_version is transactional: it commits with the schema change.
            db.execute(f"PRAGMA user_version = {number}")
        applied += 1
    return applied
