"""Events other systems can be told about, announced by the services that make them happen.

A service announces an event inside the transaction that wrote the change; the outgoing
webhooks (assessments/api) listen and write their outbox rows in that same transaction, so an
event is sent if and only if its change was committed. A signal rather than a call because the
webhooks sit above every capability in the layers: services must not import them.
"""

from __future__ import annotations

from django.dispatch import Signal

from assessments.models import WebhookEvent

# sender: the WebhookEvent; keyword arguments: brand_id, subject_id (the row the event is about).
happened = Signal()


def event_announce(*, event: WebhookEvent, brand_id: int, subject_id: int) -> None:
    """Tell whoever listens that `event` happened to row `subject_id` of brand `brand_id`."""
    happened.send(sender=event, brand_id=brand_id, subject_id=subject_id)
