"""Hostile values an attacker can type get a clear refusal, never a 500."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.forms.models import model_to_dict
from django.urls import reverse

from assessments.admin.forms import BrandForm
from assessments.brands.mail import brand_sender
from assessments.embedding.origins import OriginError, normalize_origin, origin_allowed
from assessments.models import Brand, Response
from tests.factories import BrandFactory
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
