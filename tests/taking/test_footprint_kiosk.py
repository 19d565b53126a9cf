"""On the store's kiosk the photo step works as on a phone: measured, or the drawings and why."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assessments.models import StoreCode
from assessments.store.services import kiosk_create
from tests.factories import BrandFactory, member
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


def test_store_staff_see_a_kept_photo_with_the_customer_and_only_while_the_code_is_open(
    client, kiosk
):
    visit = start(client, kiosk)
    for step, data in (
        ("photo", {"photo-arch_photo": upload(high_arch()), "keep-photo-arch_photo": "yes"}),
        ("knees", {"knees": "no"}),
    ):
        client.post(step_url(visit, step), {"submission_id": f"s-{step}", **data})
    code = visit.response.store_codes.get()
    client.force_login(member(kiosk.brand, role="store"))
    html = client.get(reverse("store:assist", args=["acme", code.assist_token])).content.decode()
    photo_url = reverse("store:assist_photo", args=["acme", code.assist_token, "arch_photo"])
    assert f'<img src="{photo_url}"' in html
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).format == "JPEG"
    assert "no-store" in photo["Cache-Control"] or "max-age=0" in photo["Cache-Control"]
    # Once the code has closed, the photo is not shown any more.
    StoreCode.objects.filter(pk=code.pk).update(created_at=timezone.now() - dt.timedelta(days=1))
    assert client.get(photo_url).status_code == 404
