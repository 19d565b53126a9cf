"""The Insights figures through the API: the page's numbers, filtered, for the key's brand only."""

from __future__ import annotations

from assessments.insights.figures import Filters
from assessments.insights.selectors import insights_for
from tests.api.conftest import Api, key_for
from tests.followups.conftest import make_published, make_response


def test_the_api_gives_the_pages_figures(reader, published):
    for _ in range(3):
        make_response(published)
    body = reader.get(f"/assessments/{published.key}/insights").json()
    page = insights_for(published, Filters())
    assert body["started"] == page.started == 3
    assert body["completed"] == page.completed
    assert [s["key"] for s in body["funnel"]] == [s.key for s in page.funnel]
    # Three answers are too few for a share: the value is null, n is still given.
    assert body["experience"]["learned"]["value"] is None


def test_filters_apply_and_bad_ones_are_problem_details(reader, published):
    make_response(published)
    assert (
        reader.get(f"/assessments/{published.key}/insights", channel="kiosk").json()["started"] == 0
    )
    refused = reader.get(f"/assessments/{published.key}/insights", channel="moon")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"


def test_another_brands_assessment_is_not_found(published, other):
    make_response(published)
    rival = Api(key_for(other))
    make_published(other)
    answer = rival.get(f"/assessments/{published.key}/insights")
    # The rival has an assessment of the same key: it reads its own, never ours.
    assert answer.status_code == 200 and answer.json()["started"] == 0
    assert rival.get("/assessments/no-such/insights").status_code == 404
