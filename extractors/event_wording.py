"""How an event's sentence is worded: a trained reading that is one of the filter's features.

The event filter's other features (extractors/event_scores.py) describe the event and
its article, not its words; what they cannot tell apart is worded differently: "signed
a contract to supply", "held talks on" against "said it was not aware of", "would be
likely to". This is a logistic regression over the evidence sentence's words, fitted by
`make train` on the same labelled events as the filter, and read by the filter as one
feature (the logit of its probability). Its features are the relevance model's (the
content words of the sentence and adjacent pairs of them, lower-cased, each counted once,
the sum divided by the square root of their number), so it ships and scores as that
model does: a table of weights in data/event_scores/wording/, no scikit-learn needed.

The filter must learn how far to trust it from readings of sentences the wording model
never saw, or it would learn the wording model's fit to its own training sentences:
`out_of_fold` gives each training event the reading of a wording model fitted without
its story (five folds by story).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.lexicons import DATA_DIR
from extractors.linear_models import logit, read_linear_model, text_matrix, write_linear_model
from extractors.relevance import RelevanceModel, features

# data/event_scores/wording/, beside the filter's own weights
SUBDIR = "wording"
MODEL_DIR = DATA_DIR / "event_scores" / SUBDIR
FOLDS = 5
SEED = 17
# a word or pair in fewer training sentences than this is left out of the vocabulary
MIN_SENTENCES = 3
# lbfgs's inverse regularisation strength (scikit-learn's default): with about 900
# sentences, stronger fits learn the folds' own sentences (measured on the judged wire
# events of benchmarks/wire_events.py, never fitted on)
REGULARISATION_C = 1.0


@dataclass(frozen=True)
class WordingModel(RelevanceModel):
    """Word and word-pair weights over an evidence sentence, scored like the relevance
    model (`probability(text)`); the threshold is unused (it is a feature, not a gate)."""

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> WordingModel:
        return cls(*read_linear_model(directory, "event wording"))


def fit(sentences: Sequence[str], labels: Sequence[int]) -> WordingModel:
    """The wording model fitted on these sentences (1: an event to keep, 0: noise)."""
    from sklearn.linear_model import LogisticRegression

    vocab, x = text_matrix([features(s) for s in sentences], MIN_SENTENCES)
    if not vocab:  # no word in enough sentences: the base rate is all there is to read
        share = sum(labels) / len(labels) if labels else 0.5
        return WordingModel({}, round(logit(share), 5), 0.5)
    model = LogisticRegression(C=REGULARISATION_C, max_iter=5000, random_state=SEED)
    model.fit(x, list(labels))
    weights = {f: round(float(w), 5) for f, w in zip(vocab, model.coef_[0], strict=True)}
    return WordingModel(weights, round(float(model.intercept_[0]), 5), 0.5)


def out_of_fold(
    stories: Sequence[str], sentences: Sequence[str], labels: Sequence[int]
) -> list[float]:
    """Each sentence's probability from a wording model fitted without its story."""
    fold = [zlib.crc32(f"{story}|wording".encode()) % FOLDS for story in stories]
    out = [0.5] * len(sentences)
    for k in range(FOLDS):
        train = [i for i, f in enumerate(fold) if f != k]
        held = [i for i, f in enumerate(fold) if f == k]
        if not held:
            continue
        if len({labels[i] for i in train}) < 2:  # too few stories to fit: no reading
            continue
        model = fit([sentences[i] for i in train], [labels[i] for i in train])
        for i in held:
            out[i] = model.probability(sentences[i])
    return out


def write(model: WordingModel, directory: Path, meta: dict[str, object]) -> None:
    """The model folder `read_linear_model` reads (weights.tsv, model.json)."""
    header = (
        "newswatch event wording model: feature<TAB>weight (extractors/event_wording.py).",
        "Written by `make train` (extractors/event_scores_train.py); do not edit by hand.",
    )
    body = {"bias": model.bias, "threshold": model.threshold, **meta}
    write_linear_model(directory, header, model.weights, body)
