"""`newswatch reprocess` and `newswatch stories`.

Registered on the main group at the end of pipeline/cli.py. `reprocess` writes
(it takes the writer lock, like `run`); `stories` only reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipeline.cli.support import echo, echo_json, user_errors
from pipeline.core.encoders import terminal_line


@click.command()
@click.option("--since", metavar="WHEN", help="Only articles published on or after (7d ago).")
@click.option("--all", "every", is_flag=True, help="Every article, even up-to-date ones.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
@click.pass_obj
@user_errors
def reprocess(obj: Any, since: str | None, every: bool, as_json: bool) -> None:
    """Re-run text and NLP extraction on stored pages and say what changed.

    By default only articles extracted by an older extractor version; --since
    narrows to recent articles, --all takes up-to-date ones too.
    """
    import dataclasses

    from pipeline.reprocess import reprocess as run_reprocess

    report = run_reprocess(obj.config, since=since, all=every)
    if as_json:
        data = dataclasses.asdict(report)
        data["totals"] = report.totals()
        echo_json(data, indent=2, ensure_ascii=False)
        return
    echo(format_report(report))


def format_report(report: Any) -> str:
    lines = [
        f"reprocessed {report.selected} article{'' if report.selected == 1 else 's'} "
        f"with extractor {report.extractor_version}: {len(report.diffs)} changed, "
        f"{report.unchanged} unchanged, {len(report.failed)} failed"
    ]
    for diff in report.diffs:
        text = ", text changed" if diff.text_changed else ""
        lines.append(
            f"  article {diff.article_id} {terminal_line(diff.url)}{text}: "
            f"entities {diff.entities.counts()}, "
            f"mentions {diff.mentions.counts()}, events {diff.events.counts()}"
        )
        for kind in ("entities", "mentions", "events"):
            changes = getattr(diff, kind)
            for sign, labels in (
                ("+", changes.added),
                ("-", changes.removed),
                ("~", changes.changed),
            ):
                lines += [
                    f"    {sign} {kind[:-1] if kind != 'entities' else 'entity'} {terminal_line(x)}"
                    for x in labels
                ]
    lines += [f"  failed  {terminal_line(f)}" for f in report.failed]
    if not report.diffs and not report.failed:
        lines.append("nothing changed")
    return "\n".join(lines)


@click.command()
@click.option("--min-copies", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_obj
@user_errors
def stories(obj: Any, min_copies: int, limit: int, db_path: Path | None) -> None:
    """Syndicated stories: copies, outlets and the originating wire, most picked-up first."""
    from pipeline.read.stories import syndicated_stories
    from storage import open_database

    db = open_database(db_path or obj.config.db_path, readonly=True)
    try:
        found = syndicated_stories(db, min_copies=min_copies, limit=limit)
    finally:
        db.close()
    for story in found:
        c = story.cluster
        title, url = terminal_line(story.title or story.url), terminal_line(story.url)
        echo(
            f"{c.pickup_count} cop{'y' if c.pickup_count == 1 else 'ies'}  "
            f"wire {c.wire or '-'}  {title}\n"
            f"    {url}\n    outlets: {terminal_line(', '.join(c.outlets))}"
        )
    echo(f"{len(found)} stor{'y' if len(found) == 1 else 'ies'}", err=True)
