"""The progress bar of `run --once`: feeds polled, pages fetched, articles extracted.

Drawn by rich on stderr, and only at a terminal: piped or redirected output (cron,
the scheduler, a test, a log file) gets nothing at all, not even control codes.
`run_progress()` yields the callback a RunContext takes as `progress`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from pipeline.run import no_progress

Sink = Callable[[str, int], None]


@contextmanager
def run_progress(quiet: bool = False, console: Console | None = None) -> Iterator[Sink]:
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield no_progress
        return
    with Progress(
        TextColumn("{task.description:<20}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks = {
            "feed": progress.add_task("feeds polled", total=None),
            "page": progress.add_task("pages fetched", total=0),
            "article": progress.add_task("articles extracted", total=None),
        }
        yield _sink(progress, tasks)


def _sink(progress: Progress, tasks: dict[str, TaskID]) -> Sink:
    def update(step: str, count: int) -> None:
        if step == "feeds":
            progress.update(tasks["feed"], total=count)
        elif step == "pages":
            for name in ("page", "article"):
                total = progress.tasks[tasks[name]].total or 0
                progress.update(tasks[name], total=total + count)
        elif step in tasks:
            progress.advance(tasks[step], count)

    return update
