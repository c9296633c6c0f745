"""Reading the alert ledger: what `newswatch alerts`, the Atom feed and the web UI list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils


@dataclass(frozen=True)
class StoredAlert:
    id: int
    watch: str
    key: str
    kind: str
    decided_at: str
    payload: dict[str, Any]
    deliveries: dict[str, str | None] = field(default_factory=dict)  # channel -> delivered_at

    def to_row(self) -> dict[str, Any]:
        """One flat row for table/json output."""
        p = self.payload
        article = p.get("article") or {}
        event = p.get("event") or {}
        return {
            "id": self.id,
            "watch": self.watch,
            "decided_at": self.decided_at,
            "type": p.get("type"),
            "name": event.get("name"),
            "date": p.get("date"),
            "participants": [x["name"] for x in event.get("participants", [])],
            "minerals": event.get("minerals", []),
            "matched": p.get("matched", []),
            "evidence": p.get("evidence"),
            "title": article.get("title"),
            "url": article.get("url"),
            "also_in": p.get("also_in", 0),
            "delivered": {c: at for c, at in self.deliveries.items()},
        }


def has_ledger(db: sqlite_utils.Database) -> bool:
    return "alerts" in db.table_names()


def list_alerts(
    db: sqlite_utils.Database,
    watch: str | None = None,
    since: str | None = None,
    limit: int = 200,
) -> list[StoredAlert]:
    """Alerts newest first, optionally of one watch and decided at or after `since` (ISO)."""
    if not has_ledger(db):
        return []
    rows = db.execute(
        "SELECT id, watch, key, kind, decided_at, payload FROM alerts "
        "WHERE (:w IS NULL OR watch = :w) AND (:s IS NULL OR decided_at >= :s) "
        "ORDER BY decided_at DESC, id DESC LIMIT :n",
        {"w": watch, "s": since, "n": limit},
    ).fetchall()
    deliveries: dict[int, dict[str, str | None]] = {}
    ids = [int(r[0]) for r in rows]
    for alert_id, channel, delivered_at in db.execute(
        "SELECT alert_id, channel, delivered_at FROM alert_deliveries "
        "WHERE alert_id IN (SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    ):
        deliveries.setdefault(int(alert_id), {})[channel] = delivered_at
    return [
        StoredAlert(
            id=int(r[0]),
            watch=r[1],
            key=r[2],
            kind=r[3],
            decided_at=r[4],
            payload=json.loads(r[5]),
            deliveries=deliveries.get(int(r[0]), {}),
        )
        for r in rows
    ]
