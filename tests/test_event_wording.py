"""The wording reading of the event filter: its fit, out-of-fold readings, its files."""

from __future__ import annotations

import pytest

from extractors.event_wording import WordingModel, fit, out_of_fold, write
from extractors.linear_models import logit

pytest.importorskip("sklearn")

KEPT = "The ministers signed a supply contract for copper concentrate."
NOISE = "The company said it was not aware of any reason for the share rise."


def _stories(n: int = 10) -> tuple[list[str], list[str], list[int]]:
    stories, sentences, labels = [], [], []
    for i in range(n):
        stories += [f"s{i}", f"s{i}"]
        sentences += [KEPT, NOISE]
        labels += [1, 0]
    return stories, sentences, labels


def test_the_fit_reads_kept_wording_over_noise():
    _, sentences, labels = _stories()
    model = fit(sentences, labels)
    assert model.probability(KEPT) > 0.5 > model.probability(NOISE)
    assert "supply contract" in model.weights  # word pairs, as the relevance model reads
    assert model.probability("Nothing here repeats.") == pytest.approx(0.5, abs=0.05)


def test_a_word_seen_in_one_story_only_is_read_out_of_fold_without_it():
    stories, sentences, labels = _stories()
    # one story alone says "zyxvut" in every sentence it keeps: fitted with that story,
    # the word reads as kept; out of fold, the story's reading cannot know the word
    odd = "The zyxvut tonnes were reported."
    stories += ["odd"] * 4
    sentences += [odd] * 4
    labels += [1] * 4
    readings = out_of_fold(stories, sentences, labels)
    inside = fit(sentences, labels)
    assert "zyxvut" in inside.weights
    without = fit(sentences[:-4], labels[:-4])
    assert "zyxvut" not in without.weights
    assert readings[-1] < inside.probability(odd)
    assert all(r == readings[-1] for r in readings[-4:])


def test_too_few_words_fit_the_base_rate():
    model = fit(["A b.", "C d.", "E f.", "G h."], [1, 1, 1, 0])
    assert model.weights == {}
    assert model.probability("anything at all") == pytest.approx(0.75, abs=0.01)


def test_the_written_model_scores_as_fitted(tmp_path):
    _, sentences, labels = _stories()
    model = fit(sentences, labels)
    write(model, tmp_path / "wording", {"sentences": len(sentences)})
    loaded = WordingModel.load(tmp_path / "wording")
    for sentence in (KEPT, NOISE, "Copper concentrate supply."):
        assert loaded.probability(sentence) == pytest.approx(model.probability(sentence))


def test_the_feature_is_the_clipped_logit():
    assert logit(0.5) == 0.0
    assert logit(1.0) == logit(0.999) > 6 > -6 > logit(0.0)
