"""Comparing a model `make train` refits with the one shipped.

The weights are written rounded (4 or 5 decimals). The fits are deterministic, but the
last bits of a float sum depend on the machine's vector instructions, and a weight that
sits on a rounding boundary can come out one unit apart on another machine (seen:
"proposals 1.7012" against the shipped 1.7013). So the refit must name the same
features with the same weights and figures up to `TOLERANCE`: a stale model (rules or
data changed since `make train`) moves far more than that.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from extractors.linear_models import MODEL_FILE, read_linear_model

TOLERANCE = 2e-4  # two units of the coarsest rounding written (4 decimals)


def _close(a: Any, b: Any, where: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(a.keys() ^ b.keys())} differ"]
        return [d for k in a for d in _close(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _close(x, y, where)]
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return [] if math.isclose(a, b, abs_tol=TOLERANCE) else [f"{where}: {a} != {b}"]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"]


def model_differences(refit: Path, shipped: Path) -> list[str]:
    """What differs, beyond the rounding tolerance, between two model folders."""
    new_weights, new_bias, new_threshold = read_linear_model(refit, "refit")
    old_weights, old_bias, old_threshold = read_linear_model(shipped, "shipped")
    out = _close(new_weights, old_weights, "weights")
    out += _close([new_bias, new_threshold], [old_bias, old_threshold], "bias, threshold")
    new_meta = json.loads((refit / MODEL_FILE).read_text(encoding="utf-8"))
    old_meta = json.loads((shipped / MODEL_FILE).read_text(encoding="utf-8"))
    return out + _close(new_meta, old_meta, "model.json")
