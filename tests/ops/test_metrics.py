"""/metrics: requests, latencies and follow-ups for Prometheus, and only for the inside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.followups.conftest import buy, make_brand, make_plan, make_published, make_response

pytestmark = pytest.mark.django_db


def _sample(text: str, name: str) -> float:
    """The value of the first sample line starting with `name` (labels included)."""
    for line in text.splitlines():
        if line.startswith(name):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics:\n{text[:2000]}")


def test_metrics_count_requests_and_time_them_per_route(client):
    client.get("/a/no-brand/no-assessment/")
    page = client.get("/metrics")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/plain")
    text = page.content.decode()
    route = 'route="/a/<slug:brand_slug>/<slug:key>/"'
    assert _sample(text, f'app_http_requests_total{{method="GET",{route},status="404"}}') >= 1
    assert _sample(text, f'app_http_request_duration_seconds_count{{method="GET",{route}}}') >= 1


def test_probes_are_counted_under_their_own_path(client):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert _sample(text, 'app_http_requests_total{method="GET",route="/healthz",status="200"}') >= 1


def test_metrics_count_due_follow_ups_and_follow_ups_by_state(client):
    published = make_published(make_brand("metrics"))
    make_plan(published)
    buy(make_response(published), when=timezone.now() - dt.timedelta(days=3))
    text = client.get("/metrics").content.decode()
    assert _sample(text, "app_followups_due ") == 1.0  # the day-2 tip is due, 14 and 60 not
    assert _sample(text, 'app_followups{state="scheduled"}') == 3.0
    assert _sample(text, 'app_followups{state="sent"}') == 0.0


def test_metrics_are_refused_to_a_public_address_with_a_message_saying_how(client):
    page = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert page.status_code == 403
    assert "METRICS_TOKEN" in page.content.decode()


def test_behind_the_proxy_the_client_address_it_reports_is_what_counts(client, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    # nginx connects from 127.0.0.1, on behalf of a client on the internet.
    assert client.get("/metrics", HTTP_X_REAL_IP="198.51.100.4").status_code == 403
    assert client.get("/metrics", HTTP_X_REAL_IP="127.0.0.1").status_code == 200


def test_an_internal_network_can_be_allowed(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_the_metrics_token_opens_them_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    good = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **outside)
    bad = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess", **outside)
    assert good.status_code == 200
    assert bad.status_code == 403
