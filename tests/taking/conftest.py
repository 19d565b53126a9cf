"""A published copy of the small test assessment, and helpers to take it like a browser would."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Brand, Response
from tests.factories import BrandFactory, definition, products


@pytest.fixture
def brand(db) -> Brand:
    return BrandFactory(slug="acme", allowed_origins=["https://partner.example"])


@pytest.fixture
def published(brand: Brand) -> Assessment:
    return assessment_import(
        brand=brand, source=definition(products=products("acme")), publish=True
    )


def landing_url(assessment: Assessment, query: str = "") -> str:
    url = reverse("taking:landing", args=[assessment.brand.slug, assessment.key])
    return f"{url}?{query}" if query else url


def step_url(response: Response, step_key: str) -> str:
    return reverse("taking:step", args=[response.token, step_key])


def results_url(response: Response) -> str:
    return reverse("taking:results", args=[response.token])


def back_url(response: Response) -> str:
    return reverse("taking:back", args=[response.token])


def start(client: Client, assessment: Assessment, **data: Any) -> Response:
    """Press Start on the landing page; the new response, read back from the database."""
    page = client.post(landing_url(assessment), data)
    assert page.status_code == 303
    token = page["Location"].split("/r/")[1].split("/")[0]
    return Response.objects.get(token=token)


def submit(client: Client, response: Response, step_key: str, data: dict[str, Any], **extra: Any):
    """Submit a step as the browser would, with a fresh submission id unless one is given."""
    payload = {"submission_id": secrets.token_urlsafe(16), **data}
    return client.post(step_url(response, step_key), payload, **extra)


def walk(client: Client, response: Response, answers: list[tuple[str, dict[str, Any]]]) -> None:
    for step_key, data in answers:
        page = submit(client, response, step_key, data)
        assert page.status_code == 303, (step_key, page.content.decode()[:500])
    response.refresh_from_db()


RUNNER = [("use", {"use": "run"}), ("distance", {"km": "40"}), ("knees", {"knees": "no"})]
WALKER = [("use", {"use": "walk"}), ("knees", {"knees": "no"})]
