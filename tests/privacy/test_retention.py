"""Each brand's retention period: old unfinished responses go, old finished ones lose the person."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditEntry, Brand, FollowUp, Purchase, Response
from assessments.privacy.services import retention_apply
from assessments.taking.services import response_start
from assessments.tasks import retention_apply_task
from tests.followups.conftest import buy, make_brand

from .conftest import finish, publish

pytestmark = pytest.mark.django_db


def aged(response: Response, days: int) -> Response:
    """Pretend the response was last touched (and finished, if it was) `days` ago."""
    when = timezone.now() - dt.timedelta(days=days)
    Response.objects.filter(pk=response.pk).update(
        created_at=when,
        updated_at=when,
        completed_at=when if response.status == Response.Status.COMPLETED else None,
    )
    return response


def started(published, days: int = 0) -> Response:
    response = response_start(version=published.live_version, brand=published.brand, language="en")
    return aged(response, days) if days else response


def test_an_old_unfinished_response_is_deleted_and_a_recent_one_kept(published, client):
    old = started(published, days=731)
    recent = started(published, days=700)
    retention_apply()
    assert not Response.objects.filter(pk=old.pk).exists()
    assert Response.objects.filter(pk=recent.pk).exists()
    assert client.get(reverse("taking:resume", args=[old.token])).status_code == 404
    assert client.get(reverse("taking:resume", args=[recent.token])).status_code == 303


def test_an_old_finished_response_is_anonymised_and_still_counted(published, client):
    old = aged(finish(published, utm_source="mail", store="madrid-1"), days=800)
    recent = finish(published, store="madrid-1")
    before = Response.objects.filter(version__assessment=published).count()

    retention_apply()

    assert Response.objects.filter(version__assessment=published).count() == before
    kept = Response.objects.get(pk=old.pk)
    assert kept.anonymised_at is not None and kept.status == Response.Status.COMPLETED
    assert kept.answers == {"use": "run", "km": 40, "knees": "yes"}  # the note is gone
    assert kept.fields == {} and kept.attribution == {} and kept.share_token is None
    assert client.get(reverse("taking:results", args=[old.token])).status_code == 404
    untouched = Response.objects.get(pk=recent.pk)
    assert untouched.anonymised_at is None and "note" in untouched.answers
    assert client.get(reverse("taking:results", args=[recent.token])).status_code == 200


def test_each_brand_keeps_responses_for_its_own_period(published):
    other = make_brand("other")
    Brand.objects.filter(pk=other.pk).update(retention_days=30)
    theirs = started(publish(other), days=40)
    ours = started(published, days=40)
    retention_apply()
    assert not Response.objects.filter(pk=theirs.pk).exists()
    assert Response.objects.filter(pk=ours.pk).exists()


def test_a_purchase_keeps_its_record_but_loses_the_link_to_the_old_answers(published):
    old = aged(finish(published), days=800)
    purchase, _ = buy(old, order_id="OLD-1", email="ana@example.com", consent=False)
    retention_apply()
    purchase.refresh_from_db()
    assert purchase.response is None and purchase.email == "ana@example.com"
    assert Response.objects.get(pk=old.pk).anonymised_at is not None


def test_a_response_whose_follow_ups_are_still_to_come_waits_for_them(published):
    old = aged(finish(published), days=800)
    buy(old, order_id="A-1", email="ana@example.com")
    assert FollowUp.objects.filter(state=FollowUp.State.SCHEDULED).count() == 3
    retention_apply()
    assert Response.objects.get(pk=old.pk).anonymised_at is None
    assert Purchase.objects.get().response_id == old.pk
    FollowUp.objects.update(state=FollowUp.State.CANCELLED, reason="The customer unsubscribed.")
    retention_apply()
    assert Response.objects.get(pk=old.pk).anonymised_at is not None


def test_old_previews_go_whatever_their_state(published, brand):
    from assessments.authoring.definitions import definition_from_draft

    preview = response_start(
        preview_definition=definition_from_draft(published), brand=brand, language="en"
    )
    aged(preview, days=731)
    retention_apply()
    assert not Response.objects.filter(pk=preview.pk).exists()


def test_the_pass_is_logged_for_owners_and_a_second_run_changes_nothing(published, brand):
    started(published, days=900)
    aged(finish(published), days=900)
    first = retention_apply()
    assert [(r.brand, r.deleted, r.anonymised) for r in first] == [("acme", 1, 1)]
    [entry] = AuditEntry.objects.filter(action=AuditEntry.Action.RETENTION_APPLIED)
    assert entry.brand == brand and entry.user is None
    assert entry.details["unfinished_deleted"] == 1
    assert entry.details["finished_anonymised"] == 1
    second = retention_apply()
    assert [(r.deleted, r.anonymised) for r in second] == [(0, 0)]
    assert AuditEntry.objects.count() == 1


def test_the_command_runs_it_by_hand_and_says_what_it_did(published):
    started(published, days=900)
    out = StringIO()
    call_command("retention_apply", "--brand", "acme", stdout=out)
    assert "acme: 1 unfinished response(s) deleted, 0 finished response(s) anonymised" in (
        out.getvalue()
    )


def test_beat_runs_the_task_daily_and_the_task_applies_the_periods(published):
    schedule = settings.CELERY_BEAT_SCHEDULE["privacy-retention-daily"]
    assert schedule["task"] == retention_apply_task.name
    daily = schedule["schedule"]
    assert len(daily.hour) == len(daily.minute) == 1 and daily.day_of_week == set(range(7))
    started(published, days=900)
    # Run here as a worker would (a broker may be configured, with no worker in the test).
    assert retention_apply_task.apply().get() == {"acme": {"deleted": 1, "anonymised": 0}}


def test_the_database_refuses_a_period_outside_30_to_3650_days(brand):
    with pytest.raises(IntegrityError):
        Brand.objects.filter(pk=brand.pk).update(retention_days=0)
