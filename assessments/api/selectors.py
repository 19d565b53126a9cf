"""The API's reads, every one scoped to the key's brand: another brand's rows are not found.

Lists are paged by keyset on (time, id): the cursor holds the last row's pair, so a page never
repeats or skips a row however many rows arrive meanwhile, and a client syncing completed
responses picks up one that was started long ago but finished after its last page.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from assessments.models import (
    Assessment,
    AssessmentVersion,
    Brand,
    CheckIn,
    Product,
    Purchase,
    PurchaseItem,
    Response,
)

PAGE_MAX = 200


class CursorInvalid(ValueError):
    """The cursor is not one this API handed out."""


@dataclass(frozen=True, slots=True)
class Window:
    """What a list request asks for: a page after `cursor`, within `since`/`until`."""

    cursor: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class Paged[T]:
    rows: list[T]
    # After the last row; the cursor given when there are no rows, so a client polling for new
    # rows keeps its place.
    next_cursor: str | None
    has_more: bool


def cursor_encode(when: dt.datetime, pk: int) -> str:
    raw = json.dumps([when.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        parsed = dt.datetime.fromisoformat(when)
        if not isinstance(pk, int) or parsed.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, UnicodeDecodeError) as error:
        raise CursorInvalid(
            "This cursor is not one we gave: pass `next_cursor` as it came."
        ) from error
    return parsed, pk


def _page[T](queryset: QuerySet[T], field: str, window: Window) -> Paged[T]:
    if window.since is not None:
        queryset = queryset.filter(**{f"{field}__gte": window.since})
    if window.until is not None:
        queryset = queryset.filter(**{f"{field}__lt": window.until})
    if window.cursor:
        when, pk = cursor_decode(window.cursor)
        queryset = queryset.filter(Q(**{f"{field}__gt": when}) | Q(**{field: when, "pk__gt": pk}))
    limit = max(1, min(window.limit, PAGE_MAX))
    rows = list(queryset.order_by(field, "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if not rows:
        return Paged(rows, window.cursor, False)
    return Paged(rows, cursor_encode(getattr(rows[-1], field), rows[-1].pk), more)


def assessments_of(brand: Brand) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(brand=brand)
        .select_related("live_version")
        .prefetch_related(Prefetch("versions", AssessmentVersion.objects.order_by("number")))
        .order_by("key")
    )


def assessment_of(brand: Brand, key: str) -> Assessment | None:
    return assessments_of(brand).filter(key=key).first()


def version_of(brand: Brand, key: str, number: int) -> AssessmentVersion | None:
    return (
        AssessmentVersion.objects.filter(
            assessment__brand=brand, assessment__key=key, number=number
        )
        .select_related("assessment")
        .first()
    )


def _completed(brand_id: int) -> QuerySet[Response]:
    return Response.objects.filter(
        brand_id=brand_id, status=Response.Status.COMPLETED, is_preview=False
    ).select_related("version__assessment")


def completed_responses(brand: Brand, window: Window) -> Paged[Response]:
    """Completed responses by the time they were completed, oldest first."""
    return _page(_completed(brand.pk), "completed_at", window)


def completed_response(brand_id: int, response_id: int) -> Response | None:
    return _completed(brand_id).filter(pk=response_id).first()


def products_of(brand: Brand) -> QuerySet[Product]:
    return Product.objects.filter(brand=brand).order_by("sku").prefetch_related("variants")


def product_of(brand: Brand, sku: str) -> Product | None:
    return products_of(brand).filter(sku=sku).first()


def _purchases(brand_id: int) -> QuerySet[Purchase]:
    return Purchase.objects.filter(brand_id=brand_id).prefetch_related(
        Prefetch("items", PurchaseItem.objects.order_by("pk"))
    )


def purchases_of(brand: Brand, window: Window) -> Paged[Purchase]:
    """Purchases by the time they were recorded, oldest first."""
    return _page(_purchases(brand.pk), "created_at", window)


def purchase_by_id(brand_id: int, purchase_id: int) -> Purchase | None:
    return _purchases(brand_id).filter(pk=purchase_id).first()


def _checkins(brand_id: int) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(followup__brand_id=brand_id).select_related(
        "followup__purchase", "followup__item"
    )


def checkins_of(brand: Brand, window: Window) -> Paged[CheckIn]:
    """Check-in answers by the time they were last answered (a correction moves one on)."""
    return _page(_checkins(brand.pk), "answered_at", window)


def checkin_by_id(brand_id: int, checkin_id: int) -> CheckIn | None:
    return _checkins(brand_id).filter(pk=checkin_id).first()
