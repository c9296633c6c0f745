"""Enable/disable requests queued for a running scheduler.

While `newswatch schedule` holds the writer lock, `newswatch enable/disable` cannot
write the database; they queue a small JSON file in `<db>.control/` instead, and the
scheduler applies it before its next poll. Both sides import this module, so the
daemon does not depend on the CLI.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from storage import Store
from storage.clock import iso, utc_now


def control_dir(db_path: Path) -> Path:
    # Beside the database's real path, as the writer lock is (storage/lock.py): a
    # request given through a symlinked path reaches the daemon that holds the lock.
    return Path(f"{os.path.realpath(db_path)}.control")


def queue_request(db_path: Path, action: str, source: str, reason: str | None) -> None:
    folder = control_dir(db_path)
    folder.mkdir(exist_ok=True)
    body = json.dumps({"action": action, "source": source, "reason": reason})
    # Write then rename: the scheduler never reads half a request.
    stem = f"{time.time_ns()}-{os.getpid()}"
    tmp = folder / f".{stem}.tmp"
    tmp.write_text(body, encoding="utf-8")
    tmp.rename(folder / f"{stem}.json")


def pending_requests(db_path: Path) -> list[dict[str, Any]]:
    folder = control_dir(db_path)
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out


def apply_queued_requests(store: Store, db_path: Path) -> list[str]:
    """Apply, then delete, queued enable/disable requests, oldest first (the scheduler)."""
    folder = control_dir(db_path)
    if not folder.is_dir():
        return []
    done = []
    for path in sorted(folder.glob("*.json")):
        try:
            request = json.loads(path.read_text(encoding="utf-8"))
            done.append(apply_request(store, request))
        except (OSError, ValueError, KeyError):
            pass  # a broken request file is dropped, not retried forever
        path.unlink(missing_ok=True)
    return done


def apply_request(store: Store, request: dict[str, Any]) -> str:
    disabled = request["action"] == "disable"
    at = iso(utc_now())
    known = store.set_disabled(request["source"], disabled, request.get("reason"), at)
    note = "" if known else " (never polled yet: nothing to change)"
    return f"{request['source']}: {request['action']}d{note}"
