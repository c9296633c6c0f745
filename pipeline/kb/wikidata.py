"""`newswatch kb update`: refresh office holders from a Wikidata SPARQL endpoint.

The query asks for every holder of the head-of-state and head-of-government offices
of the sovereign states (P1906, P1313), with the dates of the position-held (P39)
statement and the person's English aliases. The answer (SPARQL 1.1 JSON results)
becomes KB rows with source 'wikidata', which replace the previous refresh in the
database in one transaction; the shipped KB is never rewritten. The endpoint is
configurable (`--endpoint`, or NEWSWATCH_KB_ENDPOINT), so an offline deployment can
point it at a mirror, and tests at a local server replaying recorded answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from extractors.kb import QID_RE, KBRow
from pipeline.kb.sources import canonical_country

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"

HEADS_QUERY = """\
SELECT ?person ?personLabel ?alias ?positionLabel ?countryLabel ?start ?end WHERE {
  ?country wdt:P31 wd:Q3624078 .
  { ?country wdt:P1906 ?position } UNION { ?country wdt:P1313 ?position }
  ?person p:P39 ?held .
  ?held ps:P39 ?position .
  OPTIONAL { ?held pq:P580 ?start }
  OPTIONAL { ?held pq:P582 ?end }
  OPTIONAL { ?person skos:altLabel ?alias . FILTER(LANG(?alias) = "en") }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "en". }
}
"""


class KBUpdateError(Exception):
    """The endpoint could not be asked, or its answer is not SPARQL JSON results."""


@dataclass
class Refresh:
    rows: list[KBRow] = field(default_factory=list)
    skipped: int = 0  # bindings without a usable person, office or country


def fetch_results(
    endpoint: str,
    query: str,
    *,
    user_agent: str,
    timeout: float = 120.0,
    client: httpx.Client | None = None,
) -> Mapping[str, Any]:
    """GET the query (as WDQS documents it; cacheable) and return the JSON answer."""
    headers = {"Accept": "application/sparql-results+json", "User-Agent": user_agent}
    own = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        response = http.get(endpoint, params={"query": query, "format": "json"}, headers=headers)
        response.raise_for_status()
        answer = response.json()
    except httpx.HTTPStatusError as exc:
        raise KBUpdateError(f"{endpoint}: HTTP {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise KBUpdateError(f"{endpoint}: {type(exc).__name__}: {exc}") from None
    except ValueError:
        raise KBUpdateError(f"{endpoint}: the answer is not JSON") from None
    finally:
        if own:
            http.close()
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), dict):
        raise KBUpdateError(f"{endpoint}: the answer is not SPARQL JSON results")
    return answer


def rows_from_results(answer: Mapping[str, Any]) -> Refresh:
    """One KB row per person, office, country and start; aliases gathered."""
    grouped: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    refresh = Refresh()
    for binding in answer["results"].get("bindings", []):
        value = {k: v.get("value", "") for k, v in binding.items() if isinstance(v, dict)}
        qid = value.get("person", "").rsplit("/", 1)[-1]
        name = value.get("personLabel", "").strip()
        office = value.get("positionLabel", "").strip()
        country = canonical_country(value.get("countryLabel", ""))
        if not QID_RE.match(qid) or not name or QID_RE.match(name) or not office or not country:
            refresh.skipped += 1
            continue
        start, end = _date(value.get("start")), _date(value.get("end"))
        key = (qid, office, country, start or "")
        entry = grouped.setdefault(
            key,
            {"name": name, "aliases": [], "start": start, "end": end},
        )
        alias = value.get("alias", "").strip()
        if alias and alias != name and alias not in entry["aliases"]:
            entry["aliases"].append(alias)
    for (qid, office, country, _), entry in sorted(grouped.items()):
        refresh.rows.append(
            KBRow(
                name=entry["name"],
                office=office[:1].upper() + office[1:],
                country=country,
                start=entry["start"],
                end=entry["end"],
                qid=qid,
                aliases=tuple(entry["aliases"]),
                source="wikidata",
                pid=qid,
            )
        )
    return refresh


def _date(value: str | None) -> str | None:
    """'2009-01-20T00:00:00Z' -> '2009-01-20' (a year-only value stays a year)."""
    if not value:
        return None
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    year, month, day = m.groups()
    if month == "00":
        return year
    return f"{year}-{month}" if day == "00" else f"{year}-{month}-{day}"


def iter_rows(refresh: Refresh) -> Iterator[KBRow]:
    yield from refresh.rows
