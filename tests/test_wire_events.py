"""The judged wire events the event filter never saw (benchmarks/wire_events.py): the
set is what it says it is, and the filter buys precision on it."""

from __future__ import annotations

import re

import pytest

from benchmarks.wire_events import figures, read_judged, wire_examples
from extractors.evaluate import read_jsonl
from extractors.event_scores import MODEL_DIR, EventScoreModel
from extractors.event_scores_train import JUDGED, Example


def test_each_judgment_is_whole_and_none_is_in_the_training_file():
    judged = read_judged()
    assert len(judged) == 299  # every event the rules found there on 2026-12-06
    assert len({(j["article"], j["evidence"]) for j in judged}) == len(judged)
    for j in judged:
        assert j["verdict"] in ("event", "noise") and j["reason"].strip(), j
        assert re.fullmatch(r"reuters-\d+", j["article"])
    fitted = {j["article"] for j in read_jsonl(JUDGED)}
    assert not fitted & {j["article"] for j in judged}  # never a story the fit read


def test_the_stories_are_held_out_and_none_is_dev_or_check(shared_dir):
    from extractors.relevance_train import read_stories

    corpus = shared_dir / "corpora/labelled_news/reuters21578_train.jsonl"
    evals = [shared_dir / "eval/dev_texts.jsonl", shared_dir / "eval/check_texts.jsonl"]
    stories, _ = read_stories(corpus, evals)  # dev and check stories left out here
    held = {f"reuters-{s.id}": s for s in stories if s.held_out}
    for j in read_judged():
        story = held.get(j["article"])
        assert story is not None, j["article"]  # the relevance model never saw it either
        squeeze = " ".join(j["evidence"].split())
        assert squeeze in " ".join(story.text.split()), j


def test_figures_are_the_floors_figures_on_the_events_given():
    pytest.importorskip("sklearn")
    judged = [
        {"article": "a", "evidence": "Chile signed a copper pact.", "verdict": "event"},
        {"article": "a", "evidence": "Peru cut copper output.", "verdict": "event"},
        {"article": "b", "evidence": "Sales rose 5 pct.", "verdict": "noise"},
    ]
    data = [
        Example("a", "judged", {}, 1, "Chile signed a copper pact."),
        Example("b", "judged", {}, 0, "Sales rose 5 pct."),
    ]  # the rules no longer find Peru's cut: dropped in the chain
    out = figures(data, [0.9, 0.6], judged)
    assert out["events_found"] == 2 and out["roc_auc"] == 1.0
    assert out["judged_events_at_threshold"] == {
        "precision": 0.5,
        "recall": 1.0,
        "kept": 2,
        "of": 2,
    }
    chain = out["judged_chain_at_threshold"]
    assert (chain["of"], chain["kept"], chain["recall"]) == (3, 2, 0.5)


@pytest.mark.integration
def test_the_filter_buys_precision_on_wire_events_it_never_saw(shared_dir):
    judged = read_judged()
    data = wire_examples(shared_dir, judged)
    assert len(data) >= 0.9 * len(judged)  # the rules still find what was judged
    model = EventScoreModel.load(MODEL_DIR)
    out = figures(data, [model.probability(ex.features) for ex in data], judged)
    chain, alone = out["judged_chain_at_threshold"], out["judged_chain_unfiltered"]
    # Read on 2026-12-06: the filter before the wording reading, ROC AUC 0.652, precision
    # 0.674 against the rules' 0.555, recall 0.572; with it (extractors/event_wording.py)
    # 0.711, 0.715, 0.711; 0.709, 0.703, 0.699 after the organisation rules it let land;
    # 0.768, 0.738, 0.729 with the farm commodities in the relevance gate's scope (floors
    # raised from 0.15, 0.12 and 0.65); read dated since the seventeenth round (the stories
    # had been read undated), 0.768, 0.708 against the rules' 0.554, 0.773; 0.767, 0.705
    # against 0.554, 0.761 with reports dated to different days kept apart (eighteenth
    # round: the precision margin is 0.151, just over its floor); 0.765, 0.712 against
    # 0.554, 0.773 with one type done by two actors in a sentence kept as two (nineteenth
    # round; the margin 0.158); 0.770, 0.719 against 0.554, 0.785 once a data release
    # under a wire headline was no statement (margin 0.165); 0.774, 0.725 against 0.554,
    # 0.791 with a trigger under a noun of aim read as sought and a deal naming a mine,
    # smelter or refinery kept in scope (twentieth round; margin 0.171). These claims are the
    # filter's worth on stories it never saw, with a margin; not the cross-validated
    # figures the floors in test_event_scores read.
    assert chain["roc_auc"] >= alone["roc_auc"] + 0.20
    assert chain["precision"] >= alone["precision"] + 0.15
    assert chain["recall"] >= 0.70
