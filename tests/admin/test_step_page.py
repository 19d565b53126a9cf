"""A step on one page: its questions and their choices, edited and saved together."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.authoring.services import assessment_import, assessment_publish
from assessments.models import Choice, Question
from tests.admin.pages import errors, form_data
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db

FORM = r'<form method="post" enctype="multipart/form-data" class="sp-form"'


@pytest.fixture
def brand():
    return BrandFactory(slug="acme")


@pytest.fixture
def draft(brand):
    return assessment_import(brand=brand, source=definition(products=products("acme")))


@pytest.fixture
def editor(client, brand):
    user = member(brand, "editor")
    client.force_login(user)
    return user


def page_url(step) -> str:
    return reverse("admin:assessments_step_page", args=[step.pk])


def knees(draft):
    return draft.steps.get(key="knees")


def test_the_page_shows_questions_choices_points_insight_and_recall_together(client, editor, draft):
    page = client.get(page_url(knees(draft))).text
    assert "Do your knees drift in?" in page
    assert 'name="questions-0-prompt_en"' in page
    assert 'name="questions-0-choices-0-label_en"' in page
    # One number per trait, holding the stored points, not a JSON box.
    assert 'name="questions-0-choices-0-points__support" value="1"' in page
    assert 'name="questions-0-choices-0-points"' not in page
    assert 'name="questions-0-choices-0-insight_en"' in page
    assert "your knees drift in" in page  # the recall phrase
    form = page[page.index('class="sp-form"') :]
    assert "<table" not in form


def test_the_assessment_page_links_each_step_to_its_one_page_editor(client, editor, draft):
    page = client.get(reverse("admin:assessments_assessment_change", args=[draft.pk])).text
    assert page_url(knees(draft)) in page


def test_saving_unchanged_changes_nothing(client, editor, draft):
    step = knees(draft)
    before = list(Choice.objects.filter(question__step=step).values())
    response = client.post(page_url(step), form_data(client.get(page_url(step)).text, FORM))
    assert response.status_code == 302, errors(response.text)
    assert list(Choice.objects.filter(question__step=step).values()) == before


def test_points_insight_and_a_new_choice_are_saved(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data["questions-0-choices-1-points__support"] = "-1.5"
    data["questions-0-choices-1-insight_en"] = "Straight knees need less support."
    data["questions-0-choices-2-key"] = "sometimes"
    data["questions-0-choices-2-label_en"] = "Sometimes"
    data["questions-0-choices-2-points__support"] = "0.5"
    response = client.post(page_url(step), data, follow=True)
    assert "1 choice(s) added" in response.text
    history = client.get(reverse("admin:assessments_step_history", args=[step.pk])).text
    assert "1 choice(s) added" in history
    no = Choice.objects.get(question__step=step, key="no")
    assert no.points == {"support": -1.5}
    assert no.insight == {"en": "Straight knees need less support."}
    assert no.label == {"en": "No", "es": "No (es)"}
    new = Choice.objects.get(question__step=step, key="sometimes")
    assert (new.points, new.position) == ({"support": 0.5}, 2)


def test_emptying_a_points_box_removes_that_trait_from_the_choice(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data["questions-0-choices-0-points__support"] = ""
    client.post(page_url(step), data)
    assert Choice.objects.get(question__step=step, key="yes").points == {}


def test_a_new_question_with_its_choices_is_saved_in_one_go(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data.update(
        {
            "questions-1-key": "ankles",
            "questions-1-kind": "single",
            "questions-1-prompt_en": "Do your ankles roll in?",
            "questions-1-choices-0-key": "yes",
            "questions-1-choices-0-label_en": "Yes",
            "questions-1-choices-0-points__support": "2",
        }
    )
    response = client.post(page_url(step), data)
    assert response.status_code == 302, errors(response.text)
    question = Question.objects.get(step=step, key="ankles")
    assert question.position == 1
    assert list(question.choices.values_list("key", "points")) == [("yes", {"support": 2})]


def test_reordering_by_position_numbers_works_without_javascript(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data["questions-0-choices-0-position"] = "1"
    data["questions-0-choices-1-position"] = "0"
    client.post(page_url(step), data)
    keys = list(Choice.objects.filter(question__step=step).values_list("key", flat=True))
    assert keys == ["no", "yes"]


def test_removing_a_choice(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data["questions-0-choices-1-DELETE"] = "on"
    response = client.post(page_url(step), data, follow=True)
    assert "1 choice(s) removed" in response.text
    assert list(Choice.objects.filter(question__step=step).values_list("key", flat=True)) == ["yes"]


def test_bad_input_shows_errors_saves_nothing_and_keeps_what_was_typed(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data["questions-0-prompt_en"] = "Do your knees drift inwards?"
    data["questions-0-choices-0-points__support"] = "lots"
    data["questions-0-choices-1-key"] = "Not A Key"
    data["questions-0-choices-1-insight_en"] = "Typed with care."
    response = client.post(page_url(step), data)
    assert response.status_code == 400
    assert "Nothing was saved: fix the 2 fields marked below." in response.text
    assert any("Enter a number" in e for e in errors(response.text))
    assert any("lowercase letters" in e for e in errors(response.text))
    assert "Do your knees drift inwards?" in response.text
    assert "Typed with care." in response.text
    assert 'value="lots"' in response.text
    question = Question.objects.get(step=step)
    assert question.prompt["en"] == "Do your knees drift in?"  # nothing half-saved


def test_points_out_of_range_and_a_duplicate_key_are_refused(client, editor, draft):
    step = knees(draft)
    data = form_data(client.get(page_url(step)).text, FORM)
    data["questions-0-choices-0-points__support"] = "1e9"
    data["questions-0-choices-1-key"] = "yes"
    response = client.post(page_url(step), data)
    assert response.status_code == 400
    assert any("less than or equal" in e for e in errors(response.text))
    assert "Choice with this Question and Key already exists." in errors(response.text)


def test_only_the_assessments_languages_are_asked_for(client, editor, brand):
    english = assessment_import(brand=brand, source=definition(key="en-only", languages=["en"]))
    page = client.get(page_url(english.steps.get(key="knees"))).text
    assert 'name="questions-0-prompt_en"' in page
    assert "_es" not in page


def test_keys_cannot_change_once_published(client, editor, draft):
    assessment_publish(assessment=draft, user=editor)
    step = knees(draft)
    page = client.get(page_url(step)).text
    data = form_data(page, FORM)
    data["questions-0-key"] = "renamed"  # a disabled field: the browser would not send it
    client.post(page_url(step), data)
    assert Question.objects.get(step=step).key == "knees"


def test_analysts_read_the_page_but_cannot_save(client, brand, draft):
    client.force_login(member(brand, "analyst"))
    step = knees(draft)
    page = client.get(page_url(step))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert client.post(page_url(step), form_data(page.text, FORM)).status_code == 403


def test_another_brands_staff_get_a_404(client, draft):
    client.force_login(member(BrandFactory(slug="other"), "owner"))
    step = knees(draft)
    assert client.get(page_url(step)).status_code == 404
    assert client.post(page_url(step), {}).status_code == 404
