"""Acting on a store platform's delivery once: record the order, refund it, or say why not."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from assessments.models import Brand, Product, Purchase, StoreDelivery

from .purchases import (
    PurchaseNotFound,
    StoreOrder,
    StoreRefund,
    purchase_refund,
    store_purchase_record,
)
from .stores import StoreEvent, Unusable

logger = logging.getLogger(__name__)

SOURCES = {
    StoreDelivery.Platform.SHOPIFY: Purchase.Source.SHOPIFY,
    StoreDelivery.Platform.WOOCOMMERCE: Purchase.Source.WOOCOMMERCE,
}


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """What a delivery did; `replayed` when its id was seen before and nothing was done."""

    outcome: str
    order_id: str
    note: str = ""
    replayed: bool = False
    linked_to_response: bool = False


def store_delivery_accept(
    *, brand: Brand, platform: str, delivery_id: str, topic: str, event: StoreEvent
) -> DeliveryOutcome:
    """Act on a verified delivery unless its id was seen before; PurchaseRejected if the order
    cannot be recorded (nothing is written then, so the platform's retry can succeed)."""
    delivery_id = delivery_id.strip()[:200]
    seen = _seen(brand, platform, delivery_id)
    if seen is not None:
        return seen
    try:
        with transaction.atomic():
            done = _act(brand=brand, platform=platform, event=event)
            if delivery_id:
                StoreDelivery.objects.create(
                    brand=brand,
                    platform=platform,
                    delivery_id=delivery_id,
                    topic=topic[:64],
                    order_id=done.order_id,
                    outcome=done.outcome,
                    note=done.note[:500],
                )
    except IntegrityError:
        # The platform sent the same delivery twice at once: the other request acted on it.
        seen = _seen(brand, platform, delivery_id)
        if seen is None:
            raise
        return seen
    return done


def _seen(brand: Brand, platform: str, delivery_id: str) -> DeliveryOutcome | None:
    if not delivery_id:
        return None
    row = StoreDelivery.objects.filter(
        brand=brand, platform=platform, delivery_id=delivery_id
    ).first()
    if row is None:
        return None
    return DeliveryOutcome(row.outcome, row.order_id, row.note, replayed=True)


def _act(*, brand: Brand, platform: str, event: StoreEvent) -> DeliveryOutcome:
    label = StoreDelivery.Platform(platform).label
    if isinstance(event, Unusable):
        logger.info(
            "%s order %s for %s ignored: %s", label, event.order_id, brand.slug, event.reason
        )
        return DeliveryOutcome(StoreDelivery.Outcome.IGNORED, event.order_id, event.reason)
    if isinstance(event, StoreRefund):
        try:
            purchase_refund(brand=brand, order_id=event.order_id, refunded_at=event.refunded_at)
        except PurchaseNotFound:
            note = (
                "No purchase recorded for this order (none of its SKUs is ours): nothing to refund."
            )
            logger.info("%s refund of order %s for %s: %s", label, event.order_id, brand.slug, note)
            return DeliveryOutcome(StoreDelivery.Outcome.IGNORED, event.order_id, note)
        return DeliveryOutcome(StoreDelivery.Outcome.REFUNDED, event.order_id)
    return _order(brand=brand, platform=platform, order=event, label=label)


def _order(*, brand: Brand, platform: str, order: StoreOrder, label: str) -> DeliveryOutcome:
    # A store sells more than the products its assessments recommend (gift cards, shipping
    # lines, other ranges): those lines are left out, not a reason to refuse the order.
    skus = {item.sku for item in order.items if item.sku}
    ours = set(Product.objects.filter(brand=brand, sku__in=skus).values_list("sku", flat=True))
    kept = tuple(item for item in order.items if item.sku in ours)
    left_out = sorted({item.sku or "(no SKU)" for item in order.items if item.sku not in ours})
    notes = []
    if left_out:
        notes.append(f"SKUs not in the catalogue, left out: {', '.join(left_out)}.")
        logger.warning(
            "%s order %s for %s: SKUs not in the catalogue ignored: %s",
            label,
            order.order_id,
            brand.slug,
            ", ".join(left_out),
        )
    if not kept:
        notes.append("No line of this order is a product in the catalogue; nothing recorded.")
        return DeliveryOutcome(StoreDelivery.Outcome.IGNORED, order.order_id, " ".join(notes))
    receipt = store_purchase_record(
        brand=brand, order=dataclasses.replace(order, items=kept), source=SOURCES[platform]
    )
    if receipt.reference_unmatched:
        notes.append("The reference matches no response of this brand; not linked.")
    return DeliveryOutcome(
        StoreDelivery.Outcome.RECORDED
        if receipt.created
        else StoreDelivery.Outcome.ALREADY_RECORDED,
        receipt.purchase.order_id,
        " ".join(notes),
        linked_to_response=receipt.purchase.response_id is not None,
    )
