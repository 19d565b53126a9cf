"""On the store's kiosk the photo step works as on a phone: measured, or the drawings and why."""

from __future__ import annotations

import pytest

from assessments.store.services import kiosk_create
from tests.factories import BrandFactory
from tests.store.conftest import start, step_url
from tests.taking.footprints import cut_off_print, high_arch, photo_assessment, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk(db):
    assessment = photo_assessment(BrandFactory(slug="acme"))
    return kiosk_create(assessment=assessment, name="Shoe wall", idle_seconds=60)


def test_the_kiosk_measures_a_print(client, kiosk):
    visit = start(client, kiosk)
    html = client.get(step_url(visit, "photo")).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'capture="environment"' in html
    page = client.post(
        step_url(visit, "photo"), {"submission_id": "p1", "photo-arch_photo": upload(high_arch())}
    )
    assert page["Location"] == step_url(visit, "knees")
    visit.response.refresh_from_db()
    assert visit.response.answers["arch_photo"]["band"] == "high"


def test_the_kiosk_says_why_a_photo_was_not_measured(client, kiosk):
    visit = start(client, kiosk)
    sent = {"submission_id": "p1", "photo-arch_photo": upload(cut_off_print())}
    page = client.post(step_url(visit, "photo"), sent)
    assert page["Location"] == f"{step_url(visit, 'feet')}?photo=cut_off"
    html = client.get(page["Location"]).content.decode()
    assert "The print is cut off at the edge of the photo." in html
    assert "Which print looks most like yours?" in html
