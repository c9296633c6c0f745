"""`reprocess`: stored pages through the current extractors, with a diff of what changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.core.config import Config, FeedConfig, FetchConfig, StorageConfig
from pipeline.reprocess import diff_snapshots, reprocess, snapshot
from pipeline.run import RunContext, run_once
from storage import Store, open_database

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"


def test_diff_sorts_records_into_added_removed_and_changed():
    before = {
        "entities": {"official Scott Bessent": "{}", "mineral lithium": "{}"},
        "mentions": {"'Bessent' at 4-11": "official Scott Bessent"},
        "events": {"meeting: They met.": '{"date": null}'},
    }
    after = {
        "entities": {"official Scott Bessent": '{"role": "Secretary"}', "country India": "{}"},
        "mentions": {"'Bessent' at 4-11": "official Scott Bessent", "'India' at 20-25": "x"},
        "events": {"meeting: They met.": '{"date": "2026-01-12"}'},
    }
    diff = diff_snapshots(7, "u", before, after)
    assert (diff.entities.added, diff.entities.removed) == (["country India"], ["mineral lithium"])
    assert diff.entities.changed == ["official Scott Bessent"]
    assert (diff.mentions.added, diff.mentions.removed, diff.mentions.changed) == (
        ["'India' at 20-25"],
        [],
        [],
    )
    assert diff.events.changed == ["meeting: They met."] and diff.changed
    assert not diff_snapshots(7, "u", after, after).changed


@pytest.fixture
def served_config(http_server, tmp_path) -> Config:
    http_server.serve_directory("/pages/", SAMPLES)
    base = http_server.base_url
    items = "".join(
        f"<item><title>t</title><link>{base}/pages/{name}</link></item>"
        for name in ("seed-000.html", "seed-003.html")
    )
    http_server.route(
        "/feed.xml",
        body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{items}'
        "</channel></rss>".encode(),
        content_type="application/rss+xml",
    )
    return Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=5.0, per_host_delay=0.0),
        feeds=(FeedConfig(name="wire", url=f"{base}/feed.xml"),),
        base_dir=tmp_path,
    )


@pytest.mark.integration
def test_reprocess_after_an_extractor_change_reports_a_correct_diff(served_config, nlp_full):
    from extractors import ExtractInput, extract
    from pipeline.reprocess import article_from_row

    run_once(served_config, RunContext(nlp=nlp_full))
    with Store.open(served_config.db_path) as store:
        target = store.db.execute(
            "SELECT id FROM articles WHERE url LIKE '%seed-003.html'"
        ).fetchone()[0]
        full = snapshot(store.db, target)
        assert full["events"] and full["entities"]
        # What an older extractor stored: no events, and one organisation fewer.
        row = dict(next(store.db.query("SELECT * FROM articles WHERE id = ?", [target])))
        article = article_from_row(row)
        (real,) = extract(
            nlp_full,
            [ExtractInput("x", article.text, article.title, article.published, article.dateline)],
        )
        assert real.organizations
        dropped = real.organizations[0]
        older = dataclasses.replace(
            real, events=[], organizations=real.organizations[1:], extractor_version="0.0.9"
        )
        store.replace_extraction(target, article, older, "2026-01-01T00:00:00+00:00")
        truncated = snapshot(store.db, target)
        story_events_before = store.db.execute("SELECT count(*) FROM story_events").fetchone()[0]

        report = reprocess(served_config, RunContext(nlp=nlp_full, store=store))

        assert report.selected == 1  # the other article is up to date
        (diff,) = report.diffs
        assert diff.article_id == target and not diff.text_changed
        assert diff.events.added == sorted(set(full["events"]) - set(truncated["events"]))
        assert diff.events.added and not diff.events.removed and not diff.events.changed
        assert f"organization {dropped.name}" in diff.entities.added
        assert not diff.entities.removed and not diff.mentions.removed
        assert len(diff.mentions.added) == len(full["mentions"]) - len(truncated["mentions"]) > 0
        assert snapshot(store.db, target) == full
        version = store.db.execute(
            "SELECT extractor_version FROM articles WHERE id = ?", [target]
        ).fetchone()[0]
        assert version == report.extractor_version
        # its events are merged again: every per-article event belongs to a story event
        unlinked = store.db.execute(
            "SELECT count(*) FROM events e LEFT JOIN story_event_mentions m "
            "ON m.event_id = e.id WHERE m.event_id IS NULL"
        ).fetchone()[0]
        assert unlinked == 0
        assert store.db.execute("SELECT count(*) FROM story_events").fetchone()[0] > (
            story_events_before
        )

        again = reprocess(served_config, RunContext(nlp=nlp_full, store=store))
        assert (again.selected, again.diffs, again.failed) == (0, [], [])
        everything = reprocess(served_config, RunContext(nlp=nlp_full, store=store), all=True)
        assert (everything.selected, everything.unchanged, everything.diffs) == (2, 2, [])


@pytest.mark.integration
def test_a_new_extractor_version_selects_every_article_once(served_config, nlp_full, monkeypatch):
    run_once(served_config, RunContext(nlp=nlp_full))
    monkeypatch.setattr("extractors.docs.EXTRACTOR_VERSION", "9.9.9")

    first = reprocess(served_config, RunContext(nlp=nlp_full))
    assert (first.extractor_version, first.selected, first.failed) == ("9.9.9", 2, [])
    assert first.diffs == [] and first.unchanged == 2  # same extractors, same rows
    db = open_database(served_config.db_path, readonly=True)
    try:
        versions = {r[0] for r in db.execute("SELECT extractor_version FROM articles")}
        entity_versions = {r[0] for r in db.execute("SELECT extractor_version FROM mentions")}
    finally:
        db.close()
    assert versions == entity_versions == {"9.9.9"}
    second = reprocess(served_config, RunContext(nlp=nlp_full))
    assert (second.selected, second.diffs) == (0, [])
    since = reprocess(served_config, RunContext(nlp=nlp_full), since="2030-01-01", all=True)
    assert since.selected == 0


def test_cli_rejects_a_bad_since_with_exit_2(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "nw.db"}"\n')
    result = CliRunner().invoke(
        main, ["--config", str(config), "reprocess", "--since", "yesterday-ish"]
    )
    assert result.exit_code == 2, result.output
    assert "cannot read the time" in result.output and "Traceback" not in result.output


def test_cli_on_an_empty_database_says_nothing_changed(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "nw.db"}"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "reprocess", "--all"])
    assert result.exit_code == 0, result.output
    assert "reprocessed 0 articles" in result.output and "nothing changed" in result.output


@pytest.mark.integration
def test_text_cut_short_by_an_older_text_stage_is_re_extracted_from_the_page(
    served_config, nlp_full
):
    from storage.stories.clusters import cluster_of

    run_once(served_config, RunContext(nlp=nlp_full))
    with Store.open(served_config.db_path) as store:
        target, text = store.db.execute(
            "SELECT id, text FROM articles WHERE url LIKE '%seed-003.html'"
        ).fetchone()
        store.db.execute(
            "UPDATE articles SET text = ?, text_hash = 'old', extractor_version = '0.0.1' "
            "WHERE id = ?",
            [text[:200], target],
        )

        report = reprocess(served_config, RunContext(nlp=nlp_full, store=store))

        (diff,) = report.diffs
        assert diff.text_changed and diff.article_id == target
        restored = store.db.execute("SELECT text FROM articles WHERE id = ?", [target]).fetchone()
        assert restored[0] == text
        assert cluster_of(store.db, target) is not None  # reclustered on the new text


GERMAN_PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Lithium-Abkommen unterzeichnet</title></head><body><article>
<h1>Lithium-Abkommen unterzeichnet</h1>
<p>Berlin, 12. Januar. Die Bundesregierung und Chile haben am Montag in Berlin ein
Abkommen über die Lieferung von Lithium und Kupfer unterzeichnet, teilte das
Bundesministerium für Wirtschaft mit.</p>
<p>Der Minister sagte, die Vereinbarung sichere die Versorgung der deutschen Industrie
mit kritischen Rohstoffen für die kommenden zehn Jahre.</p>
<p>Die Europäische Union verhandelt parallel mit Australien und Indien über ähnliche
Partnerschaften für seltene Erden, Kobalt und Nickel.</p>
</article></body></html>"""


