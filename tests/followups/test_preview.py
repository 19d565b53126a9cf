"""Follow-up e-mails previewed by staff: each brand language, sample values, the real templates."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import member

from .conftest import make_brand, make_plan, make_published

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    brand = make_brand()
    brand.languages = ["en", "es"]
    brand.save()
    return make_plan(make_published(brand))


def preview_url(step) -> str:
    return reverse("admin:assessments_followupplan_preview", args=[step.plan_id, step.pk])


def test_the_preview_shows_each_language_with_sample_values(client, plan):
    client.force_login(member(plan.assessment.brand, "editor"))
    step = plan.steps.first()
    page = client.get(preview_url(step)).text
    assert "Day 2: Breeze for Alex" in page  # the catalogue's first product, a sample name
    assert "Día 2: Breeze (es)" in page
    assert 'id="preview-en"' in page and 'id="preview-es"' in page
    assert "You are Supported." in page or "You are Neutral." in page  # the plain text
    html = client.get(
        reverse("admin:assessments_followupplan_preview_html", args=[plan.pk, step.pk, "es"])
    )
    assert html.status_code == 200
    assert 'lang="es"' in html.text and "Hi Alex" in html.text
    assert "frame-ancestors 'self'" in html.headers["Content-Security-Policy"]
    assert "script-src" not in html.headers["Content-Security-Policy"]


def test_the_plan_page_links_each_saved_step_to_its_preview(client, plan):
    client.force_login(member(plan.assessment.brand, "editor"))
    page = client.get(reverse("admin:assessments_followupplan_change", args=[plan.pk])).text
    for step in plan.steps.all():
        assert preview_url(step) in page


def test_another_brands_plan_cannot_be_previewed(client, plan):
    client.force_login(member(make_brand("other"), "editor"))
    step = plan.steps.first()
    assert client.get(preview_url(step)).status_code == 404
    html = reverse("admin:assessments_followupplan_preview_html", args=[plan.pk, step.pk, "en"])
    assert client.get(html).status_code == 404
