"""No admin page tells a brand's staff another brand's names: not even a filter sidebar."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import Brand
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "assessment",
    "product",
    "step",
    "assessmentversion",
    "followupplan",
    "purchase",
    "followup",
    "checkin",
]


@pytest.fixture
def staff(client):
    mine = BrandFactory(slug="mine", name="Mine Running")
    theirs = BrandFactory(slug="theirs", name="Zebra Secret Brand")
    assessment_import(brand=mine, source=definition(products=products("mine")), publish=True)
    assessment_import(
        brand=theirs,
        source=definition(key="secret-quiz", products=products("theirs")),
        publish=False,
    )
    client.force_login(member(mine, "owner"))
    return client


@pytest.mark.parametrize("model", CHANGELISTS)
def test_no_list_filter_names_another_brand_or_its_assessments(staff, model):
    page = staff.get(reverse(f"admin:assessments_{model}_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Zebra Secret Brand" not in html
    assert "secret-quiz" not in html


def test_a_superuser_still_filters_by_every_brand(admin_client, staff):
    html = admin_client.get(reverse("admin:assessments_assessment_changelist")).content.decode()
    assert Brand.objects.count() == 2
    assert "Zebra Secret Brand" in html