@pytest.mark.integration
def test_reprocess_honours_the_languages_filter(http_server, tmp_path, nlp_full):
    """A page stored with extraction rows by a build that sent every language through NLP
    is reprocessed by the run's own step: outside `[nlp] languages`, it extracts nothing."""
    http_server.route("/de.html", body=GERMAN_PAGE.encode(), content_type="text/html")
    base = http_server.base_url
    http_server.route(
        "/feed.xml",
        body=f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
        f"<item><title>t</title><link>{base}/de.html</link></item></channel></rss>".encode(),
        content_type="application/rss+xml",
    )
    config = Config(
        storage=StorageConfig(path=str(tmp_path / "nw.db")),
        fetch=FetchConfig(allow_private_networks=True, timeout=5.0, per_host_delay=0.0),
        feeds=(FeedConfig(name="de", url=f"{base}/feed.xml"),),
        base_dir=tmp_path,
    )
    everything = dataclasses.replace(config, nlp=dataclasses.replace(config.nlp, languages=()))
    run_once(everything, RunContext(nlp=nlp_full))
    with Store.open(config.db_path) as store:
        language, article_id = store.db.execute("SELECT language, id FROM articles").fetchone()
        before = snapshot(store.db, article_id)
    assert language == "de"
    assert before["mentions"], "the all-languages build extracted something to take back"

    report = reprocess(config, RunContext(nlp=nlp_full), all=True)

    assert report.selected == 1 and not report.failed
    with Store.open(config.db_path) as store:
        after = snapshot(store.db, article_id)
        version = store.db.execute("SELECT extractor_version FROM articles").fetchone()[0]
    assert after == {"entities": {}, "mentions": {}, "events": {}}
    assert version == report.extractor_version
