"""A walker is told nothing about running experience: their running questions were skipped."""

from __future__ import annotations

import copy

import pytest

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Brand
from assessments.taking.results import FrozenResult
from tests.factories import definition, products, t
from tests.taking.conftest import RUNNER, WALKER, results_url, start, walk


@pytest.fixture
def with_mileage(brand: Brand) -> Assessment:
    data = definition(products=products("acme"))
    data["traits"] = [
        *data["traits"],
        {
            "key": "mileage",
            "label": t("Running experience"),
            "bands": [
                {
                    "key": "building",
                    "label": t("Building up"),
                    "insight": t("Increase your weekly distance slowly."),
                    "max": 0,
                },
                {"key": "seasoned", "label": t("Seasoned"), "insight": t("Keep it up."), "min": 1},
            ],
        },
    ]
    steps = copy.deepcopy(data["steps"])
    steps[1]["questions"][0]["scoring"].append({"max": 29, "points": {"mileage": 0}})
    steps[1]["questions"][0]["scoring"][0]["points"]["mileage"] = 1
    data["steps"] = steps
    return assessment_import(brand=brand, source=data, publish=True)


def test_a_walker_gets_no_advice_about_running(client, with_mileage):
    response = start(client, with_mileage)
    walk(client, response, WALKER)
    html = client.get(results_url(response)).content.decode()
    assert "Increase your weekly distance" not in html
    assert "Building up" not in html
    assert "Not assessed, as your answers did not touch on it: Running experience." in html
    frozen = FrozenResult.from_json(response.result)
    mileage = next(trait for trait in frozen.traits if trait.key == "mileage")
    assert not mileage.assessed and mileage.insight == ""


def test_a_runner_gets_their_running_experience(client, with_mileage):
    response = start(client, with_mileage)
    walk(client, response, RUNNER)
    html = client.get(results_url(response)).content.decode()
    assert "Seasoned" in html and "Keep it up." in html
    assert "Not assessed" not in html


def test_a_result_frozen_before_traits_could_be_unassessed_is_shown_as_it_was():
    stored = {
        "language": "en",
        "traits": [{"key": "mileage", "label": "Running", "band": "b", "insight": "Go slow."}],
    }
    trait = FrozenResult.from_json(stored).traits[0]
    assert trait.assessed and trait.insight == "Go slow."
