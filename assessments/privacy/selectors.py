"""Reads for customers' data rights: what one e-mail address is tied to at one brand.

An address reaches purchases, consents, contact preferences and follow-ups directly (they
store it), check-ins and what the customer did with a follow-up through those follow-ups, and
responses through all of them: the response a purchase came from, the one a consent was given
on, the one a check-in was about, the re-assessment a follow-up started.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import astuple, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from assessments import engine
from assessments.engine.text import localized
from assessments.models import (
    Brand,
    CheckIn,
    Consent,
    ContactPreference,
    Engagement,
    FollowUp,
    Purchase,
    Response,
)

EXPORT_FORMAT = 1


def email_normalise(email: str) -> str:
    """Addresses are stored trimmed and in lower case everywhere a customer's data keeps one."""
    return (email or "").strip().lower()


def brand_for_customers(slug: str) -> Brand | None:
    """The brand whose customer pages live under this slug, or None."""
    return Brand.objects.filter(slug=slug).first()


@dataclass(frozen=True)
class CustomerRows:
    """Everything one address is tied to at one brand, as querysets (nothing read yet)."""

    purchases: QuerySet[Purchase]
    consents: QuerySet[Consent]
    preferences: QuerySet[ContactPreference]
    followups: QuerySet[FollowUp]
    checkins: QuerySet[CheckIn]
    engagements: QuerySet[Engagement]
    responses: QuerySet[Response]


def customer_rows(*, brand: Brand, email: str) -> CustomerRows:
    """The rows tied to `email` at `brand` (the address compared without regard to case)."""
    email = email_normalise(email)
    # Purchases made without an address store an empty one: "" must never reach them.
    scope = Q(brand=brand) if email else Q(pk__in=[])
    purchases = Purchase.objects.filter(scope, email__iexact=email)
    followups = FollowUp.objects.filter(scope).filter(
        Q(email__iexact=email) | Q(purchase__in=purchases)
    )
    consents = Consent.objects.filter(scope, email=email)
    preferences = ContactPreference.objects.filter(scope, email=email)
    checkins = CheckIn.objects.filter(followup__in=followups)
    engagements = Engagement.objects.filter(scope, followup__in=followups)
    reached = (
        Q(pk__in=purchases.filter(response__isnull=False).values("response_id"))
        | Q(pk__in=consents.filter(response__isnull=False).values("response_id"))
        | Q(pk__in=checkins.filter(response__isnull=False).values("response_id"))
        | Q(pk__in=engagements.filter(response__isnull=False).values("response_id"))
    )
    responses = Response.objects.filter(scope, is_preview=False).filter(reached)
    return CustomerRows(
        purchases=purchases,
        consents=consents,
        preferences=preferences,
        followups=followups,
        checkins=checkins,
        engagements=engagements,
        responses=responses,
    )


@dataclass(frozen=True, slots=True)
class DataSummary:
    """How many rows of each kind an address is tied to."""

    purchases: int
    consents: int
    preferences: int
    followups: int
    checkins: int
    responses: int

    @property
    def empty(self) -> bool:
        return not any(astuple(self))

    def as_dict(self) -> dict[str, int]:
        return {
            "purchases": self.purchases,
            "consents": self.consents,
            "contact_preferences": self.preferences,
            "follow_ups": self.followups,
            "check_ins": self.checkins,
            "responses": self.responses,
        }


def customer_data_summary(*, brand: Brand, email: str) -> DataSummary:
    """How much of the address's data the brand holds, kind by kind."""
    rows = customer_rows(brand=brand, email=email)
    return DataSummary(
        purchases=rows.purchases.count(),
        consents=rows.consents.count(),
        preferences=rows.preferences.count(),
        followups=rows.followups.count(),
        checkins=rows.checkins.count(),
        responses=rows.responses.count(),
    )


def customer_data_exists(*, brand: Brand, email: str) -> bool:
    """Whether anything at this brand is tied to the address (responses are reached only
    through the rows that store it, so those are enough to ask)."""
    rows = customer_rows(brand=brand, email=email)
    return any(
        queryset.exists()
        for queryset in (rows.purchases, rows.consents, rows.preferences, rows.followups)
    )


# -- the export --------------------------------------------------------------------------


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _answers(response: Response) -> list[dict[str, Any]]:
    """The answers with the question asked and the choices' labels, in the response's language."""
    language = response.language
    version = response.version
    assessment = (
        engine.compile_cached(version.content_hash, lambda: version.definition)
        if version is not None
        else None
    )
    rows = []
    for key, value in (response.answers or {}).items():
        question = assessment.question(key) if assessment is not None else None
        row: dict[str, Any] = {"question": key, "answer": value}
        if question is not None:
            row["prompt"] = localized(question.prompt, language)
            if question.has_choices:
                picked = value if isinstance(value, list) else [value]
                row["label"] = [
                    localized(choice.label, language)
                    for choice in (question.choice(k) for k in picked if isinstance(k, str))
                    if choice is not None
                ]
        rows.append(row)
    return rows


