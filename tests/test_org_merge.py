"""Merging an article's organisation records: which shorter forms fold into which
longer names (extractors/org_merge.py), without a model."""

from __future__ import annotations

from extractors.names import name_key
from extractors.org_merge import OrgRecord, is_bare_head, merge_short_forms


def record(name: str, named_alone: bool = True) -> OrgRecord:
    return OrgRecord(name, name_key(name), named_alone=named_alone)


def names(records: list[OrgRecord]) -> set[str]:
    return {r.name for r in records}


def test_a_short_form_folds_into_the_full_name_of_the_same_body():
    merged = merge_short_forms(
        [
            record("Labour Party"),
            record("Labour"),
            record("Treasury Department"),
            record("Treasury"),
        ],
        set(),
        frozenset({"treasury"}),
    )
    assert names(merged) == {"Labour Party", "Treasury Department"}


def test_a_whole_body_named_on_its_own_stays_apart_from_a_body_inside_it():
    whole = frozenset({"senate", "european community", "house"})
    merged = merge_short_forms(
        [
            record("Senate Finance Committee"),
            record("Senate"),
            record("European Community Commission"),
            record("European Community"),
        ],
        set(),
        whole,
    )
    assert names(merged) == {
        "Senate Finance Committee", "Senate", "European Community Commission", "European Community",
    }  # fmt: skip
    # named only as the modifier of the committee's noun ("the House committee on China"),
    # or not known as a body of its own, it is the committee's short form
    for short, bodies in (
        (record("House", named_alone=False), whole),
        (record("House"), frozenset()),
    ):
        merged = merge_short_forms([record("House China Committee"), short], set(), bodies)
        assert names(merged) == {"House China Committee"}


HEADS = frozenset({"committee", "bank", "bureau", "inc"})


def test_a_name_without_its_qualifier_folds_into_the_one_name_ending_that_way():
    merged = merge_short_forms(
        [record("House Agriculture Committee"), record("Agriculture Committee")],
        set(),
        heads=HEADS,
    )
    assert names(merged) == {"House Agriculture Committee"}
    # two names end that way: which one is meant is not known
    two = [record("House Agriculture Committee"), record("Senate Agriculture Committee")]
    merged = merge_short_forms([*two, record("Agriculture Committee")], set(), heads=HEADS)
    assert names(merged) == {
        "House Agriculture Committee", "Senate Agriculture Committee", "Agriculture Committee",
    }  # fmt: skip
    # a name that ends in its domain, not a head word, is a body of its own
    merged = merge_short_forms(
        [record("Royal Bank of Canada"), record("Bank of Canada")], set(), heads=HEADS
    )
    assert names(merged) == {"Royal Bank of Canada", "Bank of Canada"}


def test_a_bare_head_word_folds_into_the_only_body_of_the_article_ending_in_it():
    heads = frozenset({"agency", "department", "congress"})
    merged = merge_short_forms(
        [record("European Space Agency"), record("Agency")], set(), frozenset(), heads
    )
    assert names(merged) == {"European Space Agency"}
    two = merge_short_forms(
        [record("Commerce Department"), record("Labor Department"), record("Department")],
        set(),
        frozenset(),
        heads,
    )
    assert names(two) == {"Commerce Department", "Labor Department", "Department"}
    # a body of its own is no head word standing for another
    whole = merge_short_forms(
        [record("Congress"), record("Mexican Congress")],
        set(),
        frozenset({"congress"}),
        heads,
    )
    assert names(whole) == {"Congress", "Mexican Congress"}


def test_a_bare_head_word_names_no_body_of_its_own():
    heads = frozenset({"agency", "department", "congress"})
    whole = frozenset({"congress"})
    assert is_bare_head(record("Department"), whole, heads)
    assert not is_bare_head(record("Congress"), whole, heads)  # a body of its own
    assert not is_bare_head(record("Commerce Department"), whole, heads)
    acronym = record("Agency")
    acronym.acronym = "AG"  # the article gives it a short form: it names something
    assert not is_bare_head(acronym, whole, heads)
