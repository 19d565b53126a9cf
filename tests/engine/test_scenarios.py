"""Scenario tests: a persona's answers run through the flow, checked in the author's words."""

from __future__ import annotations

import pytest

from assessments.engine import Product, compile_definition, validate_definition
from assessments.engine.scenarios import scenario_problems, scenario_run, scenarios_run
from tests.engine.builders import definition, number, single, step, t, trait

CATALOGUE = [
    Product("trail-max", {"terrain": "trail", "support": ["high"]}),
    Product("road-lite", {"terrain": "road", "support": ["low"]}),
    Product("road-max", {"terrain": "road", "support": ["high"]}),
]
NAMES = {"trail-max": "Trail Max", "road-lite": "Road Lite", "road-max": "Road Max"}


def runner_definition(**extra):
    return definition(
        step(
            "where",
            single("terrain", "trail", "road", points={"trail": {"grip": 2}}),
            number("km", min=0, max=200, required=False),
        ),
        step("feet", single("arch", "flat", "high", points={"flat": {"support": 2}})),
        traits=[
            trait("grip", ("little", None, 1), ("lots", 2, None)),
            trait("support", ("low", None, 1), ("high", 2, None)),
        ],
        outcomes=[
            {
                "key": "trail",
                "title": t("Trail runner"),
                "description": t("Off road."),
                "rule": {"answer": "terrain", "equals": "trail"},
                "priority": 1,
            },
            {"key": "road", "title": t("Road runner"), "description": t("On road.")},
        ],
        recommendation={
            "count": 2,
            "alternatives": 0,
            "trait_fit": [{"trait": "support", "attribute": "support", "weight": 2}],
            "preferences": [{"answer": "terrain", "attribute": "terrain", "weight": 1}],
        },
        **extra,
    )


@pytest.fixture(scope="module")
def runners():
    return compile_definition(runner_definition())


def run(assessment, answers, **expect):
    return scenario_run(
        assessment,
        {"name": "Persona", "answers": answers, "expect": expect},
        CATALOGUE,
        product_names=NAMES,
    )


def test_a_scenario_that_gets_what_it_expects_passes(runners):
    result = run(
        runners,
        {"terrain": "trail", "arch": "flat"},
        outcome="trail",
        bands={"support": "high", "grip": "lots"},
        top_products=["trail-max", "road-max"],
        never_products=["road-lite"],
    )
    assert result.passed
    assert result.failures == ()
    assert result.outcome == "Trail runner"
    assert result.products[:2] == ("Trail Max", "Road Max")


def test_a_wrong_outcome_says_what_was_expected_and_what_came_out(runners):
    result = run(runners, {"terrain": "road", "arch": "high"}, outcome="trail")
    assert not result.passed
    assert result.failures == ("expected outcome Trail runner, got Road runner",)


def test_a_wrong_band_names_the_trait_the_bands_and_the_score(runners):
    result = run(runners, {"terrain": "road", "arch": "high"}, bands={"support": "high"})
    assert result.failures == ("expected Support High, got Low (score 0)",)


def test_top_products_in_order_fail_when_the_order_differs(runners):
    answers = {"terrain": "trail", "arch": "flat"}
    in_order = run(runners, answers, top_products=["road-max", "trail-max"])
    any_order = run(runners, answers, top_products=["road-max", "trail-max"], top_in_order=False)
    assert in_order.failures == (
        "expected top products Road Max, Trail Max (in that order), got Trail Max, Road Max",
    )
    assert any_order.passed


def test_never_a_product_fails_when_it_is_shown_even_as_an_alternative(runners):
    result = run(runners, {"terrain": "trail", "arch": "flat"}, never_products=["road-lite"])
    recommended = run(runners, {"terrain": "trail", "arch": "flat"}, never_products=["trail-max"])
    assert result.passed  # road-lite ranks third; two are shown, no alternatives
    assert recommended.failures == ("expected never Trail Max, but it is recommended at rank 1",)


def test_answers_to_a_removed_question_or_choice_fail_with_a_plain_reason(runners):
    gone = run(runners, {"terrain": "trail", "arch": "flat", "shoe_size": "9"}, outcome="trail")
    wrong_choice = run(runners, {"terrain": "beach", "arch": "flat"}, outcome="trail")
    assert gone.failures == ("it answers question 'shoe_size', which the assessment no longer has",)
    assert wrong_choice.failures == (
        "its answer to 'terrain' is 'beach', which is not one of that question's choices "
        "(trail, road)",
    )


def test_a_number_out_of_range_and_a_missing_required_answer_fail(runners):
    result = run(runners, {"terrain": "road", "km": 500}, outcome="road")
    assert result.failures == (
        "its answer to 'km' (500) is outside 0 to 200",
        "it does not answer 'arch', which is required",
    )


def test_expectations_naming_what_no_longer_exists_fail_instead_of_crashing(runners):
    result = run(
        runners,
        {"terrain": "road", "arch": "high"},
        outcome="gravel",
        bands={"speed": "fast", "support": "huge"},
        never_products=["old-shoe"],
    )
    assert not result.passed
    assert "it expects outcome 'gravel', which the assessment no longer has" in result.failures
    assert len(result.failures) == 4


def test_failing_scenarios_become_problems_naming_the_scenario(runners):
    results = scenarios_run(
        runners,
        [
            {
                "name": "Road",
                "answers": {"terrain": "road", "arch": "high"},
                "expect": {"outcome": "road"},
            },
            {
                "name": "Trail",
                "answers": {"terrain": "road", "arch": "high"},
                "expect": {"outcome": "trail"},
            },
        ],
        CATALOGUE,
        product_names=NAMES,
    )
    problems = scenario_problems(results)
    assert [r.passed for r in results] == [True, False]
    assert [(p.path, p.message) for p in problems] == [
        (
            "$.scenarios[1]",
            "Scenario “Trail” fails: expected outcome Trail runner, got Road runner.",
        )
    ]


def test_the_format_accepts_scenarios_and_refuses_two_with_one_name():
    scenario = {"name": "Same", "answers": {"terrain": "road"}, "expect": {"outcome": "road"}}
    assert validate_definition(runner_definition(format=2, scenarios=[scenario])) == []
    problems = validate_definition(runner_definition(format=2, scenarios=[scenario, scenario]))
    assert [p.code for p in problems] == ["duplicate"]


def test_a_scenario_must_expect_something():
    problems = validate_definition(
        runner_definition(format=2, scenarios=[{"name": "Idle", "answers": {}, "expect": {}}])
    )
    assert [p.path for p in problems] == ["$.scenarios[0].expect"]
    assert "Idle" in problems[0].message
