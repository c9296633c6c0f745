"""What every `newswatch` command module shares: turning errors into one line, and
printing through the terminal encoder.

Commands print with `echo` / `echo_json`, never click.echo or print: titles, URLs and
error texts come from feeds and pages, and a terminal must not receive their escape
sequences (pipeline/core/encoders.py; tests/test_output_encoders.py checks that no
command module prints another way).

Its own module so that pipeline/cli.py can import the command modules that use it
without an import cycle.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

import click

from pipeline.core.encoders import json_text, terminal_line, terminal_text
from pipeline.core.errors import USER_ERRORS, exit_code_of

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def one_line_errors() -> Iterator[None]:
    """NewswatchError → one line on stderr and its exit code, never a traceback.

    A SQLite error that outlived the busy timeout (a reader racing a migration, a
    disk problem) is shown the same way, with exit code 1.
    """
    try:
        yield
    except USER_ERRORS as exc:
        click.echo(f"newswatch: {terminal_line(exc)}", err=True)
        sys.exit(exit_code_of(exc))
    except sqlite3.OperationalError as exc:
        message = terminal_line(f"database error: {exc}; try again in a moment")
        click.echo(f"newswatch: {message}", err=True)
        sys.exit(1)
    except sqlite3.DatabaseError as exc:  # "database disk image is malformed": damage
        message = terminal_line(
            f"database error: {exc}; the file is damaged (`newswatch run` refuses to write "
            "to it; `sqlite3 FILE .recover` saves what is readable)"
        )
        click.echo(f"newswatch: {message}", err=True)
        sys.exit(1)


def echo(text: Any, *, err: bool = False) -> None:
    """click.echo of `text` made safe for a terminal (newlines kept, controls dropped)."""
    click.echo(terminal_text(text), err=err)


def echo_json(value: Any, **dumps_options: Any) -> None:
    """`value` as JSON on stdout, with no raw control character in its strings."""
    click.echo(json_text(value, **dumps_options))


def user_errors(func: F) -> F:
    """`one_line_errors` as a decorator for click commands."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with one_line_errors():
            return func(*args, **kwargs)

    return cast(F, wrapper)
