"""The Insights page in the admin: who may read it, what filters do, the CSV downloads."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from assessments.admin import insights as page
from assessments.authoring.services import assessment_import, assessment_publish
from assessments.insights.figures import Filters
from assessments.models import Step
from tests.factories import BrandFactory, UserFactory, definition, member, products
from tests.insights.made_up import made_up_insights

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    mine, theirs = BrandFactory(slug="mine"), BrandFactory(slug="theirs")
    own = assessment_import(brand=mine, source=definition(products=products("mine")), publish=True)
    other = assessment_import(
        brand=theirs,
        source=definition(key="secret-quiz", products=products("theirs")),
        publish=True,
    )
    return {"mine": mine, "theirs": theirs, "own": own, "other": other}


@pytest.fixture
def asked(monkeypatch) -> list[Filters]:
    """Replace the figures with made-up ones; a kiosk-only page has fewer customers."""
    seen: list[Filters] = []

    def figures(assessment, filters):
        seen.append(filters)
        if filters.channel == "kiosk":
            return made_up_insights(filters, started=120)
        if filters.channel == "embedded" or filters.version == 2:
            return made_up_insights(filters, scale=0.05)  # a few answers to everything
        return made_up_insights(filters)

    monkeypatch.setattr(page, "_figures", figures)
    return seen


def insights_url(assessment, **query) -> str:
    url = reverse("admin:assessments_assessment_insights", args=[assessment.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_url(assessment, chart: str) -> str:
    return reverse("admin:assessments_assessment_insights_csv", args=[assessment.pk, chart])


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


def test_an_analyst_reads_the_page_of_their_brand(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    response = client.get(insights_url(world["own"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Insights: Fit check" in body
    assert "400" in body  # started
    assert 'role="img"' in body and "<caption>" in body


@pytest.mark.parametrize("what", ["page", "csv", "export"])
def test_another_brands_staff_get_a_404(client, world, asked, what):
    client.force_login(member(world["mine"], "owner"))
    other = world["other"]
    url = {
        "page": insights_url(other),
        "csv": csv_url(other, "funnel"),
        "export": reverse("admin:assessments_assessment_insights_export", args=[other.pk]),
    }[what]
    assert client.get(url).status_code == 404
    assert asked == []  # not a figure of theirs was computed


def test_staff_of_no_brand_get_a_404_and_customers_the_login(client, world, asked):
    assert client.get(insights_url(world["own"])).status_code == 302
    client.force_login(UserFactory())
    assert client.get(insights_url(world["own"])).status_code == 404


def test_a_superuser_reads_any_brands_page(client, world, asked):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(insights_url(world["other"])).status_code == 200


def test_filters_reach_the_figures_and_change_them(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    everyone = client.get(insights_url(world["own"])).content.decode()
    kiosk = client.get(insights_url(world["own"], channel="kiosk", since="2025-01-01"))
    assert asked[-1].channel == "kiosk"
    assert str(asked[-1].since) == "2025-01-01"
    body = kiosk.content.decode()
    assert '<p class="ins-figure__value">120</p>' in body
    assert '<p class="ins-figure__value">400</p>' in everyone
    assert '<option value="kiosk" selected>' in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "not-a-day"}, "since"),
        ({"since": "2025-05-02", "until": "2025-05-01"}, "until"),
        ({"channel": "carrier-pigeon"}, "channel"),
        ({"version": "abc"}, "version"),
        ({"outcome": "%00"}, "outcome"),
        ({"since": "0001-01-01"}, "since"),
        ({"a": "1"}, "b"),
    ],
)
def test_bad_filter_input_shows_the_forms_error_and_still_renders(
    client, world, asked, query, field
):
    client.force_login(member(world["mine"], "analyst"))
    response = client.get(insights_url(world["own"], **query))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert "errorlist" in response.content.decode()
    assert getattr(asked[-1], field, None) in (None, "")  # the bad value is not used


def test_too_few_answers_is_said_instead_of_a_number(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    plenty = client.get(insights_url(world["own"])).content.decode()
    few = client.get(insights_url(world["own"], channel="embedded")).content.decode()
    assert 'ins-figure__value">too few answers' not in plenty
    assert 'NPS</p>\n        <p class="ins-figure__value">too few answers</p>' in few
    assert "Too few answers yet to compare" in few
    assert "bought 1.8\u00d7 as often" in plenty  # 30% of the learned against 17% of the rest
    assert "95% CI" in plenty


def test_the_funnel_csv_has_one_row_per_stage(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    response = client.get(csv_url(world["own"], "funnel") + "?channel=kiosk")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    assert table[0] == [
        "Stage",
        "Customers",
        "Of those who started (0-1)",
        "Whose path includes it",
        "Of those (0-1)",
    ]
    assert table[1] == ["Started", "120", "1.0", "", ""]
    assert [r[0] for r in table[1:]][-1] == "Follow-up engaged"
    assert asked[-1].channel == "kiosk"


def test_each_chart_on_the_page_links_a_csv_that_answers(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    body = client.get(insights_url(world["own"])).content.decode()
    slugs = ["funnel", "steps", "outcomes", "trait-support", "question-surface", "products"]
    slugs += ["question-distance", "promise-gap", "trend-nps", "experience"]
    for slug in slugs:
        assert csv_url(world["own"], slug) in body, slug
        assert client.get(csv_url(world["own"], slug)).status_code == 200, slug
    assert client.get(csv_url(world["own"], "nothing-here")).status_code == 404


def test_a_question_csv_has_its_choices(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    table = rows(client.get(csv_url(world["own"], "question-surface")))
    assert [r[1] for r in table[1:]] == ["road", "trail", "track"]
    assert table[1][2] == "150"


def test_the_response_export_streams_the_selectors_rows_with_the_filters(
    client, world, asked, monkeypatch
):
    got: list[Filters] = []

    def export(assessment, filters):
        got.append(filters)
        yield "response,outcome\r\n"
        yield "r1,stable\r\n"

    monkeypatch.setattr(page, "_export_lines", export)
    client.force_login(member(world["mine"], "analyst"))
    url = reverse("admin:assessments_assessment_insights_export", args=[world["own"].pk])
    response = client.get(url + "?language=en&channel=embedded")
    assert response.streaming
    table = rows(response)
    assert table == [["response", "outcome"], ["r1", "stable"]]
    assert got[0].channel == "embedded"


def second_version(assessment):
    Step.objects.filter(assessment=assessment, key="distance").update(
        title={"en": "Mileage", "es": "Kilometraje"}
    )
    return assessment_publish(assessment=assessment, user=None).version


def test_comparing_two_versions_shows_each_rate_side_by_side(client, world, asked):
    second_version(world["own"])
    client.force_login(member(world["mine"], "analyst"))
    response = client.get(insights_url(world["own"], a=1, b=2, channel="direct"))
    assert [(f.version, f.channel) for f in asked[-2:]] == [(1, "direct"), (2, "direct")]
    rows_ = {row.label: row for row in response.context["comparison"]}
    assert rows_["Completion rate"].verdict == "not significant"  # 70% against 70%
    assert rows_["CSAT"].verdict == "not enough data yet"  # v2 has a handful of check-ins
    body = response.content.decode()
    assert "v1 (A)" in body and "v2 (B)" in body
    assert "not enough data yet" in body


def test_a_real_difference_is_significant(client, world, asked, monkeypatch):
    second_version(world["own"])

    def figures(assessment, filters):
        return made_up_insights(filters, started=2000 if filters.version == 2 else 400)

    monkeypatch.setattr(page, "_figures", figures)
    client.force_login(member(world["mine"], "analyst"))
    response = client.get(insights_url(world["own"], a=1, b=2))
    verdicts = {row.label: row.verdict for row in response.context["comparison"]}
    assert verdicts["Completion rate"] == "not significant"
    table = rows(client.get(csv_url(world["own"], "compare") + "?a=1&b=2"))
    assert table[0][:3] == ["Figure", "v1", "v1 n"]
    assert [r[0] for r in table[1:]][:2] == ["Completion rate", "Results e-mailed"]


def test_comparing_a_version_that_does_not_exist_is_a_form_error(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    response = client.get(insights_url(world["own"], a=1, b=99))
    assert response.status_code == 200
    assert "b" in response.context["form"].errors
    assert response.context["comparison"] is None


def test_posting_to_the_page_is_refused(client, world, asked):
    client.force_login(member(world["mine"], "analyst"))
    assert client.post(insights_url(world["own"])).status_code == 405
