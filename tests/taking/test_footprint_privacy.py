"""A kept footprint photo is the customer's: in their data download, gone when they erase it or
when the brand's retention period anonymises the response."""

from __future__ import annotations

import base64
import datetime as dt
import io
import secrets

import pytest
from django.utils import timezone
from PIL import Image

from assessments.models import KeptPhoto, Response
from assessments.privacy.selectors import customer_data_export
from assessments.privacy.services import brand_retention_apply, customer_data_erase
from tests.followups.conftest import buy, make_brand
from tests.taking.conftest import start, step_url
from tests.taking.footprints import high_arch, photo_assessment, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(client) -> Response:
    """Ana measured her print, ticked "keep my photo", finished and bought."""
    brand = make_brand("acme")
    response = start(client, photo_assessment(brand))
    for step, data in (
        ("photo", {"photo-arch_photo": upload(high_arch()), "keep-photo-arch_photo": "yes"}),
        ("knees", {"knees": "no"}),
    ):
        client.post(step_url(response, step), {"submission_id": secrets.token_urlsafe(8), **data})
    response.refresh_from_db()
    assert response.status == Response.Status.COMPLETED
    assert KeptPhoto.objects.filter(response=response).count() == 1
    buy(response, email="ana@example.com", sku="plush")
    return response


def test_the_download_holds_the_kept_photo_itself(kept):
    export = customer_data_export(brand=kept.brand, email="ana@example.com")
    (answers,) = [r for r in export["responses"]]
    (photo,) = answers["kept_photos"]
    assert photo["question"] == "arch_photo"
    image = Image.open(io.BytesIO(base64.b64decode(photo["jpeg_base64"])))
    assert image.format == "JPEG" and not image.getexif()
    band = next(a for a in answers["answers"] if a["question"] == "arch_photo")["answer"]
    assert band["band"] == "high"


def test_erasing_ones_data_deletes_the_kept_photo(kept):
    customer_data_erase(brand=kept.brand, email="ana@example.com")
    assert not KeptPhoto.objects.exists()
    kept.refresh_from_db()
    # The anonymous count keeps the measured band; nothing of the photo is left.
    assert kept.anonymised_at is not None
    assert kept.answers["arch_photo"]["band"] == "high"


def test_the_retention_period_deletes_the_kept_photo_with_the_rest(kept):
    later = timezone.now() + dt.timedelta(days=kept.brand.retention_days + 1)
    brand_retention_apply(brand=kept.brand, now=later)
    assert not KeptPhoto.objects.exists()
