"""The database itself refuses follow-up rows that break the rules, whoever writes them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import CheckIn, FollowUp, FollowUpPlanStep, PurchaseItem

from .conftest import buy

pytestmark = pytest.mark.django_db


def refused(**changes) -> bool:
    try:
        with transaction.atomic():
            FollowUp.objects.filter(pk=FollowUp.objects.first().pk).update(**changes)
    except IntegrityError:
        return True
    return False


def test_follow_up_states_are_checked_by_the_database(response):
    buy(response)
    assert refused(state="delivered")
    assert refused(state="sent")  # sent needs sent_at
    assert refused(state="claimed", claimed_by="")  # a claim has an owner
    assert refused(state="skipped", reason="")  # an end says why
    assert not refused(state="sent", sent_at=timezone.now())


def test_one_follow_up_per_purchase_and_step(response):
    purchase, _ = buy(response)
    row = purchase.followups.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            brand=row.brand,
            purchase=purchase,
            step=row.step,
            email=row.email,
            scheduled_for=row.scheduled_for,
        )


def test_a_rank_only_for_a_recommended_item(response):
    purchase, _ = buy(response)
    item = purchase.items.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseItem.objects.filter(pk=item.pk).update(recommended=False)
    item.recommended, item.rank = False, 2
    with pytest.raises(ValidationError):
        item.full_clean()


def test_check_in_scales_are_bounded(response):
    purchase, _ = buy(response)
    row = purchase.followups.get(step__kind="checkin")
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(followup=row, csat=6, ces=1, nps=0, delivered="yes")


def test_plan_steps_refuse_unknown_fields_naming_the_ones_that_exist(plan):
    step = FollowUpPlanStep(
        plan=plan, delay_days=3, kind="tip", subject={"en": "Hi {name}"}, body={"en": "x"}
    )
    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert "{name}" in str(error.value) and "{first_name}" in str(error.value)
