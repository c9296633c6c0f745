"""Near-duplicate detection: syndicated copies cluster, different stories on one topic don't."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.stories.neardup import (
    DEFAULT_THRESHOLD,
    SignatureError,
    StoryIndex,
    shingle_words,
    signature,
    similarity,
)

# Invented stories (not copied from any outlet), written the way wire copy reads.
LITHIUM = [
    "The Ministry of Mines on Tuesday launched the fourth tranche of critical mineral block "
    "auctions, offering 21 blocks of lithium, graphite, nickel and rare earth elements spread "
    "across Jammu and Kashmir, Chhattisgarh, Odisha and Tamil Nadu.",
    "Officials said the blocks had been explored to the G3 and G4 stages and that bidders would "
    "be judged on the share of mineral value they offer to the state governments concerned.",
    '"India imports almost all of its lithium today, and these auctions are the first step '
    'towards a domestic supply chain for batteries," a senior official told reporters in the '
    "capital, adding that tender documents could be bought from the online portal until March.",
    "The government has also asked public sector explorers to speed up surveys of cobalt and "
    "vanadium deposits, which industry bodies say will be needed for the electric vehicle "
    "programme over the next decade.",
]
COPPER_A = [
    "Copper prices rose to a three-month high on the London Metal Exchange on Monday after "
    "Chile's state miner reported lower output at two of its largest mines because of heavy "
    "snowfall in the Andes.",
    "Three-month copper climbed 1.8 percent to 9,420 dollars a tonne by the close, while "
    "inventories in LME-registered warehouses fell for a sixth consecutive session.",
    "Traders said Chinese smelters had stepped up purchases of concentrate ahead of the new year "
    "holiday, and that a weaker dollar made metals cheaper for holders of other currencies.",
]
COPPER_B = [
    "Zambia's copper output fell 6 percent in the first quarter as power shortages forced mines "
    "in the Copperbelt province to cut production, the chamber of mines said on Thursday.",
    "The country produced 178,000 tonnes of copper in the three months to March, compared with "
    "189,000 tonnes a year earlier, as drought lowered water levels at the Kariba dam.",
    "Mining companies have turned to imported electricity from Mozambique at higher prices, and "
    "the chamber warned that the price of copper alone would not cover the extra cost.",
]


def outlet_copy(paras, *, head=(), tail=(), dateline="", quotes='"', cut=0):
    body = [p.replace('"', quotes) for p in paras[: len(paras) - cut]]
    body[0] = dateline + body[0]
    return "\n\n".join([*head, *body, *tail])


@pytest.fixture()
def lithium_copies():
    return {
        "ians": outlet_copy(
            LITHIUM, dateline="New Delhi, Jan 14 (IANS) ", tail=("--IANS", "lkj/rs")
        ),
        "portal": outlet_copy(
            LITHIUM,
            head=("By IANS", "Highlights: Fourth tranche of critical mineral auctions launched"),
            tail=("(With inputs from IANS)", "Also read: Government eyes graphite parks in Odisha"),
            dateline="NEW DELHI: ",
            quotes="“",
        ),
        "cut": outlet_copy(LITHIUM, dateline="New Delhi (IANS) — ", cut=1),
    }


def test_syndicated_copies_have_high_similarity(lithium_copies):
    sigs = {k: signature(v) for k, v in lithium_copies.items()}
    assert similarity(sigs["ians"], sigs["portal"]) >= DEFAULT_THRESHOLD
    assert similarity(sigs["ians"], sigs["cut"]) >= DEFAULT_THRESHOLD


def test_same_topic_stories_are_not_similar():
    a, b = signature("\n\n".join(COPPER_A)), signature("\n\n".join(COPPER_B))
    assert similarity(a, b) < 0.1


def test_index_clusters_copies_and_keeps_other_stories_apart(lithium_copies):
    index = StoryIndex()
    first = index.add(1, lithium_copies["ians"], "2024-01-14T09:00:00+05:30")
    assert first.is_new_cluster and first.cluster_id == 1
    assert index.add(2, "\n\n".join(COPPER_A), "2024-01-14").is_new_cluster
    assert index.add(3, "\n\n".join(COPPER_B), "2024-01-14").is_new_cluster
    copy = index.add(4, lithium_copies["portal"], "2024-01-14T06:00:00Z")
    assert not copy.is_new_cluster
    assert copy.cluster_id == 1
    assert copy.similarity is not None and copy.similarity >= index.threshold
    # 09:00+05:30 is 03:30Z, earlier than the portal's 06:00Z: the IANS copy stays canonical
    assert copy.canonical_id == 1
    cut = index.add(5, lithium_copies["cut"], None)
    assert cut.cluster_id == 1
    clusters = {c.cluster_id: c.members for c in index.clusters()}
    assert clusters == {1: (1, 4, 5), 2: (2,), 3: (3,)}


def test_canonical_is_the_earliest_published_copy(lithium_copies):
    index = StoryIndex()
    index.add("late", lithium_copies["ians"], "2024-01-15")
    assignment = index.add("early", lithium_copies["portal"], "2024-01-14T23:00:00-02:00")
    assert assignment.cluster_id == "late"  # the id handed out first stays
    assert assignment.canonical_id == "late"  # 23:00-02:00 is 01:00Z on the 15th, later
    assignment = index.add("earliest", lithium_copies["cut"], "2024-01-14")
    assert assignment.canonical_id == "earliest"
    assert index.cluster_of("late").canonical_id == "earliest"


def test_rebuild_from_persisted_signatures_gives_the_same_clusters(lithium_copies):
    texts = [
        (10, lithium_copies["ians"], "2024-01-14"),
        (11, "\n\n".join(COPPER_A), None),
        (12, lithium_copies["portal"], "2024-01-13"),
        (13, "\n\n".join(COPPER_B), "2024-01-12"),
    ]
    live = StoryIndex()
    for article_id, text, published in texts:
        live.add(article_id, text, published)
    stored = [(aid, bytes(signature(text)), published) for aid, text, published in texts]
    rebuilt = StoryIndex.from_signatures(stored)
    assert rebuilt.clusters() == live.clusters()
    assert rebuilt.cluster_of(12).canonical_id == 12


def test_a_copy_matching_two_clusters_merges_them():
    # Two halves of one long story arrive first (as two outlets' heavy cuts), then the full copy.
    long_story = LITHIUM + COPPER_A  # long enough that each half alone is its own cluster
    first_half = "\n\n".join(long_story[:4])
    second_half = "\n\n".join(long_story[3:])
    index = StoryIndex(threshold=0.4)
    a = index.add("a", first_half)
    b = index.add("b", second_half)
    assert a.is_new_cluster and b.is_new_cluster
    full = index.add("full", "\n\n".join(long_story))
    assert full.cluster_id == "a" and full.merged == ("b",)
    assert [c.members for c in index.clusters()] == [("a", "b", "full")]


def test_normalisation_ignores_case_punctuation_quotes_and_wire_marks():
    words = shingle_words("LONDON (Reuters) - Copper's “rally” — it said.\n\nAlso read: x\n--IANS")
    assert words == ["copper", "s", "rally", "it", "said"]


@pytest.mark.parametrize("bad", ["", "   \n\n ", "--- !!! ---"])
def test_text_without_words_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="no words"):
        signature(bad)
    with pytest.raises(ValueError, match="no words"):
        StoryIndex().add(1, bad)


def test_bad_signature_bytes_are_a_clear_error():
    with pytest.raises(SignatureError):
        similarity(b"not a signature", signature("some words here"))
    good = signature("some words here and more")
    with pytest.raises(SignatureError):
        similarity(b"XXXX" + good[4:], good)


def test_duplicate_ids_and_bad_thresholds_are_rejected():
    index = StoryIndex()
    index.add(1, "some words here and more")
    with pytest.raises(ValueError, match="already"):
        index.add(1, "other words entirely")
    with pytest.raises(ValueError, match="threshold"):
        StoryIndex(threshold=1.5)


FLOORS = Path(__file__).resolve().parents[1] / "benchmarks" / "syndication_floors.json"


@pytest.mark.shared
def test_pairing_precision_and_recall_at_or_above_floors(shared_dir):
    from benchmarks.syndication_pairs import build_pairs, sweep

    floors = json.loads(FLOORS.read_text())
    pairs = build_pairs(
        shared_dir, stories_limit=floors["subset_stories"], hosts_limit=floors["subset_hosts"]
    )
    assert any(p.label for p in pairs.pairs) and any(not p.label for p in pairs.pairs)
    (row,) = sweep(pairs, (DEFAULT_THRESHOLD,))
    assert row["precision"] >= floors["precision"], row
    assert row["recall"] >= floors["recall"], row
