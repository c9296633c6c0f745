"""The newswatch_event_scores component: is an extracted event one an analyst logs?

The event rules find every sentence that reports something of an event type; many of
those are background, remarks or stories outside the tool's scope. This component
scores each event with a linear model trained by `make train`
(extractors/event_scores_train.py) on events judged by reviewers (Reuters-21578 TRAIN
and CoNLL-2003 stories, never the check set) and on the dev gold, and keeps those
scoring at least the threshold. The features (`event_features`) describe the event and
its article: its type, who takes part (a linked or titled official, a public body, a
company, a country), whether a mineral, a sum or a date is in it, how the sentence
reports it (tense, modal, condition), where in the article it stands, how many events
the article reports, and the relevance model's reading of the article, the sentence and
the text around it; one reads its words (extractors/event_wording.py: a model of the
sentence's wording, fitted by `make train` on the same events).

One rule stands beside the score (`out_of_scope_deal`): a deal between private parties
alone that the relevance model reads as out of scope in the text around it is dropped
whatever it scores.

The model ships as a weight table in data/event_scores/, the wording model in its
wording/ folder (both scored without scikit-learn, like the relevance model). A
pipeline without this component keeps every event the rules find, so it is opt-in by
`[nlp] components`.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from extractors.doc_bounds import per_doc
from extractors.docs import LEAD_SLACK, body_offset
from extractors.errors import LexiconError
from extractors.event_rules import CONDITIONAL_MARKS, lemmas
from extractors.event_wording import SUBDIR as WORDING_SUBDIR
from extractors.event_wording import WordingModel
from extractors.lexicons import DATA_DIR
from extractors.linear_models import logistic, logit, read_linear_model
from extractors.records import EVENT_TYPES
from extractors.relevance import RelevanceModel
from extractors.settings import EventScoreSettings, defaults

MODEL_DIR = DATA_DIR / "event_scores"
# Characters either side of the evidence read as its context by the relevance model.
WINDOW = 400
PUBLIC_KINDS = frozenset({"government", "intergovernmental"})
QUOTES = ('"', "\u201c", "\u201d")
# Where a mineral is dug or processed: a deal over one is in the scope of minerals,
# whatever the relevance model reads around it.
MINERAL_SITES = frozenset({"mine", "smelter", "refinery"})


def _log_count(n: int) -> float:
    return math.log1p(n)


def _mood(sent: Span | None) -> dict[str, float]:
    """How the sentence reports, read off the tagger and the parser (not a word list): a
    modal ("could", "will", "may"), an if/unless/whether clause, a past-tense main verb
    (a happening) or a present-tense one (often a standing state of affairs or a
    characterisation). The fit decides which way each leans: in the judged events a
    modal leans towards an event ("will meet" is a scheduled one), a present-tense main
    verb away from it."""
    tokens = list(sent) if sent is not None else []
    main = sent.root.tag_ if sent is not None and tokens else ""
    return {
        "modal": float(any(t.tag_ == "MD" for t in tokens)),
        "conditional": float(
            any(t.dep_ == "mark" and t.lower_ in CONDITIONAL_MARKS for t in tokens)
        ),
        "main_past": float(main in ("VBD", "VBN")),
        "main_present": float(main in ("VBZ", "VBP")),
    }


def _names_a_mineral_site(sent: Span | None) -> bool:
    """ "sell its smelter at Goldendale", "a stake in the Escondida Mine", "copper mined
    there": a site of the minerals trade, whatever the tagger calls the word (a site in
    a name or in capitals is a proper noun to it); "mine" the pronoun is none."""
    return sent is not None and bool(lemmas([t for t in sent if t.pos_ != "PRON"]) & MINERAL_SITES)


@dataclass(frozen=True)
class DocFacts:
    """What every event of one document reads, gathered once per document (`per_doc`):
    `Doc.text` joins every token and `Span.ents` walks every entity of the document, so
    reading them per event made a long text's scoring grow with the square of its length."""

    text: str
    ent_starts: list[int]  # token index of each entity's start, in order
    ents: list[tuple[int, int, str]]  # (start, end, label) token indices, in order
    countries: frozenset[str]
    officials: dict[str, list[dict[str, Any]]]  # name -> records
    organizations: dict[str, list[dict[str, Any]]]

    @classmethod
    def of(cls, doc: Doc) -> DocFacts:
        ents = [(e.start, e.end, e.label_) for e in doc.ents]
        officials: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in doc._.nw_officials or []:
            officials[o["name"]].append(o)
        orgs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for o in doc._.nw_organizations or []:
            orgs[o["name"]].append(o)
        return cls(
            doc.text,
            [e[0] for e in ents],
            ents,
            frozenset(m["canonical"] for m in doc._.nw_countries or []),
            dict(officials),
            dict(orgs),
        )

    def labels_within(self, span: Span) -> set[str]:
        """The labels of the entities inside `span` (what `span.ents` gives)."""
        out = set()
        for i in range(bisect.bisect_left(self.ent_starts, span.start), len(self.ents)):
            start, end, label = self.ents[i]
            if start >= span.end:
                break
            if end <= span.end:
                out.add(label)
        return out


