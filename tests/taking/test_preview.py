"""Staff preview the draft as a customer would; previews are marked and never counted."""

from __future__ import annotations

import pytest
from django.db.models import Count, Q
from django.urls import reverse

from assessments.models import AssessmentVersion, Response, Step
from tests.factories import BrandFactory, member
from tests.taking.conftest import RUNNER, results_url, start, step_url, walk

pytestmark = pytest.mark.django_db

BANNER = "Preview of the draft — not counted"


def preview_url(assessment) -> str:
    return reverse("admin:assessments_assessment_preview", args=[assessment.pk])


def test_the_draft_has_a_preview_button_next_to_validate(client, published, brand):
    client.force_login(member(brand, "analyst"))
    page = client.get(reverse("admin:assessments_assessment_change", args=[published.pk]))
    html = page.content.decode()
    assert preview_url(published) in html
    assert html.index("Validate") < html.index(">Preview<")


def test_a_staff_member_previews_the_draft_to_the_end_marked_and_not_counted(
    client, published, brand
):
    # The draft has moved on since publishing; the preview shows the draft, not the version.
    Step.objects.filter(assessment=published, key="use").update(
        title={"en": "How you will use them", "es": "Uso"}
    )
    client.force_login(member(brand, "analyst"))  # viewing is enough to preview
    page = client.post(preview_url(published))
    preview = Response.objects.get()
    assert page.status_code == 302
    assert page["Location"] == step_url(preview, "use")
    assert preview.is_preview and preview.version is None
    assert preview.preview_definition["steps"][0]["title"]["en"] == "How you will use them"

    first = client.get(step_url(preview, "use")).content.decode()
    assert BANNER in first and "How you will use them" in first
    walk(client, preview, RUNNER)
    assert preview.status == Response.Status.COMPLETED
    assert BANNER in client.get(results_url(preview)).content.decode()

    client.logout()
    customer = start(client, published)
    assert BANNER not in client.get(step_url(customer, "use")).content.decode()
    counted = AssessmentVersion.objects.annotate(
        n=Count("responses", filter=Q(responses__is_preview=False))
    ).get(pk=published.live_version_id)
    assert counted.n == 1
    client.force_login(member(brand, "editor"))
    change = client.get(reverse("admin:assessments_assessment_change", args=[published.pk]))
    cell = change.content.decode().split('class="field-responses"')[1].split("</td>")[0]
    assert "<p>1</p>" in cell


def test_a_broken_draft_cannot_be_previewed_and_says_why(client, published, brand):
    Step.objects.filter(assessment=published, key="use").update(next_rules=[{"goto": "nowhere"}])
    client.force_login(member(brand, "editor"))
    page = client.post(preview_url(published))
    assert page.status_code == 400
    assert "Cannot preview" in page.content.decode()
    assert not Response.objects.exists()


def test_another_brands_staff_cannot_preview(client, published):
    client.force_login(member(BrandFactory(slug="other"), "owner"))
    assert client.post(preview_url(published)).status_code == 404
    assert not Response.objects.exists()


def test_preview_is_a_post(client, published, brand):
    client.force_login(member(brand, "editor"))
    assert client.get(preview_url(published)).status_code == 405
