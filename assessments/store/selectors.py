"""Reads for the store's pages: kiosks by their device token, open visits, codes, hand-offs."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from assessments.brands.tenancy import store_brand_ids
from assessments.models import (
    Brand,
    HandoffClaim,
    KeptPhoto,
    Kiosk,
    KioskVisit,
    Product,
    StoreCode,
)

# The server's own end of a visit, for a kiosk whose idle script never ran: this many times
# the kiosk's idle timeout after the last submission, and never sooner than VISIT_MIN_LIFE.
VISIT_IDLE_FACTOR = 3
VISIT_MIN_LIFE = dt.timedelta(minutes=3)
# The assist page stays open this long after the code was shown, so a sale can be recorded.
ASSIST_LIFE = dt.timedelta(hours=3)


def kiosk_by_token(token: str) -> Kiosk | None:
    """The kiosk a device link opens; None when unknown or revoked."""
    return (
        Kiosk.objects.select_related("brand", "assessment__live_version")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )


def visit_expires_at(visit: KioskVisit) -> dt.datetime:
    life = max(VISIT_MIN_LIFE, dt.timedelta(seconds=visit.kiosk.idle_seconds * VISIT_IDLE_FACTOR))
    return visit.active_at + life


def visit_open(*, kiosk: Kiosk, token: str) -> KioskVisit | None:
    """The kiosk's visit with this token while it is open: not reset, handed off or expired."""
    visit = (
        KioskVisit.objects.select_related("response")
        .filter(kiosk=kiosk, token=token, ended_at__isnull=True)
        .first()
    )
    if visit is None:
        return None
    visit.kiosk = kiosk
    if visit_expires_at(visit) <= timezone.now():
        return None
    return visit


def kiosks_open_visits(kiosk: Kiosk) -> QuerySet[KioskVisit]:
    return KioskVisit.objects.filter(kiosk=kiosk, ended_at__isnull=True)


def handoff_by_token(token: str) -> HandoffClaim | None:
    """An unclaimed, unexpired hand-off link."""
    return (
        HandoffClaim.objects.select_related("response__brand")
        .filter(token=token, claimed_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


def handoff_current(response_id: int) -> HandoffClaim | None:
    return (
        HandoffClaim.objects.filter(
            response_id=response_id, claimed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def code_current(response_id: int) -> StoreCode | None:
    return (
        StoreCode.objects.filter(response_id=response_id, expires_at__gt=timezone.now())
        .order_by("-expires_at")
        .first()
    )


def code_find(*, brand_id: int, code: str) -> StoreCode | None:
    """A brand's unexpired code, as a customer reads it out."""
    return (
        StoreCode.objects.select_related("response")
        .filter(brand_id=brand_id, code=code.strip().upper(), expires_at__gt=timezone.now())
        .first()
    )


def assist_find(*, brand_id: int, token: str) -> StoreCode | None:
    """The assist page a code opened, while it is open."""
    return (
        StoreCode.objects.select_related("response__version", "brand")
        .filter(
            brand_id=brand_id,
            assist_token=token,
            created_at__gt=timezone.now() - ASSIST_LIFE,
            response__status="completed",
        )
        .first()
    )


def store_brand(*, user, slug: str) -> Brand | None:
    """The brand whose store pages this user may open (a superuser may open any)."""
    brand = Brand.objects.filter(slug=slug).first()
    if brand is None:
        return None
    if (user.is_active and user.is_superuser) or brand.pk in store_brand_ids(user):
        return brand
    return None


def store_brands(user) -> QuerySet[Brand]:
    if user.is_active and user.is_superuser:
        return Brand.objects.all()
    return Brand.objects.filter(pk__in=store_brand_ids(user))


def sale_products(brand_id: int) -> QuerySet[Product]:
    return Product.objects.filter(brand_id=brand_id, active=True).order_by("sku")


def kept_photo_keys(response_id: int) -> list[str]:
    """The photo questions whose photo the customer asked us to keep, still kept."""
    return list(
        KeptPhoto.objects.filter(response_id=response_id, delete_after__gt=timezone.now())
        .order_by("question_key")
        .values_list("question_key", flat=True)
    )


def kept_photo(*, response_id: int, question_key: str) -> bytes | None:
    """A kept footprint photo's JPEG, while it is kept; None otherwise."""
    image = (
        KeptPhoto.objects.filter(
            response_id=response_id, question_key=question_key, delete_after__gt=timezone.now()
        )
        .values_list("image", flat=True)
        .first()
    )
    return bytes(image) if image is not None else None
