"""Scenarios travel in files: import runs them, export writes them, format 1 still reads."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.authoring.services import (
    DefinitionRejected,
    assessment_export,
    assessment_import,
)
from assessments.models import Assessment, Product
from tests.factories import BrandFactory, definition, products

pytestmark = pytest.mark.django_db

PASSING = {
    "name": "Runner",
    "answers": {"use": "run", "km": 40, "knees": "yes"},
    "expect": {"outcome": "supported", "top_products": ["steady"]},
}
FAILING = {
    "name": "Walker",
    "answers": {"use": "walk", "knees": "no"},
    "expect": {"outcome": "supported", "bands": {"support": "high"}},
}


@pytest.fixture
def brand():
    return BrandFactory(slug="acme")


def write(tmp_path, data) -> str:
    path = tmp_path / "assessment.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_format_1_file_without_scenarios_still_imports_and_exports_as_format_2(brand):
    old = definition(products=products("acme"))
    assert old["format"] == 1 and "scenarios" not in old
    assessment = assessment_import(brand=brand, source=json.dumps(old), publish=True)
    exported = json.loads(assessment_export(assessment=assessment))
    assert assessment.live_version.number == 1
    assert exported["format"] == 2
    assert "scenarios" not in exported


def test_export_and_import_carry_scenarios_byte_for_byte(brand):
    source = definition(format=2, scenarios=[PASSING], products=products("acme"))
    first = assessment_export(assessment=assessment_import(brand=brand, source=source))
    assert json.loads(first)["scenarios"] == [PASSING]
    other = BrandFactory(slug="other")
    copy = assessment_import(brand=other, source=first)
    assert assessment_export(assessment=copy).replace("other.example", "acme.example") == first


def test_import_refuses_a_file_whose_scenario_fails_and_writes_nothing(brand):
    source = definition(format=2, scenarios=[PASSING, FAILING], products=products("acme"))
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=source)
    assert rejected.value.report() == (
        "$.scenarios[1]: Scenario “Walker” fails: expected outcome Supported, got Neutral; "
        "expected Support need High, got Low (score 0)."
    )
    assert not Assessment.objects.exists()
    assert not Product.objects.exists()


def test_import_command_runs_the_scenarios_and_names_the_failing_one(brand, tmp_path):
    path = write(tmp_path, definition(format=2, scenarios=[FAILING], products=products("acme")))
    with pytest.raises(CommandError) as failed:
        call_command("import_assessment", path, "--brand", "acme", stdout=StringIO())
    message = str(failed.value)
    assert "1 problem(s); nothing was imported." in message
    assert "Scenario “Walker” fails: expected outcome Supported, got Neutral" in message


def test_import_command_imports_and_publishes_when_scenarios_pass(brand, tmp_path):
    path = write(tmp_path, definition(format=2, scenarios=[PASSING], products=products("acme")))
    out = StringIO()
    call_command("import_assessment", path, "--brand", "acme", "--publish", stdout=out)
    assert "published version 1" in out.getvalue()
    assert Assessment.objects.get().scenarios.get().name == "Runner"


def test_a_scenario_naming_a_removed_question_is_refused_in_words(brand):
    stale = {**PASSING, "answers": {**PASSING["answers"], "shoe_size": "42"}}
    source = definition(format=2, scenarios=[stale], products=products("acme"))
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=source)
    assert "it answers question 'shoe_size', which the assessment no longer has" in (
        rejected.value.report()
    )


def test_a_format_this_version_does_not_read_is_refused(brand):
    with pytest.raises(DefinitionRejected) as rejected:
        assessment_import(brand=brand, source=definition(format=3))
    assert "use 2" in rejected.value.report()
