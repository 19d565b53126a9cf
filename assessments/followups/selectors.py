"""Reads for the after-purchase pages, the webhook and the admin; nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from assessments.engine.text import localized as localized_text
from assessments.models import (
    Brand,
    BrandFollowUpSettings,
    Consent,
    ContactPreference,
    Engagement,
    FollowUp,
    Product,
    ProductReference,
    Purchase,
    Response,
)

# The length of a product link's `ref` (ProductReference.ref); anything longer is not one.
REFERENCE_MAX_LENGTH = 32


# -- by token: the links in messages and on the results page -----------------------------


def followup_by_token(token: str) -> FollowUp | None:
    """The follow-up a page link names, with what its page shows; None if there is none."""
    return (
        FollowUp.objects.select_related(
            "brand", "purchase__response", "step__plan__assessment", "item__product"
        )
        .filter(token=token)
        .first()
    )


def preference_by_token(token: str) -> ContactPreference | None:
    """The preferences an unsubscribe or preferences link names; None if there are none."""
    return ContactPreference.objects.select_related("brand").filter(token=token).first()


def response_by_token(token: str) -> Response | None:
    """The response whose results page reports a purchase; None if there is none."""
    return Response.objects.select_related("brand", "version").filter(token=token).first()


# -- a customer's preferences ------------------------------------------------------------


def preference_of(*, brand_id: int, email: str) -> ContactPreference | None:
    """This customer's preferences with this brand (`email` as stored, lower-cased); None
    until they first consented."""
    return ContactPreference.objects.filter(brand_id=brand_id, email=email).first()


def preference_language(preference: ContactPreference) -> str:
    """The language of the customer's latest purchase, if the brand speaks it."""
    last = (
        Purchase.objects.filter(brand_id=preference.brand_id, email=preference.email)
        .order_by("-purchased_at")
        .values_list("language", flat=True)
        .first()
    )
    languages = list(preference.brand.languages or ["en"])
    return last if last in languages else languages[0]


def pending_followups(preference: ContactPreference) -> QuerySet[FollowUp]:
    """What is still planned for this customer, soonest first."""
    return (
        FollowUp.objects.filter(
            brand_id=preference.brand_id, email=preference.email, state__in=FollowUp.PENDING
        )
        .select_related("step")
        .order_by("scheduled_for")
    )


# -- purchases ---------------------------------------------------------------------------


def brand_products(brand: Brand) -> QuerySet[Product]:
    """The products a customer may say they bought from this brand."""
    return Product.objects.filter(brand=brand)


def reported_purchase(*, response: Response, purchase_id: str) -> Purchase | None:
    """A purchase reported from this response's results page (`purchase_id` from a query)."""
    # ASCII digits only: str.isdigit() also accepts "²" and other scripts' digits, which int()
    # refuses; 19 digits is the most a primary key has.
    if not (purchase_id.isascii() and purchase_id.isdigit()) or len(purchase_id) > 19:
        return None
    return Purchase.objects.filter(response=response, pk=purchase_id).first()


@dataclass(frozen=True, slots=True)
class BoughtItem:
    name: str
    recommended: bool
    rank: int | None


def purchase_items(purchase: Purchase, language: str) -> list[BoughtItem]:
    """What a purchase holds, named in the customer's language."""
    return [
        BoughtItem(
            localized_text(item.product.name, language) if item.product else item.sku,
            item.recommended,
            item.rank,
        )
        for item in purchase.items.select_related("product")
    ]


def planned_followups(purchase: Purchase) -> QuerySet[FollowUp]:
    """The follow-ups a purchase scheduled, soonest first."""
    return purchase.followups.select_related("step").order_by("scheduled_for")


def confirmation_awaited(purchase: Purchase) -> bool:
    """Whether this purchase's follow-ups wait for the customer to confirm their address."""
    return purchase.consents.filter(confirmed_at__isnull=True, withdrawn_at__isnull=True).exists()


def consent_to_confirm(consent_id: int) -> Consent | None:
    """The consent a confirmation link names, with its brand and purchase; None once erased."""
    return (
        Consent.objects.select_related("brand", "purchase", "response")
        .filter(pk=consent_id)
        .first()
    )


# -- attribution: which response a purchase came from ------------------------------------


def attribution_lookup(ref: str) -> tuple[Response, str] | None:
    """The response and product sku a product link's `ref` stands for; None if unknown."""
    if not isinstance(ref, str) or not ref or len(ref) > REFERENCE_MAX_LENGTH:
        return None
    found = (
        ProductReference.objects.select_related("response", "response__brand")
        .filter(ref=ref)
        .first()
    )
    return (found.response, found.sku) if found is not None else None


def purchase_attribution(
    *, brand: Brand, reference: str, item_refs: Iterable[str] = ()
) -> Response | None:
    """The response a store's purchase came from; None when nothing links it.

    Tried in order: a product link's `ref` given for the whole order, then one given per item,
    then the order's reference read as a response token. A reference of another brand, or of
    a preview, links nothing.
    """
    for ref in (reference, *item_refs):
        found = attribution_lookup(ref)
        if found is not None and found[0].brand_id == brand.pk and not found[0].is_preview:
            return found[0]
    if reference:
        return Response.objects.filter(brand=brand, token=reference, is_preview=False).first()
    return None


# -- settings ----------------------------------------------------------------------------


def brand_by_slug(slug: str) -> Brand | None:
    return Brand.objects.filter(slug=slug).first() if slug else None


def followup_settings_of(brand_id: int) -> BrandFollowUpSettings | None:
    """A brand's follow-up settings; None until an owner created them in the admin."""
    return BrandFollowUpSettings.objects.filter(brand_id=brand_id).first()


# -- re-assessment ----------------------------------------------------------------------


def reassessment_of(followup: FollowUp) -> Response | None:
    """The response this follow-up's latest re-assessment started; None if none was started."""
    started = (
        Engagement.objects.filter(followup=followup, kind=Engagement.Kind.REASSESS_STARTED)
        .select_related("response")
        .order_by("-at")
        .first()
    )
    return started.response if started else None
