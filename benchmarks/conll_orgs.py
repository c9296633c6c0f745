"""Organisations against the CoNLL-2003 dev ORG spans, on stories outside dev and check.

    python -m benchmarks.conll_orgs [--shared PATH] [--save FILE] [--against FILE] [--json]

A validation set for organisation rules that is neither the dev set (tuned on) nor the
check set (aggregates only): the CoNLL-2003 dev stories (Reuters, 1996) that are not in
../shared/eval's dev or check texts, leaving out the sports desk's stories (their
"organisations" are clubs and score tables) and stubs under 300 characters. Each story
runs through the default pipeline as `newswatch extract` would; its organisations are
compared with the distinct ORG spans CoNLL marks in it, by the spec scorer's normalised
name (a name or an acronym on either side).

It is a proxy, not a gold standard: CoNLL marks every mention's surface form ("Jones
Medical" in a headline beside "Jones Medical Industries Inc"), sports clubs and markets
as ORG, the agency a story quotes ("told Reuters"; the spec keeps a quoted medium, NOTES
leave out the one that reports the story) and no lowercase body ("the foreign ministry"),
so its recall is low by construction. Its use is the difference a rule makes: `--save`
writes each story's names and `--against` lists the names a later run gained and lost,
story by story, to read before the check set's aggregate. The sealed evaluation set
draws on CoNLL-2003 too and may hold some of these stories: read the differences to see
whether a rule does what it says, never to write a rule for one story.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.harness import SharedCorpusMissing, shared_dir
from extractors.scoring import Tally

CORPUS = Path("corpora") / "labelled_news" / "conll2003_dev_docs.jsonl"
FLOORS_PATH = Path(__file__).with_name("conll_orgs_floors.json")
MIN_CHARS = 300
# The desk tags that open a sports story's headline ("SOCCER - ...", "TENNIS - ...").
SPORTS_DESKS = frozenset(
    """ATHLETICS BADMINTON BASEBALL BASKETBALL BOXING CRICKET CYCLING GOLF HOCKEY
    MOTORCYCLING NBA NFL NHL OLYMPICS ROWING RUGBY SKIING SOCCER SPORT SQUASH SWIMMING
    TENNIS TRIATHLON YACHTING""".split()  # noqa: SIM905 (a list read as prose)
) | {
    "AMERICAN FOOTBALL",
    "FORMULA ONE",
    "HORSE RACING",
    "ICE HOCKEY",
    "MOTOR RACING",
    "RUGBY LEAGUE",
    "RUGBY UNION",
    "TABLE TENNIS",
}
DESK = re.compile(r"^([A-Z][A-Z /]+?) - ")


def eval_story_ids(shared: Path) -> set[str]:
    """The CoNLL dev stories among the dev and check texts (their ids only)."""
    out = set()
    for name in ("dev_texts.jsonl", "check_texts.jsonl"):
        path = shared / "eval" / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                key = json.loads(line)["id"]
                if key.startswith("conll2003-dev:"):
                    out.add(key.split(":", 1)[1])
    return out


def is_sports(first_line: str) -> bool:
    desk = DESK.match(first_line)
    return desk is not None and desk.group(1).strip() in SPORTS_DESKS


def load_stories(shared: Path) -> list[dict[str, Any]]:
    """The proxy's stories, in file order."""
    path = shared / CORPUS
    if not path.is_file():
        raise SharedCorpusMissing(f"CoNLL-2003 dev stories not found at {path}")
    held = eval_story_ids(shared)
    stories = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if str(row["doc_index"]) in held or is_sports(row["first_line"]):
            continue
        if len(row["text"]) >= MIN_CHARS:
            stories.append(row)
    return stories


def measure(nlp: Any, stories: Iterable[dict[str, Any]]) -> tuple[Tally, dict[str, list[str]]]:
    """Our names against CoNLL's, counted as the scorer counts (`scoring.Tally`), and
    each story's names (for `--save` and `--against`)."""
    from extractors.nlp import extract
    from extractors.records import ExtractInput
    from extractors.scoring import norm

    stories = list(stories)
    items = [ExtractInput(id=str(s["doc_index"]), text=s["text"]) for s in stories]
    tally = Tally()
    names: dict[str, list[str]] = {}
    for story, extraction in zip(stories, extract(nlp, items), strict=True):
        gold = {norm(e["text"]) for e in story["entities"] if e["label"] == "ORG"}
        found: set[str] = set()
        for org in extraction.organizations:
            keys = {k for k in (norm(org.name), norm(org.acronym)) if k}
            if keys & gold:
                tally.tp += 1
                found |= keys & gold
            else:
                tally.fp += 1
        tally.fn += len(gold - found)
        names[extraction.id] = sorted(o.name for o in extraction.organizations)
    return tally, names


def changes(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[str]:
    """One line per story whose names differ: what it lost and what it gained."""
    lines = []
    for story in sorted(set(before) | set(after), key=lambda s: int(s) if s.isdigit() else 0):
        old, new = set(before.get(story, [])), set(after.get(story, []))
        if old != new:
            lines.append(f"story {story}: lost {sorted(old - new)} gained {sorted(new - old)}")
    return lines


def names_parser(description: str) -> argparse.ArgumentParser:
    """The options of a benchmark of organisation names (this one, marked_names)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--shared", type=Path, default=None, help="../shared dir")
    parser.add_argument("--save", type=Path, default=None, help="write each story's names")
    parser.add_argument("--against", type=Path, default=None, help="a --save file to diff")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    return parser


def save_and_compare(
    save: Path | None, before: dict[str, list[str]] | None, names: dict[str, list[str]]
) -> None:
    """Write each story's names to `save`; print what each story lost and gained
    against `before` (an earlier --save file)."""
    if save is not None:
        save.write_text(json.dumps(names, indent=0) + "\n", encoding="utf-8")
    if before is not None:
        for line in changes(before, names):
            print(line)


def main(argv: list[str] | None = None) -> int:
    args = names_parser(__doc__.splitlines()[0]).parse_args(argv)

    from extractors import build_nlp
    from pipeline.core.config import NLPConfig
    from pipeline.core.errors import USER_ERRORS

    try:
        stories = load_stories(shared_dir(args.shared))
        tally, names = measure(build_nlp(NLPConfig()), stories)
        before = json.loads(args.against.read_text(encoding="utf-8")) if args.against else None
    except (SharedCorpusMissing, OSError, ValueError, *USER_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    precision, recall, f1 = tally.prf()
    numbers = {
        "stories": len(stories),
        "tp": tally.tp,
        "fp": tally.fp,
        "fn": tally.fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }
    if args.json:
        print(json.dumps(numbers))
    else:
        print(
            f"{numbers['stories']} CoNLL-2003 dev stories outside dev and check: organisations "
            f"P {numbers['precision']:.3f} R {numbers['recall']:.3f} F1 {numbers['f1']:.3f} "
            f"(TP {tally.tp} FP {tally.fp} FN {tally.fn}; a proxy: see the module's notes)"
        )
    save_and_compare(args.save, before, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
