"""Authors reorder questions in the admin with the arrow buttons, without retyping them."""

from __future__ import annotations

import pytest

from assessments.authoring.services import assessment_import
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db(transaction=True)


def two_question_step() -> dict:
    data = definition()
    data["steps"][2]["questions"].append(
        {
            "key": "ankles",
            "kind": "single",
            "prompt": {"en": "Do your ankles roll in?", "es": "¿Se te tuercen los tobillos?"},
            "choices": [
                {"key": "yes", "label": {"en": "Yes", "es": "Sí"}},
                {"key": "no", "label": {"en": "No", "es": "No"}},
            ],
        }
    )
    return data


def test_moving_a_question_up_saves_the_new_order_and_keeps_its_text(live_server, page):
    brand = BrandFactory(slug="acme")
    assessment = assessment_import(
        brand=brand, source={**two_question_step(), "products": products("acme")}
    )
    member(brand, "editor", username="author", password="pw")
    step = assessment.steps.get(key="knees")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/assessments/step/{step.pk}/change/")

    second = page.locator(".inline-related", has_text="ankles").first
    second.get_by_role("button", name="Move up").click()
    page.click("input[name=_save]")
    page.wait_for_url(f"**/admin/assessments/assessment/{assessment.pk}/change/")

    ordered = list(step.questions.order_by("position").values_list("key", "prompt"))
    assert [key for key, _prompt in ordered] == ["ankles", "knees"]
    assert ordered[0][1]["es"] == "¿Se te tuercen los tobillos?"
    assert not [e for e in errors if "Content Security Policy" in e]
