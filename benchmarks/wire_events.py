"""The event filter on judged wire events it was never fitted on (a validation set).

    python -m benchmarks.wire_events [--shared ../shared]

The filter (extractors/event_scores.py) is fitted on the judged events of
extractors/data/event_scores/judged_events.jsonl, and its floors in
tests/test_event_scores.py read its cross-validated figures on them. This is a second
set of the same kind, kept out of the fit: every event today's training pipeline (the
default one up to the events component, the relevance gate open) found on 2026-12-06
in the Reuters-21578 TRAIN stories that the relevance model holds out and that neither
the judged file, dev nor check holds (1,111 stories; 299 events in 230 of them), each
judged by stream_noise's protocol with ../shared/spec/extraction.md and
../shared/eval/NOTES.md at hand, in `wire_events_verdicts.jsonl` (four reviewers, each
with 50 earlier judgments to match; company deals outside minerals, energy and
commodities with no state party and no border crossed went to "noise", as NOTES leaves
out an aircraft order). The shipped model scores them as the component would; the
figures are those the floors read, here on stories the fit never saw: the filter's
precision and recall over the judged events the rules find, its ROC AUC, and the chain
(rules and filter together over every judged sentence; one the rules no longer find
counts as dropped). Do not fit on these verdicts or tune on their errors, or they stop
telling whether the filter generalises.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from benchmarks.harness import shared_dir
from extractors.evaluate import read_jsonl
from extractors.event_scores import EventScoreModel
from extractors.event_scores_train import (
    Example,
    examples,
    judged_figures,
    reuters_inputs,
    training_pipeline,
)
from extractors.event_wording import WordingModel

VERDICTS = Path(__file__).with_name("wire_events_verdicts.jsonl")
REUTERS = Path("corpora/labelled_news/reuters21578_train.jsonl")


def read_judged(path: Path = VERDICTS) -> list[dict[str, Any]]:
    return read_jsonl(path)


def wire_examples(shared: Path, judged: list[dict[str, Any]]) -> list[Example]:
    """The events the training pipeline finds in the judged stories, with their verdicts."""
    wanted = {j["article"] for j in judged}
    inputs = list(reuters_inputs(shared / REUTERS, wanted))
    # read by the shipped wording model, as the component reads them
    return examples(training_pipeline(), judged, inputs, {}, [], WordingModel.load())


def figures(
    data: list[Example], scores: list[float], judged: list[dict[str, Any]]
) -> dict[str, Any]:
    """What the floors read, on these events: the filter's and the chain's figures, and
    the rules' alone beside them."""
    from sklearn.metrics import roc_auc_score

    labels = [ex.label for ex in data]
    return {
        "events_found": len(data),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        **judged_figures(data, scores, judged),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=None, help="../shared by default")
    args = parser.parse_args(argv)
    judged = read_judged()
    data = wire_examples(shared_dir(args.shared), judged)
    model = EventScoreModel.load()
    result = figures(data, [model.probability(ex.features) for ex in data], judged)
    kept, rules = result["judged_events_at_threshold"], result["judged_events_unfiltered"]
    chain, alone = result["judged_chain_at_threshold"], result["judged_chain_unfiltered"]
    print(
        f"{len(judged)} judged wire events the filter never saw; the rules find "
        f"{result['events_found']}: filter ROC AUC {result['roc_auc']:.3f}, kept "
        f"{kept['kept']} of {kept['of']}, precision {kept['precision']:.3f} (rules alone "
        f"{rules['precision']:.3f}), recall {kept['recall']:.3f}"
    )
    print(
        f"chain over the {chain['of']} judged sentences: ROC AUC {chain['roc_auc']:.3f} "
        f"(rules alone {alone['roc_auc']:.3f}), precision {chain['precision']:.3f} "
        f"(rules alone {alone['precision']:.3f}), recall {chain['recall']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
