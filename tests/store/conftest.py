"""Two brands with the small test assessment published, a kiosk for each, and store staff."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import Kiosk, KioskVisit
from assessments.store.services import kiosk_create
from tests.factories import BrandFactory, definition, products

RUNNER = [("use", {"use": "run"}), ("distance", {"km": "40"}), ("knees", {"knees": "yes"})]


@pytest.fixture
def brand(db):
    return BrandFactory(slug="acme", name="Acme", sender_email="hello@acme.example")


@pytest.fixture
def published(brand):
    return assessment_import(
        brand=brand, source=definition(products=products("acme")), publish=True
    )


@pytest.fixture
def kiosk(published) -> Kiosk:
    return kiosk_create(assessment=published, name="Shoe wall", idle_seconds=60)


def kiosk_url(kiosk: Kiosk) -> str:
    return reverse("store:kiosk", args=[kiosk.token])


def start(client: Client, kiosk: Kiosk) -> KioskVisit:
    page = client.post(kiosk_url(kiosk))
    assert page.status_code == 303, page.content[:300]
    return KioskVisit.objects.get(kiosk=kiosk, ended_at__isnull=True)


def step_url(visit: KioskVisit, step: str) -> str:
    return reverse("store:kiosk_step", args=[visit.kiosk.token, visit.token, step])


def results_url(visit: KioskVisit) -> str:
    return reverse("store:kiosk_results", args=[visit.kiosk.token, visit.token])


def finish(client: Client, kiosk: Kiosk) -> KioskVisit:
    visit = start(client, kiosk)
    for step, data in RUNNER:
        page = client.post(step_url(visit, step), {"submission_id": f"s-{step}", **data})
        assert page.status_code == 303, page.content[:500]
    visit.refresh_from_db()
    return visit
