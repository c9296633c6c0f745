"""Delivering decided alerts: a JSON POST per alert, an email per watch and run.

Webhooks go through the same client as feeds (pipeline/acquire/transport.py): the
URL is vetted by netguard, the connection goes only to the vetted address, no
proxy, no redirect followed, so a watch cannot be pointed at the metadata
service or an intranet host unless `[fetch]` allows it. A 5xx, a 408/429 or a
transport failure is retried with exponential backoff inside the run; what
still fails stays pending for the next run, until `MAX_ATTEMPTS` runs gave up.
Any other 4xx is the receiver refusing the alert: given up at once.

Every POST carries `Idempotency-Key: <watch>:<key>` (also `alert_id` in the
body): a receiver that saw a send whose acknowledgement was lost in a crash can
tell the repeat.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

import httpx
import sqlite_utils

from pipeline.acquire.netguard import check_url
from pipeline.acquire.transport import make_client
from pipeline.core.config import Config
from pipeline.core.errors import FetchError, MailError, NewswatchError
from pipeline.digest.mailer import send_message
from pipeline.watch.render import render_email
from storage.alerts_write import PendingDelivery, mark_delivered, pending, record_failure
from storage.clock import Clock, iso

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # runs that tried a delivery before it is given up
RETRY_DELAYS = (1.0, 4.0)  # seconds before the 2nd and 3rd try inside one run
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_pending(
    db: sqlite_utils.Database,
    config: Config,
    clock: Clock,
    *,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send every pending delivery of the configured watches; the ledger records each."""
    report = DeliveryReport()
    watches = {w.name: w for w in config.watch}
    webhooks = [
        p for p in pending(db, "webhook") if p.watch in watches and watches[p.watch].webhook
    ]
    if webhooks:
        owned = client is None
        http = client or make_client(config.fetch)
        try:
            for item in webhooks:
                _post_one(db, config, http, item, watches[item.watch].webhook, clock, sleep, report)
        finally:
            if owned:
                http.close()
    by_watch: dict[str, list[PendingDelivery]] = {}
    for item in pending(db, "email"):
        if item.watch in watches and watches[item.watch].email:
            by_watch.setdefault(item.watch, []).append(item)
    for name, items in by_watch.items():
        _mail(db, config, name, items, clock, report)
    return report


def _post_one(
    db: sqlite_utils.Database,
    config: Config,
    http: httpx.Client,
    item: PendingDelivery,
    url: str,
    clock: Clock,
    sleep: Callable[[float], None],
    report: DeliveryReport,
) -> None:
    payload = json.loads(item.payload)
    body = {"alert_id": item.alert_id, **payload}
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": f"{item.watch}:{payload.get('key', item.alert_id)}",
    }
    error, retry = "", False
    for attempt in range(len(RETRY_DELAYS) + 1):
        if attempt:
            sleep(RETRY_DELAYS[attempt - 1])
        error, retry = _post(http, config, url, body, headers)
        if not error:
            mark_delivered(db, [item.alert_id], "webhook", url, iso(clock()))
            report.delivered += 1
            log.info("alert %d (%s) posted to %s", item.alert_id, item.watch, url)
            return
        if not retry:
            break
    # A plain refusal (a 4xx, a blocked address) is given up at once.
    limit = MAX_ATTEMPTS if retry else 0
    record_failure(db, [item.alert_id], "webhook", error, iso(clock()), limit)
    report.failed += 1
    report.errors.append(f"{item.watch}: webhook {url}: {error}")
    log.warning("alert %d (%s): webhook %s failed: %s", item.alert_id, item.watch, url, error)


def _post(
    http: httpx.Client, config: Config, url: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[str, bool]:
    """("", False) when accepted, else (why, worth retrying)."""
    try:
        check_url(url, config.fetch.allow_private_networks, config.fetch.allow_hosts)
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        # Streamed and closed unread: only the status matters, and a receiver's body
        # (however large) is never pulled into memory.
        with http.stream("POST", url, content=content, headers=headers) as response:
            status = response.status_code
    except FetchError as exc:
        return f"{exc.reason}: {exc}", exc.reason == "transport"
    except httpx.HTTPError as exc:
        return f"transport: {exc or type(exc).__name__}", True
    except NewswatchError as exc:
        return str(exc), False
    if 200 <= status < 300:
        return "", False
    return f"HTTP {status}", status in RETRY_STATUSES


def _mail(
    db: sqlite_utils.Database,
    config: Config,
    watch: str,
    items: list[PendingDelivery],
    clock: Clock,
    report: DeliveryReport,
) -> None:
    recipients = next(w.email for w in config.watch if w.name == watch)
    payloads = [json.loads(i.payload) for i in items]
    html, text = render_email(watch, payloads)
    msg = EmailMessage()
    count = len(payloads)
    msg["Subject"] = f"newswatch: {count} new alert{'s' if count != 1 else ''} for {watch}"
    msg["From"] = config.digest.email.sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="newswatch")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    ids = [i.alert_id for i in items]
    try:
        send_message(config.digest.email, msg)
    except MailError as exc:
        record_failure(db, ids, "email", str(exc), iso(clock()), MAX_ATTEMPTS)
        report.failed += len(ids)
        report.errors.append(f"{watch}: email: {exc}")
        log.warning("alerts of %s: email failed: %s", watch, exc)
        return
    mark_delivered(db, ids, "email", ", ".join(recipients), iso(clock()))
    report.delivered += len(ids)
    log.info("%d alerts of %s emailed to %s", count, watch, ", ".join(recipients))
