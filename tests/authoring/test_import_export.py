"""Import and export through the files authors and the command line use."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessments.authoring.definitions import canonical_json
from assessments.authoring.services import DefinitionRejected, assessment_import
from assessments.models import Assessment, Product, Step
from tests.factories import BrandFactory, definition, products

pytestmark = pytest.mark.django_db


def export(target: str, *args: str) -> str:
    out = StringIO()
    call_command("export_assessment", target, *args, stdout=out)
    return out.getvalue()


def test_export_import_export_gives_identical_bytes(tmp_path):
    brand = BrandFactory(slug="acme")
    assessment_import(brand=brand, source=definition(products=products("acme")), publish=True)
    first = export("acme/fit-check")

    other = BrandFactory(slug="other")
    path = tmp_path / "fit-check.json"
    path.write_text(first, encoding="utf-8")
    call_command("import_assessment", str(path), "--brand", "other", stdout=StringIO())
    second = export("other/fit-check")

    assert first == second
    assert first == canonical_json(json.loads(first))
    assert Assessment.objects.filter(brand=other, key="fit-check").exists()


def test_export_of_a_published_version_ignores_later_draft_edits():
    brand = BrandFactory(slug="acme")
    assessment = assessment_import(
        brand=brand, source=definition(products=products("acme")), publish=True
    )
    Step.objects.filter(assessment=assessment, key="use").update(title={"en": "X", "es": "X"})
    published = json.loads(export("acme/fit-check", "--version", "1"))
    draft = json.loads(export("acme/fit-check"))
    assert published["steps"][0]["title"]["en"] == "Use"
    assert draft["steps"][0]["title"]["en"] == "X"


def test_export_names_the_missing_version():
    brand = BrandFactory(slug="acme")
    assessment_import(brand=brand, source=definition(products=products("acme")))
    with pytest.raises(CommandError, match="no published version 7"):
        export("acme/fit-check", "--version", "7")


def test_importing_upserts_products_by_sku_and_makes_thumbnails():
    brand = BrandFactory(slug="acme")
    rows = products("acme")
    assessment_import(brand=brand, source=definition(products=rows))
    rows[0]["price"] = "120.50"
    assessment_import(brand=brand, source=definition(products=rows))
    steady = Product.objects.get(brand=brand, sku="steady")
    assert Product.objects.filter(brand=brand).count() == len(rows)
    assert str(steady.price) == "120.50"
    assert steady.thumbnail.name.endswith(".webp")


def test_malformed_json_is_reported_with_its_line_and_nothing_is_written(tmp_path):
    BrandFactory(slug="acme")
    path = tmp_path / "broken.json"
    path.write_text('{"format": 1,\n "key": "x",,}', encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("import_assessment", str(path), "--brand", "acme", stdout=StringIO())
    assert "line 2" in str(error.value)
    assert Assessment.objects.count() == 0


def test_a_bad_file_lists_every_problem_with_its_json_path(tmp_path):
    BrandFactory(slug="acme")
    data = definition(products=products("acme"))
    data["steps"][0]["questions"][0]["choices"][1]["key"] = "run"  # duplicate choice key
    data["steps"][2]["questions"][0]["condition"] = {"answer": "ghost", "equals": "yes"}
    data["outcomes"][0]["rule"] = {"trait": "stamina", "gte": 1}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError) as error:
        call_command("import_assessment", str(path), "--brand", "acme", stdout=StringIO())

    report = str(error.value)
    assert "nothing was imported" in report
    assert "$.steps[0].questions[0].choices[1].key" in report
    assert "ghost" in report
    assert "stamina" in report
    assert Assessment.objects.count() == 0
    assert Product.objects.count() == 0


def test_a_failed_reimport_leaves_the_existing_draft_and_catalogue_as_they_were():
    brand = BrandFactory(slug="acme")
    rows = products("acme")
    assessment = assessment_import(brand=brand, source=definition(products=rows))
    before = export("acme/fit-check")

    broken = definition(products=[{**rows[0], "price": "1.00"}])
    broken["steps"][1]["next"] = [{"goto": "use"}]  # a loop back
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=broken)

    assert any("back" in p.message for p in rejected.value.problems)
    assert export("acme/fit-check") == before
    assert Product.objects.get(brand=brand, sku="steady").price == 99
    assert assessment.steps.count() == 3


def test_a_file_must_not_name_images_that_are_not_in_storage():
    brand = BrandFactory(slug="acme")
    rows = products("acme")
    rows[1]["image"] = "test/never-uploaded.png"
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=definition(products=rows))
    assert [p.path for p in rejected.value.problems] == ["$.products[1].image"]


def test_a_file_in_a_language_the_brand_does_not_offer_is_refused():
    brand = BrandFactory(slug="acme", languages=["en"])
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=definition(products=products("acme")))
    assert "es" in rejected.value.problems[0].message


def test_import_with_publish_makes_the_first_version_live(tmp_path):
    BrandFactory(slug="acme")
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(definition(products=products("acme"))), encoding="utf-8")
    out = StringIO()
    call_command("import_assessment", str(path), "--brand", "acme", "--publish", stdout=out)
    assessment = Assessment.objects.get(key="fit-check")
    assert assessment.live_version.number == 1
    assert "published version 1" in out.getvalue()


def test_a_products_priority_is_imported_and_exported_and_left_out_at_its_default():
    brand = BrandFactory(slug="acme")
    rows = products("acme")
    rows[2]["priority"] = 5  # trail
    assessment_import(brand=brand, source=definition(products=rows))
    assert Product.objects.get(brand=brand, sku="trail").priority == 5
    exported = {p["sku"]: p for p in json.loads(export("acme/fit-check"))["products"]}
    assert exported["trail"]["priority"] == 5
    assert "priority" not in exported["steady"]


def test_a_priority_outside_its_range_is_refused_on_import():
    brand = BrandFactory(slug="acme")
    rows = products("acme")
    rows[0]["priority"] = 5000
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=definition(products=rows))
    assert [(p.path, p.message) for p in rejected.value.problems] == [
        (
            "$.products[0].priority",
            "Product 'steady': 'priority' (5000) must be a whole number from -1000 to 1000.",
        )
    ]
