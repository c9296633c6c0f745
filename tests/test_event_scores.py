"""The event score filter: its features, the model file, the component, the training fit,
and the shipped model's cross-validated figures."""

from __future__ import annotations

import json
import math

import pytest
import spacy

from extractors.dates import anchor_date
from extractors.errors import LexiconError
from extractors.event_scores import (
    MODEL_DIR,
    EventScoreComponent,
    EventScoreModel,
    event_features,
    out_of_scope_deal,
)
from extractors.event_scores_train import (
    Example,
    chain_spread,
    cross_validated,
    fit,
    judged_chain,
    probability,
    reuters_inputs,
)
from extractors.event_wording import SUBDIR as WORDING_SUBDIR
from extractors.event_wording import WordingModel
from extractors.linear_models import MODEL_FILE
from extractors.records import EVENT_TYPES
from extractors.relevance import RelevanceModel
from tests.models import model_differences


def _write_model(directory, weights, bias, threshold):
    directory.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{f}\t{w}\n" for f, w in weights.items())
    (directory / "weights.tsv").write_text("# feature\tweight\n" + rows)
    (directory / MODEL_FILE).write_text(json.dumps({"bias": bias, "threshold": threshold}))
    return EventScoreModel.load(directory)


def _event(doc, sentence: str, kind: str, participants=()):
    start = doc.text.index(sentence)
    return {
        "type": kind,
        "evidence": sentence,
        "evidence_start": start,
        "evidence_end": start + len(sentence),
        "participants": list(participants),
        "minerals": [],
        "date": None,
        "location": None,
        "name": None,
    }


def _doc_with_events():
    nlp = spacy.blank("en")
    doc = nlp("The minister met Rio Tinto. A fan said the match was great.")
    doc._.nw_officials = [{"name": "Ann Lee", "role": "minister", "kb_id": None}]
    doc._.nw_organizations = [{"name": "Rio Tinto", "kind": "company"}]
    doc._.nw_countries, doc._.nw_minerals, doc._.nw_meta = [], [], {"body_offset": 0}
    doc._.nw_events = [
        _event(doc, "The minister met Rio Tinto.", "meeting", ["Ann Lee", "Rio Tinto"]),
        _event(doc, "A fan said the match was great.", "statement"),
    ]
    return doc


def test_features_describe_the_event_and_its_article_not_its_words(tmp_path):
    doc = _doc_with_events()
    relevance = RelevanceModel({}, 0.0, 0.5)
    meeting, remark = (event_features(doc, e, 2, relevance) for e in doc._.nw_events)
    assert meeting["type=meeting"] == 1.0 and meeting["type=statement"] == 0.0
    assert meeting["official_titled"] == 1.0 and meeting["company"] == 1.0
    assert meeting["participants"] == pytest.approx(math.log1p(2))
    assert meeting["lead"] == 1.0 and remark["lead"] == 0.0
    assert remark["participants"] == 0.0 and remark["position"] > meeting["position"]
    assert set(meeting) == set(remark)
    assert not any(name.startswith("word") for name in meeting)  # no vocabulary features


@pytest.mark.integration
def test_features_read_how_the_sentence_reports_from_the_parse(nlp_model):
    happened = "India signed a lithium deal with Chile on Monday."
    maybe = "India could sign a lithium deal if Chile agrees."
    standing = "India buys most of its lithium from Chile."
    doc = nlp_model(" ".join((happened, maybe, standing)))
    doc._.nw_officials, doc._.nw_organizations = [], []
    doc._.nw_countries, doc._.nw_minerals, doc._.nw_meta = [], [], {"body_offset": 0}
    relevance = RelevanceModel({}, 0.0, 0.5)
    past, modal, present = (
        event_features(doc, _event(doc, s, "agreement"), 3, relevance)
        for s in (happened, maybe, standing)
    )
    assert (past["main_past"], past["main_present"], past["modal"]) == (1.0, 0.0, 0.0)
    assert (modal["modal"], modal["conditional"], modal["main_past"]) == (1.0, 1.0, 0.0)
    assert (present["main_present"], present["main_past"], present["modal"]) == (1.0, 0.0, 0.0)


