"""A brand's staff can neither list, see nor change another brand's work in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, AssessmentVersion, Product, Step
from tests.factories import BrandFactory, UserFactory, definition, member, products

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, theirs = BrandFactory(slug="mine"), BrandFactory(slug="theirs")
    own = assessment_import(brand=mine, source=definition(products=products("mine")), publish=True)
    other = assessment_import(
        brand=theirs,
        source=definition(key="secret-quiz", products=products("theirs")),
        publish=True,
    )
    return {"mine": mine, "theirs": theirs, "own": own, "other": other}


@pytest.fixture
def editor(client, world):
    user = member(world["mine"], "editor")
    client.force_login(user)
    return user


def url(name: str, *args) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


def test_lists_show_only_the_users_own_brand(client, editor, world):
    page = client.get(url("assessment_changelist")).content.decode()
    assert "fit-check" in page
    assert "secret-quiz" not in page
    products_page = client.get(url("product_changelist")).content.decode()
    for product in Product.objects.all():
        link = url("product_change", product.pk)
        assert (link in products_page) is (product.brand == world["mine"])
    versions = client.get(url("assessmentversion_changelist")).content.decode()
    assert "secret-quiz" not in versions
    brands = client.get(url("brand_changelist")).content.decode()
    assert "theirs" not in brands


@pytest.mark.parametrize(
    "name",
    [
        "assessment_change",
        "assessment_validate",
        "assessment_export",
        "assessment_history",
        "assessment_delete",
    ],
)
def test_another_brands_assessment_pages_are_not_found(client, editor, world, name):
    response = client.get(url(name, world["other"].pk))
    # Django's admin answers an object outside the queryset by redirecting to the index with
    # "does not exist"; our own views answer 404. Neither shows the object.
    assert response.status_code in (302, 404)
    assert "secret-quiz" not in response.content.decode()


def test_another_brands_product_step_and_version_cannot_be_opened(client, editor, world):
    other_product = Product.objects.get(brand=world["theirs"], sku="steady")
    other_step = Step.objects.get(assessment=world["other"], key="use")
    other_version = AssessmentVersion.objects.get(assessment=world["other"])
    for name, pk in (
        ("product_change", other_product.pk),
        ("step_change", other_step.pk),
        ("assessmentversion_change", other_version.pk),
    ):
        response = client.get(url(name, pk))
        assert response.status_code in (302, 404), name
        assert "secret-quiz" not in response.content.decode()


def test_another_brands_assessment_cannot_be_changed_or_published(client, editor, world):
    other = world["other"]
    response = client.post(url("assessment_change", other.pk), {"key": "stolen"})
    assert response.status_code in (302, 404)
    response = client.post(url("assessment_publish", other.pk))
    assert response.status_code == 404
    response = client.post(url("assessment_duplicate", other.pk))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.key == "secret-quiz"
    assert Assessment.objects.filter(brand=world["theirs"]).count() == 1


def test_another_brands_product_cannot_be_edited(client, editor, world):
    product = Product.objects.get(brand=world["theirs"], sku="steady")
    client.post(url("product_change", product.pk), {"sku": "hijacked", "price": "1"})
    product.refresh_from_db()
    assert product.sku == "steady"


def test_new_objects_can_only_be_put_in_the_users_own_brands(client, editor, world):
    page = client.get(url("product_add")).content.decode()
    assert f'value="{world["mine"].pk}"' in page
    assert f'value="{world["theirs"].pk}"' not in page


def test_an_analyst_reads_but_cannot_change(client, world):
    analyst = member(world["mine"], "analyst")
    client.force_login(analyst)
    assert client.get(url("assessment_change", world["own"].pk)).status_code == 200
    assert client.post(url("assessment_publish", world["own"].pk)).status_code == 404
    assert client.get(url("product_add")).status_code == 403


def test_staff_without_a_membership_sees_nothing(client, world):
    client.force_login(UserFactory())
    assert client.get(url("assessment_changelist")).status_code == 403


def test_a_superuser_sees_every_brand(client, world):
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(url("assessment_changelist")).content.decode()
    assert "fit-check" in page and "secret-quiz" in page
