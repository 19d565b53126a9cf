"""Orders as Shopify and WooCommerce send them: their signatures, and their bodies read as ours.

Each platform signs the raw body with HMAC-SHA256 under a secret the brand's owner pastes into
the admin, and sends the digest base64-encoded in a header. Once the signature holds, the body
is read into the same `StoreOrder` / `StoreRefund` the store's own webhook produces, so every
purchase, whatever door it came in by, is recorded by `purchase_record` with the same rules.

Only the fields we use are read, and leniently: a platform adds fields over time, and an order
we cannot use (no SKU we sell, not paid yet) is ignored with a reason rather than refused, so
the platform does not retry it for days.

Our attribution reference (a product link's `ref`, or a response token) travels with the order:
- Shopify: a cart attribute (`note_attributes`) named `ref` (or `assessment_ref`, `_ref`), a line
  item property of the same names, or `?ref=` in the `landing_site` the customer arrived on.
- WooCommerce: an order or line item `meta_data` entry with one of those keys.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .purchases import PRICE_LIMIT, ConsentInput, ItemInput, StoreOrder, StoreRefund

# The names under which a store may carry our reference; the first one found wins.
REFERENCE_NAMES = ("ref", "assessment_ref", "_ref", "_assessment_ref")
# The wording a Shopify customer agreed to: the checkout's "email me with news and offers" box.
SHOPIFY_CONSENT_WORDING = "shopify-checkout-accepts-marketing"
# WooCommerce statuses of an order that has been paid for; any other (pending, on-hold, failed,
# cancelled, draft) is not a purchase yet.
WOOCOMMERCE_PAID = frozenset({"processing", "completed"})
WOOCOMMERCE_REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class Unusable:
    """A delivery with nothing for us in it; `reason` is logged and answered."""

    order_id: str
    reason: str


type StoreEvent = StoreOrder | StoreRefund | Unusable


class BodyUnreadable(ValueError):
    """The body is not the JSON object the platform documents; the message says why."""


def hmac_base64_valid(secret: str, body: bytes, sent: str) -> bool:
    """Whether `sent` is the base64 HMAC-SHA256 of the raw body under `secret`."""
    if not secret or not sent:
        return False
    expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, sent.strip().encode("ascii", "replace"))


# -- Shopify ----------------------------------------------------------------------------

SHOPIFY_ORDER_TOPICS = frozenset({"orders/create", "orders/paid"})
SHOPIFY_REFUND_TOPICS = frozenset({"refunds/create"})


def shopify_event(topic: str, body: bytes) -> StoreEvent:
    """A Shopify `orders/create` or `refunds/create` body as a store order or refund."""
    data = _object(body)
    if topic in SHOPIFY_REFUND_TOPICS:
        order_id = _id(data.get("order_id"))
        if not order_id:
            raise BodyUnreadable('A refund needs the "order_id" of the order it refunds.')
        # Shopify sends a refund per refund, partial or whole: either way the customer did not
        # keep what they bought, so no follow-up should talk about it as theirs.
        return StoreRefund(order_id=order_id, refunded_at=_time(data.get("created_at")))
    order_id = _id(data.get("id"))
    if not order_id:
        raise BodyUnreadable('An order needs its numeric "id".')
    if topic not in SHOPIFY_ORDER_TOPICS:
        return Unusable(order_id, f"Topic {topic!r} is not one we act on.")
    customer = data.get("customer") if isinstance(data.get("customer"), dict) else {}
    billing = data.get("billing_address") if isinstance(data.get("billing_address"), dict) else {}
    email = _string(data.get("email")) or _string(data.get("contact_email"))
    purchased_at = _time(data.get("processed_at")) or _time(data.get("created_at"))
    accepts = data.get("buyer_accepts_marketing") is True
    return StoreOrder(
        order_id=order_id,
        items=tuple(_shopify_items(data.get("line_items"))),
        purchased_at=purchased_at,
        reference=_named_value(data.get("note_attributes"), "name", "value")
        or _landing_ref(data.get("landing_site")),
        email=email,
        first_name=_string(customer.get("first_name")) or _string(billing.get("first_name")),
        language=_string(data.get("customer_locale")).split("-")[0].lower(),
        consent=ConsentInput(
            wording_version=SHOPIFY_CONSENT_WORDING, source="checkout", given_at=purchased_at
        )
        if accepts and email
        else None,
    )


def _shopify_items(raw: Any) -> Iterable[ItemInput]:
    for line in raw if isinstance(raw, list) else []:
        if not isinstance(line, dict):
            continue
        yield ItemInput(
            sku=_string(line.get("sku")),
            quantity=_quantity(line.get("quantity")),
            price=_price(line.get("price")),
            ref=_named_value(line.get("properties"), "name", "value"),
        )


def _landing_ref(landing_site: Any) -> str:
    """`ref` from the query of the page the customer landed on ("/products/x?ref=abc")."""
    if not isinstance(landing_site, str) or "?" not in landing_site:
        return ""
    found = parse_qs(urlsplit(landing_site).query).get("ref", [""])
    return found[0].strip()


# -- WooCommerce ------------------------------------------------------------------------


def woocommerce_event(body: bytes) -> StoreEvent:
    """A WooCommerce order (created or updated) as a store order, a refund or nothing to do."""
    data = _object(body)
    order_id = _id(data.get("id"))
    if not order_id:
        raise BodyUnreadable('An order needs its numeric "id".')
    status = _string(data.get("status"))
    if status == WOOCOMMERCE_REFUNDED:
        return StoreRefund(order_id=order_id, refunded_at=_time(data.get("date_modified_gmt")))
    if status not in WOOCOMMERCE_PAID:
        return Unusable(order_id, f"Order status {status or 'missing'!r} is not paid yet.")
    billing = data.get("billing") if isinstance(data.get("billing"), dict) else {}
    return StoreOrder(
        order_id=order_id,
        items=tuple(_woocommerce_items(data.get("line_items"))),
        purchased_at=_time(data.get("date_paid_gmt")) or _time(data.get("date_created_gmt")),
        reference=_named_value(data.get("meta_data"), "key", "value"),
        email=_string(billing.get("email")),
        first_name=_string(billing.get("first_name")),
    )


def _woocommerce_items(raw: Any) -> Iterable[ItemInput]:
    for line in raw if isinstance(raw, list) else []:
        if not isinstance(line, dict):
            continue
        yield ItemInput(
            sku=_string(line.get("sku")),
            quantity=_quantity(line.get("quantity")),
            price=_price(line.get("price")),
            ref=_named_value(line.get("meta_data"), "key", "value"),
        )


def woocommerce_ping(body: bytes) -> bool:
    """Whether this is the `webhook_id=<n>` WooCommerce posts once when a webhook is saved."""
    return body.startswith(b"webhook_id=") and body[len(b"webhook_id=") :].isdigit()


# -- readers shared by both -------------------------------------------------------------


def _object(body: bytes) -> Mapping[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BodyUnreadable(f"The body is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise BodyUnreadable("The body must be a JSON object (the order or refund).")
    return data


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ""
    return str(value).strip().replace("\x00", "")[:200]


def _string(value: Any) -> str:
    # NUL characters cannot be stored by PostgreSQL; a store never means them.
    return value.strip().replace("\x00", "") if isinstance(value, str) else ""


def _quantity(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return 1


def _price(value: Any) -> Decimal | None:
    """A unit price such as "129.00" or 129; None (the catalogue's price) when unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        price = Decimal(str(value))
    except InvalidOperation:
        return None
    if not price.is_finite() or not 0 <= price < PRICE_LIMIT:
        return None
    return price.quantize(Decimal("0.01"))


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is None:
        return None
    # WooCommerce's *_gmt times carry no offset: they are UTC, as their name says.
    return parsed.replace(tzinfo=dt.UTC) if timezone.is_naive(parsed) else parsed


def _named_value(entries: Any, name_key: str, value_key: str) -> str:
    """The value of the first entry named like our reference in a list of name/value pairs."""
    if not isinstance(entries, list):
        return ""
    found = {
        _string(entry.get(name_key)).lower(): _string(entry.get(value_key))
        for entry in entries
        if isinstance(entry, dict)
    }
    return next((found[name] for name in REFERENCE_NAMES if found.get(name)), "")
