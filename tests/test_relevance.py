"""The relevance gate: features, the shipped model's held-out quality, the component."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest
import spacy

from extractors.errors import LexiconError
from extractors.evaluate import input_from_row, read_jsonl
from extractors.linear_models import MODEL_FILE
from extractors.relevance import (
    MODEL_DIR,
    RelevanceComponent,
    RelevanceModel,
    features,
)
from tests.models import model_differences

# Held-out floors for the shipped model (measured 0.930 / 0.987 at its threshold 0.13,
# 0.971 / 0.950 at 0.5, with the farm and forest commodities in scope; 0.786 / 0.985 at
# 0.08 and 0.948 / 0.901 at 0.5 before); only ever raised.
HELD_OUT_FLOORS = {"at_threshold": (0.90, 0.97), "at_0.5": (0.95, 0.93)}
# Modern headlines the model never saw, as (ceiling on the out-of-scope share passing the
# gate, floor on the in-scope share): the training split's held-out fifth (measured 4.1%
# and 81%; 5.6% and 76% before the commodities) and the evaluation split, judged apart
# (8.9% and 71%; 13.6% and 75% before). The Reuters-only model passed 95% / 100% and
# 97.5% / 96%. Ceilings only ever lowered, floors only ever raised.
HEADLINE_BOUNDS = {"train": (0.06, 0.75), "evaluation": (0.11, 0.70)}


def test_features_are_content_words_and_their_pairs_lower_cased():
    feats = features("The EC imposed anti-dumping duties on Soviet MERCURY, it said.")
    assert {"ec", "imposed", "anti", "dumping", "duties", "soviet", "mercury"} <= feats
    assert {"ec imposed", "anti dumping", "dumping duties", "soviet mercury"} <= feats
    assert not feats & {"the", "on", "it", "said", "duties on", "on soviet"}


def test_features_skip_digits_and_single_letters():
    assert features("Q1 2024: 5 pct of $3 bn, a x") == {"pct", "bn"}


def _write_model(directory, weights, bias, threshold):
    directory.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{f}\t{w}\n" for f, w in weights.items())
    (directory / "weights.tsv").write_text("# feature\tweight\n" + rows)
    (directory / MODEL_FILE).write_text(json.dumps({"bias": bias, "threshold": threshold}))
    return RelevanceModel.load(directory)


def test_probability_is_the_logistic_of_bias_plus_weights_over_root_features(tmp_path):
    model = _write_model(tmp_path, {"tariffs": 2.0, "football": -1.0}, -0.5, 0.5)
    # "tariffs", "rise", "tariffs rise": 3 features, one weighted
    assert model.probability("Tariffs rise") == pytest.approx(
        1 / (1 + math.exp(-(-0.5 + 2.0 / math.sqrt(3))))
    )
    assert model.probability("") == pytest.approx(1 / (1 + math.exp(0.5)))
    assert model.probability("tariffs") > model.probability("football")


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    _write_model(tmp_path, {"tariffs": 1.0}, 0.0, 0.5)
    (tmp_path / "weights.tsv").write_text("tariffs\tmany\n")
    with pytest.raises(LexiconError, match=r"weights.tsv:1: weight is not a number"):
        RelevanceModel.load(tmp_path)
    (tmp_path / MODEL_FILE).write_text("{}")
    with pytest.raises(LexiconError, match="cannot read the relevance model"):
        RelevanceModel.load(tmp_path)


def test_component_scores_and_gates_a_doc(tmp_path):
    model = _write_model(tmp_path, {"tariffs": 3.0, "football": -3.0}, -0.5, 0.5)
    nlp = spacy.blank("en")
    gate = RelevanceComponent(model, threshold=0.5)
    trade = gate(nlp("Tariffs on steel"))
    sport = gate(nlp("Football results"))
    assert trade._.nw_in_scope is True and trade._.nw_relevance > 0.5
    assert sport._.nw_in_scope is False and sport._.nw_relevance < 0.5
    named = nlp("Football club buys a gold mine")
    # newswatch_minerals found a commodity, in the lead
    named._.nw_minerals = [{"canonical": "gold", "start": 21, "sent_start": 0}]
    assert gate(named)._.nw_in_scope is True
    with pytest.raises(LexiconError, match="threshold"):
        RelevanceComponent(model, threshold=1.5)
    with pytest.raises(LexiconError, match="mineral_sentences"):
        RelevanceComponent(model, threshold=0.5, mineral_sentences=0)


def _football_page(nlp, mineral_sentences):
    """A sports page whose body opens at 18 (sentences at 0, 18, 32, 67), naming aluminum
    in the sentences starting at the given offsets."""
    doc = nlp("Football results. The club won. Its new bus has an aluminum frame. Fans cheer.")
    doc._.nw_meta = {"body_offset": 18}
    doc._.nw_minerals = [
        {"canonical": "aluminum", "start": s + 4, "sent_start": s} for s in mineral_sentences
    ]
    return doc


def test_a_mineral_named_in_passing_does_not_put_an_article_in_scope(tmp_path):
    model = _write_model(tmp_path, {"tariffs": 3.0, "football": -3.0}, -0.5, 0.5)
    nlp = spacy.blank("en")
    gate = RelevanceComponent(model, threshold=0.5)  # two sentences, as shipped
    assert gate(_football_page(nlp, [32]))._.nw_in_scope is False  # once, past the lead
    assert gate(_football_page(nlp, [32, 67]))._.nw_in_scope is True  # named again
    assert gate(_football_page(nlp, [18]))._.nw_in_scope is True  # the lead names it
    assert gate(_football_page(nlp, [0]))._.nw_in_scope is True  # the title names it
    once = RelevanceComponent(model, threshold=0.5, mineral_sentences=1)
    assert once(_football_page(nlp, [32]))._.nw_in_scope is True


def test_factory_takes_threshold_and_model_path_from_the_component_config(tmp_path):
    _write_model(tmp_path, {"tariffs": 3.0}, -0.5, 0.9)
    nlp = spacy.blank("en")
    shipped_threshold = nlp.add_pipe("newswatch_relevance", config={"model_path": str(tmp_path)})
    assert shipped_threshold.threshold == 0.9
    other = spacy.blank("en")
    low = other.add_pipe(
        "newswatch_relevance",
        config={"model_path": str(tmp_path), "threshold": 0.1, "mineral_sentences": 3},
    )
    assert low.threshold == 0.1 and low.mineral_sentences == 3
    assert other("tariffs")._.nw_in_scope is True


def test_shipped_model_is_small_and_records_its_training():
    meta = json.loads((MODEL_DIR / MODEL_FILE).read_text())
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir())
    assert size < 3_000_000
    assert meta["training"]["corpus"] == "reuters21578_train.jsonl"
    assert meta["features"] == len(RelevanceModel.load().weights)


@pytest.mark.shared
def test_shipped_model_meets_its_floors_on_the_held_out_split(shared_dir):
    """Reuters TRAIN stories the model never saw (crc32(id) % 5 == 0)."""
    from extractors.relevance_train import held_out_scores, read_stories

    stories, _ = read_stories(
        shared_dir / "corpora" / "labelled_news" / "reuters21578_train.jsonl",
        [shared_dir / "eval" / "dev_texts.jsonl", shared_dir / "eval" / "check_texts.jsonl"],
    )
    model = RelevanceModel.load()
    recorded = json.loads((MODEL_DIR / MODEL_FILE).read_text())["held_out"]
    for key, threshold in (("at_threshold", None), ("at_0.5", 0.5)):
        scores = held_out_scores(model, stories, threshold)
        assert scores == recorded[key]  # what model.json (and the README) report
        precision_floor, recall_floor = HELD_OUT_FLOORS[key]
        assert scores["precision"] >= precision_floor, (key, scores)
        assert scores["recall"] >= recall_floor, (key, scores)
        assert scores["n"] > 1000


@pytest.mark.shared
def test_make_train_reproduces_the_shipped_model(shared_dir, tmp_path):
    pytest.importorskip("sklearn")
    from extractors.relevance_train import main

    corpus = shared_dir / "corpora" / "labelled_news" / "reuters21578_train.jsonl"
    excludes = [shared_dir / "eval" / "dev_texts.jsonl", shared_dir / "eval" / "check_texts.jsonl"]
    args = [str(corpus), "--out", str(tmp_path)]
    for path in excludes:
        args += ["--exclude", str(path)]
    assert main(args) == 0
    assert model_differences(tmp_path, MODEL_DIR) == []


def test_modern_headlines_are_labelled_and_weighted_for_the_fit():
    from extractors.relevance_train import (
        HEADLINE_WEIGHT,
        IN_SCOPE_HEADLINE_WEIGHT,
        read_headlines,
    )

    headlines = read_headlines()
    assert len({h.id for h in headlines}) == len(headlines) > 5000
    assert {h.label for h in headlines} == {0, 1}
    assert 100 <= sum(h.label for h in headlines) < 0.05 * len(headlines)
    assert all(
        h.weight == (IN_SCOPE_HEADLINE_WEIGHT if h.label else HEADLINE_WEIGHT) for h in headlines
    )
    assert all(h.text.strip() for h in headlines)


@pytest.mark.parametrize("split", ["train", "evaluation"])
def test_shipped_model_keeps_modern_general_news_out_of_scope(split):
    """Modern headlines the model never saw: sport, crime, campaigns stay under the gate,
    while in-scope ones (tariffs, oil, rates) pass; the figures model.json records."""
    from extractors.relevance_train import held_out_scores, passing_share, read_headlines

    model = RelevanceModel.load()
    headlines = read_headlines(split)
    unseen = [h for h in headlines if h.held_out] if split == "train" else headlines
    share = passing_share(model, unseen)
    assert share["out_of_scope"] > 900 and share["in_scope"] > 15
    ceiling, floor = HEADLINE_BOUNDS[split]
    assert share["out_of_scope_passing"] <= ceiling, share
    assert share["in_scope_passing"] >= floor, share
    recorded = json.loads((MODEL_DIR / MODEL_FILE).read_text())["held_out"]
    if split == "train":
        assert held_out_scores(model, unseen) == recorded["headlines_at_threshold"]
    else:
        assert share == recorded["headlines_evaluation"]
        assert not {h.id for h in headlines} & {h.id for h in read_headlines("train")}


def test_training_script_refuses_a_missing_corpus(tmp_path, capsys):
    from extractors.relevance_train import main

    assert main([str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.integration
@pytest.mark.shared
def test_gate_keeps_every_dev_article_with_gold_events(nlp_full, shared_dir):
    """The gate must not cost events recall on in-scope dev articles."""
    gold = {g["id"]: g for g in read_jsonl(shared_dir / "eval" / "dev_gold.jsonl")}
    items = [input_from_row(r) for r in read_jsonl(shared_dir / "eval" / "dev_texts.jsonl")]
    from extractors.docs import make_doc

    assert "newswatch_relevance" in nlp_full.pipe_names
    for doc in nlp_full.pipe(make_doc(nlp_full, item) for item in items):
        meta_id = doc._.nw_meta["id"]
        assert doc._.nw_relevance is not None
        if gold[meta_id]["events"]:
            assert doc._.nw_in_scope, (meta_id, doc._.nw_relevance)


@pytest.mark.integration
def test_events_are_extracted_only_from_articles_in_scope(nlp_full):
    from extractors.docs import make_doc
    from extractors.records import ExtractInput

    text = (
        "China on Monday imposed export controls on gallium and germanium, the "
        "commerce ministry said, in a move that hits chip makers in the United States."
    )
    item = ExtractInput(id="t", text=text, title=None, published="2023-07-03", dateline=None)
    gate = nlp_full.get_pipe("newswatch_relevance")
    doc = nlp_full(make_doc(nlp_full, item))
    assert doc._.nw_in_scope and doc._.nw_events
    saved = gate.threshold
    try:
        gate.threshold = 1.0  # nothing passes the model; the minerals named still do
        assert nlp_full(make_doc(nlp_full, item))._.nw_events
        no_mineral = ExtractInput(
            id="u",
            text=text.replace("gallium and germanium", "chips"),
            title=None,
            published="2023-07-03",
            dateline=None,
        )
        assert nlp_full(make_doc(nlp_full, no_mineral))._.nw_events == []
        # named once in passing, past the lead: not what the article is about
        in_passing = replace(no_mineral, text=no_mineral.text + " Gallium prices held.")
        assert nlp_full(make_doc(nlp_full, in_passing))._.nw_minerals
        assert nlp_full(make_doc(nlp_full, in_passing))._.nw_events == []
        again = replace(in_passing, text=in_passing.text + " Gallium stocks are low.")
        assert nlp_full(make_doc(nlp_full, again))._.nw_events
        gate.threshold = 0.0
        assert nlp_full(make_doc(nlp_full, no_mineral))._.nw_events
    finally:
        gate.threshold = saved
