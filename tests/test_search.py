"""`newswatch search`: FTS5 ranking and snippets, alias-aware entity filter, errors, readers.

The integration tests read a database filled by the real pipeline (run_once with
the full spaCy pipeline over the two sample pages on a local HTTP server); the
others build a small archive with the real Store.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extractors.records import ExtractInput, Extraction, Mention, Organization
from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.core.errors import QueryError
from pipeline.core.models import ArticleText
from pipeline.read.search import HIGHLIGHT, search
from pipeline.run import RunContext, run_once
from storage import Store, open_database
from tests.httpserver import LocalHTTPServer

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
SEED_PAGE = "seed-003.html"  # the USISPF story: lithium, India, a meeting
FORUM_ALIASES = (
    "USISPF",
    "US\u2013India Strategic Partnership Forum",
    "US-India Strategic Partnership Forum",
)
OPEN, CLOSE = HIGHLIGHT


def fill_sample_database(directory: Path, nlp: Any) -> Path:
    """Run the real pipeline once over the sample feed; returns the database path."""
    with LocalHTTPServer() as server:
        server.serve_directory("/pages/", SAMPLES)
        feed = (SAMPLES / "feed.xml").read_text()
        for name in ("seed-000.html", SEED_PAGE):
            feed = feed.replace(
                f"<link>{name}</link>", f"<link>{server.url('/pages/' + name)}</link>"
            )
        server.route("/feed.xml", body=feed, content_type="application/rss+xml")
        config = Config(
            storage=StorageConfig(path=str(directory / "nw.db")),
            fetch=FetchConfig(allow_private_networks=True, timeout=5.0),
            feeds=(FeedConfig(name="wire", url=server.url("/feed.xml")),),
            base_dir=directory,
        )
        summary = run_once(config, RunContext(nlp=nlp))
    assert (summary.new_articles, summary.errors) == (2, []), summary
    return config.db_path


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def cli(*args: str, db: Path | None = None) -> Result:
    """`newswatch ARGS --db DB`, in-process; output captured (so: not a terminal)."""
    from click.testing import CliRunner

    from pipeline.cli import main

    extra = ["--db", str(db)] if db is not None else []
    result = CliRunner().invoke(main, [*args, *extra], catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def cli_process(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """The same in a child process: the real exit code and streams."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args, "--db", str(db)],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory, nlp_full: Any) -> Path:
    return fill_sample_database(tmp_path_factory.mktemp("search"), nlp_full)


@pytest.fixture
def reader(sample_db: Path):
    db = open_database(sample_db, readonly=True)
    yield db
    db.close()


# --- against the pipeline's own output -------------------------------------------------------


@pytest.mark.integration
def test_lithium_finds_the_seed_article_with_a_highlighted_snippet(reader):
    hits = search(reader, "lithium")
    seed = [h for h in hits if h.url.split("?")[0].endswith(SEED_PAGE)]
    assert seed, [h.url for h in hits]
    hit = seed[0]
    assert f"{OPEN}lithium{CLOSE}" in hit.snippet.lower()
    assert hit.title and "USISPF" in hit.title
    assert hit.source == "wire" and hit.published and hit.published.startswith("2026-01-14")
    assert [h.score for h in hits] == sorted(h.score for h in hits if h.score is not None)


@pytest.mark.integration
def test_entity_filter_uses_aliases_and_restricts_to_articles_naming_it(reader):
    hits = search(reader, None, entity="USISPF")
    assert [h.url.split("?")[0].rsplit("/", 1)[-1] for h in hits] == [SEED_PAGE]
    # USISPF is an alias of the forum's entity: the snippet is a sentence naming it.
    assert any(f"{OPEN}{alias}{CLOSE}" in hits[0].snippet for alias in FORUM_ALIASES)
    # The long name (with either dash) reaches the same article.
    long_name = search(reader, None, entity="US\u2013India Strategic Partnership Forum")
    assert [h.article_id for h in long_name] == [hits[0].article_id]
    # Query and entity together: both must hold.
    both = search(reader, "lithium", entity="USISPF")
    assert [h.article_id for h in both] == [hits[0].article_id]


