"""Story clusters: syndicated copies stored as one story with its pickups, outlets and wire."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.core.models import ArticleText
from pipeline.digest.build import build_digest
from pipeline.digest.render import render_markdown
from pipeline.read.queries import events as query_events
from pipeline.read.search import search
from pipeline.run import RunContext, run_once
from storage import Store, open_database
from storage.stories.clusters import cluster_of, clusters

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"

# Invented wire copy (not from any outlet).
STORY = (
    "New Delhi, March 3 (IANS) India and Australia agreed on Tuesday to widen their "
    "cooperation on lithium and cobalt processing, with a joint fund to back new "
    "refining projects in both countries, officials said after talks in the capital.\n\n"
    "The two governments will each put money into the fund over five years, and "
    "companies from both sides will be able to bid for support for plants that turn "
    "raw ore into battery-grade chemicals, the mines ministry said in a statement.\n\n"
    "Officials said the plan was meant to reduce reliance on a single supplier for "
    "processed minerals and to help build supply chains for electric vehicles."
)
COPY = (
    STORY.replace("New Delhi, March 3 (IANS) ", "")
    .replace("officials said", "officials told reporters")
    .replace("electric vehicles.", "electric vehicles.\n\nAlso read: Copper prices climb")
    + "\n\n(With inputs from IANS)"
)
OTHER = (
    "Chile's copper output fell in January as a strike at a large mine cut production, "
    "the statistics agency said on Friday, while molybdenum output rose from a year "
    "earlier on higher grades at two older pits in the north of the country."
)


def article(source: str, slug: str, text: str, published: str | None) -> ArticleText:
    url = f"https://{source}.example/{slug}"
    return ArticleText(
        source=source,
        url=url,
        canonical_url=url,
        title=slug.replace("-", " "),
        authors=(),
        published=published,
        language="en",
        text=text,
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
    )


def stored(store: Store, a: ArticleText) -> int:
    article_id = store.add_article(a, None, "2026-03-03T12:00:00+00:00")
    assert article_id is not None
    return article_id


def test_copies_form_one_cluster_with_pickups_outlets_and_wire(tmp_path):
    with Store.open(tmp_path / "nw.db") as store:
        late = stored(store, article("herald", "india-australia", COPY, "2026-03-03T11:00:00"))
        store.stories.assign(late)
        early = stored(store, article("wire", "lithium-pact", STORY, "2026-03-03T09:00:00"))
        store.stories.assign(early)
        other = stored(store, article("herald", "chile-copper", OTHER, "2026-03-03T10:00:00"))
        store.stories.assign(other)

        cluster = cluster_of(store.db, early)
        assert cluster is not None and cluster == cluster_of(store.db, late)
        assert cluster.canonical_article_id == early  # the earliest published, not the first stored
        assert (cluster.pickup_count, cluster.outlets) == (2, ["herald", "wire"])
        assert cluster.wire == "IANS"
        assert cluster.also_in == 1
        alone = cluster_of(store.db, other)
        assert alone is not None and alone.pickup_count == 1 and alone.wire is None
        assert [c.id for c in clusters(store.db)] == [cluster.id]
        wires = dict(store.db.execute("SELECT id, wire FROM articles").fetchall())
        assert wires == {late: "IANS", early: "IANS", other: None}

    listed = CliRunner().invoke(main, ["stories", "--db", str(tmp_path / "nw.db")])
    assert listed.exit_code == 0, listed.output
    assert "2 copies  wire IANS  lithium pact" in listed.output
    assert "outlets: herald, wire" in listed.output and "chile" not in listed.output


def test_index_is_rebuilt_from_stored_signatures_and_catches_up_unclustered(tmp_path):
    with Store.open(tmp_path / "nw.db") as store:
        first = stored(store, article("wire", "lithium-pact", STORY, "2026-03-03T09:00:00"))
        store.stories.assign(first)
        # stored but never clustered, as after a run killed between the two steps
        orphan = stored(store, article("herald", "india-australia", COPY, "2026-03-03T11:00:00"))
    with Store.open(tmp_path / "nw.db") as store:
        third = stored(
            store, article("daily", "pact", COPY.replace("Tuesday", "Tues"), "2026-03-04")
        )
        store.stories.assign(third)
        cluster = cluster_of(store.db, third)
        assert cluster is not None
        assert cluster.id == first and cluster.members == [first, orphan, third]
        assert cluster.pickup_count == 3
        assert store.db.execute("SELECT count(*) FROM article_signatures").fetchone()[0] == 3


# --- through the real run ---------------------------------------------------------------


def restyled_copy(page: str) -> bytes:
    """seed-003's story inside another outlet's template: other furniture, a light edit."""
    paragraphs = re.findall(r"<p>(.*?)</p>", page, re.S)
    body = [p for p in paragraphs if p.strip() not in ("--IANS", "lkj/rs")]
    body[0] = body[0].replace("Washington, Jan 14 (IANS) ", "")
    body[2] = body[2].replace("key player", "major player")
    body.insert(4, "Also read: Gold slips as the dollar firms")
    body.append("(With inputs from IANS)")
    paras = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>India at Washington minerals meet draws praise - The Daily Ledger</title>
<meta property="og:title" content="India at Washington minerals meet draws praise">
<meta property="article:published_time" content="2026-01-14T12:00:00+05:30">
</head><body><header><a href="/">The Daily Ledger</a> | <a href="/markets">Markets</a></header>
<div class="story"><h1>India at Washington minerals meet draws praise</h1>
{paras}
</div><aside><h3>Most read</h3><ul><li>Monsoon update</li><li>Cricket scores</li></ul></aside>
<footer>Copyright The Daily Ledger. All rights reserved.</footer></body></html>""".encode()


