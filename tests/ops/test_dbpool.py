"""A pooled connection is checked without a round trip, and a dead one is still found."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from core.dbpool import connection_check

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _connect():
    import psycopg

    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "pool"):
        params.pop(key, None)
    return psycopg.connect(**params, autocommit=True)


@pytest.fixture
def pooled():
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL (DATABASE_URL): the pool is PostgreSQL's.")
    with _connect() as conn:
        yield conn


def test_a_live_connection_is_handed_out_without_a_query(pooled):
    sent: list[str] = []
    original = pooled.execute

    def spy(query, *args, **kwargs):
        sent.append(str(query))
        return original(query, *args, **kwargs)

    pooled.execute = spy  # type: ignore[method-assign]
    connection_check(pooled)
    assert sent == []


def test_a_connection_the_server_ended_is_refused(pooled):
    import psycopg

    with _connect() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pooled.info.backend_pid])
    # The server's goodbye reaches the socket soon after; from then on the check refuses it.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            connection_check(pooled)
        except psycopg.OperationalError:
            return
        time.sleep(0.02)
    pytest.fail("a connection the server ended passed the check")
