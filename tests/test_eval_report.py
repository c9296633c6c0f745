"""`newswatch eval --check`: two gold sets scored by one pipeline, printed side by side."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from extractors.evaluate import format_side_by_side
from extractors.scoring import event_breakdown, score
from pipeline.cli import main

GOLD = [
    {
        "id": "a",
        "minerals": ["lithium", "cobalt"],
        "countries": ["India"],
        "officials": [{"name": "Ashwini Vaishnaw", "role": "Minister", "country": "India"}],
        "organizations": [],
        "events": [],
    }
]


def test_side_by_side_puts_each_sets_scores_in_its_own_column_group():
    perfect = score(GOLD, {"a": GOLD[0]})
    half = score(GOLD, {"a": {**GOLD[0], "minerals": ["lithium"], "officials": []}})
    table = format_side_by_side(
        {"dev": {"newswatch": perfect, "articles": 1}, "check": {"newswatch": half, "articles": 1}}
    )
    header, _, *rows = table.splitlines()
    assert "dev (1)" in header and "check (1)" in header
    assert header.index("dev (1)") < header.index("check (1)")
    minerals = next(r for r in rows if r.startswith("minerals")).split("|")
    assert [c.split() for c in minerals[1:]] == [
        ["1.000", "1.000", "1.000"],
        ["1.000", "0.500", "0.667"],
    ]
    officials = next(r for r in rows if r.startswith("officials ")).split("|")
    assert officials[2].split() == ["1.000", "0.000", "0.000"]
    role = next(r for r in rows if r.startswith("officials.role")).split("|")
    assert role[1].split() == ["1.000", "(n", "1)"] and role[2].split() == ["n/a", "(n", "0)"]


def test_side_by_side_adds_the_first_sets_baseline_column():
    ours = score(GOLD, {"a": GOLD[0]})
    base = score(GOLD, {"a": {**GOLD[0], "countries": []}})
    table = format_side_by_side(
        {
            "dev": {"newswatch": ours, "articles": 1, "baseline": base},
            "check": {"newswatch": ours, "articles": 1},
        }
    )
    assert "dev baseline" in table.splitlines()[0]
    countries = next(r for r in table.splitlines() if r.startswith("countries"))
    assert countries.split("|")[-1].strip() == "0.000"


def _event(kind: str, evidence: str, *participants: str) -> dict[str, object]:
    return {"type": kind, "evidence": evidence, "participants": list(participants)}


EVENTS_GOLD = [
    {
        "id": "a",
        "events": [
            _event("statement", "India welcomed the partnership.", "India"),
            _event("meeting", "Vaishnaw met the US delegation in Delhi.", "Ashwini Vaishnaw"),
        ],
    }
]
EVENTS_PRED = {
    "a": {
        "events": [
            _event("statement", "India welcomed the partnership.", "India"),
            _event("statement", "Analysts said lithium prices may rise.", "Analysts"),
            # the meeting found with the wrong type
            _event("agreement", "Vaishnaw met the US delegation in Delhi.", "Ashwini Vaishnaw"),
        ]
    }
}


def test_event_breakdown_tallies_each_type_and_the_type_blind_match():
    rows = event_breakdown(EVENTS_GOLD, EVENTS_PRED)
    counts = {kind: (r["tp"], r["fp"], r["fn"]) for kind, r in rows.items()}
    assert counts == {
        "statement": (1, 1, 0),  # one found, one gold does not log
        "meeting": (0, 0, 1),
        "agreement": (0, 1, 0),
        "any type": (2, 1, 0),  # the mistyped meeting matches when types are ignored
    }
    # the typed rows add up to score.py's events tally
    events = score(EVENTS_GOLD, EVENTS_PRED)["events"]
    typed = [c for kind, c in counts.items() if kind != "any type"]
    assert tuple(map(sum, zip(*typed, strict=True))) == (events["tp"], events["fp"], events["fn"])


def test_side_by_side_lists_the_events_by_type_of_each_set():
    dev = {"newswatch": score(EVENTS_GOLD, EVENTS_PRED), "articles": 1,
           "events_by_type": event_breakdown(EVENTS_GOLD, EVENTS_PRED)}  # fmt: skip
    perfect = {"newswatch": score(EVENTS_GOLD, {"a": EVENTS_GOLD[0]}), "articles": 1,
               "events_by_type": event_breakdown(EVENTS_GOLD, {"a": EVENTS_GOLD[0]})}  # fmt: skip
    lines = format_side_by_side({"dev": dev, "check": perfect}).splitlines()
    section = lines[lines.index(next(x for x in lines if x.startswith("events by type"))) + 1 :]
    rows = {r.split("|")[0].strip(): [c.split() for c in r.split("|")[1:3]] for r in section}
    assert list(rows) == ["meeting", "agreement", "statement", "any type"]  # the spec's order
    assert rows["statement"] == [["0.500", "1.000", "0.667"], ["1.000", "1.000", "1.000"]]
    assert rows["agreement"] == [["0.000", "1.000", "0.000"], ["-"]]  # none in the check set
    assert rows["any type"][0] == ["0.667", "1.000", "0.800"]


@pytest.mark.integration
@pytest.mark.shared
def test_eval_command_scores_both_sets_with_one_pipeline(shared_dir, tmp_path):
    """Two dev articles as "dev", two others as "check": the JSON holds one result per set,
    each scored on its own articles."""
    gold = [json.loads(x) for x in (shared_dir / "eval" / "dev_gold.jsonl").open()]
    texts = {json.loads(x)["id"]: x for x in (shared_dir / "eval" / "dev_texts.jsonl").open()}
    paths = {}
    for name, rows in (("dev", gold[:2]), ("check", gold[2:4])):
        paths[name] = (tmp_path / f"{name}_gold.jsonl", tmp_path / f"{name}_texts.jsonl")
        paths[name][0].write_text("".join(json.dumps(r) + "\n" for r in rows))
        paths[name][1].write_text("".join(texts[r["id"]] for r in rows))
    args = ["eval", *map(str, paths["dev"]), "--check", *map(str, paths["check"]), "--no-baseline"]
    out = CliRunner().invoke(main, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert set(result) == {"dev", "check"}
    assert result["dev"]["articles"] == result["check"]["articles"] == 2
    gold_officials = {
        name: sum(len(r["officials"]) for r in rows)
        for name, rows in (("dev", gold[:2]), ("check", gold[2:4]))
    }
    for name in ("dev", "check"):
        tally = result[name]["newswatch"]["officials"]
        assert tally["tp"] + tally["fn"] == gold_officials[name]
    table = CliRunner().invoke(main, args)
    assert table.exit_code == 0 and "dev (2)" in table.output and "check (2)" in table.output


def test_eval_command_refuses_a_missing_check_file(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("")
    out = CliRunner().invoke(main, ["eval", str(gold), str(gold), "--check", str(gold)])
    assert out.exit_code == 2