@pytest.mark.integration
def test_type_source_and_time_filters(reader):
    everything = {h.article_id for h in search(reader, "minerals")}
    assert len(everything) == 2
    licensing = search(reader, "minerals", type="licensing")
    assert [h.url.split("?")[0].rsplit("/", 1)[-1] for h in licensing] == [SEED_PAGE]
    assert search(reader, "minerals", source="no-such-feed") == []
    assert {h.article_id for h in search(reader, "minerals", source="WIRE")} == everything
    on_the_day = search(reader, "minerals", since="2026-01-14", until="2026-01-14")
    assert [h.url.split("?")[0].rsplit("/", 1)[-1] for h in on_the_day] == [SEED_PAGE]


@pytest.mark.integration
def test_cli_search_lithium_in_every_format(sample_db):
    table = cli("search", "lithium", db=sample_db)
    assert table.returncode == 0, table.stderr
    assert "USISPF welcomes India" in table.stdout and SEED_PAGE in table.stdout
    assert "\x1b[" not in table.stdout  # not a terminal: no colour codes
    assert f"{OPEN}lithium{CLOSE}" in table.stdout.lower()

    as_json = cli("search", "lithium", "--format", "json", db=sample_db)
    hits = json.loads(as_json.stdout)
    assert any(h["url"].split("?")[0].endswith(SEED_PAGE) and h["snippet"] for h in hits)

    as_csv = cli("search", "lithium", "--format", "csv", db=sample_db)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["url"] for r in rows] == [h["url"] for h in hits]


@pytest.mark.integration
def test_cli_search_by_entity_alias(sample_db):
    proc = cli("search", "--entity", "USISPF", "--format", "json", db=sample_db)
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert [h["url"].split("?")[0].rsplit("/", 1)[-1] for h in hits] == [SEED_PAGE]
    assert any(f"{OPEN}{alias}{CLOSE}" in hits[0]["snippet"] for alias in FORUM_ALIASES)


@pytest.mark.integration
@pytest.mark.parametrize("query", ['"unbalanced', "AND OR", "lithium NOT", "nosuchcolumn:x"])
def test_a_query_fts5_cannot_parse_is_a_one_line_error(sample_db, query):
    proc = cli("search", query, db=sample_db)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("newswatch: cannot search"), proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.integration
def test_bad_query_exit_code_from_a_real_process(sample_db):
    proc = cli_process("search", "AND OR", db=sample_db)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.integration
def test_unknown_entity_and_missing_database_are_plain_errors(sample_db, tmp_path):
    unknown = cli("search", "--entity", "Nobody At All", db=sample_db)
    assert unknown.returncode == 2 and "no entity named" in unknown.stderr
    missing = cli("search", "lithium", db=tmp_path / "absent.db")
    assert missing.returncode == 1 and "database not found" in missing.stderr
    nothing = cli("search", db=sample_db)
    assert nothing.returncode == 2 and "Traceback" not in nothing.stderr


@pytest.mark.integration
def test_readers_work_while_another_process_holds_the_writer_lock(sample_db):
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom storage import WriterLock\n"
         "lock = WriterLock(sys.argv[1]); lock.acquire(); print('held', flush=True)\n"
         "time.sleep(120)", str(sample_db)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        from storage.errors import LockedError

        with pytest.raises(LockedError):  # the lock is really held
            Store.open(sample_db)
        for args in (
            ("search", "lithium"),
            ("events", "--type", "meeting"),
            ("export", "--what", "entities"),
        ):
            proc = cli_process(*args, db=sample_db)
            assert proc.returncode == 0, (args, proc.stderr)
            assert proc.stdout.strip()
    finally:
        holder.kill()
        holder.wait()


# --- a small archive built with the real Store -----------------------------------------------


def _article(n: int, text: str, source: str) -> ArticleText:
    digest = hashlib.sha256(text.encode()).hexdigest()
    url = f"https://news.example/{n}"
    return ArticleText(
        source=source, url=url, canonical_url=url, title=f"Story {n}", authors=(),
        published=f"2026-01-{n % 28 + 1:02d}", language="en", text=text, text_hash=digest,
    )  # fmt: skip