def feed(base: str, *paths: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{base}{p}</link></item>" for p in paths)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}</channel></rss>'
    ).encode()


@pytest.mark.integration
def test_run_clusters_a_restyled_copy_and_readers_count_it_once(http_server, tmp_path, nlp_full):
    original = (SAMPLES / "seed-003.html").read_text(encoding="utf-8")
    http_server.route("/wire/usispf.html", body=original.encode(), content_type="text/html")
    http_server.route(
        "/ledger/india-minerals-meet", body=restyled_copy(original), content_type="text/html"
    )
    base = http_server.base_url
    http_server.route("/wire.xml", body=feed(base, "/wire/usispf.html"))
    http_server.route("/ledger.xml", body=feed(base, "/ledger/india-minerals-meet"))
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=5.0, per_host_delay=0.0),
        feeds=(
            FeedConfig(name="wire", url=f"{base}/wire.xml"),
            FeedConfig(name="ledger", url=f"{base}/ledger.xml"),
        ),
        base_dir=tmp_path,
    )
    summary = run_once(config, RunContext(nlp=nlp_full))
    assert (summary.new_articles, summary.errors) == (2, [])

    db = open_database(config.db_path, readonly=True)
    try:
        ids = dict(db.execute("SELECT source, id FROM articles").fetchall())
        cluster = cluster_of(db, ids["wire"])
        assert cluster is not None and cluster == cluster_of(db, ids["ledger"])
        assert cluster.canonical_article_id == ids["wire"]  # 09:30 IST before 12:00 IST
        assert (cluster.pickup_count, cluster.wire) == (2, "IANS")
        assert sorted(cluster.outlets) == ["ledger", "wire"]

        hits = search(db, "USISPF")
        assert len(hits) == 1 and hits[0].also_in == 1

        meetings = query_events(db, type="meeting")
        stored_meetings = db.execute(
            "SELECT count(*) FROM events WHERE type = 'meeting'"
        ).fetchone()[0]
        assert meetings and len(meetings) < stored_meetings  # the copy's are not listed twice
        assert {m.article_id for m in meetings} == {ids["wire"]}
        assert {m.also_in for m in meetings} == {1}

        digest = build_digest(db, day=date(2026, 1, 14), tz=UTC)
        assert digest.article_count == 1
        assert [s.also_in for s in digest.top_stories] == [1]
        assert "also in 1 outlet" in render_markdown(digest)
        assert "also in 1 outlets" not in render_markdown(digest)
    finally:
        db.close()
