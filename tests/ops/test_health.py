"""Liveness and readiness: what a load balancer and an operator read."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import database_unreachable, unreachable_reason

pytestmark = pytest.mark.django_db


def test_liveness_answers_whatever_host_name_the_balancer_uses(client, settings):
    settings.ALLOWED_HOSTS = ["assessments.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    page = client.get("/healthz", HTTP_HOST="10.0.0.7:8031")
    assert page.status_code == 200
    assert page.json() == {"status": "ok"}
    assert page["Cache-Control"] == "no-store"


def test_readiness_reports_each_part_it_checked(client, settings):
    page = client.get("/readyz")
    assert page.status_code == 200
    # Without a broker (tasks run in-process) there is none to check.
    broker = "ok" if settings.CELERY_BROKER_URL else "not used"
    assert page.json() == {"status": "ok", "checks": {"database": "ok", "broker": broker}}


def test_readiness_fails_with_a_body_naming_the_database_when_it_cannot_be_reached(
    client, tmp_path
):
    with database_unreachable(tmp_path):
        page = client.get("/readyz")
    assert page.status_code == 503
    body = page.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("unavailable: OperationalError")
    assert unreachable_reason() in body["checks"]["database"]
    assert client.get("/readyz").status_code == 200  # and recovers with nothing restarted


def test_readiness_fails_when_the_broker_refuses_connections(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    page = client.get("/readyz")
    assert page.status_code == 503
    checks = page.json()["checks"]
    assert checks["database"] == "ok"
    assert checks["broker"].startswith("unavailable:")


def test_liveness_does_not_touch_the_database(tmp_path):
    with database_unreachable(tmp_path):
        page = Client().get("/healthz")
    assert page.status_code == 200