def event_features(
    doc: Doc,
    event: dict[str, Any],
    events_in_doc: int,
    relevance: RelevanceModel,
    wording: WordingModel | None = None,
) -> dict[str, float]:
    """The features of one event (a `to_plain` Event dict) of `doc`. Without `wording`
    the "wording" feature is left out: the trainer gives it out-of-fold readings."""
    facts = per_doc(doc, "event_scores.facts", lambda: DocFacts.of(doc))
    text = facts.text
    start, end = int(event["evidence_start"]), int(event["evidence_end"])
    parts = set(event.get("participants") or [])
    officials = [o for name in parts for o in facts.officials.get(name, ())]
    orgs = [o for name in parts for o in facts.organizations.get(name, ())]
    countries = facts.countries
    sent = doc.char_span(start, end, alignment_mode="expand")
    labels = facts.labels_within(sent) if sent is not None else set()
    article = doc._.nw_relevance
    body_start = body_offset(doc)
    feats = {f"type={t}": float(event["type"] == t) for t in EVENT_TYPES}
    feats.update(
        {
            "participants": _log_count(len(parts)),
            "minerals": float(bool(event.get("minerals"))),
            "dated": float(event.get("date") is not None),
            "located": float(event.get("location") is not None),
            "named": float(event.get("name") is not None),
            "official_linked": float(any(o.get("kb_id") for o in officials)),
            "official_titled": float(any(o.get("role") for o in officials)),
            "officials": _log_count(len(officials)),
            "public_body": float(any(o["kind"] in PUBLIC_KINDS for o in orgs)),
            "company": float(any(o["kind"] == "company" for o in orgs)),
            "other_body": float(
                any(o["kind"] not in PUBLIC_KINDS and o["kind"] != "company" for o in orgs)
            ),
            "country_party": float(bool(parts & countries)),
            "money": float(bool(labels & {"MONEY", "PERCENT"})),
            "quantity": float(bool(labels & {"QUANTITY", "CARDINAL"})),
            "quoted": float(any(q in event["evidence"] for q in QUOTES)),
            "mineral_site": float(_names_a_mineral_site(sent)),
            "position": start / max(1, len(text)),
            "lead": float(start <= body_start + LEAD_SLACK),
            "article_events": _log_count(events_in_doc),
            "sentence_words": _log_count(len(event["evidence"].split())),
            **_mood(sent),
            "article_minerals": float(bool(doc._.nw_minerals)),
            "article_officials": _log_count(len(doc._.nw_officials or [])),
            "article_organizations": _log_count(len(doc._.nw_organizations or [])),
            "article_countries": _log_count(len(countries)),
            "article_relevance": 0.0 if article is None else logit(float(article)),
            "sentence_relevance": logit(relevance.probability(event["evidence"])),
            "window_relevance": logit(
                relevance.probability(text[max(0, start - WINDOW) : end + WINDOW])
            ),
        }
    )
    if wording is not None:
        feats["wording"] = logit(wording.probability(event["evidence"]))
    return feats


