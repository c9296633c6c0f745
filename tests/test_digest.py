"""The daily digest: the "what changed" queries on a hand-built database, and the
rendered digest on a database the real pipeline filled from the sample seeds."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from click.testing import CliRunner

from extractors.records import Event, ExtractInput, Extraction, Mention, Official, Organization
from pipeline.cli import main
from pipeline.core.config import Config, FeedConfig, StorageConfig
from pipeline.core.models import ArticleText
from pipeline.digest.build import build_digest, parse_timestamp
from pipeline.digest.render import mineral_chart, render_html, render_markdown, write_digest
from storage import Store, open_database

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "seeds"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# --- a hand-built database -------------------------------------------------------------


def add(
    store: Store,
    slug: str,
    text: str,
    *,
    published: str | None,
    fetched_at: str = "2026-03-20T12:00:00+00:00",
    minerals: tuple[str, ...] = (),
    officials: tuple[str, ...] = (),
    organizations: tuple[str, ...] = (),
    events: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
) -> int:
    """Store one article whose records point at the words of `text` that name them."""
    title = slug.replace("-", " ").title()
    doc = ExtractInput(id=slug, text=text, title=title).doc_text

    def mentions(word: str) -> list[Mention]:
        return [
            Mention(word.lower(), m.start(), m.end(), word, 0, len(doc))
            for m in re.finditer(re.escape(word), doc)
        ]

    def event(type_: str, sentence: str, participants: tuple[str, ...]) -> Event:
        start = doc.index(sentence)
        found = [m for m in minerals if m in sentence]
        return Event(
            type_,
            sentence,
            start,
            start + len(sentence),
            participants=list(participants),
            minerals=found,
        )

    extraction = Extraction(
        id=slug,
        officials=[Official(o, role="Minister", mentions=mentions(o)) for o in officials],
        organizations=[
            Organization(o, kind="company", mentions=mentions(o)) for o in organizations
        ],
        minerals=[m for word in minerals for m in mentions(word)],
        events=[event(*e) for e in events],
        extractor_version="test",
    )
    article = ArticleText(
        source="hand",
        url=f"https://news.example/{slug}",
        canonical_url=f"https://news.example/{slug}",
        title=title,
        authors=(),
        published=published,
        language="en",
        text=text,
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
    )
    article_id = store.add_article(article, extraction, fetched_at)
    assert article_id is not None
    return article_id


@pytest.fixture
def hand_db(tmp_path):
    path = tmp_path / "hand.db"
    with Store.open(path) as store:
        # The day before: lithium once, Ada Vale named (so not new on the 10th).
        add(
            store,
            "earlier",
            "Ada Vale said lithium prices fell.",
            published="2026-03-09T08:00:00+00:00",
            minerals=("lithium",),
            officials=("Ada Vale",),
        )
        # Eight days before the 10th: outside the 7-day baseline.
        add(
            store,
            "too-old",
            "Cobalt output rose at the old mine.",
            published="2026-03-02T08:00:00+00:00",
            minerals=("Cobalt",),
        )
        add(
            store,
            "meeting",
            "Ada Vale met Bo Ruiz in Lima. They discussed lithium and more lithium. "
            "Acme Mining was there.",
            published="2026-03-10T10:00:00+00:00",
            minerals=("lithium",),
            officials=("Ada Vale", "Bo Ruiz"),
            organizations=("Acme Mining",),
            events=(("meeting", "Ada Vale met Bo Ruiz in Lima.", ("Ada Vale", "Bo Ruiz")),),
        )
        # No published date: counts by fetched time, 23:30 UTC on the 10th
        # (05:00 on the 11th in India).
        add(
            store,
            "undated",
            "Nickel demand grew, Zeta Corp said.",
            published=None,
            fetched_at="2026-03-10T23:30:00+00:00",
            minerals=("Nickel",),
            organizations=("Zeta Corp",),
        )
        # 23:30 in Chicago (CDT, -05:00) on the 10th is the 11th in UTC.
        add(
            store,
            "late-west",
            "Copper rallied late.",
            published="2026-03-10T23:30:00-05:00",
            minerals=("Copper",),
        )
        # A published value that is not ISO falls back to fetched time.
        add(
            store,
            "odd-date",
            "Tin was quiet.",
            published="25-MAR-1987 06:18:55.81",
            fetched_at="2026-03-09T09:00:00+00:00",
            minerals=("Tin",),
        )
    db = open_database(path, readonly=True)
    yield db
    db.close()


def titles(digest) -> set[str]:
    return {s.title for s in digest.top_stories}


def test_day_window_uses_published_else_fetched_in_the_timezone(hand_db):
    utc = build_digest(hand_db, date(2026, 3, 10), tz=UTC)
    assert utc.article_count == 2  # meeting + undated; late-west is the 11th in UTC
    assert titles(utc) == {"Meeting", "Undated"}

    india = build_digest(hand_db, date(2026, 3, 11), tz=ZoneInfo("Asia/Kolkata"))
    assert titles(india) == {"Undated", "Late West"}

    chicago = build_digest(hand_db, date(2026, 3, 10), tz=ZoneInfo("America/Chicago"))
    assert titles(chicago) == {"Meeting", "Undated", "Late West"}


def test_events_carry_evidence_participants_and_article_link(hand_db):
    digest = build_digest(hand_db, date(2026, 3, 10), tz=UTC)
    assert list(digest.events_by_type) == ["meeting"]
    (meeting,) = digest.events_by_type["meeting"]
    assert meeting.evidence == "Ada Vale met Bo Ruiz in Lima."
    assert [p.name for p in meeting.participants] == ["Ada Vale", "Bo Ruiz"]
    assert {p.kind for p in meeting.participants} == {"official"}
    assert meeting.article_url == "https://news.example/meeting"
    assert meeting.date == "2026-03-10"  # no resolved event date: the article's day


def test_first_seen_lists_only_entities_new_in_the_window(hand_db):
    digest = build_digest(hand_db, date(2026, 3, 10), tz=UTC)
    assert [o.name for o in digest.new_officials] == ["Bo Ruiz"]  # Ada Vale was seen on the 9th
    assert digest.new_officials[0].article_url == "https://news.example/meeting"
    assert digest.new_officials[0].attributes["role"] == "Minister"
    assert {o.name for o in digest.new_organizations} == {"Acme Mining", "Zeta Corp"}

    day_before = build_digest(hand_db, date(2026, 3, 9), tz=UTC)
    assert [o.name for o in day_before.new_officials] == ["Ada Vale"]


def test_mineral_counts_against_the_previous_seven_days(hand_db):
    digest = build_digest(hand_db, date(2026, 3, 10), tz=UTC)
    trends = {t.mineral: t for t in digest.minerals}
    assert digest.baseline_days[0] == "2026-03-03" and digest.baseline_days[-1] == "2026-03-09"
    assert trends["lithium"].count == 2  # "lithium" twice in the meeting story
    assert trends["lithium"].previous == [0, 0, 0, 0, 0, 0, 1]
    assert trends["lithium"].previous_daily_avg == pytest.approx(1 / 7, abs=0.01)
    assert trends["tin"].previous[-1] == 1  # non-ISO published date: fetched on the 9th
    assert trends["nickel"].count == 1
    assert "cobalt" not in trends  # the 2nd is eight days back
    assert "copper" not in trends  # the 11th in UTC
    assert digest.minerals[0].mineral == "lithium"  # most mentioned first


def test_top_stories_rank_by_events_officials_and_minerals(hand_db):
    digest = build_digest(hand_db, date(2026, 3, 10), tz=UTC)
    first, second = digest.top_stories
    # meeting: 1 event + 2 officials + 1 mineral; undated: 1 mineral
    assert (first.title, first.score) == ("Meeting", 4)
    assert (second.title, second.score) == ("Undated", 1)
    assert len(build_digest(hand_db, date(2026, 3, 10), tz=UTC, top_stories=1).top_stories) == 1


def test_since_runs_from_a_time_until_now(hand_db):
    now = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    digest = build_digest(hand_db, since=datetime(2026, 3, 10, 12, 0, tzinfo=UTC), tz=UTC, now=now)
    assert digest.day is None
    assert titles(digest) == {"Undated", "Late West"}
    with pytest.raises(ValueError):
        build_digest(hand_db, date(2026, 3, 10), since=now)


def test_a_day_with_nothing_new_says_so(hand_db):
    digest = build_digest(hand_db, date(2026, 4, 1), tz=UTC)
    assert digest.is_empty and not digest.events_by_type and not digest.top_stories
    html = render_html(digest, mineral_chart(digest))
    md = render_markdown(digest)
    assert "Nothing new" in md and "2026-04-01" in md
    page = lxml.html.fromstring(html)
    assert "Nothing new" in page.get_element_by_id("nothing-new").text_content()
    assert not page.xpath("//section[@class='event-type']")
    assert mineral_chart(digest) is None  # nothing in the window or the 7 days before


def test_parse_timestamp_reads_naive_values_in_the_zone():
    tz = ZoneInfo("Asia/Kolkata")
    assert parse_timestamp("2026-01-14", tz) == datetime(2026, 1, 14, tzinfo=tz)
    assert parse_timestamp("2026-01-14T09:30:00+05:30", UTC) == datetime(
        2026, 1, 14, 4, 0, tzinfo=UTC
    )
    assert parse_timestamp("1996", tz) is None and parse_timestamp(None, tz) is None
    assert parse_timestamp("2026-99-99", tz) is None


def test_json_output_has_the_same_digest(hand_db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "hand.db"}"\n')
    result = CliRunner().invoke(
        main, ["--config", str(config), "digest", "--date", "2026-03-10", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["day"] == "2026-03-10" and data["files"] == []
    assert data["events_by_type"]["meeting"][0]["evidence"] == "Ada Vale met Bo Ruiz in Lima."
    assert not (tmp_path / "digests").exists()  # json alone writes no files


def test_cli_usage_errors_exit_2_and_failures_exit_1(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "missing.db"}"\n')
    run = CliRunner().invoke
    both = run(
        main, ["--config", str(config), "digest", "--date", "2026-01-01", "--since", "2026-01-01"]
    )
    assert both.exit_code == 2 and "not both" in both.output
    bad = run(main, ["--config", str(config), "digest", "--date", "14/01/2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    no_mail = run(main, ["--config", str(config), "digest", "--email"])
    assert no_mail.exit_code == 2 and "[digest.email]" in no_mail.output
    missing = run(main, ["--config", str(config), "digest", "--date", "2026-01-01"])
    assert missing.exit_code == 1 and "database not found" in missing.output
    assert "Traceback" not in missing.output
    config.write_text('[digest]\ntimezone = "Mars/Olympus"\n')
    zone = run(main, ["--config", str(config), "digest"])
    assert zone.exit_code == 2 and "digest.timezone" in zone.output


# --- the real pipeline over the sample seeds -------------------------------------------


def fill_from_seeds(tmp: Path, nlp) -> Config:
    """A database filled by the real pipeline from the local sample feed (two seed pages)."""
    from pipeline.run import RunContext, run_once

    config = Config(
        storage=StorageConfig(path=str(tmp / "nw.db")),
        feeds=(FeedConfig(name="sample-seeds", url=str(SAMPLES / "feed.xml")),),
        base_dir=tmp,
    )
    summary = run_once(config, RunContext(nlp=nlp))
    assert summary.new_articles == 2, summary
    return config


def stored_meetings(db_path: Path) -> list[dict]:
    db = open_database(db_path, readonly=True)
    try:
        return list(
            db.query(
                "SELECT e.* FROM events e JOIN articles a ON a.id = e.article_id "
                "WHERE e.type = 'meeting' AND a.published LIKE '2026-01-14%' ORDER BY e.id"
            )
        )
    finally:
        db.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, nlp_full) -> Config:
    return fill_from_seeds(tmp_path_factory.mktemp("seeded"), nlp_full)


SEED_DAY = date(2026, 1, 14)  # seed-003 is published 2026-01-14T09:30+05:30


@pytest.mark.integration
def test_html_shows_the_ministerial_meeting_with_evidence_and_chart(seeded, tmp_path):
    meetings = stored_meetings(seeded.db_path)
    assert meetings, "the pipeline stored no meeting for the Finance Ministerial"
    db = open_database(seeded.db_path, readonly=True)
    digest = build_digest(db, SEED_DAY, tz=UTC)
    db.close()

    paths = write_digest(digest, tmp_path / "out")
    assert sorted(p.suffix for p in paths) == [".html", ".md", ".png"]
    html = next(p for p in paths if p.suffix == ".html").read_text()
    page = lxml.html.fromstring(html)
    (section,) = page.xpath("//section[@id='events-meeting']")
    shown = [b.text_content().strip() for b in section.xpath(".//blockquote[@class='evidence']")]
    assert shown == [m["evidence"] for m in meetings]
    assert any("Ashwini Vaishnaw" in s or "ministerial" in s.lower() for s in shown)
    links = {a.get("href") for a in section.xpath(".//a")}
    assert any(link.endswith("seed-003.html") for link in links)

    (img,) = page.xpath("//img[@id='mineral-chart']")
    src = img.get("src")
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_MAGIC)
    assert "rare earth elements" in {t.mineral for t in digest.minerals}

    md = next(p for p in paths if p.suffix == ".md").read_text()
    meeting_part = md.split("### Meeting", 1)[1].split("\n### ", 1)[0]
    for m in meetings:
        assert " ".join(m["evidence"].split()) in meeting_part
    for events in digest.events_by_type.values():
        for e in events:
            assert " ".join(e.evidence.split()) in md


@pytest.mark.integration
def test_cli_writes_the_digest_without_progress_noise_when_piped(seeded, tmp_path):
    import subprocess
    import sys

    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{seeded.db_path}"\n')
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "--config",
            str(config),
            "digest",
            "--date",
            SEED_DAY.isoformat(),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # no progress bar when not a terminal
    assert "digest 2026-01-14" in proc.stdout
    assert (tmp_path / "out" / "digest-2026-01-14.html").is_file()

    quiet = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "--config",
            str(config),
            "digest",
            "--date",
            "2026-01-01",
            "--out",
            str(tmp_path / "out"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    empty = (tmp_path / "out" / "digest-2026-01-01.md").read_text()
    assert "Nothing new" in empty


@pytest.mark.integration
def test_digest_over_seeds_and_the_dev_corpus(seeded, shared_dir, nlp_full, tmp_path):
    """The acceptance case: seeds plus dev texts, each on its own day.

    Only the short dev texts: extraction of the long ones costs seconds each and
    adds nothing the digest would show differently.
    """
    import shutil

    from extractors import extract

    path = tmp_path / "both.db"
    shutil.copy(seeded.db_path, path)
    lines = [json.loads(x) for x in (shared_dir / "eval" / "dev_texts.jsonl").open()]
    lines = [x for x in lines if len(x["text"]) < 1300]
    inputs = [ExtractInput(id=x["id"], text=x["text"], title=x["title"]) for x in lines]
    stored = 0
    with Store.open(path) as store:
        for x, extraction in zip(lines, extract(nlp_full, inputs), strict=True):
            article = ArticleText(
                source=x["source"],
                url=f"https://dev.example/{x['id']}",
                canonical_url=f"https://dev.example/{x['id']}",
                title=x["title"],
                authors=(),
                published=x["published"],
                language="en",
                text=x["text"],
                text_hash=hashlib.sha256(x["text"].encode()).hexdigest(),
            )
            stored += (
                store.add_article(article, extraction, "2026-03-01T00:00:00+00:00") is not None
            )
    assert stored >= 5

    db = open_database(path, readonly=True)
    try:
        seed_day = build_digest(db, SEED_DAY, tz=UTC)
        dev_day = build_digest(db, date(2016, 11, 3), tz=UTC)  # g5w1h-0, naive "00:00:00"
        fetched_day = build_digest(db, date(2026, 3, 1), tz=UTC)
    finally:
        db.close()
    meetings = stored_meetings(path)
    assert [e.evidence for e in seed_day.events_by_type["meeting"]] == [
        m["evidence"] for m in meetings
    ]
    assert dev_day.article_count == 1  # a dev article lands on its own published day
    # Reuters dates ("25-MAR-1987 06:18:55.81") are not ISO: those count on their fetch day.
    assert fetched_day.article_count == sum(
        not re.match(r"\d{4}-\d\d-\d\d", x["published"] or "") for x in lines
    )
    chart = mineral_chart(seed_day)
    assert chart is not None and chart.startswith(PNG_MAGIC)
