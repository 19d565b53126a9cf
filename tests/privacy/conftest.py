"""A brand whose assessment asks for a free-text note, a customer who bought from their results,
and the link e-mailed to them."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Brand, Response
from assessments.taking.services import answer_submit, response_start
from tests.factories import definition, products, t
from tests.followups.conftest import buy, make_brand, make_plan

NOTE = "My left knee hurts since the Valencia marathon — Ana Pérez"
ANSWERS = [
    ("use", {"use": "run"}),
    ("distance", {"km": "40"}),
    ("knees", {"knees": "yes", "note": NOTE}),
]


def noted_definition(brand_slug: str) -> dict:
    """The factories' definition with an optional free-text question and a hidden field."""
    data = definition(
        products=products(brand_slug),
        hidden_fields=[{"key": "store", "label": t("Store")}],
    )
    knees = next(step for step in data["steps"] if step["key"] == "knees")
    knees["questions"].append(
        {"key": "note", "kind": "text", "prompt": t("Anything else?"), "required": False}
    )
    return data


def publish(brand: Brand) -> Assessment:
    return assessment_import(brand=brand, source=noted_definition(brand.slug), publish=True)


def finish(assessment: Assessment, **fields: str) -> Response:
    """A completed response started from a link carrying `fields` (utm_*, hidden fields)."""
    response = response_start(
        version=assessment.live_version, brand=assessment.brand, language="en", fields=fields
    )
    for step_key, raw in ANSWERS:
        outcome = answer_submit(
            response=response, step_key=step_key, raw=raw, submission_id=uuid.uuid4().hex
        )
        assert outcome.status == "accepted", outcome
    response.refresh_from_db()
    assert response.status == Response.Status.COMPLETED
    return response


def link_in(message: mail.EmailMessage) -> str:
    """The path of the first link to this site in an e-mail."""
    found = re.search(r"https?://[^/\s]+(/privacy/\S+)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.fixture
def brand(db) -> Brand:
    return make_brand("acme")


@pytest.fixture
def published(brand: Brand) -> Assessment:
    assessment = publish(brand)
    make_plan(assessment)
    return assessment


@pytest.fixture
def response(published: Assessment) -> Response:
    return finish(published, utm_source="newsletter", store="madrid-1")


@pytest.fixture
def bought(response: Response):
    """Ana bought from her results and agreed to follow-ups (three are scheduled)."""
    purchase, _created = buy(response, order_id="A-1", email="ana@example.com")
    return purchase