@dataclass(frozen=True)
class EventScoreModel:
    """Weights over `event_features`, the bias, and the threshold it ships with."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def load(cls, directory: Path = MODEL_DIR) -> EventScoreModel:
        return cls(*read_linear_model(directory, "event score"))

    def probability(self, feats: dict[str, float]) -> float:
        return logistic(self.bias + sum(self.weights.get(k, 0.0) * v for k, v in feats.items()))


@Language.factory(
    "newswatch_event_scores",
    assigns=["doc._.nw_events"],
    requires=[
        "doc.ents", "doc._.nw_events", "doc._.nw_relevance", "doc._.nw_officials",
        "doc._.nw_organizations", "doc._.nw_countries", "doc._.nw_minerals",
    ],
    default_config=defaults(EventScoreSettings),
)  # fmt: skip
def make_component(
    nlp: Language, name: str, model_path: str, relevance_path: str, threshold: float
) -> EventScoreComponent:
    directory = Path(model_path) if model_path else MODEL_DIR
    model = EventScoreModel.load(directory)
    wording = None  # a model fitted without the wording reading has no wording/ folder
    if (directory / WORDING_SUBDIR).is_dir():
        wording = WordingModel.load(directory / WORDING_SUBDIR)
    elif "wording" in model.weights:
        raise LexiconError(
            f"{directory}: the event score model reads wording but has no {WORDING_SUBDIR}/ folder"
        )
    relevance = RelevanceModel.load(Path(relevance_path)) if relevance_path else None
    cut = model.threshold if threshold < 0 else float(threshold)  # below 0: the model's own
    return EventScoreComponent(model, relevance or RelevanceModel.load(), cut, wording)


class EventScoreComponent:
    def __init__(
        self,
        model: EventScoreModel,
        relevance: RelevanceModel,
        threshold: float,
        wording: WordingModel | None = None,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise LexiconError(f"newswatch_event_scores: threshold must be 0..1, got {threshold}")
        self.model = model
        self.relevance = relevance
        self.threshold = threshold
        self.wording = wording

    def scores(self, doc: Doc) -> list[float]:
        """Each event's probability of being one an analyst logs, in event order; 0 for
        a deal between private parties alone that is outside the tool's scope."""
        events = doc._.nw_events or []
        out = []
        for e in events:
            feats = event_features(doc, e, len(events), self.relevance, self.wording)
            private_deal = out_of_scope_deal(feats, self.relevance.threshold)
            out.append(0.0 if private_deal else self.model.probability(feats))
        return out

    def __call__(self, doc: Doc) -> Doc:
        events = doc._.nw_events or []
        if events:
            scores = self.scores(doc)
            doc._.nw_events = [
                e for e, s in zip(events, scores, strict=True) if s >= self.threshold
            ]
        return doc


DEAL_TYPES = ("agreement", "investment")


def out_of_scope_deal(feats: dict[str, float], scope_threshold: float) -> bool:
    """A deal between private parties alone (no official, public body or country takes
    part, no mineral and no mine, smelter or refinery is named) that the relevance model
    does not read as in scope in the text around it (below the threshold at which its
    gate lets an article in): a game studio bought, a film funded, a phone sold. A
    company deal an analyst of minerals, trade and policy logs stands among words of
    that scope (an oil refinery's joint venture), or names the site it is about (a
    smelter's sale, read low by the model when the metal is named only in the firms'
    names). The rule is not left to the linear score: the wire stories it is fitted on
    hold too few such deals to learn it."""
    return (
        any(feats[f"type={t}"] for t in DEAL_TYPES)
        and not (feats["officials"] or feats["public_body"] or feats["country_party"])
        and not feats["minerals"]
        and not feats["mineral_site"]
        and feats["window_relevance"] < logit(scope_threshold)
    )
