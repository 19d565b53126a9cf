"""The store in a real Chromium: the kiosk's idle reset, the QR hand-off to a phone, and staff
opening a customer's results by the code on their screen. Screenshots go to /tmp/kiosk-shots."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import StoreCode
from assessments.store.services import kiosk_create
from tests.factories import BrandFactory, definition, member, products

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("KIOSK_SHOTS", "/tmp/kiosk-shots"))
TABLET_LANDSCAPE = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 768, "height": 1024}


@pytest.fixture
def kiosk(db):
    brand = BrandFactory(slug="acme", name="Acme Running", sender_email="hello@acme.example")
    assessment = assessment_import(
        brand=brand, source=definition(products=products("acme")), publish=True
    )
    return kiosk_create(assessment=assessment, name="Shoe wall", idle_seconds=5)


def _tablet(browser, viewport):
    context = browser.new_context(viewport=viewport, has_touch=True)
    return context, context.new_page()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _take(page, base: str, kiosk) -> None:
    page.goto(base + reverse("store:kiosk", args=[kiosk.token]))
    page.get_by_role("button", name="Tap to start").click()
    page.wait_for_selector("#step-title")
    page.get_by_text("Running", exact=True).click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("text=Kilometres a week?")
    page.get_by_label(re.compile("Kilometres")).fill("40")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("text=Do your knees drift in?")
    page.get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector(".kiosk-results h1")


@pytest.mark.parametrize(
    "viewport", [TABLET_LANDSCAPE, TABLET_PORTRAIT], ids=["landscape", "portrait"]
)
def test_the_idle_kiosk_starts_over_and_leaves_nothing_of_the_last_customer(
    browser, live_server, kiosk, viewport, request
):
    context, page = _tablet(browser, viewport)
    label = request.node.callspec.id
    try:
        page.goto(live_server.url + reverse("store:kiosk", args=[kiosk.token]))
        _shot(page, f"welcome-{label}")
        _take(page, live_server.url, kiosk)
        code = StoreCode.objects.get().code
        page.fill("#email-input", "ana@example.com")
        _shot(page, f"results-{label}")
        # Left alone: "Still there?" counts down, then the welcome screen.
        page.wait_for_selector("#kiosk-still-there[open]", timeout=15000)
        _shot(page, f"still-there-{label}")
        page.wait_for_selector("text=Tap to start", timeout=15000)
        _shot(page, f"after-reset-{label}")
        html = page.content()
        assert code not in html and "ana@example.com" not in html
        assert "Your results" not in html and "Supported" not in html
        page.go_back()
        page.wait_for_timeout(500)
        html = page.content()
        assert "Your results" not in html and code not in html
        assert "Tap to start" in html
    finally:
        context.close()


def test_touching_the_screen_keeps_the_customer_there(browser, live_server, kiosk):
    context, page = _tablet(browser, TABLET_LANDSCAPE)
    try:
        _take(page, live_server.url, kiosk)
        page.wait_for_selector("#kiosk-still-there[open]", timeout=15000)
        page.get_by_role("button", name="I'm still here").click()
        page.wait_for_timeout(1500)
        assert page.locator(".kiosk-results h1").is_visible()
    finally:
        context.close()


def test_the_qr_code_hands_the_results_to_the_phone(browser, live_server, kiosk):
    kiosk.idle_seconds = 600
    kiosk.save()
    context, page = _tablet(browser, TABLET_LANDSCAPE)
    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = phone_context.new_page()
    try:
        _take(page, live_server.url, kiosk)
        assert page.locator(".kiosk-handoff__qr svg").count() == 1
        claim_url = page.locator("[data-handoff-url]").get_attribute("data-handoff-url")
        kiosk_results = page.url
        phone.goto(claim_url)
        phone.get_by_role("button", name="Open my results").click()
        phone.wait_for_selector(".results h1")
        assert "/r/" in phone.url and "Supported" in phone.content()
        # The kiosk's copy ends, and the link is used up.
        page.goto(kiosk_results)
        assert "Tap to start" in page.content() and "Supported" not in page.content()
        again = phone.goto(claim_url)
        assert again.status == 404
    finally:
        phone_context.close()
        context.close()


def test_staff_open_the_customers_results_by_the_code_on_the_screen(browser, live_server, kiosk):
    kiosk.idle_seconds = 600
    kiosk.save()
    member(kiosk.brand, role="store", username="clerk", password="pw")
    context, page = _tablet(browser, TABLET_LANDSCAPE)
    staff_context = browser.new_context(viewport={"width": 1024, "height": 768})
    staff = staff_context.new_page()
    try:
        _take(page, live_server.url, kiosk)
        code = page.locator("#store-code").inner_text().strip()
        staff.goto(live_server.url + reverse("store:lookup", args=["acme"]))
        staff.fill("#id_username", "clerk")
        staff.fill("#id_password", "pw")
        staff.locator("input[type=submit]").click()
        staff.fill("#id_code", code.lower())
        staff.get_by_role("button", name="Open").click()
        staff.wait_for_selector("text=Record a sale in the store")
        assert "Supported" in staff.content()
        _shot(staff, "staff-assist")
        staff.get_by_role("button", name="Record the sale").click()
        staff.wait_for_selector("text=Sale recorded.")
    finally:
        staff_context.close()
        context.close()