def test_component_keeps_the_events_scoring_at_least_the_threshold(tmp_path):
    model = _write_model(tmp_path, {"official_titled": 4.0, "type=statement": -4.0}, 0.0, 0.5)
    gate = EventScoreComponent(model, RelevanceModel({}, 0.0, 0.5), threshold=0.5)
    doc = _doc_with_events()
    meeting, remark = gate.scores(doc)
    assert meeting > 0.5 > remark
    kept = gate(doc)._.nw_events
    assert [e["type"] for e in kept] == ["meeting"]
    everything = EventScoreComponent(model, RelevanceModel({}, 0.0, 0.5), threshold=0.0)
    assert len(everything(_doc_with_events())._.nw_events) == 2
    with pytest.raises(LexiconError, match="threshold"):
        EventScoreComponent(model, RelevanceModel({}, 0.0, 0.5), threshold=1.5)


def _deal_doc(sentence: str, orgs: dict[str, str], countries=(), minerals=()):
    """A blank-pipeline doc with one agreement event on `sentence`, its parties `orgs`
    (name -> kind) and the country and mineral mentions given."""
    nlp = spacy.blank("en")
    doc = nlp(sentence)
    doc._.nw_officials = []
    doc._.nw_organizations = [{"name": n, "kind": k} for n, k in orgs.items()]
    doc._.nw_countries = [{"canonical": c} for c in countries]
    doc._.nw_minerals = [{"canonical": m} for m in minerals]
    doc._.nw_meta = {"body_offset": 0}
    event = _event(doc, sentence, "agreement", [*orgs, *countries])
    event["minerals"] = list(minerals)
    doc._.nw_events = [event]
    return doc


def test_a_private_deal_outside_the_scope_is_dropped_whatever_its_score(tmp_path):
    # every event scores 0.98 on its own; the relevance model reads "smelter" and
    # "refinery" as in scope, anything else as out of it (threshold 0.08)
    model = _write_model(tmp_path, {}, 4.0, 0.5)
    relevance = RelevanceModel({"smelter": 8.0, "refinery": 8.0}, -4.0, 0.08)
    component = EventScoreComponent(model, relevance, threshold=0.5)
    studios = {"Microsoft": "company", "Bethesda": "company"}
    miners = {"Rio Tinto": "company", "Alcoa": "company"}

    def kept(doc) -> bool:
        return bool(component(doc)._.nw_events)

    assert not kept(_deal_doc("Microsoft agreed to buy the games studio Bethesda.", studios))
    # among words of the tool's scope, with a country or a mineral, the score decides
    assert kept(_deal_doc("Rio Tinto agreed to sell its smelter to Alcoa.", miners))
    assert kept(
        _deal_doc(
            "Microsoft agreed with Chile to buy the studio Bethesda.", studios, countries=["Chile"]
        )
    )
    lithium = "Microsoft agreed to buy lithium from Bethesda."
    assert kept(_deal_doc(lithium, studios, minerals=["lithium"]))
    # a public body takes part: a policy matter, not a private deal
    ministry = {"Microsoft": "company", "Ministry of Mines": "government"}
    assert kept(_deal_doc("Microsoft agreed a deal with the Ministry of Mines.", ministry))


def test_a_private_deal_over_a_mine_smelter_or_refinery_is_in_scope(tmp_path):
    # the relevance model reads nothing as in scope: the site the deal names decides
    model = _write_model(tmp_path, {}, 4.0, 0.5)
    component = EventScoreComponent(model, RelevanceModel({}, -4.0, 0.08), threshold=0.5)
    firms = {"Comalco": "company", "Columbia": "company"}
    for site in ("smelter", "mine", "refinery"):
        sale = f"Comalco agreed to sell its {site} at Goldendale to Columbia."
        assert component(_deal_doc(sale, firms))._.nw_events, site
    studio = "Comalco agreed to sell its studio to Columbia."
    assert not component(_deal_doc(studio, firms))._.nw_events