def _result(result: Any) -> dict[str, Any] | None:
    """The frozen result as the customer saw it, without the product links' attribution ids."""
    if not isinstance(result, dict):
        return None
    shown = {k: v for k, v in result.items() if k != "refs"}
    for group in ("recommended", "alternatives"):
        shown[group] = [
            {k: v for k, v in product.items() if k != "ref"}
            for product in result.get(group) or []
            if isinstance(product, dict)
        ]
    return shown


def _response_export(response: Response) -> dict[str, Any]:
    version = response.version
    definition = version.definition if version is not None else {}
    return {
        "assessment": version.assessment.key if version is not None else "",
        "title": localized(definition.get("title"), response.language),
        "version": version.number if version is not None else None,
        "language": response.language,
        "status": response.status,
        "channel": response.channel,
        "started_at": _when(response.created_at),
        "completed_at": _when(response.completed_at),
        "answers": _answers(response),
        "hidden_fields": response.fields or {},
        "attribution": response.attribution or {},
        "learned_something_new": response.learned or None,
        "result": _result(response.result),
        # A footprint photo kept at the customer's request is theirs to have: the JPEG itself.
        "kept_photos": [
            {
                "question": photo.question_key,
                "kept_until": _when(photo.delete_after),
                "jpeg_base64": base64.b64encode(bytes(photo.image)).decode("ascii"),
            }
            for photo in response.kept_photos.order_by("question_key")
        ],
    }


def customer_data_export(*, brand: Brand, email: str) -> dict[str, Any]:
    """Everything the brand holds about the address, as JSON-ready data for the customer."""
    email = email_normalise(email)
    rows = customer_rows(brand=brand, email=email)
    purchases = rows.purchases.prefetch_related("items").order_by("purchased_at", "pk")
    followups = rows.followups.select_related("step", "item").order_by("scheduled_for", "pk")
    activity: dict[int, list[dict[str, Any]]] = {}
    for engagement in rows.engagements.order_by("at", "pk"):
        activity.setdefault(engagement.followup_id or 0, []).append(
            {"what": engagement.kind, "at": _when(engagement.at)}
        )
    return {
        "format": EXPORT_FORMAT,
        "brand": {"name": brand.name, "slug": brand.slug},
        "email": email,
        "exported_at": _when(timezone.now()),
        "purchases": [
            {
                "order_id": purchase.order_id,
                "purchased_at": _when(purchase.purchased_at),
                "status": purchase.status,
                "refunded_at": _when(purchase.refunded_at),
                "source": purchase.source,
                "first_name": purchase.first_name,
                "language": purchase.language,
                "items": [
                    {
                        "sku": item.sku,
                        "quantity": item.quantity,
                        "price": _money(item.price),
                        "recommended_to_you": item.recommended,
                    }
                    for item in purchase.items.all()
                ],
            }
            for purchase in purchases
        ],
        "consents": [
            {
                "wording_version": consent.wording_version,
                "source": consent.source,
                "given_at": _when(consent.given_at),
                "confirmed_at": _when(consent.confirmed_at),
                "withdrawn_at": _when(consent.withdrawn_at),
            }
            for consent in rows.consents.order_by("given_at", "pk")
        ],
        "contact_preferences": [
            {
                "tips": preference.tips,
                "check_ins": preference.checkins,
                "reassessments": preference.reassessments,
                "unsubscribed_at": _when(preference.unsubscribed_at),
                "updated_at": _when(preference.updated_at),
            }
            for preference in rows.preferences
        ],
        "follow_ups": [
            {
                "kind": row.step.kind,
                "about": row.item.sku if row.item else "",
                "scheduled_for": _when(row.scheduled_for),
                "state": row.state,
                "sent_at": _when(row.sent_at),
                "what_you_did": activity.get(row.pk, []),
            }
            for row in followups
        ],
        "check_ins": [
            {
                "answered_at": _when(checkin.answered_at),
                "satisfaction_1_to_5": checkin.csat,
                "effort_1_to_7": checkin.ces,
                "likely_to_recommend_0_to_10": checkin.nps,
                "delivered_what_we_said": checkin.delivered,
                "comment": checkin.comment,
            }
            for checkin in rows.checkins.order_by("answered_at", "pk")
        ],
        "responses": [
            _response_export(response)
            for response in rows.responses.select_related("version__assessment").order_by(
                "created_at", "pk"
            )
        ],
    }
