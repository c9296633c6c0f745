"""Entity linking across the corpus: one entity per official / organisation / mineral / country."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.records import Event, Extraction, Official, Organization
from pipeline.core.models import ArticleText
from storage import Store, find_entity, open_database
from tests.test_storage import make_article, mention


@dataclass(frozen=True)
class Doc:
    """A tiny article and what an extractor found in it; surfaces must occur in `text`."""

    text: str
    published: str | None
    officials: Sequence[tuple[str, str | None, str | None]] = ()  # name, role, country
    orgs: Sequence[tuple[str, str | None, str]] = ()  # name, acronym, kind
    minerals: Sequence[tuple[str, str]] = ()  # canonical, surface
    countries: Sequence[tuple[str, str]] = ()
    participants: Sequence[str] = field(default=())


def build(doc: Doc) -> tuple[ArticleText, Extraction]:
    a = make_article(doc.text, title=None, published=doc.published)
    officials = [Official(n, r, c, [mention(a, n)]) for n, r, c in doc.officials]
    orgs = [
        Organization(n, acr, kind, [mention(a, n)] + ([mention(a, acr)] if acr else []))
        for n, acr, kind in doc.orgs
    ]
    events = []
    if doc.participants:
        events.append(
            Event(
                type="meeting",
                evidence=doc.text,
                evidence_start=0,
                evidence_end=len(doc.text),
                participants=list(doc.participants),
            )
        )
    ex = Extraction(
        id=a.canonical_url,
        officials=officials,
        organizations=orgs,
        minerals=[mention(a, s, c) for c, s in doc.minerals],
        countries=[mention(a, s, c) for c, s in doc.countries],
        events=events,
        extractor_version="test-1",
    )
    return a, ex


def load(docs: Sequence[Doc]) -> Store:
    store = Store(open_database(":memory:"))
    for doc in docs:
        a, ex = build(doc)
        assert store.add_article(a, ex, "2025-02-01T00:00:00+00:00") is not None
    return store


def entities(store: Store, type_: str) -> list[dict]:
    rows = [dict(r) for r in store.db.query("SELECT * FROM entities WHERE type = ?", [type_])]
    for row in rows:
        row["aliases"] = json.loads(row["aliases"])
        row["attributes"] = json.loads(row["attributes"])
        row["history"] = json.loads(row["history"])
    return rows


MINISTER = Doc(
    "Minister Vaishnaw said talks went well.", "2025-01-03", [("Minister Vaishnaw", None, None)]
)
SURNAME = Doc("Vaishnaw spoke on Monday.", "2025-01-02", [("Vaishnaw", "Minister", "India")])
FULL = Doc(
    "Ashwini Vaishnaw met Scott Bessent.",
    "2025-01-05",
    [("Ashwini Vaishnaw", "Railways Minister", "India"), ("Scott Bessent", None, None)],
    participants=["Ashwini Vaishnaw", "Scott Bessent"],
)
OTHER_VAISHNAW = Doc(
    "Ravi Vaishnaw, an MP, objected.", "2025-01-07", [("Ravi Vaishnaw", "MP", "India")]
)


@pytest.mark.parametrize(
    "order", [(MINISTER, SURNAME, FULL), (FULL, MINISTER, SURNAME), (SURNAME, FULL, MINISTER)]
)
def test_surname_and_titled_forms_are_one_official(order: tuple[Doc, ...]) -> None:
    store = load(order)
    vaishnaw = [e for e in entities(store, "official") if "vaishnaw" in e["key"]]
    assert len(vaishnaw) == 1
    (e,) = vaishnaw
    assert e["canonical_name"] == "Ashwini Vaishnaw" and e["key"] == "ashwini vaishnaw"
    assert {"Vaishnaw", "Minister Vaishnaw", "Ashwini Vaishnaw"} <= set(e["aliases"])
    assert e["mention_count"] == 3
    assert (e["first_seen"], e["last_seen"]) == ("2025-01-02", "2025-01-05")
    # Latest non-null by article time: FULL (Jan 5) beats SURNAME (Jan 2); MINISTER has none.
    assert e["attributes"] == {"role": "Railways Minister", "country": "India"}
    assert set(e["history"]["role"]) == {"Minister", "Railways Minister"}
    for query in ("minister vaishnaw", "VAISHNAW", "Ashwini Vaishnaw"):
        assert [r["id"] for r in find_entity(store.db, query, type="official")] == [e["id"]]
    assert find_entity(store.db, "Vaishnaw", type="country") == []


def test_ambiguous_surname_keeps_its_own_entity_and_splits_out_again() -> None:
    store = load([SURNAME, FULL])  # Vaishnaw absorbed into Ashwini Vaishnaw...
    assert len([e for e in entities(store, "official") if "vaishnaw" in e["key"]]) == 1
    a, ex = build(OTHER_VAISHNAW)  # ...until a second Vaishnaw appears
    store.add_article(a, ex, "t")
    by_key = {e["key"]: e for e in entities(store, "official")}
    assert {"vaishnaw", "ashwini vaishnaw", "ravi vaishnaw"} <= set(by_key)
    assert by_key["vaishnaw"]["canonical_name"] == "Vaishnaw"
    assert by_key["vaishnaw"]["mention_count"] == 1
    assert by_key["ashwini vaishnaw"]["mention_count"] == 1
    assert "Vaishnaw" not in by_key["ashwini vaishnaw"]["aliases"]
    # The surname-only mention moved with its sighting.
    (moved,) = store.db.execute("SELECT entity_id FROM mentions WHERE text = 'Vaishnaw'").fetchall()
    assert moved[0] == by_key["vaishnaw"]["id"]
    assert len(find_entity(store.db, "vaishnaw")) == 1


USISPF_ALONE = Doc("USISPF welcomed the move.", "2025-01-03", orgs=[("USISPF", None, "forum")])
USISPF_FULL = Doc(
    "The US-India Strategic Partnership Forum (USISPF) hosted it.",
    "2025-01-04",
    orgs=[("US-India Strategic Partnership Forum", "USISPF", "forum")],
)
USISPF_DOTTED = Doc(
    "The U.S.\u2013India Strategic Partnership Forum spoke.",
    "2025-01-06",
    orgs=[("The U.S.\u2013India Strategic Partnership Forum", None, "forum")],
)


@pytest.mark.parametrize(
    "order",
    [
        (USISPF_ALONE, USISPF_FULL, USISPF_DOTTED),
        (USISPF_DOTTED, USISPF_FULL, USISPF_ALONE),
        (USISPF_ALONE, USISPF_DOTTED, USISPF_FULL),  # the full record bridges two entities
    ],
)
def test_acronym_pair_and_spelling_variants_are_one_organization(order: tuple[Doc, ...]) -> None:
    store = load(order)
    (e,) = entities(store, "organization")
    # The fullest name, in its plainest spelling, whatever came first.
    assert e["canonical_name"] == "US-India Strategic Partnership Forum"
    assert {"USISPF", "The U.S.\u2013India Strategic Partnership Forum"} <= set(e["aliases"])
    assert e["key"] == "us india strategic partnership forum"
    assert e["attributes"] == {"acronym": "USISPF", "kind": "forum"}
    assert e["mention_count"] == 4
    assert [r["id"] for r in find_entity(store.db, "usispf")] == [e["id"]]
    keys = {
        r[0]
        for r in store.db.execute("SELECT value FROM entity_keys WHERE entity_id = ?", [e["id"]])
    }
    assert keys == {"usispf", "us india strategic partnership forum"}


def test_different_organizations_stay_apart() -> None:
    docs = [
        Doc("US Treasury acted.", "2025-01-01", orgs=[("US Treasury", None, "government")]),
        Doc("The Treasury Forum met.", "2025-01-01", orgs=[("Treasury Forum", None, "forum")]),
        Doc("Quad leaders met.", "2025-01-01", orgs=[("Quad", None, "forum")]),
        USISPF_FULL,
    ]
    store = load(docs)
    assert {e["key"] for e in entities(store, "organization")} == {
        "us treasury",
        "treasury forum",
        "quad",
        "us india strategic partnership forum",
    }


def test_a_name_that_normalises_to_nothing_still_links_by_its_text() -> None:
    store = load([Doc("Officials (...) said.", "2025-01-01", orgs=[("(...)", None, "other")])])
    assert [e["key"] for e in entities(store, "organization")] == ["(...)"]


def test_minerals_and_countries_are_keyed_by_canonical_name() -> None:
    docs = [
        Doc(
            "Lithium and Li-ion demand rose in India.",
            "2025-01-09",
            minerals=[("lithium", "Lithium")],
            countries=[("India", "India")],
        ),
        Doc(
            "Indian lithium imports doubled.",
            "2025-01-01",
            minerals=[("lithium", "lithium")],
            countries=[("India", "Indian")],
        ),
    ]
    store = load(docs)
    (li,) = entities(store, "mineral")
    assert (li["canonical_name"], li["mention_count"]) == ("lithium", 2)
    assert (li["first_seen"], li["last_seen"]) == ("2025-01-01", "2025-01-09")
    (india,) = entities(store, "country")
    assert set(india["aliases"]) == {"India", "Indian"}
    assert find_entity(store.db, "indian")[0]["id"] == india["id"]


def test_first_and_last_seen_fall_back_to_fetch_time() -> None:
    store = load([Doc("Cobalt rose.", None, minerals=[("cobalt", "Cobalt")])])
    (co,) = entities(store, "mineral")
    assert co["first_seen"] == co["last_seen"] == "2025-02-01T00:00:00+00:00"


def test_event_participants_link_to_the_articles_entities() -> None:
    store = load([SURNAME, FULL])
    rows = store.db.execute(
        "SELECT p.name, e.canonical_name, p.kind FROM event_participants p "
        "JOIN entities e ON e.id = p.entity_id ORDER BY p.rowid"
    ).fetchall()
    assert [tuple(r) for r in rows] == [
        ("Ashwini Vaishnaw", "Ashwini Vaishnaw", "official"),
        ("Scott Bessent", "Scott Bessent", "official"),
    ]


# --- order independence ------------------------------------------------------------------------

POOL = (
    SURNAME,
    MINISTER,
    FULL,
    OTHER_VAISHNAW,
    USISPF_ALONE,
    USISPF_FULL,
    USISPF_DOTTED,
    Doc(
        "Bessent and the Minerals Security Partnership (MSP) discussed cobalt in Congo.",
        "2025-01-05",  # same day as FULL: attribute ties must not depend on order
        [("Bessent", "Treasury Secretary", "United States")],
        [("Minerals Security Partnership", "MSP", "forum")],
        minerals=[("cobalt", "cobalt")],
        countries=[("Democratic Republic of the Congo", "Congo")],
        participants=["Bessent", "MSP", "Democratic Republic of the Congo"],
    ),
    Doc(
        "MSP partners and Scott Bessent eyed lithium and cobalt.",
        "2025-01-05",
        [("Scott Bessent", "Secretary of the Treasury", "United States")],
        [("MSP", None, "other")],
        minerals=[("lithium", "lithium"), ("cobalt", "cobalt")],
        participants=["Scott Bessent", "MSP"],
    ),
    Doc(
        "Vaishnaw and USISPF spoke about lithium.",
        None,
        [("Vaishnaw", None, None)],
        [("USISPF", None, "forum")],
        minerals=[("lithium", "lithium")],
        participants=["Vaishnaw", "USISPF"],
    ),
)


def snapshot(store: Store) -> tuple:
    """Everything linking decides, with row ids replaced by what they point to."""
    db = store.db
    ents = sorted(
        tuple(r)
        for r in db.execute(
            "SELECT type, key, canonical_name, aliases, attributes, history, first_seen, "
            "last_seen, mention_count, extractor_version FROM entities"
        )
    )
    links = sorted(
        tuple(r)
        for r in db.execute(
            "SELECT a.canonical_url, ae.name, e.type, e.key FROM article_entities ae "
            "JOIN articles a ON a.id = ae.article_id JOIN entities e ON e.id = ae.entity_id"
        )
    )
    mentions = sorted(
        tuple(r)
        for r in db.execute(
            "SELECT a.canonical_url, m.text, m.start, e.key FROM mentions m "
            "JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id"
        )
    )
    participants = sorted(
        tuple(r)
        for r in db.execute(
            "SELECT a.canonical_url, p.name, p.kind, e.key FROM event_participants p "
            "JOIN events ev ON ev.id = p.event_id JOIN articles a ON a.id = ev.article_id "
            "LEFT JOIN entities e ON e.id = p.entity_id"
        )
    )
    return ents, links, mentions, participants


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(range(len(POOL))), unique=True, min_size=1))
def test_same_articles_in_any_order_give_the_same_entities(order: list[int]) -> None:
    shuffled = snapshot(load([POOL[i] for i in order]))
    in_order = snapshot(load([POOL[i] for i in sorted(order)]))
    assert shuffled == in_order


def test_the_whole_pool_links_as_documented() -> None:
    store = load(POOL)
    officials = {e["key"]: e for e in entities(store, "official")}
    # Two full-name Vaishnaws: the surname-only sightings keep their own entity.
    assert set(officials) == {"vaishnaw", "ashwini vaishnaw", "ravi vaishnaw", "scott bessent"}
    assert "Bessent" in officials["scott bessent"]["aliases"]
    orgs = {e["key"] for e in entities(store, "organization")}
    assert orgs == {"us india strategic partnership forum", "minerals security partnership"}
