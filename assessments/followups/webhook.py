"""The store's purchase webhook: checking its signature, and reading its body as a typed schema.

The body is parsed into frozen dataclasses (`StoreOrder`, `StoreRefund`) by hand-written
readers, one per field kind, rather than by Django Forms. Forms are made for flat form posts of
strings: they would take "2", 2 and 2.0 alike as a quantity, cannot say whether `consent` was an
object, and report errors field by field, where a store's developer needs one message naming
the item and the field to fix. Every reader raises PurchaseRejected with that message, which
the view answers with a 400.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from standardwebhooks.webhooks import Webhook

from assessments.brands.mail import email_clean

from .purchases import (
    PRICE_LIMIT,
    ConsentInput,
    ItemInput,
    PurchaseRejected,
    StoreOrder,
    StoreRefund,
)

MAX_BODY_BYTES = 256 * 1024
SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
# Times outside these years are a store's bug, and some would overflow when stored or when a
# follow-up's delay is added to them.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def signature_valid(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether the body was signed with this secret in the last 5 minutes (Standard Webhooks)."""
    try:
        Webhook(secret).verify(
            body, {name: headers.get(name, "") for name in SIGNATURE_HEADERS}, json_parse=False
        )
    except Exception:
        # Missing headers, a bad signature, a timestamp more than 5 minutes off, or headers so
        # malformed the library cannot read them: all the same to the sender.
        return False
    return True


def event_parse(body: bytes) -> StoreOrder | StoreRefund:
    """The store's event, checked field by field; PurchaseRejected says what to fix.

    {"type": "purchase.completed",
     "data": {"order_id": "1001", "purchased_at": "2025-05-01T10:00:00Z",
              "items": [{"sku": "keel-5", "quantity": 1, "price": "129.00", "ref": "…"}],
              "reference": "<a product link's ref, or the response token>",
              "email": "ana@example.com", "first_name": "Ana", "language": "es",
              "consent": {"wording_version": "checkout-2025-01", "given_at": "…"}}}
    {"type": "purchase.refunded", "data": {"order_id": "1001", "refunded_at": "…"}}
    """
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError) as error:
        # ValueError covers bad UTF-8, bad JSON and integers too long to convert.
        raise PurchaseRejected(f"The body is not valid JSON: {error}.") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise PurchaseRejected('Send {"type": "purchase.completed", "data": {...}}.')
    kind, data = payload.get("type"), payload["data"]
    order_id = data.get("order_id")
    if not isinstance(order_id, str) or not order_id.strip():
        raise PurchaseRejected('"data.order_id" must be the store\'s order id, a string.')
    _no_nul(order_id, "data.order_id")
    if kind == "purchase.refunded":
        return StoreRefund(order_id=order_id, refunded_at=_time(data, "refunded_at"))
    if kind != "purchase.completed":
        raise PurchaseRejected(
            f'Unknown type {kind!r}: use "purchase.completed" or "purchase.refunded".'
        )
    return StoreOrder(
        order_id=order_id,
        items=_items(data.get("items")),
        purchased_at=_time(data, "purchased_at"),
        reference=_text(data, "reference"),
        email=_email(data),
        first_name=_text(data, "first_name"),
        language=_text(data, "language"),
        consent=_consent(data.get("consent")),
    )


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PurchaseRejected(f'"{name}" must be a string or null, not {value!r}.')
    return _no_nul(value, name)


def _no_nul(value: str, name: str) -> str:
    """`value`, unless it holds a NUL character: no text column of PostgreSQL can store one,
    and a lookup with it fails there, so every database refuses it alike."""
    if "\x00" in value:
        raise PurchaseRejected(f'"{name}" must not contain a NUL character (\\u0000).')
    return value


def _email(data: Mapping[str, Any]) -> str:
    email = _text(data, "email")
    if email.strip() and email_clean(email) is None:
        raise PurchaseRejected(f'"email" {email!r} is not an e-mail address.')
    return email


def _time(data: Mapping[str, Any], name: str, label: str = "") -> dt.datetime | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    label = label or name
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such day or hour
        parsed = None
    if parsed is None:
        raise PurchaseRejected(f"{label} must be an ISO 8601 time such as 2025-05-01T10:00:00Z.")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=dt.UTC)
    try:
        in_range = EARLIEST <= parsed.astimezone(dt.UTC) < LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise PurchaseRejected(f"{label} must be a time between the years 2000 and 2100.")
    return parsed


def _items(raw: Any) -> tuple[ItemInput, ...]:
    if not isinstance(raw, list) or not raw:
        raise PurchaseRejected('"items" must be a non-empty list of {sku, quantity, price}.')
    return tuple(_item(entry, number) for number, entry in enumerate(raw, start=1))


def _item(entry: Any, number: int) -> ItemInput:
    if not isinstance(entry, dict) or not isinstance(entry.get("sku"), str):
        raise PurchaseRejected(f'Item {number} needs a "sku" string.')
    _no_nul(entry["sku"], f"item {number}: sku")
    quantity = entry.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise PurchaseRejected(f'Item {number}: "quantity" must be a whole number.')
    price = entry.get("price")
    ref = entry.get("ref")
    if ref is not None and not isinstance(ref, str):
        raise PurchaseRejected(f'Item {number}: "ref" must be the product link\'s ref, a string.')
    if ref is not None:
        _no_nul(ref, f"item {number}: ref")
    return ItemInput(
        sku=entry["sku"],
        quantity=quantity,
        price=None if price is None else _price(price, number),
        ref=ref or "",
    )


def _price(value: Any, number: int) -> Decimal:
    """A price given as a string or a number, to the cent."""
    price = None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            price = Decimal(str(value))
        except InvalidOperation:
            price = None
    if price is None or not price.is_finite():
        raise PurchaseRejected(f"Item {number}: price {value!r} is not a number such as 89.90.")
    if abs(price) >= PRICE_LIMIT:
        raise PurchaseRejected(f"Item {number}: price {value!r} must be below {PRICE_LIMIT:,}.")
    return price.quantize(Decimal("0.01"))


def _consent(raw: Any) -> ConsentInput | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise PurchaseRejected(
            '"consent" must be {"wording_version": "…", "given_at": "…"}, or null without one.'
        )
    wording = raw.get("wording_version")
    if not isinstance(wording, str) or not wording.strip():
        raise PurchaseRejected(
            '"consent.wording_version" must name the wording the customer agreed to, a string.'
        )
    _no_nul(wording, "consent.wording_version")
    return ConsentInput(
        wording_version=wording,
        source="checkout",
        given_at=_time(raw, "given_at", "consent.given_at"),
    )
