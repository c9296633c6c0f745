"""The file format and the arithmetic the two trained components share.

The relevance gate (extractors/relevance.py) and the event score filter
(extractors/event_scores.py) are logistic regressions fitted by `make train` and
shipped as a folder: `weights.tsv` (feature <TAB> weight, read through
`lexicons.read_table`) and `model.json` (bias, threshold and what the training
recorded). Scoring needs no scikit-learn.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence, Set
from pathlib import Path
from typing import Any

from extractors.errors import LexiconError
from extractors.lexicons import read_table

WEIGHTS_FILE = "weights.tsv"
MODEL_FILE = "model.json"


def read_linear_model(directory: Path, what: str) -> tuple[dict[str, float], float, float]:
    """Weights, bias and threshold of a shipped model folder; a bad file is one
    LexiconError naming it (`what`: "relevance", "event score")."""
    meta_path = directory / MODEL_FILE
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        bias, threshold = float(meta["bias"]), float(meta["threshold"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LexiconError(f"{meta_path}: cannot read the {what} model: {exc}") from exc
    weights = {}
    for row in read_table(directory / WEIGHTS_FILE, ("feature", "weight"), required=2):
        try:
            weights[row[0]] = float(row[1])
        except ValueError:
            raise row.error(f"weight is not a number: {row[1]!r}") from None
    return weights, bias, threshold


def write_linear_model(
    directory: Path, header: Sequence[str], weights: dict[str, float], meta: dict[str, Any]
) -> None:
    """The folder `read_linear_model` reads: `header` (comment lines) and the weights by
    feature in weights.tsv, `meta` (bias and threshold among it) in model.json."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [*(f"# {h}" for h in header), *(f"{k}\t{w}" for k, w in sorted(weights.items()))]
    (directory / WEIGHTS_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (directory / MODEL_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def logistic(z: float) -> float:
    if z < -50:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def logit(p: float) -> float:
    """The inverse of `logistic`, with p clipped to 0.001..0.999: how the event filter
    reads a model's probability as a feature."""
    p = min(max(p, 0.001), 0.999)
    return math.log(p / (1.0 - p))


def text_matrix(feats: Sequence[Set[str]], min_count: int) -> tuple[list[str], Any]:
    """The vocabulary a text model is fitted over (the features of at least `min_count`
    texts, sorted) and the texts' rows over it as a scipy sparse matrix: each present
    feature at 1 / sqrt(the text's number of features), the normalisation the relevance
    model's `probability_of` scores with."""
    from scipy.sparse import csr_matrix

    counts = Counter(f for fs in feats for f in fs)
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    column = {f: i for i, f in enumerate(vocab)}
    rows, cols, values = [], [], []
    for r, fs in enumerate(feats):
        scale = 1.0 / math.sqrt(len(fs)) if fs else 0.0
        for f in sorted(fs):
            if f in column:
                rows.append(r)
                cols.append(column[f])
                values.append(scale)
    return vocab, csr_matrix((values, (rows, cols)), shape=(len(feats), len(vocab)))
