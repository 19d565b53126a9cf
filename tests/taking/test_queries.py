"""Each customer page costs a small, constant number of queries, whatever the step."""

from __future__ import annotations

import pytest

from tests.taking.conftest import RUNNER, landing_url, results_url, start, step_url, submit

pytestmark = pytest.mark.django_db


def test_every_step_get_and_post_stays_within_five_queries(
    client, published, django_assert_max_num_queries
):
    response = start(client, published)
    for step_key, data in RUNNER:
        with django_assert_max_num_queries(5):
            assert client.get(step_url(response, step_key)).status_code == 200
        with django_assert_max_num_queries(5):
            assert (
                submit(client, response, step_key, data, HTTP_HX_REQUEST="true").status_code == 200
            )
    with django_assert_max_num_queries(5):
        assert client.get(results_url(response)).status_code == 200


def test_a_step_with_errors_and_a_plain_post_stay_within_five_queries(
    client, published, django_assert_max_num_queries
):
    response = start(client, published)
    with django_assert_max_num_queries(5):
        assert submit(client, response, "use", {"use": "nope"}).status_code == 200
    with django_assert_max_num_queries(5):
        assert submit(client, response, "use", {"use": "run"}).status_code == 303


def test_showing_and_starting_from_the_landing_page_is_cheap(
    client, published, django_assert_max_num_queries
):
    url = landing_url(published)
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.post(url).status_code == 303