def _org_extraction(article: ArticleText, name: str, acronym: str) -> Extraction:
    doc = ExtractInput(id="", text=article.text, title=article.title).doc_text
    start = doc.index(acronym)
    mention = Mention(acronym, start, start + len(acronym), acronym, 0, len(doc))
    org = Organization(name=name, acronym=acronym, kind="forum", mentions=[mention])
    return Extraction(id=article.url, organizations=[org], extractor_version="test")


@pytest.fixture
def archive(tmp_path: Path):
    """40 articles about lithium; the one from source "rare" ranks last for "lithium"."""
    path = tmp_path / "archive.db"
    with Store.open(path) as store:
        for n in range(40):
            text = "Lithium lithium lithium prices rose." if n else "Prices of lithium fell."
            text += f" Report number {n}."
            source = "rare" if n == 0 else "common"
            store.add_article(_article(n, text, source), None, "2026-02-01T00:00:00+00:00")
        forum = _article(99, "The USISPF met on copper tariffs.", "common")
        extraction = _org_extraction(forum, "US-India Strategic Partnership Forum", "USISPF")
        store.add_article(forum, extraction, "2026-02-01T00:00:00+00:00")
    db = open_database(path, readonly=True)
    yield db
    db.close()


def test_filters_apply_outside_the_fts_limit_and_still_find_low_ranked_hits(archive):
    top = search(archive, "lithium", limit=5)
    assert len(top) == 5 and all(h.source == "common" for h in top)
    # The only "rare" hit is the weakest match: the inner FTS5 list must grow to reach it.
    rare = search(archive, "lithium", source="rare", limit=5)
    assert [h.url for h in rare] == ["https://news.example/0"]
    assert f"{OPEN}lithium{CLOSE}" in rare[0].snippet.lower()


def test_an_acronym_finds_the_entity_stored_under_its_long_name(archive):
    from storage import find_entity

    assert [e["canonical_name"] for e in find_entity(archive, "USISPF")] == [
        "US-India Strategic Partnership Forum"
    ]
    hits = search(archive, None, entity="USISPF")
    assert [h.url for h in hits] == ["https://news.example/99"]
    assert hits == search(archive, None, entity="us-india strategic partnership forum")
    assert [h.url for h in search(archive, "copper", entity="USISPF")] == [hits[0].url]
    assert search(archive, "lithium", entity="USISPF") == []


def test_listing_without_a_query_is_newest_first(archive):
    hits = search(archive, None, source="common", limit=3)
    dates = [h.published for h in hits]
    assert len(hits) == 3 and dates == sorted(dates, key=str, reverse=True)
    assert all(h.score is None and h.snippet for h in hits)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"query": '"open'},
        {"query": "OR"},
        {"query": "x", "type": "party"},
        {"query": "x", "since": "last tuesday"},
        {"query": "x", "limit": 0},
        {"query": None, "entity": "nobody"},
    ],
)
def test_bad_input_raises_query_error_with_exit_code_2(archive, kwargs):
    query = kwargs.pop("query")
    with pytest.raises(QueryError) as info:
        search(archive, query, **kwargs)
    assert info.value.exit_code == 2
    assert "\n" not in str(info.value)


def test_table_output_styles_matches_on_a_terminal_and_keeps_markers_in_plain_text():
    from pipeline.read.formats import emit

    rows = [{"title": "Lithium up", "snippet": f"prices of {OPEN}lithium{CLOSE} rose"}]
    terminal, plain = io.StringIO(), io.StringIO()
    emit(rows, "table", terminal, columns=["title", "snippet"], highlight=HIGHLIGHT, terminal=True)
    emit(rows, "table", plain, columns=["title", "snippet"], highlight=HIGHLIGHT, terminal=False)
    assert "\x1b[" in terminal.getvalue() and OPEN not in terminal.getvalue()
    assert "lithium" in terminal.getvalue()
    assert (
        plain.getvalue() == f"title:   Lithium up\nsnippet: prices of {OPEN}lithium{CLOSE} rose\n"
    )
