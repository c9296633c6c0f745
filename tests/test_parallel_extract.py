"""extract() with n_process > 1: records from worker processes, in order, failures raised."""

from __future__ import annotations

import multiprocessing as mp
import os

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors import extract
from extractors.errors import ExtractionWorkerError
from extractors.parallel import fork_available
from extractors.records import ExtractInput, Mention, to_plain

pytestmark = pytest.mark.skipif(not fork_available(), reason="worker processes need fork")


@Language.component("test_parallel_marks")
def _marks(doc: Doc) -> Doc:
    """Records something per document (so order and content can be checked) or misbehaves."""
    if "BOOM" in doc.text:
        raise RuntimeError(f"component failed on {doc.text!r}")
    if "DIE" in doc.text:
        os._exit(3)  # a worker killed mid-batch (OOM killer, kill -9)
    word = doc[-1].text
    doc._.nw_minerals = [to_plain(Mention(word, doc[-1].idx, len(doc.text), word))]
    return doc


def _nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_parallel_marks")
    return nlp


def _items(texts: list[str]) -> list[ExtractInput]:
    return [ExtractInput(id=str(n), text=t, title="") for n, t in enumerate(texts)]


def test_two_workers_give_the_same_records_in_input_order():
    nlp = _nlp()
    items = _items([f"story number {n} about lithium{n}" for n in range(103)])
    one = [e.to_spec() for e in extract(nlp, items, batch_size=4, n_process=1)]
    two = list(extract(nlp, items, batch_size=4, n_process=2))
    assert [e.id for e in two] == [str(n) for n in range(103)]
    assert [e.to_spec() for e in two] == one
    assert two[57].minerals[0].canonical == "lithium57"


def test_streaming_input_is_not_read_ahead_in_full():
    nlp = _nlp()
    pulled = 0

    def items():
        nonlocal pulled
        for n in range(10_000):
            pulled += 1
            yield ExtractInput(id=str(n), text=f"text {n}", title="")

    stream = extract(nlp, items(), batch_size=5, n_process=2)
    first = next(stream)
    assert first.id == "0"
    assert pulled < 100  # a few batches in flight, not the whole input
    stream.close()
    assert not mp.active_children()  # closing early stops the workers


def test_a_component_error_in_a_worker_is_raised_with_its_traceback():
    nlp = _nlp()
    items = _items(["fine one", "fine two", "this goes BOOM", "fine three"])
    stream = extract(nlp, items, batch_size=1, n_process=2)
    assert [next(stream).id, next(stream).id] == ["0", "1"]  # batches before it still arrive
    with pytest.raises(ExtractionWorkerError, match="component failed on 'this goes BOOM'"):
        next(stream)
    assert not mp.active_children()


def test_a_worker_that_dies_is_reported_not_waited_for_forever():
    nlp = _nlp()
    items = _items(["fine", "the worker will DIE here", *["more"] * 20])
    with pytest.raises(ExtractionWorkerError, match=r"worker died.*exit code 3"):
        list(extract(nlp, items, batch_size=2, n_process=2))
    assert not mp.active_children()


def test_empty_input_gives_no_records():
    assert list(extract(_nlp(), [], batch_size=8, n_process=2)) == []


@pytest.mark.integration
def test_full_pipeline_records_identical_across_process_counts(nlp_full):
    texts = [
        "Treasury Secretary Scott Bessent met Indian Finance Minister Nirmala Sitharaman "
        "in Washington on Tuesday to discuss critical minerals such as lithium and cobalt.",
        "Australia and Japan signed an agreement on rare earth supply chains.",
        "China announced export controls on gallium and germanium, the commerce ministry said.",
    ] * 3
    items = _items(texts)
    one = [e.to_spec() for e in extract(nlp_full, items, batch_size=2, n_process=1)]
    two = [e.to_spec() for e in extract(nlp_full, items, batch_size=2, n_process=2)]
    assert two == one
    assert any(spec["events"] for spec in two)
