"""The desk digest (`digest --watch NAME`) as Markdown, mail-safe HTML and a chart (PNG).

The same Jinja2 environment as the daily digest (escaping included), its own
templates: watch_digest.md.j2 and watch_digest.html.j2. The chart draws mentions
per day of every watched mineral and entity over the 14 days before the window's end.
"""

from __future__ import annotations

import base64
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import jinja2

from pipeline.core.config import EmailConfig
from pipeline.digest.mailer import send_message
from pipeline.digest.ranking import WatchDigest
from pipeline.digest.render import _environment, file_stem, png_bytes

CHART_CID = "watch-chart@newswatch"


def _env(markdown: bool) -> jinja2.Environment:
    env = _environment(markdown=markdown)
    env.filters["term_label"] = lambda t: str(t).split(":", 1)[-1]
    return env


def render_watch_markdown(digest: WatchDigest, chart_file: str | None = None) -> str:
    template = _env(markdown=True).get_template("watch_digest.md.j2")
    return template.render(w=digest, chart_file=chart_file)


def render_watch_html(
    digest: WatchDigest, chart_png: bytes | None, chart_src: str | None = None
) -> str:
    if chart_png is not None and chart_src is None:
        chart_src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    if chart_png is None:
        chart_src = None
    return (
        _env(markdown=False)
        .get_template("watch_digest.html.j2")
        .render(w=digest, chart_src=chart_src)
    )


def watch_chart(digest: WatchDigest) -> bytes | None:
    """Mentions per day of the watched terms (PNG); None when none was mentioned."""
    series = {k: v for k, v in digest.chart_series.items() if any(v)}
    if not series:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(7, 3.2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    days = [d[5:] for d in digest.chart_days]
    for name, counts in series.items():
        ax.plot(days, counts, marker="o", markersize=3, label=name)
    ax.set_ylabel("mentions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelrotation=60, labelsize=8)
    ax.set_title(f"{digest.watch}: mentions per day, last {len(days)} days")
    ax.legend(fontsize="small", frameon=False)
    return png_bytes(fig)


def write_watch_digest(digest: WatchDigest, out_dir: str | Path) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(f"{digest.label}-{digest.watch}")
    chart = watch_chart(digest)
    written = []
    if chart is not None:
        png = out / f"{stem}.png"
        png.write_bytes(chart)
        written.append(png)
    md = out / f"{stem}.md"
    md.write_text(
        render_watch_markdown(digest, chart_file=f"{stem}.png" if chart else None),
        encoding="utf-8",
    )
    html = out / f"{stem}.html"
    html.write_text(render_watch_html(digest, chart), encoding="utf-8")
    return [md, html, *written]


def email_watch_digest(config: EmailConfig, digest: WatchDigest, to: tuple[str, ...]) -> None:
    """The desk digest by mail: text (Markdown) and HTML with the chart inline (cid)."""
    chart = watch_chart(digest)
    msg = EmailMessage()
    msg["Subject"] = (
        f"newswatch digest for {digest.watch}, {digest.label}: {len(digest.items)} stories matching"
    )
    msg["From"] = config.sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="newswatch")
    msg.set_content(render_watch_markdown(digest))
    msg.add_alternative(
        render_watch_html(digest, chart, chart_src=f"cid:{CHART_CID}" if chart else None),
        subtype="html",
    )
    if chart is not None:
        html_part = next(p for p in msg.iter_parts() if p.get_content_type() == "text/html")
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(
            chart, maintype="image", subtype="png", cid=f"<{CHART_CID}>", disposition="inline"
        )
    send_message(config, msg)
