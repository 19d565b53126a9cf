"""The step page in a real browser, at a laptop's and a tablet's width: nothing off screen,
reordering by keyboard and by drag, and what was typed kept when a field is wrong."""

from __future__ import annotations

import pytest

from assessments.authoring.services import assessment_import
from assessments.models import Choice
from tests.browser.test_admin_finishing import log_in, shoot
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def step():
    brand = BrandFactory(slug="acme")
    member(brand, "editor", username="author", password="pw")
    draft = assessment_import(brand=brand, source=definition(products=products("acme")))
    return draft.steps.get(key="knees")


def open_page(browser, live_server, step, size):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/assessments/step/{step.pk}/page/")
    return context, page, errors


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_step_page_fits_the_screen_and_reorders_by_keyboard(live_server, browser, step, size):
    context, page, errors = open_page(browser, live_server, step, size)
    shoot(page, f"step-page-{size[0]}")
    # Nothing wider than the window: no sideways scrolling to reach points, insight or recall.
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    for name in ("points__support", "insight_en", "recall_en"):
        box = page.locator(f"[name='questions-0-choices-0-{name}']").bounding_box()
        assert box is not None and box["x"] + box["width"] <= size[0]

    down = page.get_by_role("button", name="Move choice yes down")
    down.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Move choice yes down"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    keys = list(Choice.objects.filter(question__step=step).values_list("key", flat=True))
    assert keys == ["no", "yes"]
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()


def test_dragging_a_choice_by_its_handle_reorders_it(live_server, browser, step):
    context, page, _errors = open_page(browser, live_server, step, (1280, 800))
    page.evaluate("document.getElementById('questions-0-choices-0').scrollIntoView()")
    source = page.locator("#questions-0-choices-1 .sp-handle").bounding_box()
    target = page.locator("#questions-0-choices-0 .sp-choice__head").bounding_box()
    page.mouse.move(source["x"] + 4, source["y"] + 4)
    page.mouse.down()
    page.mouse.move(target["x"] + 20, target["y"] + 4, steps=8)
    page.mouse.up()
    assert page.locator("[name='questions-0-choices-1-position']").input_value() == "0"
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    keys = list(Choice.objects.filter(question__step=step).values_list("key", flat=True))
    assert keys == ["no", "yes"]
    context.close()


def test_a_wrong_field_is_marked_and_nothing_typed_is_lost(live_server, browser, step):
    context, page, _errors = open_page(browser, live_server, step, (1024, 768))
    page.fill("[name='questions-0-choices-1-insight_en']", "Straight knees need less support.")
    page.fill("[name='questions-0-choices-1-key']", "Not a key")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Nothing was saved").wait_for()
    assert page.evaluate("document.activeElement.id") == "sp-errors"
    field = page.locator("[name='questions-0-choices-1-insight_en']")
    assert field.input_value() == "Straight knees need less support."
    page.locator(".sp-field.errors").first.scroll_into_view_if_needed()
    shoot(page, "step-page-error-1024")
    assert Choice.objects.get(question__step=step, key="no").insight == {}
    context.close()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_rule_builder_shows_only_the_inputs_a_condition_needs(live_server, browser, step, size):
    context, page, errors = open_page(browser, live_server, step, size)
    low = page.locator("[name='step-rule-rows-0-low']")
    page.locator("#step-condition").get_by_label("when all of these hold").check()
    page.select_option("[name='step-rule-rows-0-code']", "trait|support|band|high")
    assert not low.is_visible()
    page.select_option("[name='step-rule-rows-1-code']", "answer|km|range")
    page.fill("[name='step-rule-rows-1-low']", "30")
    page.locator("#step-condition").scroll_into_view_if_needed()
    shoot(page, f"rule-builder-{size[0]}")
    assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    step.refresh_from_db()
    assert step.condition == {
        "all": [{"trait": "support", "band": "high"}, {"answer": "km", "range": {"min": 30}}]
    }
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()


def test_a_next_rule_is_added_from_rows(live_server, browser, step):
    use = step.assessment.steps.get(key="use")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/assessments/step/{use.pk}/page/")
    # The stored rule ("walk" goes to the knees) shows as rows; a second one is added.
    assert page.locator("[name='step-next-0-goto']").input_value() == "knees"
    page.select_option("[name='step-next-1-goto']", "distance")
    page.check("[name='step-next-1-rule-combine'][value='all']")
    page.select_option("[name='step-next-1-rule-rows-0-code']", "answer|use|equals|run")
    page.locator("#step-next").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/authoring2-shots/09-next-rules.png")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    use.refresh_from_db()
    assert use.next_rules[1] == {"goto": "distance", "when": {"answer": "use", "equals": "run"}}
    context.close()
