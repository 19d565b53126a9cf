"""Learning as you go: a choice's insight before moving on, and prompts that recall answers."""

from __future__ import annotations

import pytest

from assessments.authoring.services import assessment_import
from assessments.models import Assessment
from tests.factories import definition, products, t
from tests.taking.conftest import start, step_url, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning(brand) -> Assessment:
    data = definition(products=products("acme"))
    data["steps"][0]["questions"][0]["choices"][0]["insight"] = t("Runners land hard.")
    data["steps"][1]["questions"][0]["prompt"] = t(
        "Since {answer:use}, how many kilometres a week?", "Como {answer:use}, ¿cuántos km?"
    )
    return assessment_import(brand=brand, source=data, publish=True)


def test_each_choice_carries_its_insight_to_reveal_once_chosen(client, learning):
    response = start(client, learning)
    html = client.get(step_url(response, "use")).content.decode()
    assert 'class="choice__insight" id="q-use-run-insight"' in html
    assert "Runners land hard." in html
    assert 'aria-live="polite"' in html


def test_without_javascript_the_next_step_opens_with_what_the_answer_means(client, learning):
    response = start(client, learning)
    page = submit(client, response, "use", {"use": "run"})
    assert page["Location"].endswith("/s/distance/?after=use")
    html = client.get(page["Location"]).content.decode()
    assert "What your answer means" in html and "Runners land hard." in html


def test_with_htmx_the_insight_was_seen_in_place_and_is_not_repeated(client, learning):
    response = start(client, learning)
    html = submit(client, response, "use", {"use": "run"}, HTTP_HX_REQUEST="true")
    assert "What your answer means" not in html.content.decode()


def test_a_step_after_an_answer_without_insight_is_not_marked(client, learning):
    response = start(client, learning)
    page = submit(client, response, "use", {"use": "walk"})
    assert "after=" not in page["Location"]


def test_an_after_that_is_not_behind_the_customer_shows_nothing(client, learning):
    response = start(client, learning)
    html = client.get(step_url(response, "use") + "?after=knees").content.decode()
    assert "What your answer means" not in html


def test_a_later_prompt_recalls_an_earlier_answer_in_the_customers_words(client, learning):
    response = start(client, learning)
    submit(client, response, "use", {"use": "run"})
    html = client.get(step_url(response, "distance")).content.decode()
    assert "Since you run, how many kilometres a week?" in html


def test_the_recalled_answer_is_in_the_responses_language(client, learning):
    response = start(client, learning, language="es")
    submit(client, response, "use", {"use": "run"})
    html = client.get(step_url(response, "distance")).content.decode()
    assert "Como you run (es), ¿cuántos km?" in html


def test_customers_on_the_same_step_each_see_their_own_recalled_answer(client, brand):
    data = definition(products=products("acme"))
    data["steps"][2]["questions"][0]["prompt"] = t("Since {answer:use}, do your knees drift in?")
    assessment = assessment_import(brand=brand, source=data, publish=True)
    runner, walker = start(client, assessment), start(client, assessment)
    submit(client, runner, "use", {"use": "run"})
    submit(client, runner, "distance", {"km": "40"})
    walked = submit(client, walker, "use", {"use": "walk"}, HTTP_HX_REQUEST="true")
    ran = client.get(step_url(runner, "knees")).content.decode()
    assert "Since you walk, do your knees drift in?" in walked.content.decode()
    assert "Since you run, do your knees drift in?" in ran
    assert "you walk" not in ran
