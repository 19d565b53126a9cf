"""The admin's finishing touches: its title, links back, pickers, languages, roll back, images,
validation problems that lead to their field, and a command that creates a brand."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.authoring.services import assessment_import, assessment_publish
from assessments.models import Assessment, BrandMembership, Choice, Outcome, Step
from tests.admin.pages import errors, form_data
from tests.factories import BrandFactory, definition, member, products, t

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


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


def english_only(brand) -> Assessment:
    data = definition(key="english", languages=["en"])
    return assessment_import(brand=brand, source=data)


def test_the_admin_is_titled_for_the_product_not_for_django(client, editor):
    page = client.get(reverse("admin:index")).content.decode()
    assert "Self-discovery assessments" in page
    assert "Django administration" not in page
    assert "Django site admin" not in page


def test_a_step_page_leads_back_to_its_assessment(client, editor, draft):
    step = draft.steps.get(key="knees")
    page = client.get(url("step_change", step.pk)).content.decode()
    assessment_link = url("assessment_change", draft.pk)
    assert f'href="{assessment_link}"' in page
    assert "Back to Fit check" in page


def test_a_question_page_leads_back_to_its_step_and_assessment(client, editor, draft):
    question = draft.steps.get(key="knees").questions.get()
    page = client.get(url("question_change", question.pk)).content.decode()
    assert f'href="{url("assessment_change", draft.pk)}"' in page
    assert f'href="{url("step_change", question.step_id)}"' in page
    assert f'href="{url("step_page", question.step_id)}#questions-0"' in page


def test_saving_a_step_returns_to_its_assessment(client, editor, draft):
    step = draft.steps.get(key="use")
    page = client.get(url("step_change", step.pk)).content.decode()
    data = form_data(page)
    data["title_en"] = "How you use them"
    response = client.post(url("step_change", step.pk), data)
    assert response.status_code == 302, errors(response.text)
    assert response["Location"] == url("assessment_change", draft.pk)
    step.refresh_from_db()
    assert step.title == {"en": "How you use them", "es": "Use (es)"}


def test_the_step_picker_names_the_assessment_and_offers_only_its_steps(client, editor, draft):
    english_only(draft.brand)
    question = draft.steps.get(key="knees").questions.get()
    page = client.get(url("question_change", question.pk)).content.decode()
    picker = re.search(r'<select name="step".*?</select>', page, re.S).group(0)
    assert "Fit check (acme/fit-check) / knees" in picker
    assert picker.count('<option value="') == 4  # the empty choice and this draft's 3 steps
    assert "acme/english" not in picker


def test_an_english_only_assessment_asks_for_english_texts_only(client, editor, brand):
    assessment = english_only(brand)
    page = client.get(url("assessment_change", assessment.pk)).content.decode()
    assert 'name="title_en"' in page and 'name="title_es"' not in page
    assert 'name="outcomes-0-title_en"' in page and 'name="outcomes-0-title_es"' not in page
    question = assessment.steps.get(key="knees").questions.get()
    page = client.get(url("question_change", question.pk)).content.decode()
    assert 'name="choices-0-label_en"' in page and 'name="choices-0-label_es"' not in page
    # A bilingual draft still shows both.
    both = assessment_import(brand=brand, source=definition())
    page = client.get(url("assessment_change", both.pk)).content.decode()
    assert 'name="title_es"' in page


def test_saving_in_fewer_languages_keeps_the_texts_of_the_others(client, editor, brand):
    assessment = english_only(brand)
    step = assessment.steps.get(key="use")
    Step.objects.filter(pk=step.pk).update(title=t("Use", "Uso"))
    page = client.get(url("step_change", step.pk)).content.decode()
    data = form_data(page)
    data["title_en"] = "Usage"
    response = client.post(url("step_change", step.pk), data)
    assert response.status_code == 302, errors(response.text)
    step.refresh_from_db()
    assert step.title == {"en": "Usage", "es": "Uso"}


def test_an_older_version_has_a_make_live_button_with_a_confirmation(client, editor, draft):
    first = assessment_publish(assessment=draft, user=editor).version
    Step.objects.filter(assessment=draft, key="use").update(title=t("Usage"))
    second = assessment_publish(assessment=draft, user=editor).version
    page = client.get(url("assessment_change", draft.pk)).content.decode()
    confirm = url("assessment_make_live", draft.pk, first.number)
    assert f'href="{confirm}"' in page
    assert url("assessment_make_live", draft.pk, second.number) not in page  # it is live

    asked = client.get(confirm)
    assert asked.status_code == 200
    assert "Customers who start from now get version 1 instead of version 2" in asked.text
    draft.refresh_from_db()
    assert draft.live_version == second  # asking changes nothing

    done = client.post(confirm, follow=True)
    assert "Version 1 is live again" in done.text
    draft.refresh_from_db()
    assert draft.live_version == first


def test_analysts_and_other_brands_cannot_make_a_version_live(client, brand, draft):
    first = assessment_publish(assessment=draft, user=None).version
    Step.objects.filter(assessment=draft, key="use").update(title=t("Usage"))
    assessment_publish(assessment=draft, user=None)
    confirm = url("assessment_make_live", draft.pk, first.number)

    client.force_login(member(brand, "analyst"))
    assert confirm not in client.get(url("assessment_change", draft.pk)).text
    assert client.get(confirm).status_code == 404
    client.force_login(member(BrandFactory(slug="other"), "owner"))
    assert client.get(confirm).status_code == 404
    assert client.post(confirm).status_code == 404
    draft.refresh_from_db()
    assert draft.live_version.number == 2


def test_the_product_form_says_the_image_is_required_before_saving(client, editor):
    page = client.get(url("product_add")).content.decode()
    assert "Required: every recommended product is shown with its picture" in page


def test_validation_problems_link_to_the_field_to_fix(client, editor, draft):
    Step.objects.filter(assessment=draft, key="knees").update(
        condition={"answer": "phantom", "equals": "x"}
    )
    Choice.objects.filter(question__key="use", key="run").update(points={"ghost": 1})
    Outcome.objects.filter(assessment=draft, key="supported").update(
        rule={"trait": "support", "band": "nowhere"}
    )
    page = client.get(url("assessment_validate", draft.pk)).content.decode()
    knees = draft.steps.get(key="knees")
    use_question = draft.steps.get(key="use").questions.get()
    # Problems in a step, its questions and choices lead to the step's one-page editor.
    assert f'href="{url("step_page", knees.pk)}#step-condition"' in page
    assert f'href="{url("step_page", use_question.step_id)}#questions-0-choices-0"' in page
    assert f'href="{url("assessment_change", draft.pk)}#id_outcomes-0-rule"' in page
    assert "Fix it: step “knees”" in page
    assert "$.outcomes[0].rule" in page  # the path stays, for those who edit files


def test_create_brand_makes_a_brand_and_its_owner_with_a_one_time_link(client, capsys):
    call_command("create_brand", "north", "North Gear", "--owner-email", "ana@north.example")
    out = capsys.readouterr().out
    owner = BrandMembership.objects.get(brand__slug="north").user
    assert BrandMembership.objects.get(user=owner).role == "owner"
    assert owner.is_staff and not owner.has_usable_password()
    assert owner.password not in out
    link = re.search(r"http://\S+/admin/password/set/\S+/", out).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a long passphrase 42", "new_password2": "a long passphrase 42"}
    )
    assert done.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a long passphrase 42")
    assert "invalid" in client.get("/" + path, follow=True).text.lower()  # the link worked once
    client.logout()
    login = client.post(
        reverse("admin:login"),
        {"username": "ana@north.example", "password": "a long passphrase 42"},
    )
    assert login.status_code == 302


def test_create_brand_can_ask_for_the_password_instead(monkeypatch, capsys):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a long passphrase 42")
    call_command(
        "create_brand", "south", "South", "--owner-email", "bo@south.example", "--ask-password"
    )
    out = capsys.readouterr().out
    assert "a long passphrase 42" not in out and "/password/set/" not in out
    owner = BrandMembership.objects.get(brand__slug="south").user
    assert owner.check_password("a long passphrase 42")


def test_create_brand_refuses_a_taken_slug_and_writes_nothing(brand):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_brand", "acme", "Again", "--owner-email", "x@acme.example")
    with pytest.raises(CommandError, match="languages"):
        call_command(
            "create_brand", "fresh", "Fresh", "--owner-email", "x@f.example", "--languages", "xx"
        )
    assert not BrandMembership.objects.filter(user__email="x@f.example").exists()
