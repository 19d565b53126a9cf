"""Owners make keys (shown once), revoke them, register endpoints and resend deliveries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.api.keys import api_key_authenticate
from assessments.models import ApiKey, WebhookDelivery, WebhookEndpoint
from tests.factories import member
from tests.followups.conftest import make_response

pytestmark = pytest.mark.django_db


def test_an_owner_makes_a_key_and_sees_it_once(client, brand):
    client.force_login(member(brand, role="owner"))
    page = client.post(
        reverse("admin:assessments_apikey_add"),
        {"brand": brand.pk, "name": "CRM", "scope": "read"},
    )
    shown = re.search(r"ask_[0-9a-f]+_[\w-]+", page.content.decode()).group(0)
    key = api_key_authenticate(shown)
    assert key is not None and key.scope == "read" and key.brand == brand
    listing = client.get(reverse("admin:assessments_apikey_changelist")).content.decode()
    assert key.prefix in listing and shown not in listing
    change = client.get(reverse("admin:assessments_apikey_change", args=[key.pk]))
    assert shown not in change.content.decode()

    client.post(reverse("admin:assessments_apikey_revoke", args=[key.pk]))
    assert api_key_authenticate(shown) is None


def test_editors_and_other_brands_owners_cannot_reach_keys(client, brand, other):
    client.force_login(member(brand, role="editor"))
    assert client.get(reverse("admin:assessments_apikey_add")).status_code == 403
    client.force_login(member(other, role="owner"))
    page = client.post(
        reverse("admin:assessments_apikey_add"),
        {"brand": brand.pk, "name": "sneaky", "scope": "read_write"},
    )
    assert not ApiKey.objects.exists()
    assert "brand" in page.context["form"].errors


def test_an_endpoint_must_be_https(client, brand, settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = False
    client.force_login(member(brand, role="owner"))
    data = {"brand": brand.pk, "description": "CRM", "events": ["response.completed"]}
    refused = client.post(
        reverse("admin:assessments_webhookendpoint_add"),
        {**data, "url": "http://crm.example/in", "active": "on"},
    )
    assert "https" in str(refused.context["adminform"].form.errors["url"])
    client.post(
        reverse("admin:assessments_webhookendpoint_add"),
        {**data, "url": "https://crm.example/in", "active": "on"},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.events == ["response.completed"]


def test_the_delivery_log_resends_a_failed_delivery(client, published, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    client.force_login(member(published.brand, role="owner"))
    WebhookEndpoint.objects.create(
        brand=published.brand, url="https://127.0.0.1/in", events=["response.completed"]
    )
    make_response(published)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(state="failed", next_attempt_at=None)
    log = client.get(reverse("admin:assessments_webhookdelivery_changelist"))
    assert "response.completed" in log.content.decode()
    client.post(reverse("admin:assessments_webhookdelivery_redeliver", args=[delivery.pk]))
    delivery.refresh_from_db()
    # Queued and tried at once (the guard refuses this address), so pending with one attempt.
    assert delivery.state == "pending" and delivery.attempts == 1
    assert "not a public address" in delivery.error
