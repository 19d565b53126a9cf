"""Celery tasks of the outgoing webhooks: ids in, one service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from assessments.tasks import database_retries

from .delivery import deliveries_due, delivery_attempt

DISPATCH_BATCH = 500


@shared_task(name="assessments.api.tasks.webhook_deliver", **database_retries(5, 60))
def webhook_deliver_task(delivery_id: int) -> str:
    """Attempt one due delivery (retries are rows with a time, not broker countdowns)."""
    return delivery_attempt(delivery_id=delivery_id)


@shared_task(name="assessments.api.tasks.webhooks_dispatch_due", **database_retries(5))
def webhooks_dispatch_due_task() -> int:
    """Queue an attempt for every delivery now due (from beat)."""
    due = deliveries_due(limit=DISPATCH_BATCH)
    for delivery_id in due:
        webhook_deliver_task.delay(delivery_id)
    return len(due)
