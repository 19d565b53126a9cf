"""“None of these” in a real Chromium: ticking it unticks the others, and the other way round."""

from __future__ import annotations

import pytest

from assessments.authoring.services import assessment_import
from tests.browser.test_journey import csp_errors, start
from tests.factories import BrandFactory
from tests.taking.test_exclusive import _with_injuries

pytestmark = pytest.mark.django_db(transaction=True)


def test_ticking_none_of_these_unticks_the_injuries_and_back(live_server, page):
    assessment_import(brand=BrandFactory(slug="acme"), source=_with_injuries(), publish=True)
    errors = csp_errors(page)
    start(page, f"{live_server.url}/a/acme/fit-check/")
    page.get_by_label("Running").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("input[name='km']")
    page.fill("input[name='km']", "40")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("input[name='knees']")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_selector("input[name='injuries']")

    ankle, knee, none = (
        page.get_by_label(n) for n in ("Rolled ankles", "Sore knees", "None of these")
    )
    ankle.check()
    knee.check()
    none.check()
    assert none.is_checked() and not ankle.is_checked() and not knee.is_checked()
    knee.check()
    assert knee.is_checked() and not none.is_checked()
    assert errors == []
