"""Start pressed twice, or passed on to another instance by the proxy, begins one response."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from assessments.models import Response
from tests.taking.conftest import landing_url, submit

pytestmark = pytest.mark.django_db


def start_id_of(page) -> str:
    return re.search(r'name="start_id" value="([^"]+)"', page.content.decode()).group(1)


def press(client, assessment, start_id: str):
    page = client.post(landing_url(assessment), {"language": "en", "start_id": start_id})
    assert page.status_code == 303
    return page["Location"]


def test_each_landing_page_has_its_own_start_id_and_no_shared_cache_keeps_it(client, published):
    first, second = client.get(landing_url(published)), client.get(landing_url(published))
    assert start_id_of(first) != start_id_of(second)
    assert "private" in first["Cache-Control"]


def test_pressing_start_twice_gives_one_response(client, published):
    start_id = start_id_of(client.get(landing_url(published)))
    assert press(client, published, start_id) == press(client, published, start_id)
    assert Response.objects.count() == 1


def test_two_pages_two_responses_and_a_start_without_an_id_is_new_each_time(client, published):
    press(client, published, start_id_of(client.get(landing_url(published))))
    press(client, published, start_id_of(client.get(landing_url(published))))
    client.post(landing_url(published), {"language": "en"})
    client.post(landing_url(published), {"language": "en", "start_id": "<not ours>"})
    assert Response.objects.count() == 4
    assert Response.objects.filter(start_id="").count() == 2


def test_back_on_the_landing_page_start_resumes_an_unfinished_response(client, published):
    start_id = start_id_of(client.get(landing_url(published)))
    press(client, published, start_id)
    response = Response.objects.get()
    submit(client, response, "use", {"use": "run"})

    assert "/s/use/" not in press(client, published, start_id)
    assert Response.objects.count() == 1


def test_a_finished_or_old_response_is_not_started_again(client, published):
    start_id = start_id_of(client.get(landing_url(published)))
    press(client, published, start_id)
    Response.objects.update(status=Response.Status.COMPLETED)
    press(client, published, start_id)
    assert Response.objects.count() == 2

    other = start_id_of(client.get(landing_url(published)))
    press(client, published, other)
    Response.objects.filter(start_id=other).update(
        created_at=timezone.now() - dt.timedelta(minutes=11)
    )
    press(client, published, other)
    assert Response.objects.count() == 4
    # The late press starts afresh, without the id the old response holds.
    assert Response.objects.filter(start_id=other).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_press_arriving_twelve_times_at_once_begins_one_response(published):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (DATABASE_URL): SQLite serialises writers.")
    start_id = start_id_of(Client().get(landing_url(published)))
    barrier = threading.Barrier(12)
    places: list[str] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            barrier.wait(timeout=10)
            places.append(press(Client(), published, start_id))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(set(places)) == 1 and len(places) == 12
    assert Response.objects.count() == 1
