"""Entity and event pages, a search that links to them, and the alerts feed, in `newswatch serve`.

A Datasette plugin (registered by webui.build_datasette): its routes render our own
Jinja2 templates (pipeline/read/templates) from pipeline/read/entities.py, on
Datasette's read-only connections, so the pages are as read-only as the rest.

    /-/newswatch/search?q=QUERY        search results, each with the entities it names
    /-/newswatch/entity/ID              an official, organisation, mineral or country
    /-/newswatch/entity?name=N[&type=T] the entity with that name or alias (redirect)
    /-/newswatch/event/ID               an event: evidence, participants, every outlet
    /-/alerts.atom, /-/alerts/NAME.atom the watch alerts as Atom (pipeline/watch)

Datasette's own tables link here: event rows (id, participants), mention rows and
entity names. Timelines are inline SVG drawn here: no script, no external asset.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import sqlite_utils
from datasette import hookimpl

from pipeline.read import entities

DB_NAME = "newswatch"
PREFIX = "/-/newswatch"
TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_BARS = 120


def entity_url(entity_id: int) -> str:
    return f"{PREFIX}/entity/{entity_id}"


def entity_name_url(name: str, type_: str | None = None) -> str:
    url = f"{PREFIX}/entity?name={quote(name)}"
    return url + (f"&type={quote(type_)}" if type_ else "")


def event_url(event_id: int) -> str:
    return f"{PREFIX}/event/{event_id}"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(entity_url=entity_url, event_url=event_url, db_name=DB_NAME)
    env.filters["label"] = lambda t: str(t or "").replace("_", " ")
    env.filters["highlight"] = _highlight
    return env


def _highlight(snippet: str) -> Any:
    from markupsafe import Markup

    open_, close = entities.HIGHLIGHT
    text = html.escape(snippet or "")
    return Markup(text.replace(open_, "<mark>").replace(close, "</mark>"))


_ENV = _environment()


def timeline_svg(points: list[tuple[str, int]], what: str = "mentions") -> str:
    """A bar chart of counts per day (per month when the span is long), as inline SVG."""
    buckets = _buckets(points)
    if not buckets:
        return ""
    width, height, pad = 640, 140, 24
    top = max(c for _, c in buckets) or 1
    bar = (width - 2 * pad) / len(buckets)
    parts = [
        f'<svg class="timeline" role="img" aria-label="{what} over time" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, count) in enumerate(buckets):
        h = (height - 2 * pad) * count / top
        x, y = pad + i * bar, height - pad - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{max(bar - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="#1f6feb"><title>{html.escape(label)}: {count} {what}'
            "</title></rect>"
        )
    parts.append(
        f'<text x="{pad}" y="{height - 6}" font-size="11">{html.escape(buckets[0][0])}</text>'
        f'<text x="{width - pad}" y="{height - 6}" font-size="11" text-anchor="end">'
        f"{html.escape(buckets[-1][0])}</text>"
        f'<text x="{pad}" y="14" font-size="11">max {top} {what} per bar</text></svg>'
    )
    return "".join(parts)


def _buckets(points: list[tuple[str, int]]) -> list[tuple[str, int]]:
    days: dict[date, int] = {}
    for text, count in points:
        try:
            when = date.fromisoformat(text[:10])
        except ValueError:
            continue
        days[when] = days.get(when, 0) + count
    if not days:
        return []
    first, last = min(days), max(days)
    span = (last - first).days + 1
    if span <= MAX_BARS:  # every day, empty ones too: a gap is information
        return [
            ((first + timedelta(d)).isoformat(), days.get(first + timedelta(d), 0))
            for d in range(span)
        ]
    months: dict[str, int] = {}
    for when, count in sorted(days.items()):
        month = when.isoformat()[:7]
        months[month] = months.get(month, 0) + count
    return list(months.items())


async def _read(datasette: Any, fn: Callable[[sqlite_utils.Database], Any]) -> Any:
    db = datasette.get_database(DB_NAME)
    return await db.execute_fn(
        lambda conn: fn(sqlite_utils.Database(conn, recursive_triggers=False))
    )


def _page(template: str, status: int = 200, **context: Any) -> Any:
    from datasette.utils.asgi import Response

    return Response.html(_ENV.get_template(template).render(**context), status=status)


def _not_found(what: str) -> Any:
    return _page("nw_missing.html.j2", status=404, what=what)


async def search_view(datasette: Any, request: Any) -> Any:
    query = (request.args.get("q") or "").strip()
    results: list[entities.SearchResult] = []
    error = None
    if query:
        try:
            results = await _read(datasette, lambda db: entities.search_with_entities(db, query))
        except Exception as exc:  # a query FTS5 cannot parse: say so on the page
            from pipeline.core.errors import QueryError

            if not isinstance(exc, QueryError):
                raise
            error = str(exc)
    return _page("nw_search.html.j2", query=query, results=results, error=error)


async def entity_view(datasette: Any, request: Any) -> Any:
    entity_id = int(request.url_vars["id"])
    page = await _read(datasette, lambda db: entities.entity_page(db, entity_id))
    if page is None:
        return _not_found(f"entity {entity_id}")
    what = "mentions"
    return _page("nw_entity.html.j2", e=page, timeline=timeline_svg(page.timeline, what))


async def entity_by_name_view(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    name = request.args.get("name") or ""
    type_ = request.args.get("type") or None
    found = await _read(datasette, lambda db: entities.find_entity(db, name, type_))
    if found is None:
        return _not_found(f"an entity named {name!r}")
    return Response.redirect(entity_url(found))


async def event_view(datasette: Any, request: Any) -> Any:
    event_id = int(request.url_vars["id"])
    page = await _read(datasette, lambda db: entities.event_page(db, event_id))
    if page is None:
        return _not_found(f"event {event_id}")
    return _page("nw_event.html.j2", ev=page)


async def alerts_feed_view(datasette: Any, request: Any) -> Any:
    from datasette.utils.asgi import Response

    from pipeline.watch.ledger import list_alerts
    from pipeline.watch.render import atom_feed

    watch = request.url_vars.get("watch")
    alerts = await _read(datasette, lambda db: list_alerts(db, watch))
    body = atom_feed(alerts, watch, self_url=str(request.url))
    return Response(body, content_type="application/atom+xml; charset=utf-8")


class EntityPagesPlugin:
    """The Datasette hooks of the pages above."""

    @staticmethod
    @hookimpl
    def register_routes() -> list[tuple[str, Any]]:
        return [
            (rf"^{PREFIX}/search$", search_view),
            (rf"^{PREFIX}/entity/(?P<id>\d+)$", entity_view),
            (rf"^{PREFIX}/entity$", entity_by_name_view),
            (rf"^{PREFIX}/event/(?P<id>\d+)$", event_view),
            (r"^/-/alerts\.atom$", alerts_feed_view),
            (r"^/-/alerts/(?P<watch>[A-Za-z0-9][A-Za-z0-9._-]*)\.atom$", alerts_feed_view),
        ]

    @staticmethod
    @hookimpl
    def menu_links(datasette: Any, actor: Any) -> list[dict[str, str]]:
        return [
            {"href": f"{PREFIX}/search", "label": "Search with entity pages"},
            {"href": "/-/alerts.atom", "label": "Watch alerts (Atom)"},
        ]

    @staticmethod
    @hookimpl
    def render_cell(row: Any, value: Any, column: str, table: str | None, database: str) -> Any:
        return _linked_cell(row, value, column, table)


def _linked_cell(row: Any, value: Any, column: str, table: str | None) -> Any:
    from markupsafe import Markup, escape

    if table == "event_list" and column == "id" and isinstance(value, int):
        return Markup(f'<a href="{event_url(value)}">event {value}</a>')
    if table == "event_list" and column == "participants" and isinstance(value, str):
        import json

        try:
            names = json.loads(value)
        except ValueError:
            return None
        links = [f'<a href="{escape(entity_name_url(str(n)))}">{escape(n)}</a>' for n in names]
        return Markup(", ".join(links))
    keys = row.keys() if hasattr(row, "keys") else []
    if table == "mention_list" and column == "entity" and "entity_id" in keys:
        return Markup(f'<a href="{entity_url(int(row["entity_id"]))}">{escape(value)}</a>')
    if table == "entities" and column == "canonical_name" and "id" in keys:
        return Markup(f'<a href="{entity_url(int(row["id"]))}">{escape(value)}</a>')
    return None


def register_pages(pm: Any) -> None:
    """Register the plugin on Datasette's plugin manager once per process."""
    if not pm.is_registered(EntityPagesPlugin):
        pm.register(EntityPagesPlugin, name="newswatch-entity-pages")
