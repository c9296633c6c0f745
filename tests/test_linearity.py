"""Extraction work grows in step with the text (issue 13, class 3).

A rule that rescans the whole line, sentence or entity list for every mention makes
extraction quadratic: a one-paragraph 250 KB page took 92 s, an 80 KB title of one
repeated word 200 s. Here the work is counted, not timed (timing belongs in
benchmarks/bench_linearity.py): the number of Python and C function calls the
newswatch components make, which is the same on every machine, on a text of n and of
4n characters. Linear code makes 3.7-4.8 times the calls (parses of one repeated word
split into more sentences per word as they grow); the old rescans made 14-16.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import pytest

from extractors.docs import make_doc
from extractors.records import ExtractInput

pytestmark = pytest.mark.integration

FIRST = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jomo"]
LAST = ["Okafor", "Lindqvist", "Haddad", "Moreau", "Tanaka", "Novak", "Silva", "Kowalski"]
PLACES = ["Chile", "Australia", "Indonesia", "Canada", "Peru", "Zambia", "Brazil", "Japan"]
FIRMS = ["Andes", "Boreal", "Cobre", "Delta", "Eagle", "Fjord", "Granite", "Harbor", "Iron"]
MINERALS = ["lithium", "cobalt", "copper", "nickel", "rare earths"]


def article_line(chars: int) -> str:
    """One paragraph with no line break: officials, firms, countries and minerals, each
    name new for a while (so records, not just mentions, grow with the length)."""
    out: list[str] = []
    size = 0
    people = itertools.product(FIRST, LAST)
    firms = itertools.cycle(itertools.product(FIRMS, ["Mining", "Metals", "Resources"]))
    for n in itertools.count():
        first, last = next(people, (FIRST[n % 10], LAST[n % 8]))
        firm, kind = next(firms)
        place, other = PLACES[n % 8], PLACES[(n + 3) % 8]
        mineral = MINERALS[n % 5]
        sentence = (
            f"{place}'s Minister of Mines {first} {last} said on Monday that {firm} {kind} "
            f"Corp would invest $ {n + 2} million in {mineral} projects in {other}, and "
            f"{last} met officials of the {firm} {kind} Association ({firm[0]}{kind[0]}A) "
            f"in {other} to sign an agreement on {mineral} supply. "
        )
        out.append(sentence)
        size += len(sentence)
        if size >= chars:
            return "".join(out)[:chars]
    raise AssertionError("unreachable")


def component_calls(nlp: Any, text: str, title: str | None = None) -> int:
    """Function calls made by the newswatch components while extracting one text."""
    doc = make_doc(nlp, ExtractInput(id="x", text=text, title=title))
    calls = 0

    def tally(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    for name, component in nlp.pipeline:
        ours = name.startswith("newswatch_")
        if ours:
            sys.setprofile(tally)
        try:
            doc = component(doc)
        finally:
            sys.setprofile(None)
    return calls


def growth(nlp: Any, make: Any, chars: int) -> float:
    component_calls(nlp, *make(chars))  # warm-up: lexicons and the KB load on first use
    return component_calls(nlp, *make(4 * chars)) / component_calls(nlp, *make(chars))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda n: (article_line(n), "Mining ministers meet"), id="article-one-line"),
        pytest.param(lambda n: ("Lithium " * (n // 8), "Lithium prices"), id="one-word-body"),
        pytest.param(lambda n: ("Prices rose.", "Lithium " * (n // 8)), id="one-word-title"),
        pytest.param(lambda n: ("China " * (n // 6), None), id="one-country-repeated"),
    ],
)
def test_extraction_work_grows_linearly_with_the_text(nlp_full, make):
    assert growth(nlp_full, make, 6000) < 6


def test_no_sentence_runs_past_the_bound(nlp_full):
    from extractors.doc_bounds import MAX_SENTENCE_TOKENS

    doc = nlp_full("Lithium " * 3000)
    assert max(len(sent) for sent in doc.sents) <= MAX_SENTENCE_TOKENS
    assert max((len(ent) for ent in doc.ents), default=0) <= MAX_SENTENCE_TOKENS


def test_outermost_spans_match_the_pairwise_definition():
    """The one-sweep `_outermost` keeps what comparing every pair of spans kept: the
    spans no longer span contains (identical bounds contain nothing)."""
    import random

    import spacy

    from extractors.org_candidates import _outermost

    doc = spacy.blank("en")(" ".join(f"w{i}" for i in range(60)))
    rng = random.Random(13)
    for _ in range(200):
        spans = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randrange(0, 59)
            spans.append(doc[start : rng.randint(start + 1, min(60, start + 6))])
        pairwise = [
            s
            for s in spans
            if not any(o.start <= s.start and s.end <= o.end and len(o) > len(s) for o in spans)
        ]
        assert _outermost(spans) == pairwise


def test_event_scores_read_the_document_once_for_all_its_events(nlp_full, monkeypatch):
    """`Doc.text` joins every token and `Span.ents` walks every entity: read per event,
    a long text's scoring grew with the square of its length (1,000,000 characters took
    3.7 times as long per character as 10,000, benchmarks/bench_linearity.py)."""
    from extractors import event_scores

    reads = []
    real = event_scores.DocFacts.of

    def counted(doc):
        reads.append(doc)
        return real(doc)

    monkeypatch.setattr(event_scores.DocFacts, "of", counted)
    doc = make_doc(nlp_full, ExtractInput(id="x", text=article_line(6000), title=None))
    for name, component in nlp_full.pipeline:
        if name == "newswatch_event_scores":
            events = len(doc._.nw_events)
            component.scores(doc)
            break
        doc = component(doc)
    assert events > 10 and len(reads) == 1


def test_doc_facts_give_the_entity_labels_span_ents_gives(nlp_full):
    from extractors.event_scores import DocFacts

    doc = nlp_full(article_line(3000))
    facts = DocFacts.of(doc)
    for sent in doc.sents:
        assert facts.labels_within(sent) == {e.label_ for e in sent.ents}
        part = doc[sent.start + 3 : sent.end - 2]
        assert facts.labels_within(part) == {e.label_ for e in part.ents}


def test_one_entity_reads_what_doc_ents_says(nlp_full):
    from extractors.org_candidates import _one_entity

    doc = nlp_full(article_line(3000))
    exact = {(e.start, e.end) for e in doc.ents}
    for start in range(len(doc)):
        for end in range(start + 1, min(len(doc), start + 6) + 1):
            assert _one_entity(doc[start:end]) == ((start, end) in exact)
