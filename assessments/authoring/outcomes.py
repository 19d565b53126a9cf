"""Writes of an assessment's outcome rules, edited together on one page."""

from __future__ import annotations

from django.db import transaction

from assessments.models import Outcome


@transaction.atomic
def outcome_rules_save(*, outcomes: list[Outcome]) -> int:
    """Save the outcomes' rules and priorities (validated by the page); returns how many changed."""
    for outcome in outcomes:
        outcome.save(update_fields=["rule", "priority"])
    return len(outcomes)