def test_only_deals_are_held_to_the_scope_rule():
    base = {f"type={t}": 0.0 for t in EVENT_TYPES}
    feats = {
        **base, "official_titled": 0.0, "official_linked": 0.0, "officials": 0.0,
        "public_body": 0.0, "country_party": 0.0, "minerals": 0.0, "mineral_site": 0.0,
        "window_relevance": -5.0,
    }  # fmt: skip
    assert out_of_scope_deal({**feats, "type=investment": 1.0}, 0.08)
    assert not out_of_scope_deal({**feats, "type=meeting": 1.0}, 0.08)
    assert not out_of_scope_deal({**feats, "type=investment": 1.0, "mineral_site": 1.0}, 0.08)
    assert not out_of_scope_deal({**feats, "type=investment": 1.0, "window_relevance": 0.0}, 0.08)


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    _write_model(tmp_path, {"lead": 1.0}, 0.0, 0.5)
    (tmp_path / "weights.tsv").write_text("lead\tmany\n")
    with pytest.raises(LexiconError, match=r"weights.tsv:1: weight is not a number"):
        EventScoreModel.load(tmp_path)
    (tmp_path / MODEL_FILE).write_text("{}")
    with pytest.raises(LexiconError, match="cannot read the event score model"):
        EventScoreModel.load(tmp_path)


def test_factory_reads_model_path_and_threshold_from_the_component_config(tmp_path):
    _write_model(tmp_path, {"lead": 1.0}, 0.0, 0.8)
    shipped = spacy.blank("en").add_pipe(
        "newswatch_event_scores", config={"model_path": str(tmp_path)}
    )
    assert shipped.threshold == 0.8
    low = spacy.blank("en").add_pipe(
        "newswatch_event_scores", config={"model_path": str(tmp_path), "threshold": 0.1}
    )
    assert low.threshold == 0.1
    assert shipped.wording is None  # a model fitted without the wording reading
    _write_model(tmp_path, {"lead": 1.0, "wording": 0.5}, 0.0, 0.8)
    with pytest.raises(LexiconError, match="reads wording but has no wording/ folder"):
        spacy.blank("en").add_pipe("newswatch_event_scores", config={"model_path": str(tmp_path)})


def test_the_trainer_reads_a_wire_story_with_its_date(tmp_path):
    # Cut to "26-FEB-198" the stamp gave no date: the filter was fitted on undated stories.
    row = {"id": 7, "date": "26-FEB-1987 15:01:01.79", "title": "T",
           "dateline": "SALVADOR, Feb 26 -", "body": "Cocoa rose.\n Reuter"}  # fmt: skip
    corpus = tmp_path / "reuters.jsonl"
    corpus.write_text(json.dumps(row) + "\n")
    (story,) = reuters_inputs(corpus, {"reuters-7"})
    assert story.text == "Cocoa rose."
    assert str(anchor_date(story.published, story.dateline, story.text)) == "1987-02-26"


def test_fit_folds_standardisation_back_into_raw_weights():
    # label = "big x": the fit must weight x up, and scoring raw features with the
    # folded weights must agree with the standardised fit's own probabilities
    data = [
        Example(f"s{i}", "judged", {"x": float(i), "noise": float(i % 3)}, int(i >= 10))
        for i in range(20)
    ]
    weights, bias = fit(data)
    assert weights["x"] > 0
    low, high = (probability(weights, bias, {"x": v, "noise": 1.0}) for v in (2.0, 17.0))
    assert low < 0.5 < high
    scores = cross_validated(data)
    assert len(scores) == len(data)
    ranked = sorted(zip(scores, (ex.label for ex in data), strict=True))
    assert sum(label for _, label in ranked[10:]) >= 8  # held-out folds still rank x


def test_each_assignment_deals_the_stories_into_folds_its_own_way():
    pytest.importorskip("sklearn")
    data = [
        Example(f"s{i}", "judged", {"x": float(i), "noise": float(i % 3)}, int(i >= 10))
        for i in range(20)
    ]
    first, again, other = (cross_validated(data, k) for k in (0, 0, 3))
    assert first == again == cross_validated(data)  # the default deal is the hash's
    assert first != other  # another deal: other folds, other held-out scores


def test_the_chain_spread_gives_the_mean_and_range_of_each_figure():
    runs = [
        {"roc_auc": 0.75, "precision": 0.78, "recall": 0.79, "kept": 490, "of": 750},
        {"roc_auc": 0.76, "precision": 0.80, "recall": 0.81, "kept": 500, "of": 750},
    ]
    spread = chain_spread(runs)
    assert spread["assignments"] == 2
    assert spread["mean"] == {
        "roc_auc": 0.755,
        "precision": 0.79,
        "recall": 0.8,
        "kept": 495,
        "of": 750,
    }
    assert spread["range"]["recall"] == [0.79, 0.81]


