"""Hostile values an attacker can type get a clear refusal, never a 500."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from PIL import Image

from assessments.admin.forms import BrandForm
from assessments.brands.mail import brand_sender
from assessments.embedding.origins import OriginError, normalize_origin, origin_allowed
from assessments.models import Brand, Product, Response
from tests.factories import BrandFactory, png_bytes
from tests.taking.conftest import RUNNER, results_url, start, step_url, walk

pytestmark = pytest.mark.django_db

# Digits Python's str.isdigit() accepts but int() refuses, or that are not ASCII at all.
NOT_ASCII_DIGITS = ["²", "\u0663", "\uff11\uff12\uff13", "8²"]


@pytest.mark.parametrize("port", NOT_ASCII_DIGITS)
def test_an_origin_whose_port_is_not_ascii_digits_is_refused_not_crashed(port):
    with pytest.raises(OriginError, match="port"):
        normalize_origin(f"https://x.example:{port}")
    assert not origin_allowed(f"https://x.example:{port}", ["https://x.example"])


def test_an_embed_link_claiming_such_an_origin_still_shows_the_landing(client, published):
    url = reverse("taking:landing", args=[published.brand.slug, published.key])
    page = client.get(f"/e{url}?origin=https://x.example:%C2%B2")
    assert page.status_code == 200


def test_a_customer_post_with_such_an_origin_header_is_refused_with_403(client, published):
    response = start(client, published)
    page = client.post(
        step_url(response, "use"),
        {"use": "run", "submission_id": "s1"},
        HTTP_ORIGIN="https://x.example:²",
    )
    assert page.status_code == 403
    response.refresh_from_db()
    assert response.answers == {}


def test_the_admin_export_refuses_a_version_that_is_not_a_number(admin_client, published):
    url = reverse("admin:assessments_assessment_export", args=[published.pk])
    assert admin_client.get(f"{url}?version=²").status_code == 404
    assert admin_client.get(f"{url}?version=1").status_code == 200


@pytest.mark.parametrize(
    "name", ["Acme\r\nBcc: victim@example.com", "Acme\nSubject: hi", 'Acme, "Runs" <x@y>']
)
def test_a_sender_name_cannot_add_a_header(name):
    brand = BrandFactory.build(sender_name=name, sender_email="hello@acme.example")
    sender = brand_sender(brand)
    assert "\r" not in sender and "\n" not in sender
    assert sender.endswith("<hello@acme.example>")


def test_the_brand_form_refuses_a_sender_name_with_a_line_break(brand):
    data = {**model_to_dict(brand), "sender_name": "Acme\r\nBcc: victim@example.com"}
    data["languages"] = json.dumps(brand.languages)
    data["allowed_origins"] = json.dumps(brand.allowed_origins)
    form = BrandForm(data=data, instance=brand)
    assert not form.is_valid()
    assert "line break" in str(form.errors["sender_name"])


def test_a_brand_with_an_odd_sender_name_can_still_e_mail_results(client, published):
    Brand.objects.filter(pk=published.brand_id).update(
        sender_name='Acme, "Runs"\r\nBcc: x@y.example', sender_email="hello@acme.example"
    )
    response = start(client, published)
    walk(client, response, RUNNER)
    page = client.post(
        reverse("taking:email_results", args=[response.token]),
        {"email": "me@example.com", "consent": "yes"},
    )
    assert page.status_code == 303
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].from_email
    assert Response.objects.get(pk=response.pk).emails_sent == 1
    assert client.get(results_url(response)).status_code == 200


# -- images -------------------------------------------------------------------------------


def _jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, "#884422")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 25.0, 0.0)
    gps[3], gps[4] = "W", (3.0, 42.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def _product_data(brand: Brand, image: SimpleUploadedFile) -> dict[str, object]:
    return {
        "brand": brand.pk,
        "sku": "trail-1",
        "name_en": "Trail One",
        "name_es": "Trail Uno",
        "url": "https://acme.example/trail-1",
        "price": "120.00",
        "currency": "EUR",
        "image": image,
        "attributes": '{"terrain": "trail"}',
        "priority": "0",
        "active": "on",
        # The variants inline's management form, as the page sends it with no variants.
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
    }


def _stored_files() -> set[str]:
    root = Path(default_storage.location)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_an_uploaded_photo_loses_its_location_and_stands_upright(admin_client, brand):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    upload = SimpleUploadedFile("trail.jpg", original, content_type="image/jpeg")
    page = admin_client.post(reverse("admin:assessments_product_add"), _product_data(brand, upload))
    assert page.status_code == 302, page.content.decode()[:1000]
    product = Product.objects.get(sku="trail-1")
    with default_storage.open(product.image.name, "rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert not stored.getexif().get_ifd(0x8825)
    assert stored.getexif().get(0x0112) in (None, 1)
    assert stored.size == (48, 64)  # turned as the camera said


def test_a_png_with_a_page_appended_is_stored_without_it(admin_client, brand):
    payload = png_bytes((40, 40)) + b"<html><script>alert(1)</script></html>"
    upload = SimpleUploadedFile("trail.png", payload, content_type="image/png")
    page = admin_client.post(reverse("admin:assessments_product_add"), _product_data(brand, upload))
    assert page.status_code == 302
    with default_storage.open(Product.objects.get(sku="trail-1").image.name, "rb") as handle:
        assert b"<html>" not in handle.read()


@pytest.mark.parametrize(
    ("payload", "says"),
    [
        (_jpeg_with_gps((400, 300))[:-600], "read in full"),
        (png_bytes((8000, 5000)), "25 megapixels"),
    ],
    ids=["truncated-jpeg", "40-megapixel-png"],
)
def test_an_image_that_cannot_be_used_is_refused_and_leaves_no_file(
    admin_client, brand, payload, says
):
    before = _stored_files()
    upload = SimpleUploadedFile("trail.png", payload, content_type="image/png")
    page = admin_client.post(reverse("admin:assessments_product_add"), _product_data(brand, upload))
    assert page.status_code == 200
    assert says in page.content.decode()
    assert not Product.objects.filter(sku="trail-1").exists()
    assert _stored_files() == before


# -- import -------------------------------------------------------------------------------


def test_importing_a_file_nested_fifty_thousand_deep_is_a_problem_not_a_crash(admin_client, brand):
    payload = ('{"key": "deep", "steps": ' + "[" * 50_000 + "]" * 50_000 + "}").encode()
    page = admin_client.post(
        reverse("admin:assessments_assessment_import"),
        {"brand": brand.pk, "file": SimpleUploadedFile("deep.json", payload)},
    )
    assert page.status_code == 400
    assert "nested too deeply" in page.content.decode()
    assert not brand.assessments.filter(key="deep").exists()
