"""Precision, recall and F1 per field, by the rules of ../shared/eval/score.py.

The reference scorer is the contract; this is the same arithmetic as a library so
that `newswatch eval` and the quality gate need no file outside the repo.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
Row = Mapping[str, Any]


def norm(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    for d in DASHES:
        text = text.replace(d, "-")
    text = text.lower().strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def tokens(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", norm(text)))


def surname(name: str | None) -> str:
    toks = norm(name).replace("-", " ").split()
    return toks[-1] if toks else ""


def overlap(a: str | None, b: str | None) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def jaccard(a: str | None, b: str | None) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += int(ok)

    def value(self) -> float | None:
        return self.right / self.total if self.total else None


def match_greedy(
    gold: list[Row], pred: list[Row], same: Callable[[Row, Row], bool]
) -> list[tuple[int, int]]:
    pairs, used = [], set()
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if pi not in used and same(g, p):
                pairs.append((gi, pi))
                used.add(pi)
                break
    return pairs


def set_field(gold: Iterable[str], pred: Iterable[str], tally: Tally) -> None:
    g = {norm(x) for x in gold if x}
    p = {norm(x) for x in pred if x}
    tally.add(len(g & p), len(p - g), len(g - p))


def same_official(g: Row, p: Row) -> bool:
    return bool(surname(g.get("name"))) and surname(g.get("name")) == surname(p.get("name"))


def same_org(g: Row, p: Row) -> bool:
    keys_g = {k for k in (norm(g.get("name")), norm(g.get("acronym"))) if k}
    keys_p = {k for k in (norm(p.get("name")), norm(p.get("acronym"))) if k}
    return bool(keys_g & keys_p)


def same_event(g: Row, p: Row) -> bool:
    if g.get("type") != p.get("type"):
        return False
    gp = {norm(x) for x in g.get("participants") or []}
    pp = {norm(x) for x in p.get("participants") or []}
    if gp & pp:
        return True
    return jaccard(g.get("evidence"), p.get("evidence")) >= 0.5


def score(gold_rows: Iterable[Row], pred_rows: Mapping[str, Row]) -> dict[str, dict[str, Any]]:
    """Micro-averaged P/R/F1 per field plus attribute accuracies, keyed like score.py."""
    t: dict[str, Tally] = defaultdict(Tally)
    acc: dict[str, Accuracy] = defaultdict(Accuracy)
    for g in gold_rows:
        p = pred_rows.get(str(g["id"]), {})
        set_field(g.get("minerals", []), p.get("minerals", []), t["minerals"])
        set_field(g.get("countries", []), p.get("countries", []), t["countries"])

        go, po = g.get("officials", []), p.get("officials", []) or []
        pairs = match_greedy(go, po, same_official)
        t["officials"].add(len(pairs), len(po) - len(pairs), len(go) - len(pairs))
        for gi, pi in pairs:
            if go[gi].get("role"):
                acc["officials.role"].add(overlap(go[gi]["role"], po[pi].get("role")) >= 0.5)
            if go[gi].get("country"):
                acc["officials.country"].add(norm(go[gi]["country"]) == norm(po[pi].get("country")))

        gr, pr = g.get("organizations", []), p.get("organizations", []) or []
        pairs = match_greedy(gr, pr, same_org)
        t["organizations"].add(len(pairs), len(pr) - len(pairs), len(gr) - len(pairs))
        for gi, pi in pairs:
            acc["organizations.kind"].add(gr[gi].get("kind") == pr[pi].get("kind"))

        ge, pe = g.get("events", []), p.get("events", []) or []
        pairs = match_greedy(ge, pe, same_event)
        t["events"].add(len(pairs), len(pe) - len(pairs), len(ge) - len(pairs))
        for gi, pi in pairs:
            sub = Tally()
            set_field(ge[gi].get("participants", []), pe[pi].get("participants", []), sub)
            t["events.participants"].add(sub.tp, sub.fp, sub.fn)
            if ge[gi].get("date"):
                acc["events.date"].add(ge[gi]["date"] == pe[pi].get("date"))

    report = {name: _row(tally) for name, tally in t.items()}
    for name, a in acc.items():
        value = a.value()
        report[name] = {"accuracy": None if value is None else round(value, 3), "n": a.total}
    return report


def event_breakdown(
    gold_rows: Iterable[Row], pred_rows: Mapping[str, Row]
) -> dict[str, dict[str, Any]]:
    """The events' tally per type, and once more with the type ignored ("any type").

    Not part of score.py's report: an aggregate that says where precision goes without
    reading one article. Events are matched as score.py matches them (the same type),
    so a predicted event left unmatched is a false positive of its own type and a gold
    event left unmatched a false negative of its own. "any type" matches every type
    against every other: its precision above the typed figure is events found with the
    wrong type; what it still counts false are events gold does not log."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    for g in gold_rows:
        p = pred_rows.get(str(g["id"]), {})
        ge, pe = g.get("events", []) or [], p.get("events", []) or []
        pairs = match_greedy(ge, pe, same_event)
        found, kept = {gi for gi, _ in pairs}, {pi for _, pi in pairs}
        for pi, event in enumerate(pe):
            hit = pi in kept
            tallies[str(event.get("type"))].add(int(hit), int(not hit), 0)
        for gi, event in enumerate(ge):
            if gi not in found:
                tallies[str(event.get("type"))].add(0, 0, 1)
        untyped = match_greedy(ge, pe, _same_event_any_type)
        tallies["any type"].add(len(untyped), len(pe) - len(untyped), len(ge) - len(untyped))
    return {name: _row(tally) for name, tally in sorted(tallies.items())}


def _row(tally: Tally) -> dict[str, Any]:
    """A field's line of the report, as score.py writes it."""
    p, r, f = tally.prf()
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(f, 3),
            "tp": tally.tp, "fp": tally.fp, "fn": tally.fn}  # fmt: skip


def _same_event_any_type(g: Row, p: Row) -> bool:
    return same_event({**g, "type": None}, {**p, "type": None})
