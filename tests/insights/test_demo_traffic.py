"""`manage.py demo_traffic`: demo customers through the real services, shaped like real ones."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import (
    Assessment,
    CheckIn,
    FollowUp,
    ProductReference,
    Purchase,
    PurchaseItem,
    Response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> list[Assessment]:
    call_command("load_demo", stdout=StringIO())
    return list(Assessment.objects.filter(live_version__isnull=False))


def traffic(*args: str) -> str:
    out = StringIO()
    call_command("demo_traffic", *args, stdout=out)
    return out.getvalue()


def shape() -> Counter[tuple[str, str, str, str, str]]:
    rows = Response.objects.values_list("channel", "language", "status", "current_step", "learned")
    return Counter(rows)


def test_customers_drop_off_finish_learn_and_buy(demo: list[Assessment]) -> None:
    traffic("--responses", "240", "--seed", "4")
    responses = Response.objects.filter(is_preview=False)
    assert responses.count() == 240
    finished = responses.filter(status=Response.Status.COMPLETED)
    assert 0.45 * 240 < finished.count() < 0.85 * 240
    for assessment in demo:
        steps = [step["key"] for step in assessment.live_version.definition["steps"]]
        left = set(
            responses.filter(version__assessment=assessment, status="in_progress").values_list(
                "current_step", flat=True
            )
        )
        # Most leave on the first step, and some leave later at most steps.
        assert steps[0] in left
        assert len(left) >= len(steps) // 2, (steps, left)
    assert finished.filter(result__isnull=False).count() == finished.count()
    assert set(finished.values_list("learned", flat=True)) == {"", "yes", "a_little", "no"}
    assert finished.filter(results_emailed_at__isnull=False).exists()
    assert ProductReference.objects.filter(clicked_at__isnull=False).exists()
    # Time on each step as customers spend it, not the instant the command took.
    for response in finished[:20]:
        assert response.step_seconds and min(response.step_seconds.values()) >= 8


def test_those_who_learned_something_buy_more(demo: list[Assessment]) -> None:
    traffic("--responses", "240", "--seed", "4")
    finished = Response.objects.filter(status=Response.Status.COMPLETED)

    def rate(learned: list[str]) -> float:
        group = finished.filter(learned__in=learned)
        return group.filter(purchases__isnull=False).distinct().count() / group.count()

    assert rate(["yes", "a_little"]) > rate(["no", ""]) > 0


def test_purchases_are_attributed_to_what_was_recommended(demo: list[Assessment]) -> None:
    traffic("--responses", "160", "--seed", "2")
    purchases = Purchase.objects.filter(source=Purchase.Source.DEMO)
    assert purchases.exists()
    assert not purchases.filter(response__isnull=True).exists()
    assert not purchases.exclude(response__status=Response.Status.COMPLETED).exists()
    items = PurchaseItem.objects.filter(purchase__in=purchases)
    # Most buy a recommendation, at the rank they were shown it; a few buy something else.
    assert items.filter(recommended=True, rank=1).count() > items.filter(rank=2).count()
    assert items.filter(recommended=True).count() > items.filter(recommended=False).count()


def test_traffic_is_spread_over_the_last_two_months(demo: list[Assessment]) -> None:
    traffic("--responses", "160", "--seed", "2")
    now = timezone.now()
    created = sorted(Response.objects.values_list("created_at", flat=True))
    assert created[0] < now - dt.timedelta(days=40)
    assert created[-1] <= now
    for response in Response.objects.filter(status=Response.Status.COMPLETED):
        assert response.created_at <= response.completed_at <= now
    for purchase in Purchase.objects.select_related("response"):
        assert purchase.purchased_at >= purchase.response.completed_at


def test_checkins_are_answered_on_followups_that_were_sent(demo: list[Assessment]) -> None:
    traffic("--responses", "200", "--seed", "3")
    checkins = CheckIn.objects.select_related("followup")
    assert checkins.exists()
    for checkin in checkins:
        assert checkin.followup.state == FollowUp.State.SENT
        assert checkin.answered_at >= checkin.followup.sent_at
        assert checkin.response_id is not None
    # Nothing is due and unsent: the dispatcher was played up to now.
    due = FollowUp.objects.filter(state=FollowUp.State.SCHEDULED, scheduled_for__lte=timezone.now())
    assert not due.exists()


def test_the_same_seed_tells_the_same_story(demo: list[Assessment]) -> None:
    traffic("--responses", "30", "--seed", "9")
    first = shape()
    Response.objects.all().delete()
    traffic("--responses", "30", "--seed", "9")
    assert shape() == first
    Response.objects.all().delete()
    traffic("--responses", "30", "--seed", "10")
    assert shape() != first


def test_mail_is_kept_off_the_console(demo: list[Assessment], settings, capsys) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    summary = traffic("--responses", "60", "--seed", "1")
    emailed = re.search(r"(\d+) results e-mailed", summary)
    assert emailed is not None and int(emailed[1]) > 0
    assert "Subject:" not in capsys.readouterr().out


def test_if_empty_adds_nothing_to_a_demo_that_has_traffic(demo: list[Assessment]) -> None:
    traffic("--responses", "20", "--seed", "1")
    assert "already have responses" in traffic("--responses", "20", "--if-empty")
    assert Response.objects.count() == 20
