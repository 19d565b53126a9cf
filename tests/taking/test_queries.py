"""Each customer page costs a small, constant number of queries, whatever the step or size.

Counts leave out SAVEPOINT statements: pytest-django wraps each test in a transaction, so the
services' `atomic` blocks become savepoints here, where production runs them as a transaction
whose BEGIN/COMMIT Django does not log as queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.api.wanted import events_wanted
from assessments.models import Response
from tests.taking.conftest import RUNNER, landing_url, results_url, start, step_url, submit
from tests.taking.generated import publish_generated, step_answers

pytestmark = pytest.mark.django_db

MAX_QUERIES = 5


class Counted:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def queries() -> Iterator[Counted]:
    counted = Counted()
    with CaptureQueriesContext(connection) as context:
        yield counted
    counted.statements = [
        q["sql"]
        for q in context.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]


def started(client, assessment) -> Response:
    """A response just started, on a site that has looked up within the last minute which
    webhook events the brand wants: completing it asks, and that answer is cached per brand
    (assessments/api/wanted.py), so a running site pays its one query once a minute, not per
    customer."""
    response = start(client, assessment)
    events_wanted(response.brand_id)
    return response


def measured(call: Callable[[], object]) -> int:
    with queries() as counted:
        call()
    return len(counted)


def test_every_step_get_and_post_and_the_results_stay_within_five_queries(client, published):
    response = started(client, published)
    for step_key, data in RUNNER:
        assert measured(lambda k=step_key: client.get(step_url(response, k))) <= MAX_QUERIES
        assert (
            measured(
                lambda k=step_key, d=data: submit(client, response, k, d, HTTP_HX_REQUEST="true")
            )
            <= MAX_QUERIES
        )
    assert measured(lambda: client.get(results_url(response))) <= 2


def test_a_step_with_errors_and_a_plain_post_stay_within_five_queries(client, published):
    response = started(client, published)
    assert measured(lambda: submit(client, response, "use", {"use": "nope"})) <= MAX_QUERIES
    assert measured(lambda: submit(client, response, "use", {"use": "run"})) <= MAX_QUERIES


def test_showing_and_starting_from_the_landing_page_is_cheap(client, published):
    url = landing_url(published)
    assert measured(lambda: client.get(url)) <= 1
    assert measured(lambda: client.post(url)) <= 4


@pytest.mark.parametrize("size", [10, 50, 200])
def test_query_counts_do_not_grow_with_the_number_of_questions(client, brand, size):
    assessment = publish_generated(brand, size)
    definition = assessment.live_version.definition
    response = started(client, assessment)
    gets, posts = set(), set()
    while True:
        response.refresh_from_db()
        if response.status == Response.Status.COMPLETED:
            break
        step_key = response.current_step
        with queries() as get:
            assert client.get(step_url(response, step_key)).status_code == 200
        answers = step_answers(definition, step_key)
        with queries() as post:
            page = submit(client, response, step_key, answers, HTTP_HX_REQUEST="true")
            assert page.status_code == 200, page.content.decode()[:300]
        gets.add(len(get))
        posts.add(len(post))
    assert max(gets) <= MAX_QUERIES and max(posts) <= MAX_QUERIES
    # Constant: the steps differ only in the completing POST, which also reads the catalogue
    # and stores the product links' references.
    assert len(gets) == 1 and len(posts) <= 2
