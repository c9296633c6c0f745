"""`newswatch digest --watch NAME`: the desk's matches ranked by salience, copies collapsed,
furniture never quoted, the rest summarised; first-seen entities worth a look; the chart.

The database comes from a real `run --once` (real model) over the two seeds, a syndicated
copy of seed-003 in another outlet, a page whose only lithium sentence is a follow-us line,
and a page about something else.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.core.config import load_config
from pipeline.digest.ranking import FURNITURE, build_watch_digest
from pipeline.digest.watch_render import render_watch_html, render_watch_markdown, watch_chart
from storage import open_database
from tests.test_mailer import smtp_server  # noqa: F401  (fixture: aiosmtpd on 127.0.0.1)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "samples" / "seeds"
START = datetime(2000, 1, 1, tzinfo=UTC)

FURNITURE_PAGE = """<!DOCTYPE html><html><head><title>Garden show opens</title></head><body>
<article><h1>Garden show opens in town</h1>
<p>The annual garden show opened on Saturday with more than two hundred stalls selling plants,
tools and seeds to visitors from across the county.</p>
<p>Organisers said the rain held off for most of the day and the tea tent sold out by noon.</p>
<p>The show continues on Sunday, with a prize for the largest marrow at four o'clock.</p>
<p>Visit us on Facebook for the latest lithium battery deals and garden news.</p>
</article></body></html>"""

OTHER_PAGE = """<!DOCTYPE html><html><head><title>Local team wins the cup</title></head><body>
<article><h1>Local team wins the cup</h1>
<p>The town's football team won the county cup on Saturday, beating their rivals two goals to
one in front of a crowd of four thousand at the old ground.</p>
<p>The captain said the squad had trained hard all season and deserved the trophy.</p>
<p>The team will parade the cup through the town centre next weekend.</p>
</article></body></html>"""


def _feed(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid></item>"
        for t, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"<link>https://t.example/</link><description>t</description>{body}</channel></rss>"
    )


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("desk")
    shutil.copytree(SEEDS, tmp / "seeds")
    other = tmp / "other"
    other.mkdir()
    copy = (SEEDS / "seed-003.html").read_text(encoding="utf-8")
    copy = copy.replace("<p>lkj/rs</p>", "<p>Carried from the wire by Other Outlet Daily.</p>")
    (other / "copy.html").write_text(copy, encoding="utf-8")
    (other / "garden.html").write_text(FURNITURE_PAGE, encoding="utf-8")
    (other / "cup.html").write_text(OTHER_PAGE, encoding="utf-8")
    (other / "feed.xml").write_text(
        _feed([("copy", "copy.html"), ("garden", "garden.html"), ("cup", "cup.html")]),
        encoding="utf-8",
    )
    config = tmp / "config.toml"
    config.write_text(
        f'[storage]\npath = "{tmp / "nw.db"}"\n'
        f'[[feeds]]\nname = "sample-seeds"\nurl = "{tmp / "seeds" / "feed.xml"}"\n'
        f'[[feeds]]\nname = "other-outlet"\nurl = "{other / "feed.xml"}"\n'
        '[[watch]]\nname = "critical-minerals"\nminerals = ["lithium", "rare earth elements"]\n'
        'countries = ["India"]\nentities = ["USISPF", "Minerals Security Partnership"]\n'
        'keywords = ["export ban"]\nevent_types = ["agreement", "trade_measure", "licensing"]\n',
        encoding="utf-8",
    )
    ran = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "run", "--once"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert "5 new articles" in ran.stdout, ran.stdout
    return config


def _digest(config_path: Path):
    config = load_config(config_path)
    db = open_database(config.db_path, readonly=True)
    try:
        now = datetime.now(UTC)
        return build_watch_digest(db, config.watch[0], START, now, UTC, label="all time", now=now)
    finally:
        db.close()


def test_seed_stories_lead_ranked_with_copies_collapsed(desk: Path) -> None:
    digest = _digest(desk)
    titles = [i.title for i in digest.items]
    assert len(titles) == 2, titles  # the two seed stories; the copy is not a third item
    assert {t.split()[0] for t in titles} == {"USISPF", "India"}
    usispf = next(i for i in digest.items if i.title.startswith("USISPF"))
    assert usispf.outlets == ["other-outlet", "sample-seeds"]  # reported by both outlets
    assert usispf is digest.items[0]  # two outlets, two officials: the most salient
    assert digest.items[0].salience > digest.items[1].salience
    assert usispf.parts["outlets"] > digest.items[1].parts["outlets"]
    assert "Ashwini Vaishnaw" in usispf.officials
    assert "entity:USISPF" in usispf.matched


def test_furniture_is_never_quoted_and_the_rest_is_one_line(desk: Path) -> None:
    digest = _digest(desk)
    for item in digest.items:
        assert not FURNITURE.search(item.evidence), item.evidence
    assert all("garden" not in (i.title or "").lower() for i in digest.items)
    assert digest.out_of_scope == 2  # the garden show and the cup final
    assert digest.out_of_scope_line.startswith("2 other stories matched nothing")


def test_first_seen_worth_a_look_and_the_chart(desk: Path) -> None:
    digest = _digest(desk)
    names = [w.name for w in digest.first_seen]
    assert names[:2] == ["Ashwini Vaishnaw", "Scott Bessent"]
    assert "US-India Strategic Partnership Forum" in names
    assert all(w.why for w in digest.first_seen)
    assert len(digest.chart_days) == 14
    assert set(digest.chart_series) == {"lithium", "rare earth elements", "USISPF"}
    assert digest.unresolved == ["Minerals Security Partnership"]
    png = watch_chart(digest)
    assert png is not None and png.startswith(b"\x89PNG")


def test_the_html_reads_in_a_mail_client(desk: Path) -> None:
    digest = _digest(desk)
    html = render_watch_html(digest, watch_chart(digest), chart_src="cid:watch-chart@newswatch")
    assert "<script" not in html and "<style" not in html  # inline styles only
    assert html.index("USISPF welcomes India") < html.index("India and the United States Aim")
    assert 'src="cid:watch-chart@newswatch"' in html
    text = render_watch_markdown(digest)
    assert text.index("## Matching the watch") < text.index("## First seen, worth a look")


def test_the_command_writes_the_files_and_json(desk: Path, tmp_path: Path) -> None:
    cli = [sys.executable, "-m", "pipeline.cli", "--config", str(desk), "digest"]
    args = ["--watch", "critical-minerals", "--since", "2000-01-01"]
    done = subprocess.run([*cli, *args, "--out", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "2 of 4 stories match" in done.stdout
    written = sorted(p.suffix for p in tmp_path.iterdir())
    assert written == [".html", ".md", ".png"]
    as_json = subprocess.run([*cli, *args, "--format", "json"], capture_output=True, text=True)
    data = json.loads(as_json.stdout)
    assert data["watch"] == "critical-minerals" and len(data["items"]) == 2
    unknown = subprocess.run([*cli, "--watch", "nope"], capture_output=True, text=True)
    assert unknown.returncode == 2 and "no watch named 'nope'" in unknown.stderr


def test_the_desk_digest_by_mail_has_text_html_and_the_chart(desk: Path, smtp_server) -> None:  # noqa: F811
    from pipeline.core.config import EmailConfig
    from pipeline.digest.watch_render import email_watch_digest

    inbox, port = smtp_server()
    email = EmailConfig(
        host="127.0.0.1",
        port=port,
        starttls=False,
        sender="nw@example.org",
        recipients=("a@b.org",),
    )
    email_watch_digest(email, _digest(desk), ("desk@example.org",))
    ((rcpt, msg),) = inbox.messages
    assert rcpt == ["desk@example.org"]
    assert msg["Subject"].startswith("newswatch digest for critical-minerals")
    assert "## Matching the watch" in msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",))
    assert 'src="cid:watch-chart@newswatch"' in html.get_content()
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<watch-chart@newswatch>"
