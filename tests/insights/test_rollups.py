"""Rollups: the page sums stored counts where they are fresh, and its figures never change."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.followups.purchases import ItemInput, purchase_record
from assessments.insights import rollups
from assessments.insights.build import insights_build
from assessments.insights.facts import counts_sum, facts_for
from assessments.insights.figures import Filters, Insights
from assessments.insights.rollups import bucket_refresh, rollups_refresh, stale_days
from assessments.insights.selectors import assessment_meta, insights_for, responses_filtered
from assessments.models import Assessment, InsightsBucket, InsightsCount, Purchase, Response

pytestmark = pytest.mark.django_db

FILTERS = (
    Filters(),
    Filters(channel="embedded"),
    Filters(language="es", outcome="trail"),
    Filters(utm_source="newsletter"),
    Filters(origin="http://localhost:8001", channel="embedded"),
    Filters(since=timezone.now().date() - dt.timedelta(days=20)),
)


@pytest.fixture(autouse=True)
def _no_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every row here was written a moment ago, well within the slack a real pass allows for
    slow commits; without it a bucket is fresh as soon as it is summed."""
    monkeypatch.setattr(rollups, "SLACK", dt.timedelta(0))


@pytest.fixture
def shoes() -> Assessment:
    call_command("load_demo", stdout=StringIO())
    call_command("demo_traffic", "--responses", "90", "--seed", "5", stdout=StringIO())
    return Assessment.objects.get(key="shoe-finder")


def live(assessment: Assessment, filters: Filters) -> Insights:
    """The page computed from every response, as if there were no rollups."""
    counts, by_day = counts_sum(facts_for(responses_filtered(assessment, filters)))
    return insights_build(assessment_meta(assessment, filters), counts, by_day, filters)


def test_page_figures_are_the_same_with_and_without_rollups(shoes: Assessment) -> None:
    before = {f: insights_for(shoes, f) for f in FILTERS}
    done = rollups_refresh()
    assert done.refreshed > 10
    assert stale_days(shoes.live_version.pk) == set()
    for filters in FILTERS:
        assert insights_for(shoes, filters) == before[filters] == live(shoes, filters)


def test_the_page_reads_the_stored_counts_once_fresh(shoes: Assessment) -> None:
    rollups_refresh()
    started = live(shoes, Filters()).funnel[0].count
    # Tamper with one stored count: the page shows it, so it read the rollup, not the rows.
    stored = InsightsCount.objects.filter(level=InsightsCount.Level.NONE, metric="started")
    one = stored.first()
    stored.filter(pk=one.pk).update(n=one.n + 1000)
    assert insights_for(shoes, Filters()).funnel[0].count == started + 1000


def test_a_late_purchase_on_an_old_day_counts_at_once(shoes: Assessment) -> None:
    rollups_refresh()
    old = (
        Response.objects.filter(
            version__assessment=shoes,
            status=Response.Status.COMPLETED,
            purchases__isnull=True,
            created_at__lt=timezone.now() - dt.timedelta(days=20),
        )
        .order_by("pk")
        .first()
    )
    sku = old.result["recommended"][0]["sku"]
    before = insights_for(shoes, Filters())
    purchase_record(
        brand=shoes.brand,
        order_id="late-1",
        items=[ItemInput(sku=sku)],
        source=Purchase.Source.DEMO,
        response=old,
    )
    after = insights_for(shoes, Filters())
    assert after != before
    assert after == live(shoes, Filters())
    assert old.created_at.astimezone(dt.UTC).date() in stale_days(shoes.live_version.pk)
    # The next pass re-sums that day only, and the page still agrees.
    assert rollups_refresh().refreshed == 1
    assert insights_for(shoes, Filters()) == live(shoes, Filters())


def test_a_deleted_response_leaves_no_trace_in_the_figures(shoes: Assessment) -> None:
    rollups_refresh()
    gone = Response.objects.filter(version__assessment=shoes).order_by("created_at").first()
    gone.delete()
    for filters in FILTERS[:2]:
        assert insights_for(shoes, filters) == live(shoes, filters)


def test_refreshing_again_changes_nothing(shoes: Assessment) -> None:
    rollups_refresh()
    rows = sorted(InsightsCount.objects.values_list("bucket_id", "level", "metric", "key", "n"))
    assert rollups_refresh().refreshed == 0
    assert (
        sorted(InsightsCount.objects.values_list("bucket_id", "level", "metric", "key", "n"))
        == rows
    )


def test_an_older_computation_never_replaces_a_newer_one(shoes: Assessment) -> None:
    rollups_refresh()
    bucket = InsightsBucket.objects.order_by("day").last()
    rows = InsightsCount.objects.filter(bucket=bucket).count()
    # A pass that started before this bucket was last stored finishes late: it writes nothing.
    InsightsBucket.objects.filter(pk=bucket.pk).update(
        computed_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert bucket_refresh(version_id=bucket.version_id, day=bucket.day) is False
    assert InsightsCount.objects.filter(bucket=bucket).count() == rows


def test_the_command_and_the_levels(shoes: Assessment) -> None:
    out = StringIO()
    call_command("insights_refresh", stdout=out)
    assert "bucket(s) summed" in out.getvalue()
    by_level = {
        level: InsightsCount.objects.filter(level=level).count()
        for level in InsightsCount.Level.values
    }
    # The unfiltered page sums the fewest rows.
    assert by_level[2] < by_level[1] <= by_level[0]
