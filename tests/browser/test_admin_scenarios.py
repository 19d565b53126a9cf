"""Authors run scenario tests and read the flow map in a real browser at 1280 by 800."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessments.authoring.services import assessment_import
from assessments.models import Scenario, Step
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("SCENARIO_SHOTS", "/tmp/scenario-shots"))
SCENARIOS = [
    {
        "name": "Runner with drifting knees",
        "answers": {"use": "run", "km": 40, "knees": "yes"},
        "expect": {
            "outcome": "supported",
            "bands": {"support": "high"},
            "top_products": ["steady"],
        },
    },
    {
        "name": "Walker",
        "answers": {"use": "walk", "knees": "no"},
        "expect": {"outcome": "neutral", "top_products": ["breeze"]},
    },
]


def log_in(page, live_server, brand) -> None:
    member(brand, "editor", username="author", password="pw")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_failing_scenario_shows_on_validate_and_blocks_publish(live_server, page):
    brand = BrandFactory(slug="acme")
    source = definition(format=2, scenarios=SCENARIOS, products=products("acme"))
    assessment = assessment_import(brand=brand, source=source)
    Scenario.objects.filter(name="Walker").update(expect_outcome="supported")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server, brand)

    page.goto(f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/change/")
    page.get_by_role("link", name="Validate").click()
    failing = page.locator("tr.scenario-fail")
    assert failing.count() == 1
    assert "Expected outcome Supported, got Neutral" in failing.inner_text()
    assert page.locator("tr.scenario-pass").count() == 1
    shot(page, "validate-scenarios.png")

    page.goto(f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/change/")
    page.get_by_role("button", name="Publish").click()
    assert "Scenario “Walker” fails" in page.inner_text("#content-main")
    shot(page, "publish-refused.png")
    assert assessment.versions.count() == 0
    assert not [e for e in errors if "Content Security Policy" in e]


def test_an_author_picks_a_personas_answers_and_publishes_once_it_passes(live_server, page):
    brand = BrandFactory(slug="acme")
    assessment = assessment_import(brand=brand, source=definition(products=products("acme")))
    log_in(page, live_server, brand)

    page.goto(f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/change/")
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("link", name="Add a scenario").click()
    page.fill("#id_name", "Walker")
    page.select_option("#id_answer__use", "walk")
    page.select_option("#id_answer__knees", "no")
    page.select_option("#id_expect_outcome", "neutral")
    page.select_option("#id_band__support", "low")
    page.select_option("#id_top_1", "breeze")
    shot(page, "scenario-form.png")
    page.click("input[name=_save]")
    page.get_by_role("link", name="Run the scenarios (Validate)").click()
    assert page.locator("tr.scenario-pass").count() == 1
    page.get_by_role("button", name="Publish now").click()
    page.wait_for_url("**/change/")
    assert "Published version 1" in page.inner_text(".messagelist")


def test_the_flow_map_draws_the_steps_and_a_click_opens_one(live_server, page):
    brand = BrandFactory(slug="acme")
    data = definition(products=products("acme"))
    data["steps"][1]["condition"] = {"answer": "use", "equals": "run"}
    data["steps"].append(
        {
            "key": "extra",
            "title": {"en": "Never seen", "es": "Nunca"},
            "questions": [
                {
                    "key": "extra",
                    "kind": "single",
                    "prompt": {"en": "Anything else?", "es": "¿Algo más?"},
                    "choices": [
                        {"key": "no", "label": {"en": "No", "es": "No"}},
                        {"key": "yes", "label": {"en": "Yes", "es": "Sí"}},
                    ],
                }
            ],
        }
    )
    assessment = assessment_import(brand=brand, source=data)
    log_in(page, live_server, brand)
    # A condition that can never hold, added after import (a file with it would be refused).
    Step.objects.filter(assessment=assessment, key="extra").update(
        condition={"all": [{"answer": "use", "equals": "walk"}, {"answer": "use", "equals": "run"}]}
    )
    page.goto(f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/change/")
    page.get_by_role("link", name="Flow map").click()
    svg = page.locator("figure.flow-map svg")
    assert svg.is_visible()
    assert page.locator("a.flow-step").count() == 4
    assert page.locator("rect.box-unreachable").count() == 1
    assert "Goes to “Knees” if “What is it for?” is Running" not in page.inner_text(".flow-text")
    assert "Goes to “Knees” if “What is it for?” is Walking." in page.inner_text(".flow-text")
    shot(page, "flow-map.png")
    page.locator("a.flow-step[data-step='distance']").click()
    page.wait_for_url("**/admin/assessments/step/*/change/")
    assert page.locator("#id_key").input_value() == "distance"
