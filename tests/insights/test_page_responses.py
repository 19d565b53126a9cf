"""The Insights page on responses made through the real services: filters change the figures,
and the CSV downloads hold the rows the page counted."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.urls import reverse

from assessments.models import Response
from assessments.taking.services import answer_submit, response_start
from tests.factories import member
from tests.followups.conftest import make_brand, make_published

pytestmark = pytest.mark.django_db

RUNNER = [("use", {"use": "run"}), ("distance", {"km": "40"}), ("knees", {"knees": "no"})]
WALKER = [("use", {"use": "walk"}), ("knees", {"knees": "no"})]


def taken(assessment, steps, *, channel: str = "direct", language: str = "en") -> Response:
    response = response_start(
        version=assessment.live_version,
        brand=assessment.brand,
        language=language,
        channel=channel,
        fields={"utm_source": "newsletter" if channel == "direct" else "store"},
    )
    for step_key, raw in steps:
        answer_submit(response=response, step_key=step_key, raw=raw, submission_id=uuid.uuid4().hex)
    return response


@pytest.fixture
def assessment():
    found = make_published(make_brand())
    for _ in range(4):
        taken(found, RUNNER)
    for _ in range(3):
        taken(found, WALKER, channel="kiosk")
    for _ in range(2):
        taken(found, [], channel="kiosk")  # started at the kiosk, then walked away
    return found


@pytest.fixture
def analyst(client, assessment):
    client.force_login(member(assessment.brand, "analyst"))
    return client


def page_url(assessment, query: str = "") -> str:
    url = reverse("admin:assessments_assessment_insights", args=[assessment.pk])
    return f"{url}?{query}" if query else url


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


def test_the_page_counts_what_customers_did(analyst, assessment):
    response = analyst.get(page_url(assessment))
    insights = response.context["insights"]
    assert (insights.started, insights.completed) == (9, 7)
    assert '<p class="ins-figure__value">9</p>' in response.content.decode()


def test_a_channel_filter_changes_every_figure(analyst, assessment):
    response = analyst.get(page_url(assessment, "channel=kiosk"))
    insights = response.context["insights"]
    assert (insights.started, insights.completed) == (5, 3)
    use = next(q for q in insights.questions if q.key == "use")
    assert {bar.key: bar.count for bar in use.bars}.get("run", 0) == 0
    assert {bar.key: bar.count for bar in use.bars}["walk"] == 3


def test_the_filter_choices_come_from_the_assessments_own_responses(analyst, assessment):
    form = analyst.get(page_url(assessment)).context["form"]
    assert [value for value, _label in form.fields["utm_source"].choices] == [
        "",
        "newsletter",
        "store",
    ]
    assert [value for value, _label in form.fields["version"].choices] == ["", "1"]


def test_a_utm_filter_the_assessment_never_saw_is_an_error_not_a_500(analyst, assessment):
    response = analyst.get(page_url(assessment, "utm_source=elsewhere&since=2024-02-30"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"utm_source", "since"}
    assert response.context["insights"].started == 9  # the bad filters are not applied


def test_a_chart_csv_holds_the_filtered_counts(analyst, assessment):
    url = reverse("admin:assessments_assessment_insights_csv", args=[assessment.pk, "funnel"])
    rows = csv_rows(analyst.get(url + "?channel=kiosk"))
    counts = {row[0]: row[1] for row in rows[1:]}
    assert counts["Started"] == "5"
    assert counts["Completed"] == "3"


def test_the_response_export_streams_one_row_per_filtered_response(analyst, assessment):
    url = reverse("admin:assessments_assessment_insights_export", args=[assessment.pk])
    response = analyst.get(url + "?channel=kiosk")
    assert response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert len(rows) == 1 + 5
    header = rows[0]
    assert "q:use" in header
    channels = {row[header.index("channel")] for row in rows[1:]}
    assert channels == {"kiosk"}


def test_the_overview_lists_each_readable_assessment(analyst, assessment):
    other = make_published(make_brand("elsewhere"))
    body = analyst.get(reverse("admin:assessments_insights_overview")).content.decode()
    assert reverse("admin:assessments_assessment_insights", args=[assessment.pk]) in body
    assert reverse("admin:assessments_assessment_insights", args=[other.pk]) not in body
    assert '<td class="ins-num">9</td>' in body
    assert "too few answers" in body  # 9 customers are under the threshold for rates
