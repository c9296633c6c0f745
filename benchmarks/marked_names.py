"""Company names the Reuters wire marks, found with the marks taken away.

    python -m benchmarks.marked_names [--shared PATH] [--save FILE] [--against FILE] [--json]

The Reuters-21578 wire marks many a company's name in angle brackets ("agreed to buy
<Giorgio Inc>, a fragrance company"). The rules read those marks (`wire_marked_names`);
this measure removes them first, so the marked names are a silver standard for company
names written as news writes them elsewhere: how many the organisation rules find
unaided. It counts recall only (the wire marks some names, not every one, so an
unmarked name found is no error) on the stories of Reuters TRAIN that carry a mark and
are in neither ../shared/eval's dev nor check texts: every STEP-th of them, in id
order, MAX_STORIES at most. A name counts as found when an organisation's name or
acronym equals it by the spec scorer's normalisation.

Its use is the difference a rule makes to company names ("Co Pty Ltd", "TI-CARO Inc",
"Parker and Parsley Petroleum Co"): `--save` before, `--against` after lists each
story's names found and lost. Read them to see whether a rule does what it says; the
stories of the check and sealed sets are not among them.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from benchmarks.conll_orgs import names_parser, save_and_compare
from benchmarks.harness import REUTERS, SharedCorpusMissing, shared_dir
from extractors.records import ExtractInput

FLOORS_PATH = Path(__file__).with_name("marked_names_floors.json")
STEP = 1
MAX_STORIES = 1000
MARK = re.compile(r"<([^<>\n]{1,80})>")
TICKER = re.compile(r"[A-Z0-9.]{1,8}( [A-Z]{1,2})?")  # "<GUIN.L>", "<VOLV ST>": tickers


def marked_names(text: str) -> set[str]:
    """The names in a text's angle brackets, tickers left out."""
    names = {" ".join(m.split()) for m in MARK.findall(text)}
    return {n for n in names if n and n[0].isupper() and not TICKER.fullmatch(n)}


def unmarked(text: str) -> str:
    """The text with the brackets taken away and the names left in place."""
    return MARK.sub(lambda m: m.group(1), text)


def held_ids(shared: Path) -> set[str]:
    """The Reuters stories among the dev and check texts ("reuters-<id>")."""
    out = set()
    for name in ("dev_texts.jsonl", "check_texts.jsonl"):
        path = shared / "eval" / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                key = json.loads(line)["id"]
                if key.startswith("reuters-"):
                    out.add(key.split("-", 1)[1])
    return out


def load_stories(shared: Path) -> list[dict[str, Any]]:
    """The measure's stories: id, unmarked body and title, date, dateline, marked names."""
    path = shared / REUTERS
    if not path.is_file():
        raise SharedCorpusMissing(f"Reuters-21578 TRAIN not found at {path}")
    held = held_ids(shared)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    marked = [
        r
        for r in sorted(rows, key=lambda r: int(r["id"]))
        if str(r["id"]) not in held and marked_names(str(r.get("body") or ""))
    ]
    stories = []
    for row in marked[::STEP][:MAX_STORIES]:
        body = re.sub(r"\s*\bReuter\s*$", "", str(row.get("body") or ""))
        stories.append(
            {
                "id": str(row["id"]),
                "text": unmarked(body),
                "title": unmarked(str(row.get("title") or "")) or None,
                "date": row.get("date") or None,  # whole: "26-FEB-1987 15:01:01.79"
                "dateline": row.get("dateline"),
                "names": sorted(marked_names(body)),
            }
        )
    return stories


def measure(nlp: Any, stories: Iterable[dict[str, Any]]) -> tuple[int, int, dict[str, list[str]]]:
    """(marked names found, marked names, each story's marked names found)."""
    from extractors.nlp import extract
    from extractors.scoring import norm

    stories = list(stories)
    items = [
        ExtractInput(s["id"], s["text"], s["title"], s["date"], s["dateline"]) for s in stories
    ]
    found_total = total = 0
    found: dict[str, list[str]] = {}
    for story, extraction in zip(stories, extract(nlp, items), strict=True):
        keys = {norm(o.name) for o in extraction.organizations}
        keys |= {norm(o.acronym) for o in extraction.organizations if o.acronym}
        hits = [n for n in story["names"] if norm(n) in keys]
        found[story["id"]] = hits
        found_total += len(hits)
        total += len(story["names"])
    return found_total, total, found


def main(argv: list[str] | None = None) -> int:
    args = names_parser(__doc__.splitlines()[0]).parse_args(argv)

    from extractors import build_nlp
    from pipeline.core.config import NLPConfig
    from pipeline.core.errors import USER_ERRORS

    try:
        stories = load_stories(shared_dir(args.shared))
        hits, total, found = measure(build_nlp(NLPConfig()), stories)
        before = json.loads(args.against.read_text(encoding="utf-8")) if args.against else None
    except (SharedCorpusMissing, OSError, ValueError, *USER_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    recall = hits / total if total else 1.0
    numbers = {"stories": len(stories), "names": total, "found": hits, "recall": round(recall, 4)}
    if args.json:
        print(json.dumps(numbers))
    else:
        print(
            f"{len(stories)} Reuters TRAIN stories outside dev and check: {hits} of the {total} "
            f"company names the wire marks found with the marks taken away (recall {recall:.3f})"
        )
    save_and_compare(args.save, before, found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
