"""Outgoing webhooks' outbox: each event becomes one delivery row per endpoint that wants it,
written in the transaction that made the event, and queued once that transaction commits.

The payload is built now, from the rows as the event left them, in the API's own shapes:
`{"type": "purchase.recorded", "timestamp": "…", "data": <the purchase as GET returns it>}`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from assessments.events import happened
from assessments.models import WebhookDelivery, WebhookEndpoint, WebhookEvent

from . import present, selectors
from .tasks import webhook_deliver_task
from .wanted import events_wanted

log = logging.getLogger(__name__)

# What each event's `data` is: a reader of the row by brand and id, and its shape.
SUBJECTS: dict[str, tuple[Callable[[int, int], Any], Callable[[Any], dict[str, Any]]]] = {
    WebhookEvent.RESPONSE_COMPLETED: (selectors.completed_response, present.response_out),
    WebhookEvent.LEARNED_ANSWERED: (selectors.completed_response, present.learned_out),
    WebhookEvent.PURCHASE_RECORDED: (selectors.purchase_by_id, present.purchase_out),
    WebhookEvent.CHECKIN_ANSWERED: (selectors.checkin_by_id, present.checkin_out),
}


@receiver(happened, dispatch_uid="api-webhooks-outbox")
def _on_event(sender: WebhookEvent, *, brand_id: int, subject_id: int, **_: Any) -> None:
    deliveries_write(event=sender, brand_id=brand_id, subject_id=subject_id)


def deliveries_write(*, event: str, brand_id: int, subject_id: int) -> list[WebhookDelivery]:
    """Write this event's deliveries for the brand's active endpoints that asked for it."""
    if event not in events_wanted(brand_id):
        return []
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(brand_id=brand_id, active=True)
        if event in (endpoint.events or ())
    ]
    if not endpoints:
        return []
    read, show = SUBJECTS[event]
    subject = read(brand_id, subject_id)
    if subject is None:
        return []
    now = timezone.now()
    payload = json.loads(
        json.dumps({"type": event, "timestamp": now, "data": show(subject)}, cls=DjangoJSONEncoder)
    )
    window = dt.timedelta(hours=settings.WEBHOOKS_RETRY_WINDOW_HOURS)
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                brand_id=brand_id,
                endpoint=endpoint,
                event=event,
                message_id=f"msg_{uuid.uuid4().hex}",
                payload=payload,
                next_attempt_at=now,
                retry_until=now + window,
            )
            for endpoint in endpoints
        ]
    )
    for row in rows:
        # After commit: an event whose change was rolled back is never sent.
        transaction.on_commit(functools.partial(webhook_queue, row.pk))
    return rows


def webhook_queue(delivery_id: int) -> None:
    """Hand a delivery to the workers; if that fails, the beat-driven pass picks it up."""
    try:
        webhook_deliver_task.delay(delivery_id)
    except Exception:
        # The broker is down (or, run inline, the attempt broke): the row is still due.
        log.warning("Webhook delivery %s not queued; the next pass will send it.", delivery_id)
