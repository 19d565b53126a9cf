"""Which events a brand's active endpoints want, cached.

Completing a response is the step POST, which must not pay a query for the many brands that
registered no endpoint. Saving or deleting an endpoint, or disabling it, clears the brand's
entry; the timeout bounds how long a process without the shared cache (CACHE_URL) can miss a
new endpoint.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from assessments.models import WebhookEndpoint

WANTED_TIMEOUT = 60


def _wanted_key(brand_id: int) -> str:
    return f"webhooks:wanted:{brand_id}"


def events_wanted(brand_id: int) -> frozenset[str]:
    """Every event some active endpoint of the brand asked for."""
    cached = cache.get(_wanted_key(brand_id))
    if cached is None:
        lists = WebhookEndpoint.objects.filter(brand_id=brand_id, active=True).values_list(
            "events", flat=True
        )
        cached = sorted({event for events in lists for event in (events or ())})
        cache.set(_wanted_key(brand_id), cached, WANTED_TIMEOUT)
    return frozenset(cached)


def events_wanted_forget(brand_id: int) -> None:
    cache.delete(_wanted_key(brand_id))


@receiver(post_save, sender=WebhookEndpoint, dispatch_uid="api-webhooks-wanted-saved")
@receiver(post_delete, sender=WebhookEndpoint, dispatch_uid="api-webhooks-wanted-deleted")
def _endpoint_changed(sender: type, instance: WebhookEndpoint, **_: Any) -> None:
    events_wanted_forget(instance.brand_id)
