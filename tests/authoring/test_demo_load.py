"""The demo loads through the same import path as a user's file, and loads the same twice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.authoring.services import assessment_export, assessment_import, draft_check
from assessments.management.commands.load_demo import demo_file
from assessments.models import Assessment, AssessmentVersion, Brand, Product, ProductVariant

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def test_both_demo_assessments_are_published_and_live(demo):
    live = {
        f"{a.brand.slug}/{a.key}": a.live_version.number
        for a in Assessment.objects.select_related("brand", "live_version")
    }
    assert live == {"stride-lab/shoe-finder": 1, "botica-clara/skincare-finder": 1}
    assert Product.objects.filter(brand__slug="stride-lab").count() == 24
    stride = Brand.objects.get(slug="stride-lab")
    assert stride.logo.name == "demo/stride-lab/logo.png"
    assert stride.primary_color.startswith("#")


def test_the_demo_publishes_without_problems_or_warnings_and_its_shoes_have_variants(demo):
    for assessment in Assessment.objects.all():
        check = draft_check(assessment)
        assert (check.problems, check.warnings, check.failing) == ([], [], 0), assessment.key
    stride = Product.objects.filter(brand__slug="stride-lab")
    assert ProductVariant.objects.filter(product__in=stride).count() == 2 * 16
    assert all(tags == ["running-shoes"] for tags in stride.values_list("tags", flat=True))


def test_loading_the_demo_again_changes_nothing(demo):
    before = set(AssessmentVersion.objects.values_list("pk", "content_hash"))
    call_command("load_demo", stdout=StringIO())
    assert set(AssessmentVersion.objects.values_list("pk", "content_hash")) == before
    assert Brand.objects.count() == 2


@pytest.mark.parametrize(
    ("brand", "key"), [("stride-lab", "shoe-finder"), ("botica-clara", "skincare-finder")]
)
def test_demo_export_import_export_is_byte_identical(demo, brand, key):
    original = Assessment.objects.get(brand__slug=brand, key=key)
    first = assessment_export(assessment=original, version_number=1)
    assert first == demo_file(f"{key}.json")  # the shipped file is already canonical
    copy_brand = Brand.objects.create(
        name="Copy", slug=f"copy-{brand}", languages=original.brand.languages
    )
    copy = assessment_import(brand=copy_brand, source=first, publish=True)
    assert assessment_export(assessment=copy, version_number=1) == first
    assert assessment_export(assessment=copy) == first
