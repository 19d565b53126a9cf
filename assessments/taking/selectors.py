"""Reads for customer pages, admin and dashboards."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from assessments.models import (
    Assessment,
    Brand,
    Product,
    ProductReference,
    ProductVariant,
    Response,
)


def published_assessments() -> QuerySet[Assessment]:
    """Assessments customers can take: those with a live version, brand by brand."""
    return Assessment.objects.filter(live_version__isnull=False).select_related(
        "brand", "live_version"
    )


def live_assessment(*, brand_slug: str, key: str) -> Assessment | None:
    """The assessment a landing page shows, with its brand and live version; None when there
    is no such assessment or it is not published."""
    return published_assessments().filter(brand__slug=brand_slug, key=key).first()


def responses_for_taking(*, with_brand: bool = True) -> QuerySet[Response]:
    """Responses as customer pages read them: with the brand, and the version's content hash.

    Of the version, only its hash: the compiled definition is cached by it (see
    `response_definition`), so the version row is read only when that cache has not seen it.
    Without the brand, it is read on first use: a step POST answered with a redirect or with
    htmx's partial never shows it.
    """
    responses = Response.objects.annotate(version_hash=F("version__content_hash"))
    return responses.select_related("brand") if with_brand else responses


def result_products(
    *, brand_id: int, skus: Iterable[str], variants: Iterable[str] = ()
) -> list[Product]:
    """The brand's products a result shows, as they are now (names, prices, images), each with
    those of its variants the result names (one more query, only when it names some)."""
    products = Product.objects.filter(brand_id=brand_id, sku__in=list(skus))
    wanted = list(variants)
    if wanted:
        products = products.prefetch_related(
            Prefetch("variants", ProductVariant.objects.filter(sku__in=wanted))
        )
    return list(products)


def shared_response(share_token: str) -> Response | None:
    """The finished response a share link shows, with its brand and version; None if none."""
    return (
        Response.objects.select_related("brand", "version__assessment")
        .filter(
            share_token=share_token,
            status=Response.Status.COMPLETED,
            result__isnull=False,
        )
        .first()
    )


# `new_reference` makes 16 characters; the column holds 32.
REFERENCE_MAX_LENGTH = 32


def product_link(ref: str) -> tuple[ProductReference, str] | None:
    """A product link's reference and the address it leads to: the variant's own page when the
    results showed an active variant that has one, else the product's; None when the ref is
    unknown or its product is gone or inactive (previews have no references)."""
    if not ref or len(ref) > REFERENCE_MAX_LENGTH:
        return None
    reference = (
        ProductReference.objects.select_related("response")
        .filter(ref=ref, response__is_preview=False)
        .only("pk", "ref", "sku", "variant", "clicked_at", "response_id", "response__brand_id")
        .first()
    )
    if reference is None:
        return None
    product = Product.objects.filter(
        brand_id=reference.response.brand_id, sku=reference.sku, active=True
    ).first()
    if product is None:
        return None
    if reference.variant:
        own = (
            product.variants.filter(sku=reference.variant, active=True)
            .exclude(url="")
            .values_list("url", flat=True)
            .first()
        )
        if own:
            return reference, own
    return reference, product.url


def brand_by_slug(slug: str) -> Brand | None:
    return Brand.objects.filter(slug=slug).first()


def abandoned_responses(*, idle_for: timedelta) -> QuerySet[Response]:
    """Counted responses left in progress for at least `idle_for`; each keeps its last step."""
    return Response.objects.filter(
        status=Response.Status.IN_PROGRESS,
        is_preview=False,
        updated_at__lte=timezone.now() - idle_for,
    )
