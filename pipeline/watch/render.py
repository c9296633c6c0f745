"""Alerts as people and feed readers get them: an email (HTML + text) and an Atom feed.

The email is one message per watch and run, filled from Jinja2 templates beside
this file, with inline styles and a single-column table layout because mail
clients ignore style sheets. The Atom feed is written by feedgen: ids are tag
URIs built from the watch and the alert's ledger key, so an entry keeps its id
however often the feed is regenerated, and a reader never shows it twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from pipeline.watch.ledger import StoredAlert

TEMPLATES = Path(__file__).resolve().parent / "templates"
TAG_AUTHORITY = "newswatch.invalid,2026"  # tag: URIs need a name and a date (RFC 4151)


def term_label(term: str) -> str:
    """ "entity:USISPF" -> "USISPF"; keywords keep their quotes off."""
    return term.split(":", 1)[-1]


def alert_label(alert: dict[str, Any]) -> str:
    """What kind of alert it is, in a few words: the event type and name, or what it names."""
    event = alert.get("event") or {}
    if alert.get("kind") == "event":
        label = str(alert.get("type") or "event").replace("_", " ")
        return f"{label}: {event['name']}" if event.get("name") else label
    return "names " + ", ".join(term_label(t) for t in alert.get("matched", []))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["alert_label"] = alert_label
    env.filters["term_label"] = term_label
    return env


def render_email(watch: str, alerts: list[dict[str, Any]]) -> tuple[str, str]:
    """(HTML, text) of one email listing `alerts` (payload dicts) of one watch."""
    env = _environment()
    html = env.get_template("alerts.html.j2").render(watch=watch, alerts=alerts)
    text = env.get_template("alerts.txt.j2").render(watch=watch, alerts=alerts)
    return html, text


def entry_id(watch: str, key: str) -> str:
    return f"tag:{TAG_AUTHORITY}:alerts/{watch}/{key}"


def atom_feed(alerts: list[StoredAlert], watch: str | None, self_url: str | None = None) -> bytes:
    """An Atom 1.0 document of `alerts` (newest first), for one watch or all of them."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    scope = watch or "all"
    fg.id(f"tag:{TAG_AUTHORITY}:alerts/{scope}")
    fg.title(f"newswatch alerts: {scope}")
    fg.subtitle("Events and stories that matched the watch, with their evidence.")
    fg.author({"name": "newswatch"})
    fg.generator("newswatch")
    if self_url:
        fg.link(href=self_url, rel="self", type="application/atom+xml")
    # The feed's time is its newest entry's, so the same ledger gives the same bytes.
    fg.updated(alerts[0].decided_at if alerts else "2026-01-01T00:00:00+00:00")
    for alert in reversed(alerts):  # feedgen prepends: oldest in first, newest on top
        payload = alert.payload
        article = payload.get("article") or {}
        entry = fg.add_entry()
        entry.id(entry_id(alert.watch, alert.key))
        entry.title(f"{alert_label(payload)}: {article.get('title') or article.get('url')}")
        if article.get("url"):
            entry.link(href=article["url"], rel="alternate")
        entry.updated(alert.decided_at)
        entry.published(alert.decided_at)
        entry.category(term=alert.watch, label=f"watch {alert.watch}")
        entry.summary(payload.get("evidence") or "")
        entry.content(render_item(payload), type="html")
    return bytes(fg.atom_str(pretty=True))


def render_item(alert: dict[str, Any]) -> str:
    """One alert as an HTML fragment (an email's item, an Atom entry's content)."""
    return _environment().get_template("alert_item.html.j2").render(a=alert)
