"""A customer cannot pick "None of these" together with another choice."""

from __future__ import annotations

import copy

import pytest
from django.contrib.staticfiles import finders

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Brand
from tests.factories import definition, products, t
from tests.taking.conftest import RUNNER, start, step_url, submit, walk


def _with_injuries() -> dict:
    data = definition(products=products("acme"))
    steps = copy.deepcopy(data["steps"])
    steps.append(
        {
            "key": "injuries",
            "title": t("Injuries"),
            "questions": [
                {
                    "key": "injuries",
                    "kind": "multiple",
                    "prompt": t("Any injuries this year?"),
                    "choices": [
                        {"key": "ankle", "label": t("Rolled ankles", "Esguinces de tobillo")},
                        {"key": "knee", "label": t("Sore knees", "Rodillas doloridas")},
                        {
                            "key": "none",
                            "label": t("None of these", "Ninguna de estas"),
                            "exclusive": True,
                        },
                    ],
                }
            ],
        }
    )
    data["steps"] = steps
    return data


@pytest.fixture
def injuries(brand: Brand) -> Assessment:
    return assessment_import(brand=brand, source=_with_injuries(), publish=True)


def test_none_of_these_with_an_injury_is_refused_with_a_clear_error(client, injuries):
    response = start(client, injuries)
    walk(client, response, RUNNER)
    page = submit(client, response, "injuries", {"injuries": ["ankle", "none"]})
    assert page.status_code == 200  # the step again, not a redirect onwards
    html = page.content.decode()
    assert "“None of these” can&#x27;t be combined with other choices." in html
    response.refresh_from_db()
    assert "injuries" not in response.answers


def test_the_error_is_in_the_customers_language(client, injuries):
    response = start(client, injuries, language="es")
    walk(client, response, RUNNER)
    page = submit(client, response, "injuries", {"injuries": ["ankle", "none"]})
    assert page.status_code == 200  # the step again, not a redirect onwards
    assert "«Ninguna de estas» no se puede combinar con otras respuestas." in page.content.decode()


def test_none_of_these_alone_is_an_answer(client, injuries):
    response = start(client, injuries)
    walk(client, response, [*RUNNER, ("injuries", {"injuries": ["none"]})])
    assert response.answers["injuries"] == ["none"]


def test_the_page_marks_the_exclusive_choice_and_loads_its_script_from_the_site(client, injuries):
    response = start(client, injuries)
    walk(client, response, RUNNER)
    page = client.get(step_url(response, "injuries"))
    html = page.content.decode()
    assert 'value="none" data-exclusive' in html
    assert 'value="ankle" data-exclusive' not in html
    assert "/static/assessments/exclusive-choices.js" in html
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert finders.find("assessments/exclusive-choices.js")


def test_exporting_keeps_the_choice_exclusive(injuries):
    from assessments.authoring.services import assessment_export

    exported = assessment_export(assessment=injuries)
    assert '"exclusive": true' in exported
    assert exported.count('"exclusive"') == 1
