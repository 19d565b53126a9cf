"""Staff read an assessment's Insights: they filter, compare two versions and download the CSV."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from assessments.authoring.services import assessment_publish
from assessments.models import Step
from tests.factories import member
from tests.followups.conftest import make_brand, make_published
from tests.insights.traffic import WALKER, crowd, customer

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ.get("INSIGHTS_SHOTS", "/tmp/insights-shots"))


@pytest.fixture
def assessment():
    found = make_published(make_brand())
    first = found.live_version
    crowd(found, 36, utm_source="newsletter")
    for _ in range(6):
        customer(found, WALKER, channel="kiosk", learned="yes")
    customer(found, [], channel="kiosk")  # walked away from the kiosk
    Step.objects.filter(assessment=found, key="distance").update(
        title={"en": "Mileage", "es": "Kilometraje"}
    )
    assessment_publish(assessment=found, user=None)
    crowd(found, 40, learned_share=0.8)
    assert first.number == 1
    return found


def log_in(page, live_server, assessment) -> None:
    member(assessment.brand, "analyst", username="analyst", password="pw")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


def figure(page, label: str) -> str:
    card = page.locator(".ins-headlines .ins-figure", has_text=label).first
    return card.locator(".ins-figure__value").inner_text()


def test_filter_compare_and_download(live_server, page, assessment):
    log_in(page, live_server, assessment)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/insights/")
    assert figure(page, "Started") == "83"

    page.select_option("#insights-channel", "kiosk")
    page.click("text=Apply filters")
    page.wait_for_url("**channel=kiosk**")
    assert figure(page, "Started") == "7"
    assert page.locator("#insights-channel").input_value() == "kiosk"

    page.select_option("#insights-channel", "")
    page.select_option("#insights-a", "1")
    page.select_option("#insights-b", "2")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**b=2**")
    table = page.locator("table.ins-compare")
    assert table.locator("caption").inner_text().startswith("Version 2 (B) against version 1 (A)")
    completion = table.locator("tr", has_text="Completion rate")
    assert "100%" in completion.inner_text()
    assert table.locator(".ins-badge").count() == 10
    if SHOTS.is_dir():
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(SHOTS / "test-compare.png"))

    with page.expect_download() as download:
        page.click("text=Download responses (CSV)")
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 1 + 83
    assert "q:use" in rows[0]

    with page.expect_download() as chart_download:
        page.locator("#card-funnel").locator("xpath=..").get_by_role("link").first.click()
    funnel = list(csv.reader(io.StringIO(Path(chart_download.value.path()).read_text())))
    assert funnel[1] == ["Started", "83", "1.0", "", ""]
    assert not [e for e in errors if "Content Security Policy" in e]


def test_axe_finds_no_violations_on_the_insights_pages(live_server, page, assessment):
    from axe_playwright_python.sync_playwright import Axe

    log_in(page, live_server, assessment)
    axe = Axe()
    base = f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/insights/"
    page.goto(base + "?a=1&b=2&since=2000-01-01")
    page.locator("details.ins-data").first.evaluate("d => d.open = true")
    reports = {"page": axe.run(page)}
    page.goto(base + "?channel=nowhere")  # a form error on the page
    reports["error"] = axe.run(page)
    page.goto(f"{live_server.url}/admin/assessments/assessment/insights/")
    reports["overview"] = axe.run(page)
    found = {name: r.generate_report() for name, r in reports.items() if r.violations_count}
    assert not found, found
