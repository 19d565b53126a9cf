"""A double click, a retry or a burst of identical POSTs stores one answer."""

from __future__ import annotations

import secrets
import threading

import pytest
from django.db import connection, connections
from django.test import Client

from assessments.models import Response
from tests.taking.conftest import start, step_url, submit

DUPLICATES = 20


@pytest.mark.django_db
def test_a_duplicate_submission_returns_the_stored_outcome_and_stores_once(client, published):
    response = start(client, published)
    data = {"submission_id": "same-click", "use": "run"}
    first = client.post(step_url(response, "use"), data)
    again = client.post(step_url(response, "use"), {**data, "use": "walk"})
    assert first["Location"] == again["Location"]
    response.refresh_from_db()
    assert response.answers == {"use": "run"} and len(response.submissions) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_duplicate_posts_store_one_answer(published):
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL (DATABASE_URL): SQLite serialises writers on one file lock, so "
            "threads cannot race there; the duplicate is covered sequentially above."
        )
    response = start(Client(), published)
    submission_id = secrets.token_urlsafe(16)
    barrier = threading.Barrier(DUPLICATES)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        # Each thread has its own database connection (Django's are per thread).
        try:
            barrier.wait(timeout=10)
            page = submit(Client(), response, "use", {"use": "run", "submission_id": submission_id})
            statuses.append(page.status_code)
        except BaseException as error:  # reported below, with the thread's traceback
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(DUPLICATES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert statuses == [303] * DUPLICATES
    stored = Response.objects.get(pk=response.pk)
    assert stored.answers == {"use": "run"}
    assert [s["id"] for s in stored.submissions] == [submission_id]
    assert stored.current_step == "distance"
