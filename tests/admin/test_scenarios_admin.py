"""Scenarios and the flow map in the admin: what authors see on Validate, Publish, the map."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import Choice, Scenario, Step
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db

RUNNER = {
    "name": "Runner with drifting knees",
    "answers": {"use": "run", "km": 40, "knees": "yes"},
    "expect": {"outcome": "supported", "bands": {"support": "high"}, "top_products": ["steady"]},
}
WALKER = {
    "name": "Walker",
    "answers": {"use": "walk", "knees": "no"},
    "expect": {"outcome": "neutral", "top_products": ["breeze"]},
}


def url(name: str, *args) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


@pytest.fixture
def brand():
    return BrandFactory(slug="acme")


@pytest.fixture
def draft(brand):
    source = definition(format=2, scenarios=[RUNNER, WALKER], products=products("acme"))
    return assessment_import(brand=brand, source=source)


@pytest.fixture
def editor(client, brand):
    user = member(brand, "editor")
    client.force_login(user)
    return user


def break_walker(draft):
    """The walker now expects the supported outcome, which walking never gives."""
    Scenario.objects.filter(assessment=draft, name="Walker").update(expect_outcome="supported")


def test_validate_shows_each_scenario_passing_with_what_came_out(client, editor, draft):
    page = client.get(url("assessment_validate", draft.pk)).content.decode()
    assert "The draft is ready to publish" in page
    assert "2 scenarios, 0 failing." in page
    assert page.count('class="scenario-pass"') == 2
    assert "Runner with drifting knees" in page
    assert "Outcome: Supported; Support need: High; products: Steady" in page
    assert "Publish now" in page


def test_validate_shows_a_failing_scenario_with_the_reason_and_offers_no_publish(
    client, editor, draft
):
    break_walker(draft)
    page = client.get(url("assessment_validate", draft.pk)).content.decode()
    assert "1 problem(s) to fix before publishing" in page
    assert "2 scenarios, 1 failing." in page
    assert "Expected outcome Supported, got Neutral" in page
    assert "Publish now" not in page


def test_publish_refuses_while_a_scenario_fails_and_says_why(client, editor, draft):
    break_walker(draft)
    response = client.post(url("assessment_publish", draft.pk))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Not published" in page
    assert "Scenario “Walker” fails: expected outcome Supported, got Neutral." in page
    assert draft.versions.count() == 0


def test_publish_goes_through_when_every_scenario_passes(client, editor, draft):
    response = client.post(url("assessment_publish", draft.pk))
    assert response.status_code == 302
    version = draft.versions.get()
    assert [s["name"] for s in version.definition["scenarios"]] == [
        "Runner with drifting knees",
        "Walker",
    ]


def test_a_scenario_whose_choice_was_removed_fails_in_words_not_with_an_error(
    client, editor, draft
):
    Choice.objects.filter(question__key="knees", key="no").delete()
    response = client.get(url("assessment_validate", draft.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Its answer to &#x27;knees&#x27; is &#x27;no&#x27;, which is not one of" in page
    assert "1 failing" in page


def test_the_scenario_form_offers_the_assessments_choices_and_saves_them_as_answers(
    client, editor, draft
):
    add = url("scenario_add") + f"?assessment={draft.pk}"
    page = client.get(add).content.decode()
    assert 'name="answer__use"' in page and ">Running<" in page
    assert 'name="band__support"' in page and 'name="top_1"' in page
    response = client.post(
        add,
        {
            "name": "Fast walker",
            "position": 2,
            "answer__use": "walk",
            "answer__km": "",
            "answer__knees": "yes",
            "expect_outcome": "neutral",
            "band__support": "low",
            "top_1": "breeze",
            "top_2": "",
            "top_3": "",
            "top_in_order": "on",
            "never": ["steady"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = Scenario.objects.get(assessment=draft, name="Fast walker")
    assert saved.answers == {"use": "walk", "knees": "yes"}
    assert saved.expect_bands == {"support": "low"}
    assert saved.expect_top_products == ["breeze"]
    assert saved.expect_never_products == ["steady"]
    page = client.get(url("assessment_validate", draft.pk)).content.decode()
    # Steady fits nothing a walker said, so it is no longer shown at all: the scenario passes.
    assert "3 scenarios, 0 failing." in page


def test_the_scenario_form_refuses_a_name_already_used(client, editor, draft):
    response = client.post(
        url("scenario_add") + f"?assessment={draft.pk}",
        {"name": "Walker", "position": 0, "answer__use": "walk", "expect_outcome": "neutral"},
    )
    assert response.status_code == 200
    assert "already has a scenario with this name" in response.content.decode()


def test_the_flow_map_draws_every_step_and_writes_each_branch_in_words(client, editor, draft):
    page = client.get(url("assessment_flow", draft.pk)).content.decode()
    assert "<svg" in page
    for key in ("use", "distance", "knees"):
        step = Step.objects.get(assessment=draft, key=key)
        assert f'data-step="{key}"' in page
        assert url("step_change", step.pk) in page
    assert "Goes to “Knees” if “What is it for?” is Walking." in page
    assert "Goes to “Distance” otherwise." in page
    assert "can never be reached" not in page


def test_the_flow_map_flags_a_step_no_answer_reaches(client, editor, draft):
    Step.objects.filter(assessment=draft, key="use").update(
        next_rules=[{"goto": "knees"}]  # always jumps past distance
    )
    page = client.get(url("assessment_flow", draft.pk)).content.decode()
    assert "1 step can never be reached" in page
    assert "Step &#x27;distance&#x27; can never be reached" in page
    assert page.count("box-unreachable") == 1


def test_another_brands_staff_get_not_found_for_flow_map_and_scenarios(client, draft):
    other = BrandFactory(slug="other")
    client.force_login(member(other, "editor"))
    assert client.get(url("assessment_flow", draft.pk)).status_code == 404
    scenario = Scenario.objects.filter(assessment=draft).first()
    response = client.get(url("scenario_change", scenario.pk))
    assert response.status_code in (302, 404)
    assert "Walker" not in response.content.decode()
    # Naming another brand's assessment on the add page offers none of its questions.
    page = client.get(url("scenario_add") + f"?assessment={draft.pk}").content.decode()
    assert 'name="answer__use"' not in page
    assert "fit-check" not in page
