"""The API's writes: the catalogue by SKU, and purchases through the store webhook's service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.followups.purchases import (
    ConsentInput,
    ItemInput,
    StoreOrder,
    StoreReceipt,
    store_purchase_record,
)
from assessments.models import Brand, Consent, Product, ProductVariant, Purchase

from .schemas import ProductIn, PurchaseIn, VariantIn

# Images are uploaded in the admin; a product created here shows none until one is.
NOT_FROM_API = ["image", "thumbnail"]


class ProductsInvalid(ValueError):
    """Some products would not be valid; nothing was written. `errors` says which and why."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the products sent.")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ProductsUpserted:
    created: int
    updated: int
    products: list[Product]


@transaction.atomic
def products_upsert(*, brand: Brand, products: Sequence[ProductIn]) -> ProductsUpserted:
    """Create or update each product by SKU, all or none: one invalid product writes nothing."""
    skus = [product.sku for product in products]
    repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
    errors = [
        {"location": f"body.{skus.index(sku)}.sku", "message": f"SKU {sku!r} is sent twice."}
        for sku in repeated
    ]
    existing = {
        product.sku: product
        for product in Product.objects.select_for_update().filter(brand=brand, sku__in=skus)
    }
    rows: list[tuple[Product, bool]] = []
    for index, given in enumerate(products):
        row = existing.get(given.sku) or Product(brand=brand, sku=given.sku)
        row.name, row.description, row.url = given.name, given.description, given.url
        row.price, row.currency = given.price, given.currency
        row.attributes, row.active = given.attributes, given.active
        row.priority, row.tags = given.priority, list(given.tags)
        try:
            row.full_clean(exclude=NOT_FROM_API)
        except ValidationError as error:
            errors += [
                {"location": f"body.{index}.{field}", "message": " ".join(messages)}
                for field, messages in error.message_dict.items()
            ]
        errors += _variant_errors(index, given, sent=set(skus))
        rows.append((row, row.pk is None))
    if errors:
        raise ProductsInvalid(errors)
    for (row, _new), given in zip(rows, products, strict=True):
        row.save()
        if given.variants is not None:
            _variants_replace(row, given.variants)
    created = sum(1 for _row, new in rows if new)
    return ProductsUpserted(created, len(rows) - created, [row for row, _new in rows])


def _variant_errors(index: int, given: ProductIn, *, sent: set[str]) -> list[dict[str, str]]:
    """A variant's sku names it in orders as a product's does: none may repeat one sent."""
    errors = []
    seen: set[str] = set()
    for v_index, variant in enumerate(given.variants or ()):
        if variant.sku in sent or variant.sku in seen:
            errors.append(
                {
                    "location": f"body.{index}.variants.{v_index}.sku",
                    "message": f"SKU {variant.sku!r} is sent twice.",
                }
            )
        seen.add(variant.sku)
    return errors


def _variants_replace(product: Product, variants: Sequence[VariantIn]) -> None:
    product.variants.exclude(sku__in=[v.sku for v in variants]).delete()
    for position, variant in enumerate(variants):
        ProductVariant.objects.update_or_create(
            product=product,
            sku=variant.sku,
            defaults={
                "name": variant.name,
                "attributes": variant.attributes,
                "url": variant.url,
                "price": variant.price,
                "active": variant.active,
                "position": position,
            },
        )


@transaction.atomic
def product_deactivate(*, product: Product) -> Product:
    """Stop recommending a product; its past purchases and results stay as they were."""
    Product.objects.filter(pk=product.pk).update(active=False)
    product.refresh_from_db()
    return product


def purchase_create(*, brand: Brand, purchase: PurchaseIn) -> StoreReceipt:
    """Record a purchase as the store webhook does (idempotent on the order id)."""
    order = StoreOrder(
        order_id=purchase.order_id,
        items=tuple(
            ItemInput(sku=item.sku, quantity=item.quantity, price=item.price, ref=item.ref)
            for item in purchase.items
        ),
        purchased_at=purchase.purchased_at,
        reference=purchase.reference,
        email=purchase.email,
        first_name=purchase.first_name,
        language=purchase.language,
        consent=ConsentInput(
            wording_version=purchase.consent.wording_version,
            source=Consent.Source.CHECKOUT,
            given_at=purchase.consent.given_at,
        )
        if purchase.consent
        else None,
    )
    return store_purchase_record(brand=brand, order=order, source=Purchase.Source.API)
