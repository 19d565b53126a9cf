"""A response's facts for follow-ups are its full evaluation, ranked as the customer saw it."""

from __future__ import annotations

import pytest

from assessments.followups.purchases import catalogue_for_facts, response_facts
from assessments.models import Response
from assessments.taking.results import result_read

pytestmark = pytest.mark.django_db


def full_evaluation(response: Response, facts):
    products = list(catalogue_for_facts(response.brand_id))
    return facts.assessment.evaluate(products, response.answers, response.fields)


def test_a_finished_responses_facts_are_its_evaluation_with_the_ranks_it_was_shown(response):
    frozen = result_read(response)
    assert frozen is not None and frozen.ranks
    facts = response_facts(response)
    full = full_evaluation(response, facts)
    assert facts.scores == full.scores and facts.scores
    assert facts.outcome == full.outcome is not None
    assert facts.outcome_key == full.outcome.key
    assert facts.ranks == frozen.ranks


def test_without_a_frozen_result_the_products_are_ranked_now(response):
    Response.objects.filter(pk=response.pk).update(result=None)
    response.refresh_from_db()
    facts = response_facts(response)
    full = full_evaluation(response, facts)
    assert facts.scores == full.scores and facts.outcome == full.outcome
    assert facts.ranks == {i.sku: i.rank for i in full.recommendation.recommended}
    assert facts.ranks
