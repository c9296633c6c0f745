"""`newswatch kb`: the office-holder knowledge base (who held which office, and when).

    kb who --office O --country C --on DATE   who held it (shipped KB + kept rows)
    kb show NAME                              what the KB knows about a person
    kb add --name N [--qid Q] [--alias A]... [--office O --country C --start D --end D]
                                              an analyst's correction, kept in the database
    kb update [--endpoint URL]                refresh heads of state and government from
                                              Wikidata's SPARQL endpoint into the database

Rows kept in the database are used by every run from then on; `newswatch reprocess
--all` applies them to stored articles.
"""

from __future__ import annotations

import re
from typing import Any

import click

from pipeline.cli.support import echo, echo_json, user_errors


@click.group()
def kb() -> None:
    """The office-holder knowledge base: look up, correct, refresh."""


@kb.command()
@click.option("--office", required=True, help='The office, e.g. "President", "Prime Minister".')
@click.option("--country", default=None, help='The country, e.g. "United States", "India".')
@click.option("--on", "on", required=True, metavar="DATE", help="The date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
@user_errors
def who(obj: Any, office: str, country: str | None, on: str, fmt: str) -> None:
    """Who held OFFICE for COUNTRY on the date DATE."""
    if not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", on):
        raise click.UsageError(f"--on: {on!r} is not a date (YYYY-MM-DD)")
    if country is not None:
        country = _country(country)
    found = _kb(obj).who(office, country, on)
    rows = [
        {
            "name": p.name,
            "kb_id": p.qid,
            "office": t.office,
            "country": t.country,
            "start": t.start,
            "end": t.end,
            "source": t.source,
        }
        for p, t in found
    ]
    if fmt == "json":
        echo_json(rows, ensure_ascii=False)
        return
    if not rows:
        echo(f"no one in the KB held {office!r}{' for ' + country if country else ''} on {on}")
        raise SystemExit(1)
    for r in rows:
        span = f"{r['start'] or '?'} .. {r['end'] or 'now'}"
        echo(f"{r['name']}\t{r['kb_id'] or '-'}\t{r['office']}, {r['country']}\t{span}")


@kb.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_obj
@user_errors
def show(obj: Any, name: str, fmt: str) -> None:
    """What the KB knows about NAME: ids, other names, offices with dates."""
    people = _kb(obj).find(name)
    data = [
        {
            "name": p.name,
            "kb_id": p.qid,
            "aliases": p.aliases,
            "offices": [
                {"office": t.office, "country": t.country, "start": t.start, "end": t.end}
                for t in sorted(p.tenures, key=lambda t: t.start or "")
            ],
        }
        for p in people
    ]
    if fmt == "json":
        echo_json(data, ensure_ascii=False)
        return
    if not data:
        echo(f"no one named {name!r} in the KB")
        raise SystemExit(1)
    for person in data:
        aka = f" (also {', '.join(person['aliases'])})" if person["aliases"] else ""
        echo(f"{person['name']}\t{person['kb_id'] or '-'}{aka}")
        for t in person["offices"]:
            echo(f"  {t['office']}, {t['country']}\t{t['start'] or '?'} .. {t['end'] or 'now'}")


@kb.command()
@click.option("--name", required=True, help="The person's name as news writes it.")
@click.option("--qid", default=None, help="The person's Wikidata id (Q...).")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
@click.option("--office", default=None, help="An office the person holds or held.")
@click.option("--country", default=None, help="The office's country.")
@click.option("--start", default=None, help="Took office (YYYY-MM-DD).")
@click.option("--end", default=None, help="Left office (YYYY-MM-DD; none: still in office).")
@click.option("--note", default=None, help="Why (kept with the row).")
@click.pass_obj
@user_errors
def add(
    obj: Any,
    name: str,
    qid: str | None,
    aliases: tuple[str, ...],
    office: str | None,
    country: str | None,
    start: str | None,
    end: str | None,
    note: str | None,
) -> None:
    """Add or correct an office holder or a name; kept in the database.

    A row with --office replaces what the KB had for that person in that office and
    country; one with only --alias/--qid adds names. `newswatch reprocess --all`
    applies it to stored articles; runs use it from now on.
    """
    from pipeline.kb.entries import analyst_row
    from pipeline.run import RunContext, open_writer
    from storage import kb_entries

    try:
        row = analyst_row(
            name, qid=qid, aliases=aliases, office=office, country=country, start=start, end=end
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with open_writer(obj.config, RunContext()) as store:
        entry_id = kb_entries.add(store.db, row, store.now(), note)
    what = f"{row.office}, {row.country or 'no country'}" if row.office else "names"
    echo(f"kb entry {entry_id}: {row.name} ({what}); `newswatch reprocess --all` applies it")


@kb.command()
@click.option(
    "--endpoint",
    envvar="NEWSWATCH_KB_ENDPOINT",
    default=None,
    help="SPARQL endpoint (default Wikidata's; env NEWSWATCH_KB_ENDPOINT).",
)
@click.option("--timeout", type=float, default=120.0, show_default=True, help="Seconds.")
@click.pass_obj
@user_errors
def update(obj: Any, endpoint: str | None, timeout: float) -> None:
    """Refresh heads of state and government from Wikidata into the database."""
    from pipeline.kb.wikidata import (
        DEFAULT_ENDPOINT,
        HEADS_QUERY,
        KBUpdateError,
        fetch_results,
        rows_from_results,
    )
    from pipeline.run import RunContext, open_writer
    from storage import kb_entries

    url = endpoint or DEFAULT_ENDPOINT
    config = obj.config
    try:
        answer = fetch_results(
            url, HEADS_QUERY, user_agent=config.fetch.user_agent_header, timeout=timeout
        )
    except KBUpdateError as exc:
        echo(f"newswatch: kb update: {exc}", err=True)
        raise SystemExit(1) from None
    refresh = rows_from_results(answer)
    if not refresh.rows:
        echo(f"newswatch: kb update: {url} answered no usable row; the KB is unchanged", err=True)
        raise SystemExit(1)
    with open_writer(config, RunContext()) as store:
        n = kb_entries.replace_source(store.db, kb_entries.WIKIDATA, refresh.rows, store.now())
    echo(f"kb update: {n} tenures from {url} ({refresh.skipped} answers skipped)")


def _kb(obj: Any) -> Any:
    """The shipped KB plus the rows kept in the configured database, when there is one."""
    from pipeline.core.config import config_path
    from pipeline.kb.entries import current_kb

    db_path = obj.config.db_path if config_path(obj.config_path).exists() else None
    return current_kb(db_path)


def _country(name: str) -> str:
    from pipeline.kb.sources import canonical_country

    found = canonical_country(name)
    if found is None:
        raise click.UsageError(f"--country: {name!r} is not a country newswatch knows")
    return found
