"""What customers see, in a real Chromium: every customer page without a console error, a CSP
violation or an axe finding; results that put the outcome and the top pick on a phone's first
screen; the popup on a partner page that opens on the first click and wears the brand's theme;
and embedded results that scroll the partner page to their top."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments.demo.partner import partner_page, running_partner
from assessments.models import Brand, Response
from tests.browser.test_embed import answer_current_step
from tests.browser.test_journey import RUNNER, answer_step, complete, start
from tests.followups.conftest import buy

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 1000}
# Listens from the first byte of every document: CSP violations are not always logged to the
# console (a style attribute blocked in a frame, say), but they always fire this event.
RECORD_VIOLATIONS = """
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__violations.push(e.violatedDirective + ' ' + (e.sourceFile || '') + ':' + e.lineNumber);
  });
"""


@pytest.fixture
def demo() -> None:
    call_command("load_demo", stdout=io.StringIO())


class Watch:
    """Console errors, uncaught exceptions, failed requests (a favicon 404 among them) and CSP
    violations of one tab, as a customer's browser would report them."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on(
            "console",
            lambda m: self.problems.append(f"console: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.problems.append(f"exception: {e}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations || []")
        found = self.problems + [f"CSP: {v}" for v in violations]
        assert not found, f"{where}: {found}"


@pytest.fixture
def phone(browser) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def _axe(page: Any, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    report = Axe().run(page)
    assert not report.violations_count, f"{where}: {report.generate_report()}"


def test_every_customer_page_is_free_of_console_errors_csp_violations_and_axe_findings(
    live_server, phone, demo
):
    watch = Watch(phone)
    base = live_server.url
    phone.goto(f"{base}/")
    watch.check("front page")
    _axe(phone, "front page")

    start(phone, f"{base}/a/stride-lab/shoe-finder/")
    watch.check("landing and first step")
    _axe(phone, "first step")
    # A slip (Continue with nothing chosen) is shown in the page, not logged as a failure.
    phone.get_by_role("button", name="Continue").click()
    phone.locator(".error-summary").wait_for()
    watch.check("a step with something to fix")
    _axe(phone, "a step with something to fix")
    seen_pictures = False
    for _ in range(20):
        if "/results/" in phone.url:
            break
        if phone.locator(".choices--image").count() and not seen_pictures:
            seen_pictures = True
            phone.locator(".choices--image label").first.click()  # its insight showing
            _axe(phone, "a step with picture choices")
        answer_step(phone, RUNNER)
        watch.check(f"step {phone.url}")
    assert seen_pictures, "the shoe finder asks with pictures"
    assert "/results/" in phone.url
    watch.check("results")
    _axe(phone, "results")

    share = phone.locator("#share-link").input_value()
    phone.goto(share)
    watch.check("shared results")
    _axe(phone, "shared results")

    response = Response.objects.get(status=Response.Status.COMPLETED)
    phone.goto(f"{base}{reverse('privacy:request', args=['stride-lab'])}")
    watch.check("your data")
    _axe(phone, "your data")

    sku = response.result["recommended"][0]["sku"]
    purchase, _ = buy(response, sku=sku)
    for followup in purchase.followups.all():
        phone.goto(f"{base}{reverse('followups:page', args=[followup.token])}")
        watch.check(f"follow-up page ({followup.step.kind})")
        _axe(phone, f"follow-up page ({followup.step.kind})")


def test_results_show_the_outcome_and_the_top_pick_on_a_phones_first_screen(
    live_server, phone, demo
):
    start(phone, f"{live_server.url}/a/stride-lab/shoe-finder/")
    complete(phone, RUNNER)
    fold = PHONE["height"]
    outcome = phone.locator(".outcome h2").bounding_box()
    top_pick = phone.locator(".product--top")
    name = top_pick.locator(".product__name").bounding_box()
    button = top_pick.locator(".product__link").bounding_box()
    assert outcome["y"] + outcome["height"] <= fold
    assert name["y"] + name["height"] <= fold
    assert button["y"] + button["height"] <= fold, "the top pick's button is on the first screen"
    # What the answers mean and the alternatives fold away, and open without JavaScript.
    insights = phone.locator("details.insights")
    assert not insights.evaluate("d => d.open")
    # On paper everything is there, the folded parts too, and the forms are not.
    phone.emulate_media(media="print")
    assert insights.locator("li").first.is_visible()
    assert not phone.locator(".learned").is_visible()
    assert not phone.locator(".keep__form").is_visible()
    phone.emulate_media(media="screen")
    assert not insights.locator("li").first.is_visible()
    insights.locator("summary").click()
    assert insights.locator("li").first.is_visible()


def test_the_share_buttons_copy_the_link(live_server, browser, demo):
    context = browser.new_context(viewport=PHONE, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    start(page, f"{live_server.url}/a/stride-lab/shoe-finder/")
    complete(page, RUNNER)
    link = page.locator("#share-link").input_value()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_text("Link copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    context.close()


def _popup_partner(live_server_url: str) -> str:
    return partner_page(
        live_server_url,
        (
            ("stride-lab/shoe-finder", "en", "inline", "Find your running shoe"),
            ("botica-clara/skincare-finder", "es", "popup", "Descubre tu rutina"),
        ),
    )


def test_the_popup_opens_on_the_first_click_right_after_load_and_wears_the_brands_theme(
    live_server, browser, demo
):
    with running_partner(live_server.url, page=_popup_partner(live_server.url)) as partner:
        Brand.objects.update(allowed_origins=[partner])
        context = browser.new_context(viewport=DESKTOP)
        page = context.new_page()
        # The inline frame above the button is held back until the button is pressed, so the
        # press happens before it grows to its content and pushes the button down the page.
        held: list[Any] = []
        page.route("**/e/a/stride-lab/**", lambda route: held.append(route))
        page.goto(partner + "/", wait_until="domcontentloaded")
        button = page.get_by_role("button", name="Descubre tu rutina")
        button.wait_for()
        box = button.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        held[0].continue_()
        page.wait_for_function(
            "document.querySelector('iframe').style.height !== '480px'", timeout=10000
        )
        assert button.bounding_box()["y"] != box["y"], "the button moved under the pointer"
        page.mouse.up()
        dialog = page.locator("dialog")
        page.wait_for_function("document.querySelector('dialog').open", timeout=3000)
        assert dialog.evaluate("d => getComputedStyle(d).borderTopWidth") == "0px"

        # The close button speaks the assessment's language, and focus starts on it.
        close = page.get_by_role("button", name="Cerrar")
        close.wait_for()
        assert page.evaluate("document.activeElement.textContent") == "Cerrar"
        page.frame_locator("iframe[title='Descubre tu rutina']").get_by_role(
            "button", name="Empezar"
        ).wait_for()
        close.click()
        page.wait_for_function("!document.querySelector('dialog').open")

        # The launch button wears the brand's primary colour, told by the frame.
        primary = Brand.objects.get(slug="botica-clara").primary_color
        rgb = tuple(int(primary[i : i + 2], 16) for i in (1, 3, 5))
        page.wait_for_function(
            "expected => getComputedStyle(document.querySelector('.assessment-embed__open'))"
            ".backgroundColor === expected",
            arg=f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})",
            timeout=5000,
        )
        # A keyboard press opens it too.
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('dialog').open")
        context.close()


def test_embedded_results_scroll_the_partner_page_to_their_top(live_server, browser, demo):
    with running_partner(live_server.url) as partner:
        Brand.objects.update(allowed_origins=[partner])
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(partner + "/")
        title = "Find your running shoe"
        # The inline frame loads lazily: bring it near the screen first, as a reader would.
        page.locator(f"iframe[title='{title}']").scroll_into_view_if_needed()
        frame = page.frame_locator(f"iframe[title='{title}']")
        frame.get_by_role("button", name="Start").click()
        for _ in range(20):
            frame.locator("form.step__form:not([data-answered]), section.outcome").first.wait_for()
            if frame.locator("section.outcome").count():
                break
            # Scroll the partner page down to the step's buttons, as a person would.
            frame.get_by_role("button", name="Continue").scroll_into_view_if_needed()
            answer_current_step(frame)
        assert frame.locator("section.outcome").count()
        page.wait_for_timeout(800)  # the smooth scroll lands
        iframe = page.locator(f"iframe[title='{title}']")
        results_top = page.frames[1].evaluate(
            "document.querySelector('article.results').getBoundingClientRect().top"
        )
        on_screen = iframe.evaluate("el => el.getBoundingClientRect().top") + results_top
        assert -10 <= on_screen <= 120, f"the results start {on_screen}px down the screen"
        context.close()
