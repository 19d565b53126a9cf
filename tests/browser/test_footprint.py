"""The photo step on a phone: a print chosen in the file input is measured, and the results say
what it showed; a photo that cannot be read leads to the drawings, saying why."""

from __future__ import annotations

import pytest

from assessments.models import Response
from tests.browser.test_admin_finishing import shoot
from tests.factories import BrandFactory
from tests.taking.footprints import cut_off_print, high_arch, photo_assessment

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def landing(live_server) -> str:
    assessment = photo_assessment(BrandFactory(slug="acme"))
    return f"{live_server.url}/a/acme/{assessment.key}/"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.errors = errors
    yield tab
    context.close()


def photo_file(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def test_a_print_photographed_on_a_phone_is_recalled_as_a_high_arch(phone, landing):
    phone.goto(landing)
    phone.get_by_role("button", name="Start").click()
    phone.wait_for_url("**/s/photo/")
    camera = phone.locator("input[type=file]")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    # Nothing wider than the phone: no sideways scrolling to reach the camera or the box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    camera.set_input_files(photo_file("print.jpg", high_arch()))
    phone.evaluate("window.samePage = true")
    phone.get_by_role("button", name="Continue").click()
    # htmx sent the photo (multipart) and swapped the next step in, the same page still there:
    # the drawings are skipped, the print was measured.
    phone.get_by_role("heading", name="Knees").wait_for()
    assert phone.url.endswith("/s/knees/")
    assert phone.evaluate("window.samePage === true")
    phone.get_by_label("No").check()
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url("**/results/")
    body = phone.locator("body").inner_text()
    assert "your print shows a high arch" in body
    response = Response.objects.get()
    assert response.answers["arch_photo"]["band"] == "high"
    assert not [e for e in phone.errors if "Content Security Policy" in e]
    shoot(phone, "footprint-results-phone")


def test_a_cut_off_print_leads_to_the_drawings_with_the_reason(phone, landing):
    phone.goto(landing)
    phone.get_by_role("button", name="Start").click()
    phone.wait_for_url("**/s/photo/")
    shoot(phone, "footprint-step-phone")
    phone.locator("input[type=file]").set_input_files(photo_file("cut.jpg", cut_off_print()))
    phone.get_by_role("button", name="Continue").click()
    alert = phone.get_by_role("alert")
    alert.wait_for()
    assert "The print is cut off at the edge of the photo." in alert.inner_text()
    assert "Choose the drawing that looks most like your print instead." in alert.inner_text()
    assert phone.get_by_text("Which print looks most like yours?").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(phone, "footprint-fallback-phone")
    phone.get_by_label("High arch").check()
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("heading", name="Knees").wait_for()
    assert Response.objects.get().answers == {"arch": "high"}


def test_the_photo_step_works_without_javascript(browser, landing):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    phone = context.new_page()
    phone.goto(landing)
    phone.get_by_role("button", name="Start").click()
    phone.locator("input[type=file]").set_input_files(photo_file("print.jpg", high_arch()))
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("heading", name="Knees").wait_for()
    assert Response.objects.get().answers["arch_photo"]["band"] == "high"
    context.close()