def test_the_chain_counts_a_sentence_the_rules_no_longer_find_as_dropped():
    pytest.importorskip("sklearn")
    judged = [
        {"article": "a", "evidence": "Chile signed a copper pact.", "verdict": "event"},
        {"article": "a", "evidence": "Chile raised copper output.", "verdict": "event"},
        {"article": "b", "evidence": "Sales rose 5 pct.", "verdict": "noise"},
        {"article": "b", "evidence": "Visit us on Facebook.", "verdict": "noise"},
    ]

    def found(*rows):
        data = [Example(a, "judged", {}, 0, ev) for a, ev, _ in rows]
        return data, [score for *_, score in rows]

    # two events of one sentence: the sentence is kept when either is
    data, scores = found(
        ("a", "Chile signed a copper pact.", 0.3),
        ("a", "Chile signed a copper pact.", 0.9),
        ("a", "Chile raised copper output.", 0.4),
        ("b", "Sales rose 5 pct.", 0.6),
        ("b", "Visit us on Facebook.", 0.2),
    )
    before = judged_chain(data, scores, judged, 0.5)
    assert (before["kept"], before["of"], before["precision"], before["recall"]) == (2, 4, 0.5, 0.5)
    # a rule drops the sales figure: the chain is credited with it, where the filter's
    # own AUC over what the rules give it would not be
    after = judged_chain(data[:3] + data[4:], scores[:3] + scores[4:], judged, 0.5)
    assert (after["kept"], after["precision"]) == (1, 1.0)
    assert after["roc_auc"] > before["roc_auc"]
    # a rule that loses an event is charged with it, though the filter never saw it
    lost = judged_chain(data[:2] + data[3:], scores[:2] + scores[3:], judged, 0.5)
    assert lost["roc_auc"] < before["roc_auc"]


def test_the_chain_keeps_a_report_folded_into_a_kept_record():
    pytest.importorskip("sklearn")
    judged = [
        {"article": "a", "evidence": "Chile and Peru met in Lima.", "verdict": "event"},
        {"article": "a", "evidence": "He gave no details of the talks.", "verdict": "event"},
        {"article": "b", "evidence": "Visit us on Facebook.", "verdict": "noise"},
    ]
    first = Example("a", "judged", {}, 0, "Chile and Peru met in Lima.")
    noise = Example("b", "judged", {}, 0, "Visit us on Facebook.")
    # the rules report the talks twice: two records, both kept
    apart = [first, Example("a", "judged", {}, 0, "He gave no details of the talks."), noise]
    both = judged_chain(apart, [0.9, 0.8, 0.2], judged, 0.5)
    # one record per occurrence: the second report folded into the first is kept with it,
    # not lost with the sentence the rules no longer report on its own
    merged = Example("a", "judged", {}, 0, first.evidence, ("He gave no details of the talks.",))
    one = judged_chain([merged, noise], [0.9, 0.2], judged, 0.5)
    assert (one["kept"], one["recall"], one["roc_auc"]) == (both["kept"], 1.0, both["roc_auc"])
    lost = judged_chain([first, noise], [0.9, 0.2], judged, 0.5)
    assert lost["recall"] == 0.5


