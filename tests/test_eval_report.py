"""`newswatch eval --check`: two gold sets scored by one pipeline, printed side by side."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from extractors.evaluate import format_side_by_side
from extractors.scoring import score
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
