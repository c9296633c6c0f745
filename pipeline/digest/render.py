"""The digest as people read it: Markdown, one HTML page, and a mineral chart (PNG).

`render_markdown` and `render_html` fill the Jinja2 templates in pipeline/digest/templates;
`mineral_chart` draws the window's mineral mentions against the previous 7 days;
`write_digest` writes all three next to each other. What goes into a digest is
decided in digest.py.

Titles, evidence and names come from the articles, so both templates escape every
value by default: HTML by Jinja2's autoescape, Markdown (also the email's text part)
by `markdown_finalize` (pipeline/core/encoders.py), which backslash-escapes what
would make a link, an image, raw HTML, emphasis or a heading. Link targets go
through `md_url` / `safe_url`: http, https and file URLs only.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any

import jinja2

from pipeline.core.encoders import markdown_finalize, markdown_url, safe_url
from pipeline.digest.build import Digest

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _environment(markdown: bool = False) -> jinja2.Environment:
    # Loaded relative to this file: works from a checkout and from an installed
    # package once templates/* is package data.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Markdown has no autoescape of its own: every {{ value }} is escaped here.
        finalize=markdown_finalize if markdown else None,
    )
    env.filters["event_label"] = lambda t: t.replace("_", " ")
    env.filters["md_url"] = markdown_url
    env.filters["safe_url"] = safe_url
    return env


def render_markdown(digest: Digest, chart_file: str | None = None) -> str:
    """The digest as Markdown (also the email's text part); `chart_file` links the PNG."""
    template = _environment(markdown=True).get_template("digest.md.j2")
    return template.render(d=digest, chart_file=chart_file)


def render_html(digest: Digest, chart_png: bytes | None, chart_src: str | None = None) -> str:
    """The digest as one HTML page; the chart inline as a data URI unless `chart_src`
    says where else it is (the email uses "cid:...")."""
    if chart_png is not None and chart_src is None:
        chart_src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    if chart_png is None:
        chart_src = None
    return _environment().get_template("digest.html.j2").render(d=digest, chart_src=chart_src)


def mineral_chart(digest: Digest, top: int = 10) -> bytes | None:
    """Mineral mentions in the window against the previous 7 days' daily average (PNG).

    None when no mineral was mentioned in the window or the 7 days before.
    """
    trends = digest.minerals[:top]
    if not trends:
        return None
    # The Figure API directly, on the Agg canvas: no pyplot, so no global figure
    # registry or backend switch leaks into the caller's process.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    names = [t.mineral for t in reversed(trends)]
    fig = Figure(figsize=(7, 0.45 * len(names) + 1.8), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ys = range(len(names))
    height = 0.38
    ax.barh(
        [y + height / 2 for y in ys],
        [t.count for t in reversed(trends)],
        height,
        label=digest.label,
        color="#1f6feb",
    )
    ax.barh(
        [y - height / 2 for y in ys],
        [t.previous_daily_avg for t in reversed(trends)],
        height,
        label="previous 7 days, daily average",
        color="#bbbbbb",
    )
    ax.set_yticks(list(ys), names)
    ax.set_xlabel("mentions")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"Mineral mentions, {digest.label}")
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize="small", frameon=False
    )
    return png_bytes(fig)


def png_bytes(fig: Any) -> bytes:
    """A finished chart as PNG bytes, with no Software/date metadata: the same digest
    gives the same bytes (the desk digest's chart uses it too)."""
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def file_stem(label: str) -> str:
    """The file name stem of a digest: "digest-" and its label, safe for any file system."""
    return "digest-" + re.sub(r"[^0-9A-Za-z-]+", "_", label).strip("_")


def write_digest(digest: Digest, out_dir: str | Path) -> list[Path]:
    """Write digest-<label>.md, .html (chart embedded) and .png (when there is a chart)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(digest.label)
    chart = mineral_chart(digest)
    written = []
    if chart is not None:
        png = out / f"{stem}.png"
        png.write_bytes(chart)
        written.append(png)
    md = out / f"{stem}.md"
    md.write_text(
        render_markdown(digest, chart_file=f"{stem}.png" if chart else None), encoding="utf-8"
    )
    html = out / f"{stem}.html"
    html.write_text(render_html(digest, chart), encoding="utf-8")
    return [md, html, *written]
