"""Alerts after a run: decide what is new for each [[watch]], commit it to the ledger,
then deliver it (webhook, email). `process_alerts` is what `run --once` and the
daemon call; see decide.py and deliver.py."""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass, field

import httpx
import sqlite_utils

from pipeline.alerts.decide import decide_alerts
from pipeline.alerts.deliver import deliver_pending
from pipeline.core.config import Config
from storage.clock import Clock, utc_now

log = logging.getLogger(__name__)

# Fault injection for the crash test: with this set to "kill-after-decide" the
# process SIGKILLs itself right after the decided alerts are committed and before
# any is delivered, the moment a crash must neither lose nor repeat an alert.
FAULT_ENV = "NEWSWATCH_FAULT"


@dataclass
class AlertSummary:
    decided: int = 0
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"alerts: {self.decided} new, {self.delivered} delivered"
        return text + (f", {self.failed} failed" if self.failed else "")


def process_alerts(
    db: sqlite_utils.Database,
    config: Config,
    clock: Clock = utc_now,
    *,
    client: httpx.Client | None = None,
) -> AlertSummary:
    """Decide and deliver the alerts of every configured watch, through the writer `db`."""
    summary = AlertSummary()
    if not config.watch:
        return summary
    decision = decide_alerts(db, config, clock())
    summary.decided = len(decision.alert_ids)
    if decision.alert_ids and os.environ.get(FAULT_ENV) == "kill-after-decide":
        log.warning("%s=kill-after-decide: killing this process", FAULT_ENV)
        os.kill(os.getpid(), signal.SIGKILL)
    report = deliver_pending(db, config, clock, client=client)
    summary.delivered, summary.failed, summary.errors = (
        report.delivered,
        report.failed,
        report.errors,
    )
    return summary
