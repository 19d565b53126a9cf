"""A published test assessment with a follow-up plan, a finished response, and webhook signing."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from assessments.authoring.services import assessment_import
from assessments.followups.purchases import ConsentInput, ItemInput, purchase_record
from assessments.followups.services import followup_settings_ensure
from assessments.models import (
    Assessment,
    Brand,
    FollowUpPlan,
    FollowUpPlanStep,
    Response,
)
from assessments.taking.services import answer_submit, response_start
from tests.factories import BrandFactory, definition, products, t

IS_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
postgres_only = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")

RUNNER = [("use", {"use": "run"}), ("distance", {"km": "40"}), ("knees", {"knees": "yes"})]


def make_brand(slug: str = "acme") -> Brand:
    return BrandFactory(slug=slug, name=slug.title(), sender_email=f"hello@{slug}.example")


def make_published(brand: Brand) -> Assessment:
    return assessment_import(
        brand=brand, source=definition(products=products(brand.slug)), publish=True
    )


def make_plan(assessment: Assessment, days: tuple[int, ...] = (2, 14, 60)) -> FollowUpPlan:
    plan = FollowUpPlan.objects.create(assessment=assessment, key="default", name="Default")
    kinds = [
        FollowUpPlanStep.Kind.TIP,
        FollowUpPlanStep.Kind.CHECKIN,
        FollowUpPlanStep.Kind.REASSESS,
    ]
    for position, (day, kind) in enumerate(zip(days, kinds * 3, strict=False)):
        FollowUpPlanStep.objects.create(
            plan=plan,
            position=position,
            delay_days=day,
            kind=kind,
            subject=t(f"Day {day}: {{product}} for {{first_name}}", f"Día {day}: {{product}}"),
            body=t("Hi {first_name},\n\nYou are {outcome}.\n\n{insights}"),
        )
    return plan


def make_response(assessment: Assessment, language: str = "en") -> Response:
    response = response_start(
        version=assessment.live_version, brand=assessment.brand, language=language
    )
    for step_key, raw in RUNNER:
        outcome = answer_submit(
            response=response, step_key=step_key, raw=raw, submission_id=uuid.uuid4().hex
        )
        assert outcome.status == "accepted", outcome
    response.refresh_from_db()
    assert response.status == Response.Status.COMPLETED
    return response


def buy(
    response: Response,
    *,
    order_id: str = "A-1",
    email: str = "ana@example.com",
    consent: bool = True,
    sku: str = "steady",
    when: dt.datetime | None = None,
):
    return purchase_record(
        brand=response.brand,
        order_id=order_id,
        items=[ItemInput(sku=sku)],
        source="webhook",
        purchased_at=when,
        response=response,
        email=email,
        first_name="Ana",
        consent=ConsentInput("checkout-v1", "checkout") if consent else None,
    )


@pytest.fixture
def brand(db) -> Brand:
    return make_brand()


@pytest.fixture
def published(brand: Brand) -> Assessment:
    return make_published(brand)


@pytest.fixture
def plan(published: Assessment) -> FollowUpPlan:
    return make_plan(published)


@pytest.fixture
def response(published: Assessment, plan: FollowUpPlan) -> Response:
    return make_response(published)


def sign(
    secret: str, body: bytes | str, *, at: dt.datetime | None = None, msg_id: str = ""
) -> dict:
    """Standard Webhooks headers for this body, as Django test client extra headers."""
    text = body.decode() if isinstance(body, bytes) else body
    at = at or timezone.now()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=at, data=text)
    return {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


def post_webhook(
    client: Client, brand: Brand, payload: Any, *, secret: str | None = None, **headers: Any
):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    secret = secret or followup_settings_ensure(brand_id=brand.pk).webhook_secret
    signed = headers or sign(secret, body)
    return client.post(
        reverse("followups:webhook") + f"?brand={brand.slug}",
        data=body,
        content_type="application/json",
        **signed,
    )


def purchase_payload(response: Response | None, order_id: str = "W-1", **data: Any) -> dict:
    return {
        "type": "purchase.completed",
        "timestamp": timezone.now().isoformat(),
        "data": {
            "order_id": order_id,
            "purchased_at": timezone.now().isoformat(),
            "items": [{"sku": "steady", "quantity": 1, "price": "99.00"}],
            "reference": response.token if response else None,
            "email": "ana@example.com",
            "first_name": "Ana",
            "consent": {"wording_version": "checkout-v1", "given_at": timezone.now().isoformat()},
            **data,
        },
    }
