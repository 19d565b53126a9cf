"""A partner page on another site embeds an assessment: it works with no cookies at all."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.authoring.services import assessment_import
from assessments.demo.partner import partner_page, running_partner
from assessments.models import Brand, Response
from tests.factories import BrandFactory, definition, products

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def answer_current_step(frame) -> None:
    """Pick the first option of every question on the step (or a middle value), then go on."""
    frame.locator("form.step__form").wait_for()
    for fieldset in frame.locator("form.step__form fieldset").all():
        option = fieldset.locator("input[type=radio], input[type=checkbox]").first
        if option.count():
            option.check()
    for box in frame.locator(
        "form.step__form input[inputmode=decimal], form.step__form input[inputmode=numeric]"
    ).all():
        box.fill("3")
    for box in frame.locator("form.step__form input[type=text]:not([inputmode])").all():
        box.fill("ok")
    # Mark this form so the next wait sees the step that replaces it, not this one.
    frame.locator("form.step__form").evaluate("form => form.setAttribute('data-answered', '')")
    frame.get_by_role("button", name="Continue").click()


def complete(frame, limit: int = 20) -> None:
    frame.get_by_role("button", name="Start").click()
    for _ in range(limit):
        frame.locator("form.step__form:not([data-answered]), section.outcome").first.wait_for()
        if frame.locator("section.outcome").count():
            return
        answer_current_step(frame)
    raise AssertionError("the assessment did not reach its results")


def test_a_demo_assessment_completes_inside_a_partner_iframe(live_server, browser):
    call_command("load_demo", stdout=StringIO())
    with running_partner(live_server.url) as partner:
        Brand.objects.filter(slug="stride-lab").update(allowed_origins=[partner])
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        cookies_sent = []
        page.on(
            "request",
            lambda r: (
                cookies_sent.append(r.url)
                if r.url.startswith(live_server.url) and "cookie" in r.headers
                else None
            ),
        )
        page.goto(partner + "/")
        frame = page.frame_locator("iframe[title='Find your running shoe']")
        complete(frame)

        response = Response.objects.get(brand__slug="stride-lab")
        assert response.status == Response.Status.COMPLETED
        assert response.channel == Response.Channel.EMBEDDED
        assert response.attribution["embed_origin"] == partner
        assert cookies_sent == []

        page.wait_for_function(
            "window.assessmentEvents.some(e => e.type === 'assessment:completed')"
        )
        events = page.evaluate("window.assessmentEvents")
        kinds = [e["type"] for e in events]
        assert kinds[0] == "assessment:started"
        assert "assessment:step" in kinds
        completed = next(e for e in events if e["type"] == "assessment:completed")
        assert completed["detail"]["outcome"] == response.result["outcome"]["key"]
        assert completed["detail"]["products"]

        # A product link opens in a new tab and the partner hears which product was clicked.
        link = frame.locator("section.products a[data-product-sku]").first
        sku = link.get_attribute("data-product-sku")
        with context.expect_page() as opened:
            link.click()
        opened.value.close()
        page.wait_for_function(
            "window.assessmentEvents.some(e => e.type === 'assessment:product-click')"
        )
        clicks = [e for e in page.evaluate("window.assessmentEvents") if "click" in e["type"]]
        assert clicks[0]["detail"]["sku"] == sku

        # The frame is exactly as tall as its content: no inner scrollbar on a phone.
        page.wait_for_timeout(300)
        iframe = page.locator("iframe[title='Find your running shoe']")
        outer = iframe.evaluate("el => el.clientHeight")
        inner = page.frames[1].evaluate("document.documentElement.scrollHeight")
        assert outer > 480
        assert abs(outer - inner) <= 2
        context.close()


def test_a_partner_outside_the_allow_list_cannot_show_the_assessment(live_server, browser):
    brand = BrandFactory(slug="acme", allowed_origins=["https://shop.example"])
    assessment_import(brand=brand, source=definition(products=products("acme")), publish=True)
    page_html = partner_page(live_server.url, (("acme/fit-check", "en", "inline", "Fit"),))
    with running_partner(live_server.url, page=page_html) as partner:
        page = browser.new_page()
        blocked = []
        page.on(
            "console", lambda m: blocked.append(m.text) if "frame-ancestors" in m.text else None
        )
        page.goto(partner + "/")
        page.wait_for_timeout(1500)
        frame = page.frame_locator("iframe[title='Fit']")
        assert frame.get_by_role("button", name="Start").count() == 0
        assert blocked, "Chromium reports the frame-ancestors refusal"
        page.close()


def test_messages_from_other_frames_or_origins_change_nothing(live_server, browser):
    brand = BrandFactory(slug="acme")
    assessment_import(brand=brand, source=definition(products=products("acme")), publish=True)
    page_html = partner_page(live_server.url, (("acme/fit-check", "en", "inline", "Fit"),))
    with running_partner(live_server.url, page=page_html) as partner:
        Brand.objects.filter(pk=brand.pk).update(allowed_origins=[partner])
        page = browser.new_page()
        page.goto(partner + "/")
        page.frame_locator("iframe[title='Fit']").get_by_role("button", name="Start").wait_for()
        page.wait_for_timeout(300)
        iframe = page.locator("iframe[title='Fit']")
        height = iframe.evaluate("el => el.style.height")
        before = page.evaluate("window.assessmentEvents.length")
        page.evaluate(
            """() => {
              const fake = {type: 'assessment:height', height: 7};
              const done = {type: 'assessment:completed', detail: {outcome: 'forged'}};
              window.postMessage(fake, '*');
              window.postMessage(done, '*');
              const other = document.createElement('iframe');
              other.srcdoc = "<script>parent.postMessage({type:'assessment:height',height:9},'*');"
                + "parent.postMessage({type:'assessment:completed',detail:{}},'*')<\\/script>";
              document.body.appendChild(other);
            }"""
        )
        page.wait_for_timeout(500)
        assert iframe.evaluate("el => el.style.height") == height
        assert page.evaluate("window.assessmentEvents.length") == before
        page.close()


def test_the_popup_opens_keeps_focus_inside_and_closes_with_escape(live_server, browser):
    brand = BrandFactory(slug="acme")
    assessment_import(brand=brand, source=definition(products=products("acme")), publish=True)
    page_html = partner_page(live_server.url, (("acme/fit-check", "en", "popup", "Fit quiz"),))
    with running_partner(live_server.url, page=page_html) as partner:
        Brand.objects.filter(pk=brand.pk).update(allowed_origins=[partner])
        page = browser.new_page()
        page.goto(partner + "/")
        opener = page.get_by_role("button", name="Fit quiz")
        opener.click()
        dialog = page.locator("dialog")
        assert dialog.evaluate("d => d.open")
        page.frame_locator("iframe[title='Fit quiz']").get_by_role(
            "button", name="Start"
        ).wait_for()
        for _ in range(15):
            page.keyboard.press("Tab")
            # Focus crosses into and out of the cross-site frame asynchronously; let it land.
            page.wait_for_function(
                "document.activeElement && document.activeElement !== document.body",
                timeout=3000,
            )
            inside = page.evaluate("document.activeElement.closest('dialog') !== null")
            assert inside, "focus left the dialog: " + page.evaluate(
                "(document.activeElement || document.body).outerHTML.slice(0, 120)"
            )
        page.keyboard.press("Escape")
        page.wait_for_function("!document.querySelector('dialog').open")
        # Focus goes back to the button that opened it (once the frame has let go of it).
        page.wait_for_function(
            "document.activeElement && document.activeElement.textContent === 'Fit quiz'",
            timeout=3000,
        )

        # Escape also closes it while focus is inside the assessment's own frame.
        opener.click()
        start = page.frame_locator("iframe[title='Fit quiz']").get_by_role("button", name="Start")
        start.focus()
        page.keyboard.press("Escape")
        page.wait_for_function("!document.querySelector('dialog').open")
        page.close()
