"""The newswatch_relevance component: is an article about trade, minerals and metals,
energy, the farm and forest commodities or economic policy?

A linear model trained by `make train` (extractors/relevance_train.py, scikit-learn's
logistic regression) on the topic labels of Reuters-21578 TRAIN and on modern labelled
headlines (data/relevance/SOURCES.md), shipped as a table of
feature weights in data/relevance/ so that scoring needs no scikit-learn: the features
are the lower-cased words and word pairs of a text (`features`), each present feature
counts once, and the sum of their weights is divided by the square root of the number
of distinct features (the training's row normalisation). The probability is the
logistic of that plus the bias.

The component sets `doc._.nw_relevance` (the article's probability) and
`doc._.nw_in_scope` (probability >= threshold, or a mineral the article is about: it
runs after newswatch_minerals); the events component extracts nothing from an article
out of scope. A pipeline without this component keeps every article
in scope (`nw_in_scope` stays None), so the gate is opt-in by `[nlp] components`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from extractors.docs import LEAD_SLACK, body_offset, register_extensions
from extractors.errors import LexiconError
from extractors.lexicons import DATA_DIR
from extractors.linear_models import logistic, read_linear_model
from extractors.settings import RelevanceSettings, defaults

MODEL_DIR = DATA_DIR / "relevance"
# Letters only, two or more: numbers, tickers and punctuation carry no topic, and a
# regex (not the spaCy tokenizer) keeps training and scoring on exactly the same words.
WORD = re.compile(r"[^\W\d_]{2,}")
FUNCTION_WORDS = frozenset(STOP_WORDS | {"said"})

register_extensions()  # doc._.nw_relevance and doc._.nw_in_scope (extractors/docs.py)


def features(text: str) -> set[str]:
    """The distinct features of a text: its content words and adjacent pairs of content
    words, lower-cased. Function words (spaCy's English stop list, and "said") are left
    out: they mark prose against the terse tables of earnings stories in Reuters, which
    made any general news look in scope."""
    words = [w.casefold() for w in WORD.findall(text)]
    content = [w not in FUNCTION_WORDS for w in words]
    pairs = {
        f"{a} {b}"
        for (a, b), (ka, kb) in zip(pairwise(words), pairwise(content), strict=True)
        if ka and kb
    }
    return {w for w, k in zip(words, content, strict=True) if k} | pairs


@dataclass(frozen=True)
class RelevanceModel:
    """Feature weights and bias of the trained model, with the threshold it ships with."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> RelevanceModel:
        return cls(*read_linear_model(directory, "relevance"))

    def probability(self, text: str) -> float:
        return self.probability_of(features(text))

    def probability_of(self, feats: Iterable[str]) -> float:
        feats = set(feats)
        if not feats:
            return logistic(self.bias)
        total = sum(self.weights.get(f, 0.0) for f in feats)
        return logistic(self.bias + total / math.sqrt(len(feats)))


def names_a_mineral_topic(doc: Doc, min_sentences: int) -> bool:
    """Whether the article is about a mineral commodity, not only naming one in passing:
    newswatch_minerals found one in the title or the lead (the sentence the body opens
    with: news puts its subject there), or in `min_sentences` sentences or more. A deals
    page's "aluminum case" or a charger's "gallium nitride" is one mention deep in the
    text; a report on a mine names its metal again."""
    minerals = doc._.nw_minerals or []
    lead_end = body_offset(doc) + LEAD_SLACK
    if any(int(m["sent_start"]) <= lead_end for m in minerals):
        return True
    return len({int(m["sent_start"]) for m in minerals}) >= min_sentences


@Language.factory(
    "newswatch_relevance",
    assigns=["doc._.nw_relevance", "doc._.nw_in_scope"],
    requires=["doc._.nw_minerals"],
    default_config=defaults(RelevanceSettings),
)
def make_component(
    nlp: Language, name: str, model_path: str, threshold: float, mineral_sentences: int
) -> RelevanceComponent:
    model = RelevanceModel.load(Path(model_path) if model_path else MODEL_DIR)
    # a negative threshold (the default) stands for the model's own
    cut = model.threshold if threshold < 0 else float(threshold)
    return RelevanceComponent(model, cut, mineral_sentences)


class RelevanceComponent:
    def __init__(self, model: RelevanceModel, threshold: float, mineral_sentences: int = 2) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise LexiconError(f"newswatch_relevance: threshold must be 0..1, got {threshold}")
        if mineral_sentences < 1:
            raise LexiconError(
                f"newswatch_relevance: mineral_sentences must be 1 or more, got {mineral_sentences}"
            )
        self.model = model
        self.threshold = threshold
        self.mineral_sentences = mineral_sentences

    def __call__(self, doc: Doc) -> Doc:
        score = self.model.probability(doc.text)
        doc._.nw_relevance = round(score, 4)
        # An article about a mineral commodity is in scope by definition (the spec's
        # minerals field); the model, trained on 1987 wire stories whose metal reports are
        # often earnings tables, under-rates them, and newswatch_minerals is precise.
        doc._.nw_in_scope = score >= self.threshold or names_a_mineral_topic(
            doc, self.mineral_sentences
        )
        return doc
