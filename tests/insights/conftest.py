"""A published test assessment taken through the real customer pages, and helpers to read
its figures."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client

from assessments.insights.facts import Key, facts_for
from assessments.models import Assessment, Brand, Response
from tests.followups.conftest import make_brand, make_plan, make_published
from tests.taking.conftest import start, walk


@pytest.fixture
def brand(db) -> Brand:
    return make_brand()


@pytest.fixture
def published(brand: Brand) -> Assessment:
    assessment = make_published(brand)
    brand.allowed_origins = ["https://partner.example"]
    brand.save(update_fields=["allowed_origins"])
    return assessment


@pytest.fixture
def plan(published: Assessment):
    return make_plan(published)


def taken(client: Client, assessment: Assessment, answers, **start_data) -> Response:
    """A response started on the landing page and walked through `answers` (step, data)."""
    response = start(client, assessment, **start_data)
    walk(client, response, answers)
    return response


def counts_of(response: Response) -> Counter[Key]:
    """The counts one response contributes."""
    found = list(facts_for(Response.objects.filter(pk=response.pk)))
    assert len(found) == 1
    return found[0][1]
