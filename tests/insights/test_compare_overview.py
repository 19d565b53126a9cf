"""Comparing two versions, and the brand overview."""

from __future__ import annotations

from assessments.authoring.services import assessment_import
from assessments.insights.figures import Filters
from assessments.insights.selectors import brand_overview, insights_compare
from tests.factories import definition, products, t
from tests.insights.conftest import taken
from tests.taking.conftest import RUNNER


def test_comparing_two_versions_with_few_answers_says_not_enough_data(client, published):
    taken(client, published, RUNNER)
    assessment_import(
        brand=published.brand,
        source=definition(products=products("acme"), title=t("Fit check, again")),
        publish=True,
    )
    published.refresh_from_db()
    assert published.live_version.number == 2
    taken(client, published, RUNNER[:1])
    rates = insights_compare(published, Filters(), 1, 2, min_n=1)
    completion = rates["completion"]
    assert (completion.a.hits, completion.a.n, completion.b.hits, completion.b.n) == (1, 1, 0, 1)
    assert completion.diff == -1.0
    assert "stage:step:use" in rates and "learned" in rates
    assert insights_compare(published, Filters(), 1, 2)["completion"].significant is None


def test_the_brand_overview_gives_each_assessment_its_headline_figures(client, published):
    for _ in range(3):
        response = taken(client, published, RUNNER)
        client.post(f"/r/{response.token}/learned/", {"learned": "yes"})
    taken(client, published, RUNNER[:1])
    [overview] = brand_overview(published.brand, min_n=1)
    assert overview.assessment == published and overview.title == "Fit check"
    assert overview.started == 4
    assert (overview.completion.hits, overview.completion.n) == (3, 4)
    assert overview.learned.value == 1.0
    assert overview.nps.value is None  # no check-ins yet
