"""The forms customer pages read POSTs with: what they accept, and what they tell the customer."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from assessments.models import Response
from assessments.taking.forms import BackForm, ResultsEmailForm, StartForm, StepForm, first_error
from assessments.taking.services import (
    SUBMISSION_ID_MAX_LENGTH,
    response_definition,
    response_start,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(published) -> Response:
    return response_start(version=published.live_version, brand=published.brand, language="en")


def step_form(response: Response, step_key: str, query: str) -> StepForm:
    assessment = response_definition(response)
    step = assessment.step(step_key)
    assert step is not None
    return StepForm(QueryDict(query), assessment=assessment, step=step, response=response)


def test_a_step_form_has_the_engine_clean_every_value_sent(response):
    form = step_form(response, "use", "use=run&submission_id=click-1")
    assert form.is_valid()
    assert form.answers == {"use": "run"} and form.sent_submission_id == "click-1"
    assert form.cleaned().revision == response.revision


def test_two_values_for_a_one_value_question_are_refused_in_the_customers_words(response):
    form = step_form(response, "use", "use=run&use=walk")
    assert not form.is_valid()
    assert form.raw == {"use": ["run", "walk"]}
    assert form.answer_errors["use"].code == "unknown_choice"
    assert form.errors["use"] == ["Please choose one of the options shown."]


def test_step_errors_are_worded_in_the_responses_language(published):
    spanish = response_start(version=published.live_version, brand=published.brand, language="es")
    form = step_form(spanish, "use", "")
    assert not form.is_valid()
    assert form.errors["use"] == ["Responde a esta pregunta, por favor."]


def test_a_long_submission_id_is_cut_to_what_is_remembered(response):
    form = step_form(response, "use", "use=run&submission_id=" + "s" * 10_000)
    assert form.sent_submission_id == "s" * SUBMISSION_ID_MAX_LENGTH


def test_the_results_e_mail_needs_an_address_first_then_the_consent():
    assert first_error(ResultsEmailForm({"consent": "yes"})).startswith("Please enter an e-mail")
    assert "tick the box" in first_error(ResultsEmailForm({"email": "ana@example.com"}))
    form = ResultsEmailForm({"email": " ana@example.com ", "consent": "yes"})
    assert form.is_valid() and form.cleaned_data["email"] == "ana@example.com"
    assert not ResultsEmailForm({"email": "ana@example.com\x00", "consent": "yes"}).is_valid()


def test_starting_keeps_only_a_language_the_assessment_offers():
    assert StartForm({"language": "es"}, languages=["en", "es"]).language_or("en") == "es"
    assert StartForm({"language": "fr"}, languages=["en", "es"]).language_or("en") == "en"
    assert StartForm({}, languages=["en", "es"]).language_or("es") == "es"


def test_going_back_names_a_step_of_the_assessment(response):
    assessment = response_definition(response)
    assert BackForm({"to_step": "use"}, assessment=assessment).is_valid()
    assert not BackForm({"to_step": "../admin"}, assessment=assessment).is_valid()
    assert not BackForm({}, assessment=assessment).is_valid()
