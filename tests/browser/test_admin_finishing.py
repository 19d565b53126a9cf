"""Staff in a real browser: the titled admin, a problem's link to its field, and rolling back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assessments.authoring.services import assessment_import, assessment_publish
from assessments.models import Step
from tests.factories import BrandFactory, definition, member, products, t

pytestmark = pytest.mark.django_db(transaction=True)

# Set SHOTS_DIR to keep screenshots of the pages these tests visit.
SHOTS = os.environ.get("SHOTS_DIR", "")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def log_in(page, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


@pytest.fixture
def draft():
    brand = BrandFactory(slug="acme")
    member(brand, "editor", username="author", password="pw")
    return assessment_import(brand=brand, source=definition(products=products("acme")))


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_a_problem_leads_to_its_field_and_an_old_version_can_be_made_live(
    live_server, browser, draft, size
):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url)
    assert "Self-discovery assessments" in page.locator("#site-name").inner_text()

    assessment_publish(assessment=draft, user=None)
    Step.objects.filter(assessment=draft, key="use").update(title=t("Usage"))
    assessment_publish(assessment=draft, user=None)
    Step.objects.filter(assessment=draft, key="knees").update(
        condition={"answer": "phantom", "equals": "x"}
    )

    page.goto(f"{live_server.url}/admin/assessments/assessment/{draft.pk}/validate/")
    shoot(page, f"problems-{size[0]}")
    page.get_by_role("link", name="Fix it: step “knees”").click()
    page.wait_for_url("**/step/*/page/#step-condition")
    condition = page.locator("#id_step-condition")
    assert condition.is_visible()  # the advanced JSON opens: the rows cannot name "phantom"
    assert "phantom" in condition.input_value()
    assert page.get_by_role("link", name="Back to Fit check (acme/fit-check)").is_visible()
    shoot(page, f"step-with-back-link-{size[0]}")

    page.goto(f"{live_server.url}/admin/assessments/assessment/{draft.pk}/change/")
    # Every input of the assessment page within the window, translated texts included.
    rightmost = page.evaluate(
        "Math.max(...Array.from(document.querySelectorAll('input, textarea, select'))"
        ".map(el => el.getBoundingClientRect()).filter(r => r.width).map(r => r.right))"
    )
    assert rightmost <= size[0]
    page.locator("#versions-group").scroll_into_view_if_needed()
    shoot(page, f"assessment-with-versions-{size[0]}")
    page.get_by_role("link", name="Make v1 live…").click()
    shoot(page, f"make-live-confirm-{size[0]}")
    page.get_by_role("button", name="Yes, make version 1 live").click()
    page.get_by_text("Version 1 is live again").wait_for()
    draft.refresh_from_db()
    assert draft.live_version.number == 1
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()
