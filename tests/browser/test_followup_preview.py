"""A follow-up step's e-mail previewed in a real browser: each language in its own frame."""

from __future__ import annotations

import pytest

from tests.factories import member
from tests.followups.conftest import make_brand, make_plan, make_published

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_preview_frames_each_languages_email_without_csp_errors(live_server, page):
    brand = make_brand()
    member(brand, "editor", username="author", password="pw")
    plan = make_plan(make_published(brand))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "author")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/assessments/followupplan/{plan.pk}/change/")
    page.locator("a.followup-preview-link").first.click()
    frames = page.locator("iframe.fp-preview__frame")
    assert frames.count() == len(brand.languages)
    page.wait_for_load_state("load")  # both frames loaded
    assert "Hi Alex" in page.frame_locator("#preview-en iframe").locator("body").inner_text()
    assert "(es)" in page.frame_locator("#preview-es iframe").locator("body").inner_text()
    page.screenshot(path="/tmp/authoring2-shots/10-followup-preview.png")
    page.locator("#preview-es").scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # let the frame paint before the picture
    page.screenshot(path="/tmp/authoring2-shots/11-followup-preview-es.png")
    assert not [e for e in errors if "Content Security Policy" in e], errors
