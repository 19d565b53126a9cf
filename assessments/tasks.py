"""Thin Celery tasks: ids in, one service call, safe to run twice.

No task here is ever given an eta or countdown longer than a few minutes: brokers redeliver
long-delayed messages (Redis after its visibility timeout), so time-based scheduling lives in
FollowUp rows and the beat-driven dispatcher, never in the broker.
"""

from __future__ import annotations

import smtplib
from collections import Counter
from collections.abc import Mapping

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

from assessments.followups.services import (
    Claim,
    TransientSendError,
    followup_send,
    followups_dispatch_due,
    followups_send_claimed,
)
from assessments.insights.rollups import rollups_refresh
from assessments.privacy.services import kept_photos_expire, retention_apply

TRANSIENT = (TransientSendError, OperationalError, InterfaceError, smtplib.SMTPServerDisconnected)
# Retries back off 10 s, 20 s, 40 s… and never wait more than 5 minutes.
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 10,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


def database_retries(backoff: int, backoff_max: int = 600) -> dict[str, object]:
    """Task options for a beat-driven pass that only needs a database hiccup retried: backing
    off from `backoff` seconds up to `backoff_max`, three times, the message kept until done."""
    return {
        "acks_late": True,
        "reject_on_worker_lost": True,
        "autoretry_for": (OperationalError, InterfaceError),
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "max_retries": 3,
    }


@shared_task(name="assessments.tasks.followup_send", **RETRY)
def followup_send_task(followup_id: int, claim: str) -> str:
    """Send one claimed follow-up (the service re-checks consent, unsubscribe and cap)."""
    return followup_send(followup_id=followup_id, claim=claim)


@shared_task(name="assessments.tasks.followups_send_batch", **RETRY)
def followups_send_batch_task(claim: str, followup_ids: list[int]) -> dict[str, int]:
    """Send one claimed batch (the service re-checks it as a whole); how many became what."""
    return dict(Counter(followups_send_claimed(claim=claim, ids=followup_ids).values()))


def followups_queue_batch(claims: list[Claim]) -> Mapping[str, int]:
    """Hand one claimed batch to a worker as one task: {"queued": n}, or {"retry": n}."""
    try:
        followups_send_batch_task.delay(claims[0].claim, [c.followup_id for c in claims])
    except (DatabaseError, TransientSendError, Retry):
        # As for one follow-up: what was not handed over stays claimed and is recovered.
        return {"retry": len(claims)}
    return {"queued": len(claims)}


def followup_queue(claim: Claim) -> str:
    """Hand one claimed follow-up to the workers: "queued", or "retry" when that failed."""
    try:
        followup_send_task.delay(claim.followup_id, claim.claim)
    except (DatabaseError, TransientSendError, Retry):
        # Eager mode runs the send inline; a failed send stays claimed and is recovered by a
        # later pass rather than stopping this one.
        return "retry"
    return "queued"


@shared_task(name="assessments.tasks.followups_dispatch_due", **database_retries(5, 60))
def followups_dispatch_due_task(limit: int | None = None, rounds: int = 50) -> int:
    """Recover stale rows, then claim due follow-ups in batches and queue one send per batch."""
    done = followups_dispatch_due(
        deliver_batch=followups_queue_batch,
        limit=limit or settings.FOLLOWUPS_BATCH,
        worker="beat",
        rounds=rounds,
    )
    return done.outcomes.get("queued", 0)


@shared_task(name="assessments.tasks.retention_apply", **database_retries(60, 300))
def retention_apply_task() -> dict[str, dict[str, int]]:
    """Apply every brand's retention period (daily, from beat); what changed, by brand."""
    return {
        done.brand: {"deleted": done.deleted, "anonymised": done.anonymised}
        for done in retention_apply()
        if done.deleted or done.anonymised
    }


@shared_task(name="assessments.tasks.kept_photos_expire", **database_retries(60, 300))
def kept_photos_expire_task() -> int:
    """Delete the footprint photos kept past their day (hourly, from beat)."""
    return kept_photos_expire()


@shared_task(name="assessments.tasks.insights_refresh", **database_retries(30))
def insights_refresh_task() -> dict[str, int]:
    """Re-sum the Insights rollups that changed (every minute, from beat); safe to overlap."""
    done = rollups_refresh()
    return {"refreshed": done.refreshed, "superseded": done.superseded}
