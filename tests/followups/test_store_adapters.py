"""Orders from Shopify and WooCommerce, sent as the platforms send them, become purchases.

The payloads below are written from the fields the platforms document for an order
(Shopify's Order resource, WooCommerce's REST API v3 order), trimmed to a realistic few.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from assessments.followups.services import followup_settings_ensure
from assessments.models import (
    Brand,
    FollowUp,
    Purchase,
    PurchaseItem,
    Response,
    StoreDelivery,
)

from .conftest import make_brand, make_published, make_response, purchase_payload, sign

pytestmark = pytest.mark.django_db

SHOPIFY_SECRET = "shpss_0123456789abcdef0123456789abcdef"
WOO_SECRET = "woo secret typed by the owner"


def digest(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def secrets(brand: Brand) -> None:
    row = followup_settings_ensure(brand_id=brand.pk)
    row.shopify_secret = SHOPIFY_SECRET
    row.woocommerce_secret = WOO_SECRET
    row.save()


def ref_of(response: Response, sku: str = "steady") -> str:
    return response.references.get(sku=sku).ref


# -- Shopify ----------------------------------------------------------------------------


def shopify_order(order_id: int = 5_123_456_789, **fields: Any) -> dict[str, Any]:
    return {
        "id": order_id,
        "name": "#1001",
        "email": "ana@example.com",
        # Now, so the plan's first steps are still ahead (older steps are skipped).
        "created_at": timezone.now().isoformat(),
        "processed_at": timezone.now().isoformat(),
        "currency": "EUR",
        "customer_locale": "en-US",
        "buyer_accepts_marketing": True,
        "landing_site": "/products/steady?utm_source=quiz",
        "note_attributes": [],
        "customer": {"id": 207119551, "first_name": "Ana", "last_name": "Ruiz"},
        "billing_address": {"first_name": "Ana", "country_code": "ES"},
        "line_items": [
            {"id": 1, "sku": "steady", "quantity": 1, "price": "129.00", "properties": []},
        ],
        **fields,
    }


def post_shopify(
    client: Client,
    brand: Brand,
    payload: Any,
    *,
    topic: str = "orders/create",
    webhook_id: str = "",
    secret: str = SHOPIFY_SECRET,
):
    body = json.dumps(payload).encode()
    return client.post(
        f"/hooks/shopify/{brand.slug}/",
        data=body,
        content_type="application/json",
        headers={
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": digest(secret, body),
            "X-Shopify-Shop-Domain": f"{brand.slug}.myshopify.com",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-API-Version": "2025-01",
        },
    )


def test_a_shopify_order_with_our_cart_attribute_is_attributed_and_followed_up(
    client, brand, response, secrets
):
    order = shopify_order(note_attributes=[{"name": "ref", "value": ref_of(response)}])
    page = post_shopify(client, brand, order)
    assert page.status_code == 201, page.content
    assert page.json()["linked_to_response"] is True
    purchase = Purchase.objects.get(brand=brand, order_id="5123456789")
    assert (purchase.response, purchase.source, purchase.email) == (
        response,
        "shopify",
        "ana@example.com",
    )
    assert purchase.first_name == "Ana"
    item = purchase.items.get()
    assert (item.sku, str(item.price), item.recommended, item.rank) == ("steady", "129.00", True, 1)
    # The checkout's marketing box is the customer's consent: the plan's follow-ups are due.
    assert FollowUp.objects.filter(purchase=purchase).count() == 3


def test_the_ref_in_the_landing_site_attributes_a_shopify_order(client, brand, response, secrets):
    order = shopify_order(landing_site=f"/products/steady?ref={ref_of(response)}&utm_source=x")
    assert post_shopify(client, brand, order).status_code == 201
    assert Purchase.objects.get(order_id="5123456789").response == response


def test_a_bad_shopify_signature_gets_401_and_writes_nothing(client, brand, response, secrets):
    page = post_shopify(client, brand, shopify_order(), secret="not the brand's secret")
    assert page.status_code == 401
    assert "X-Shopify-Hmac-Sha256" in page.json()["error"]
    assert not Purchase.objects.exists() and not StoreDelivery.objects.exists()


def test_a_brand_without_a_shopify_secret_refuses_shopify_calls(client, brand, response):
    followup_settings_ensure(brand_id=brand.pk)
    page = post_shopify(client, brand, shopify_order(), secret="")
    assert page.status_code == 401
    assert "no Shopify secret" in page.json()["error"]
    assert not Purchase.objects.exists()


def test_a_replayed_shopify_delivery_records_one_purchase(client, brand, response, secrets):
    first = post_shopify(client, brand, shopify_order(), webhook_id="b54557e4-bdd9-4b37")
    again = post_shopify(client, brand, shopify_order(), webhook_id="b54557e4-bdd9-4b37")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert Purchase.objects.count() == 1 and PurchaseItem.objects.count() == 1


def test_the_same_order_in_another_delivery_is_not_recorded_twice(client, brand, response, secrets):
    assert post_shopify(client, brand, shopify_order()).status_code == 201
    paid = post_shopify(client, brand, shopify_order(), topic="orders/paid")
    assert paid.status_code == 200 and paid.json()["outcome"] == "already_recorded"
    assert Purchase.objects.count() == 1


def test_a_shopify_refund_marks_the_purchase_refunded_and_cancels_follow_ups(
    client, brand, response, secrets
):
    post_shopify(
        client, brand, shopify_order(note_attributes=[{"name": "ref", "value": ref_of(response)}])
    )
    refund = {
        "id": 509562969,
        "order_id": 5_123_456_789,
        "created_at": "2026-05-03T09:00:00-04:00",
        "note": "Too small",
        "refund_line_items": [{"line_item_id": 1, "quantity": 1}],
    }
    page = post_shopify(client, brand, refund, topic="refunds/create")
    assert page.status_code == 200 and page.json()["outcome"] == "refunded"
    purchase = Purchase.objects.get(order_id="5123456789")
    assert purchase.status == Purchase.Status.REFUNDED
    assert not FollowUp.objects.filter(purchase=purchase, state__in=FollowUp.PENDING).exists()


def test_unknown_skus_are_left_out_and_logged(client, brand, response, secrets, caplog):
    lines = [
        {"id": 1, "sku": "steady", "quantity": 2, "price": "129.00"},
        {"id": 2, "sku": "gift-card-50", "quantity": 1, "price": "50.00"},
        {"id": 3, "sku": None, "quantity": 1, "price": "4.95", "title": "Shipping protection"},
    ]
    with caplog.at_level(logging.WARNING, logger="assessments.followups.deliveries"):
        page = post_shopify(client, brand, shopify_order(line_items=lines))
    assert page.status_code == 201
    assert "gift-card-50" in page.json()["note"]
    assert [(i.sku, i.quantity) for i in PurchaseItem.objects.all()] == [("steady", 2)]
    assert "SKUs not in the catalogue ignored: (no SKU), gift-card-50" in caplog.text


def test_an_order_of_only_unknown_skus_records_nothing_and_is_not_retried(
    client, brand, response, secrets, caplog
):
    lines = [{"id": 2, "sku": "gift-card-50", "quantity": 1, "price": "50.00"}]
    with caplog.at_level(logging.WARNING):
        page = post_shopify(client, brand, shopify_order(line_items=lines))
    assert page.status_code == 200 and page.json()["outcome"] == "ignored"
    assert not Purchase.objects.exists()
    assert "gift-card-50" in caplog.text


def test_another_brands_ref_is_never_attributed(client, brand, response, secrets):
    rival = make_brand("rival")
    rivals_response = make_response(make_published(rival))
    order = shopify_order(note_attributes=[{"name": "ref", "value": ref_of(rivals_response)}])
    page = post_shopify(client, brand, order)
    assert page.status_code == 201
    assert page.json()["linked_to_response"] is False
    assert "matches no response" in page.json()["note"]
    assert Purchase.objects.get().response is None


def test_a_shopify_body_that_is_not_an_order_gets_400(client, brand, secrets):
    page = post_shopify(client, brand, ["not", "an", "order"])
    assert page.status_code == 400
    assert not Purchase.objects.exists() and not StoreDelivery.objects.exists()


# -- WooCommerce ------------------------------------------------------------------------


def woo_order(order_id: int = 4750, status: str = "processing", **fields: Any) -> dict[str, Any]:
    return {
        "id": order_id,
        "number": str(order_id),
        "status": status,
        "currency": "EUR",
        "date_created": "2026-05-01T16:00:00",
        "date_created_gmt": "2026-05-01T14:00:00",
        "date_modified_gmt": "2026-05-01T14:00:05",
        "date_paid_gmt": "2026-05-01T14:00:03",
        "billing": {"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com"},
        "meta_data": [{"id": 901, "key": "_billing_vat", "value": ""}],
        "line_items": [
            {
                "id": 31,
                "name": "Steady",
                "sku": "steady",
                "quantity": 1,
                "price": 99,
                "meta_data": [],
            },
        ],
        **fields,
    }


def post_woo(
    client: Client,
    brand: Brand,
    payload: Any,
    *,
    topic: str = "order.created",
    delivery_id: str = "",
    secret: str = WOO_SECRET,
):
    body = json.dumps(payload).encode()
    return client.post(
        f"/hooks/woocommerce/{brand.slug}/",
        data=body,
        content_type="application/json",
        headers={
            "X-WC-Webhook-Source": f"https://{brand.slug}.example/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": topic.split(".")[-1],
            "X-WC-Webhook-Signature": digest(secret, body),
            "X-WC-Webhook-ID": "3",
            "X-WC-Webhook-Delivery-ID": delivery_id or uuid.uuid4().hex,
        },
    )


def test_a_paid_woocommerce_order_with_our_meta_is_attributed(client, brand, response, secrets):
    order = woo_order(meta_data=[{"id": 902, "key": "_assessment_ref", "value": ref_of(response)}])
    page = post_woo(client, brand, order)
    assert page.status_code == 201, page.content
    purchase = Purchase.objects.get(order_id="4750")
    assert (purchase.response, purchase.source, purchase.email) == (
        response,
        "woocommerce",
        "ana@example.com",
    )
    assert str(purchase.items.get().price) == "99.00"
    # WooCommerce carries no consent to follow-ups: none is assumed, none is scheduled.
    assert not FollowUp.objects.filter(purchase=purchase).exists()


def test_a_woocommerce_order_not_yet_paid_is_ignored_until_it_is(client, brand, response, secrets):
    pending = post_woo(client, brand, woo_order(status="pending"))
    assert pending.json()["outcome"] == "ignored" and not Purchase.objects.exists()
    paid = post_woo(client, brand, woo_order(status="processing"), topic="order.updated")
    assert paid.status_code == 201
    assert Purchase.objects.count() == 1


def test_a_refunded_woocommerce_order_refunds_the_purchase(client, brand, response, secrets):
    post_woo(client, brand, woo_order())
    page = post_woo(client, brand, woo_order(status="refunded"), topic="order.updated")
    assert page.status_code == 200 and page.json()["outcome"] == "refunded"
    assert Purchase.objects.get(order_id="4750").status == Purchase.Status.REFUNDED


def test_a_bad_woocommerce_signature_gets_401_and_writes_nothing(client, brand, response, secrets):
    page = post_woo(client, brand, woo_order(), secret="guess")
    assert page.status_code == 401
    assert not Purchase.objects.exists() and not StoreDelivery.objects.exists()


def test_a_replayed_woocommerce_delivery_is_acted_on_once(client, brand, response, secrets):
    post_woo(client, brand, woo_order(), delivery_id="36e520eb")
    post_woo(client, brand, woo_order(status="refunded"), topic="order.updated", delivery_id="r1")
    # The first delivery again (a late retry) must not undo the refund's record.
    again = post_woo(client, brand, woo_order(), delivery_id="36e520eb")
    assert again.json() == {
        "outcome": "recorded",
        "order_id": "4750",
        "replayed": True,
        "linked_to_response": False,
        "note": "",
    }
    assert Purchase.objects.get().status == Purchase.Status.REFUNDED


def test_woocommerces_ping_on_saving_a_webhook_is_answered(client, brand, secrets):
    page = client.post(
        f"/hooks/woocommerce/{brand.slug}/",
        data=b"webhook_id=3",
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 200
    assert not StoreDelivery.objects.exists()


# -- the store's own webhook, at its own address ----------------------------------------


def test_the_store_webhook_answers_at_its_own_path_and_its_first_one(client, brand, response):
    secret = followup_settings_ensure(brand_id=brand.pk).webhook_secret
    for order_id, url in (
        ("N-1", f"/hooks/store/{brand.slug}/"),
        ("O-1", f"/api/v1/purchases?brand={brand.slug}"),
    ):
        body = json.dumps(purchase_payload(response, order_id=order_id))
        page = client.post(url, data=body, content_type="application/json", **sign(secret, body))
        assert page.status_code == 201, page.content
    assert set(Purchase.objects.values_list("order_id", "source")) == {
        ("N-1", "webhook"),
        ("O-1", "webhook"),
    }
