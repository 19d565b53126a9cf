"""Two brands with published assessments and completed responses, and keys to the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from assessments.api.keys import api_key_create
from assessments.models import Assessment, Brand, Response
from tests.followups.conftest import make_brand, make_plan, make_published, make_response


class Api:
    """The test client speaking to /api/v1 with one key."""

    def __init__(self, key: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def send(self, method: str, path: str, body: Any):
        call = getattr(self.client, method)
        return call(f"/api/v1{path}", body, content_type="application/json", headers=self.headers)


def key_for(brand: Brand, scope: str = "read_write") -> str:
    return api_key_create(brand=brand, name="test", scope=scope).plaintext


@pytest.fixture(autouse=True)
def _tasks_inline(monkeypatch) -> None:
    """Webhook tasks run in the test's thread, whatever broker the environment names."""
    from core.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def brand(db) -> Brand:
    return make_brand("acme")


@pytest.fixture
def other(db) -> Brand:
    return make_brand("rival")


@pytest.fixture
def published(brand: Brand) -> Assessment:
    assessment = make_published(brand)
    make_plan(assessment)
    return assessment


@pytest.fixture
def completed(published: Assessment) -> Response:
    return make_response(published)


@pytest.fixture
def api(brand: Brand) -> Api:
    return Api(key_for(brand))


@pytest.fixture
def reader(brand: Brand) -> Api:
    return Api(key_for(brand, "read"))