def test_shipped_model_records_training_and_buys_precision_cheaply():
    meta = json.loads((MODEL_DIR / MODEL_FILE).read_text())
    model = EventScoreModel.load()
    assert {f"type={t}" for t in EVENT_TYPES} <= set(model.weights)
    training = meta["training"]
    # judged events the rules still find (one they no longer find is left out): of the
    # 753 judged, the rules drop some on purpose (most of them noise), not most
    assert training["judged_events"] >= 600 and training["dev_events"] >= 100
    cv = meta["cross_validated"]  # each story scored by a model that never saw it
    # What users meet is the rules and the filter together, over every judged sentence
    # (one the rules no longer find counts as dropped; one folded into the record of its
    # occurrence is kept or dropped with that record). The filter's own ROC AUC, over
    # what the rules give it, is no floor: a rule that drops easy noise lowers it
    # ("sales rose 5 pct" as a deal: 0.7208 -> 0.7182) while the chain's rises.
    # Pinned at the shipped model's figures when folded reports began to count
    # (2026-12-06): the same model read 0.7489 / 0.785 / 0.801 (AUC, precision, recall),
    # where the reading that lost every folded report gave 0.7506 / 0.787 / 0.797.
    # With the wording reading (extractors/event_wording.py) at its threshold 0.45:
    # 0.7993 / 0.811 / 0.809, every one of the ten deals at least 0.799 / 0.808 / 0.807,
    # so ROC AUC and precision are pinned higher; recall stays where it was. With the
    # organisation rules that had waited on it: 0.7989 / 0.810 / 0.805 (deals from
    # 0.7989 / 0.804 / 0.805); with the later ones (products, capitals that must act):
    # 0.7984 / 0.810 / 0.803 (deals from 0.7984 / 0.806 / 0.803); with an office alone
    # speaking for its holder: 0.7981 / 0.810 / 0.805 (deals from 0.7981 / 0.807 / 0.805).
    chain, rules_alone = cv["judged_chain_at_threshold"], cv["judged_chain_unfiltered"]
    assert chain["of"] >= 740  # the judged sentences (753 judgments, a few of one sentence)
    assert chain["roc_auc"] >= 0.79 and chain["roc_auc"] >= rules_alone["roc_auc"] + 0.15
    assert chain["precision"] >= max(0.80, rules_alone["precision"] + 0.08)
    assert chain["recall"] >= 0.80
    # the same chain over other deals of the stories into folds: the shipped figures are
    # one of them (the first), and the spread says how far a deal alone moves them
    spread = cv["judged_chain_over_assignments"]
    assert spread["assignments"] >= 10
    for key in ("roc_auc", "precision", "recall"):
        low, high = spread["range"][key]
        assert low <= chain[key] <= high and low <= spread["mean"][key] <= high
    judged, all_judged = cv["judged_events_at_threshold"], cv["judged_events_unfiltered"]
    # kept events: 81% are events (the rules alone: 71%, up from 68% as they learn
    # to leave out what the filter used to; 78% before the wording reading)
    assert judged["precision"] >= max(0.80, all_judged["precision"] + 0.08)
    assert judged["recall"] >= 0.86
    dev, all_dev = cv["dev_events_at_threshold"], cv["dev_events_unfiltered"]
    assert dev["precision"] > all_dev["precision"]
    assert dev["f1"] >= all_dev["f1"] - 0.01  # the dev stories are all in scope


@pytest.mark.integration
def test_shipped_features_are_the_features_the_component_computes(nlp_full):
    from extractors.docs import make_doc
    from extractors.records import ExtractInput

    assert "newswatch_event_scores" in nlp_full.pipe_names
    text = "Jan 14 (IANS) India and Australia signed an agreement on lithium on Monday."
    doc = nlp_full(make_doc(nlp_full, ExtractInput(id="t", text=text)))
    events = nlp_full.get_pipe("newswatch_events")(doc)._.nw_events
    assert events
    wording = WordingModel.load(MODEL_DIR / WORDING_SUBDIR)
    feats = event_features(doc, events[0], len(events), RelevanceModel.load(), wording)
    assert set(EventScoreModel.load().weights) == set(feats)
    # the component reads the wording as the trainer fitted it to: the one feature a
    # pipeline built from config adds beyond those the trainer's examples carry
    component = nlp_full.get_pipe("newswatch_event_scores")
    assert component.wording == wording and "wording" in feats


@pytest.mark.integration
@pytest.mark.shared
def test_make_train_reproduces_the_shipped_model(shared_dir, tmp_path):
    pytest.importorskip("sklearn")
    from extractors.event_scores_train import main

    news = shared_dir / "corpora" / "labelled_news"
    args = [
        str(news / "reuters21578_train.jsonl"),
        str(news / "conll2003_dev_docs.jsonl"),
        str(shared_dir / "eval" / "dev_gold.jsonl"),
        str(shared_dir / "eval" / "dev_texts.jsonl"),
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    # the training events are what today's rules find: a rule change that alters them
    # needs `make train` and the refitted extractors/data/event_scores/ committed with it
    stale = "the shipped event score model is stale: run `make train`"
    assert model_differences(tmp_path, MODEL_DIR) == [], stale
    wording = model_differences(tmp_path / WORDING_SUBDIR, MODEL_DIR / WORDING_SUBDIR)
    assert wording == [], stale


def test_training_script_refuses_a_missing_corpus(tmp_path, capsys):
    from extractors.event_scores_train import main

    missing = str(tmp_path / "nope.jsonl")
    assert main([missing, missing, missing, missing]) == 2
    assert "no such file" in capsys.readouterr().err
