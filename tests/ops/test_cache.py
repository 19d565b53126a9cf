"""With Redis away, the cache fails open: pages are served and rate limits not counted."""

from __future__ import annotations

import io

import pytest
from django.core.cache import caches

from assessments.limits import limit_take

# Nothing listens on port 1: every call is a real refused connection.
AWAY = {
    "BACKEND": "core.cache.FailOpenRedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}


@pytest.fixture
def redis_away(settings):
    settings.CACHES = {"default": AWAY}
    yield caches["default"]
    caches["default"].close()


def test_reads_miss_and_writes_are_dropped_without_raising(redis_away):
    assert redis_away.get("anything", "fallback") == "fallback"
    assert redis_away.add("key", 1) is False
    redis_away.set("key", 1)
    assert redis_away.incr("key") is None
    assert redis_away.delete("key") is False


def test_rate_limits_let_customers_through_while_redis_is_away(redis_away, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "step": "2/m"}
    for _ in range(5):
        limit_take("step", "203.0.113.9")  # would raise Exceeded after 2 if counted


@pytest.mark.django_db
def test_a_customer_starts_an_assessment_while_redis_is_away(redis_away, client):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    page = client.post("/a/stride-lab/shoe-finder/", {"language": "en"})
    assert page.status_code == 303
    assert page["Location"].startswith("/r/")
