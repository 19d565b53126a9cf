"""Outgoing webhooks: a real HTTP server receives them, verifies them with the standardwebhooks
library, and sees them again after it answered 500."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from assessments.api import delivery as sending
from assessments.api.delivery import (
    AddressRefused,
    addresses_allowed,
    delivery_attempt,
    delivery_redeliver,
    endpoint_url_problem,
    retry_delay,
)
from assessments.api.tasks import webhooks_dispatch_due_task
from assessments.followups.services import CheckInAnswers, checkin_record
from assessments.models import FollowUp, WebhookDelivery, WebhookEndpoint
from assessments.taking.results import response_learned_record
from tests.factories import member
from tests.followups.conftest import buy, make_response

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server in a thread that verifies each request and answers from a script."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = list(answers)
        self.received: list[dict] = []
        self.secret = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                verified = Webhook(outer.secret).verify(body, headers)
                outer.received.append({"headers": headers, "payload": verified})
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks?brand=acme"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local(settings) -> None:
    """Development: the receiver is on this machine, over plain http."""
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def receiver(local) -> Iterator[Receiver]:
    with Receiver([500, 200]) as running:
        yield running


def endpoint_for(brand, url: str, events: list[str]) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(brand=brand, url=url, events=events)


def test_a_completed_response_is_signed_retried_after_a_500_and_then_delivered(
    published, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(published.brand, receiver.url, ["response.completed"])
    receiver.secret = endpoint.secret
    with django_capture_on_commit_callbacks(execute=True):
        response = make_response(published)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at > timezone.now()
    assert webhooks_dispatch_due_task() == 0  # not due yet: backing off

    later = delivery.next_attempt_at + dt.timedelta(seconds=1)
    assert delivery_attempt(delivery_id=delivery.pk, now=later) == "delivered"
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)

    first, second = receiver.received
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == delivery.message_id
    assert second["headers"]["webhook-signature"].startswith("v1,")
    assert first["payload"]["type"] == "response.completed"
    assert first["payload"]["data"]["id"] == response.pk
    assert first["payload"]["data"]["answers"] == response.answers


def test_only_subscribed_events_of_the_brand_are_written(
    published, other, local, django_capture_on_commit_callbacks
):
    with Receiver([]) as running:
        mine = endpoint_for(published.brand, running.url, ["purchase.recorded", "checkin.answered"])
        endpoint_for(other, running.url, ["response.completed", "purchase.recorded"])
        running.secret = mine.secret
        with django_capture_on_commit_callbacks(execute=True):
            response = make_response(published)
            buy(response, order_id="W-9")
            response_learned_record(response=response, answer="yes")
            followup = FollowUp.objects.filter(step__kind="checkin").get()
            checkin_record(followup=followup, answers=CheckInAnswers(4, 2, 8, "partly"))
    assert [r["payload"]["type"] for r in running.received] == [
        "purchase.recorded",
        "checkin.answered",
    ]
    assert running.received[0]["payload"]["data"]["order_id"] == "W-9"
    assert running.received[1]["payload"]["data"]["csat"] == 4
    assert set(WebhookDelivery.objects.values_list("brand", flat=True)) == {published.brand_id}


def test_learned_answers_are_sent(published, receiver, django_capture_on_commit_callbacks):
    receiver.answers = []
    endpoint = endpoint_for(published.brand, receiver.url, ["learned.answered"])
    receiver.secret = endpoint.secret
    response = make_response(published)
    with django_capture_on_commit_callbacks(execute=True):
        response_learned_record(response=response, answer="a_little")
    assert receiver.received[0]["payload"]["data"] == {
        "response_id": response.pk,
        "assessment": "fit-check",
        "learned": "a_little",
        "learned_at": receiver.received[0]["payload"]["data"]["learned_at"],
    }


def test_a_day_of_failures_disables_the_endpoint_and_tells_the_owners(
    published, local, django_capture_on_commit_callbacks
):
    member(published.brand, role="owner", email="owner@acme.example")
    member(published.brand, role="editor", email="editor@acme.example")
    with Receiver([500] * 50) as running:
        endpoint = endpoint_for(published.brand, running.url, ["response.completed"])
        running.secret = endpoint.secret
        with django_capture_on_commit_callbacks(execute=True):
            make_response(published)
        delivery = WebhookDelivery.objects.get()
        outcomes = []
        with django_capture_on_commit_callbacks(execute=True):
            while True:
                delivery.refresh_from_db()
                if delivery.state != "pending":
                    break
                outcomes.append(
                    delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
                )
    assert outcomes[-1] == "failed" and set(outcomes[:-1]) == {"retry"}
    # Backing off: about a dozen tries over the day, not hundreds.
    assert 8 <= delivery.attempts <= 30
    assert delivery.last_attempt_at - delivery.created_at < dt.timedelta(hours=24)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at is not None
    assert [message.to for message in mail.outbox] == [["owner@acme.example"]]
    assert endpoint.url in mail.outbox[0].body


def test_redeliver_sends_the_same_message_again(
    published, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [200, 200]
    endpoint = endpoint_for(published.brand, receiver.url, ["response.completed"])
    receiver.secret = endpoint.secret
    with django_capture_on_commit_callbacks(execute=True):
        make_response(published)
    delivery = WebhookDelivery.objects.get()
    delivery_redeliver(delivery_id=delivery.pk)
    assert delivery_attempt(delivery_id=delivery.pk) == "delivered"
    assert len(receiver.received) == 2
    assert (
        receiver.received[0]["headers"]["webhook-id"]
        == receiver.received[1]["headers"]["webhook-id"]
    )
    assert WebhookDelivery.objects.get().attempts == 2


def test_an_attempt_runs_once_however_often_it_is_queued(published, receiver):
    receiver.answers = [200]
    endpoint = endpoint_for(published.brand, receiver.url, ["response.completed"])
    receiver.secret = endpoint.secret
    make_response(published)  # no commit in this test: the row waits for a worker
    delivery = WebhookDelivery.objects.get()
    assert [delivery_attempt(delivery_id=delivery.pk) for _ in range(2)] == [
        "delivered",
        "not_claimed",
    ]
    assert len(receiver.received) == 1


def test_backoff_grows_and_has_jitter(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    delays = [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)]
    assert 15 <= delays[0] <= 30 and 120 <= delays[3] <= 240
    assert len({retry_delay(5).total_seconds() for _ in range(10)}) > 1


def test_endpoint_addresses_must_be_https_outside_development(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = False
    assert endpoint_url_problem("https://crm.example/hooks") is None
    assert "https" in endpoint_url_problem("http://crm.example/hooks")
    assert "https" in endpoint_url_problem("http://127.0.0.1:9000/")
    settings.WEBHOOKS_ALLOW_HTTP_LOOPBACK = True
    assert endpoint_url_problem("http://localhost:9000/") is None
    assert "localhost" in endpoint_url_problem("http://crm.example/hooks")


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.8", "192.168.1.4", "169.254.169.254", "::1", "fe80::1"]
)
def test_the_guard_refuses_private_addresses_after_resolving(settings, monkeypatch, address):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    family = sending.socket.AF_INET6 if ":" in address else sending.socket.AF_INET
    monkeypatch.setattr(
        sending.socket,
        "getaddrinfo",
        lambda *a, **k: [(family, sending.socket.SOCK_STREAM, 6, "", (address, 443))],
    )
    with pytest.raises(AddressRefused, match="not a public address"):
        addresses_allowed("innocent.example", 443)


def test_a_refused_address_is_recorded_and_retried_not_sent(published, settings, receiver):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    endpoint = endpoint_for(published.brand, receiver.url, ["response.completed"])
    receiver.secret = endpoint.secret
    make_response(published)
    delivery = WebhookDelivery.objects.get()
    assert delivery_attempt(delivery_id=delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "not a public address" in delivery.error
    assert receiver.received == []


def test_payloads_are_json_of_the_api_shapes(
    published, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = []
    endpoint = endpoint_for(published.brand, receiver.url, ["purchase.recorded"])
    receiver.secret = endpoint.secret
    response = make_response(published)
    with django_capture_on_commit_callbacks(execute=True):
        buy(response, order_id="P-1")
    data = receiver.received[0]["payload"]["data"]
    assert data["items"][0]["price"] == "99.00"
    assert json.loads(json.dumps(data)) == WebhookDelivery.objects.get().payload["data"]
