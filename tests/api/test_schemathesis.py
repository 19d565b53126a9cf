"""Property tests of /api/v1 against its own OpenAPI document (schemathesis).

The document is read from the app through WSGI, and every call goes to the app in-process: no
server, no network. A brand with a published assessment, a completed response and a purchase
is seeded; calls carry its read-and-write key. Examples per operation are few, so the whole
run stays well under a minute; what it checks is what a client relies on: no 5xx, and every
answer (status, content type, headers, body) is one the document declares.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.followups.conftest import buy

from .conftest import key_for

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Serving the document reads no table, so it can be fetched while tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def bearer(completed, brand) -> dict[str, str]:
    """A read-and-write key of a brand with a completed response and a purchase."""
    buy(completed, order_id="SEED-1")
    return {"Authorization": f"Bearer {key_for(brand)}"}


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_keeps_to_its_openapi_document(case, bearer, settings_rate_unlimited):
    case.call_and_validate(headers=bearer, checks=CHECKS)


@pytest.fixture(autouse=True)
def _connection_kept_open():
    """Calls reach the app as a server would send them, and a server's request signals close
    the database connection, which on PostgreSQL would drop the test's transaction (and its
    seeded brand). Django's own test client unhooks them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_rate_unlimited(settings):
    """The per-key rate limit is tested elsewhere; here it would only cut the run short."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "100000/m"}
