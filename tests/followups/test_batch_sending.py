"""Sending a claimed batch: the send-time checks cost the same queries for 5 rows or 50, and
every check still holds for each row of the batch."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.followups import services
from assessments.followups.selectors import preference_of
from assessments.followups.services import (
    followup_settings_ensure,
    followups_claim_due,
    followups_dispatch_due,
    followups_send_claimed,
    unsubscribe,
)
from assessments.models import Consent, FollowUp, Purchase, PurchaseItem

from .conftest import buy

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def due_purchases(response, tip, label: str, count: int) -> None:
    """`count` consenting customers, each with one tip due now (inserted in bulk, as a store's
    busy week would leave them)."""
    now = timezone.now()
    purchases = Purchase.objects.bulk_create(
        Purchase(
            brand=response.brand,
            order_id=f"{label}-{n}",
            response=response,
            email=f"{label}{n}@example.com",
            first_name="Ana",
            language="en",
            purchased_at=now - 3 * DAY,
            source="demo",
        )
        for n in range(count)
    )
    items = PurchaseItem.objects.bulk_create(
        PurchaseItem(purchase=p, sku="steady", price=99, recommended=True, rank=1)
        for p in purchases
    )
    Consent.objects.bulk_create(
        Consent(
            brand=response.brand,
            email=p.email,
            wording_version="v1",
            given_at=now,
            confirmed_at=now,
            source="checkout",
        )
        for p in purchases
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            brand=response.brand, purchase=p, step=tip, item=i, email=p.email, scheduled_for=now
        )
        for p, i in zip(purchases, items, strict=True)
    )


def send_all(limit: int) -> Counter[str]:
    outcomes: Counter[str] = Counter()

    def deliver(claims) -> Counter[str]:
        return Counter(followups_send_claimed(claim=claims[0].claim).values())

    done = followups_dispatch_due(deliver_batch=deliver, limit=limit, worker="test", rounds=1)
    outcomes.update(done.outcomes)
    return outcomes


def queries_to_send(response, plan, label: str, count: int) -> int:
    due_purchases(response, plan.steps.get(kind="tip"), label, count)
    mail.outbox = []
    with CaptureQueriesContext(connection) as captured:
        assert send_all(limit=count + 1) == {"sent": count}
    assert len(mail.outbox) == count
    return len(captured)


def test_a_batch_of_fifty_costs_the_queries_of_a_batch_of_five(response, plan):
    # Messages go out on time however many are due: a pass's queries do not grow with its size.
    queries_to_send(response, plan, "warm", 1)  # the version is compiled once per process
    few = queries_to_send(response, plan, "few", 5)
    many = queries_to_send(response, plan, "many", 50)
    assert many == few
    # The whole pass, recovery and claim included (each message cost about 12 before); four
    # of them read what rows share (brand, plan step, version, product) once per batch.
    assert few <= 24
    # Past one window of rows marked "sending" together, each further window costs its two
    # writes (to sending, to sent): 4 more queries for 150 rows than for 50.
    assert services.SEND_WINDOW == 50
    assert queries_to_send(response, plan, "lots", 150) == few + 4


def test_in_one_batch_the_checks_hold_for_each_customer(published, plan, brand, response):
    from .conftest import make_response

    settings_row = followup_settings_ensure(brand_id=brand.pk)
    settings_row.weekly_cap = 1
    settings_row.save()
    now = timezone.now()
    buy(response, order_id="capped-1", email="cap@example.com", when=now)
    buy(make_response(published), order_id="capped-2", email="cap@example.com", when=now)
    refunded, _ = buy(make_response(published), order_id="refund", email="r@example.com", when=now)
    buy(make_response(published), order_id="gone", email="gone@example.com", when=now)
    buy(make_response(published), order_id="withdrawn", email="w@example.com", when=now)
    buy(make_response(published), order_id="fine", email="fine@example.com", when=now)
    later = now + 3 * DAY
    claims = followups_claim_due(now=later, worker="test")
    assert len(claims) == 6
    # After the claim, before the send: a refund the store reported without our webhook (so
    # only the send-time check sees it), an unsubscribe and a withdrawn consent.
    Purchase.objects.filter(pk=refunded.pk).update(status=Purchase.Status.REFUNDED, refunded_at=now)
    unsubscribe(preference=preference_of(brand_id=brand.pk, email="gone@example.com"))
    Consent.objects.filter(email="w@example.com").update(withdrawn_at=timezone.now())

    outcomes = followups_send_claimed(claim=claims[0].claim, now=later)
    rows = {
        email: FollowUp.objects.get(email=email, step__kind="tip")
        for email in ("r@example.com", "gone@example.com", "w@example.com", "fine@example.com")
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["cap@example.com", "fine@example.com"]
    capped = FollowUp.objects.get(email="cap@example.com", state="skipped")
    assert "Weekly cap" in capped.reason
    assert (rows["r@example.com"].state, rows["r@example.com"].reason) == (
        "cancelled",
        "The purchase was refunded.",
    )
    assert (rows["gone@example.com"].state, rows["gone@example.com"].reason) == (
        "cancelled",
        "The customer unsubscribed.",
    )
    assert rows["w@example.com"].state == "skipped"
    assert "consent" in rows["w@example.com"].reason
    assert rows["fine@example.com"].state == "sent"
    # The unsubscribe cancelled its row at once, so the batch no longer held it.
    assert Counter(outcomes.values()) == {"sent": 2, "skipped": 2, "cancelled": 1}


def test_sending_the_same_batch_twice_sends_each_message_once(published, plan, response):
    from .conftest import make_response

    for n in range(3):
        buy(make_response(published), order_id=f"twice-{n}", email=f"t{n}@example.com")
    later = timezone.now() + 3 * DAY
    claims = followups_claim_due(now=later, worker="test")
    ids = [c.followup_id for c in claims]
    first = followups_send_claimed(claim=claims[0].claim, ids=ids, now=later)
    again = followups_send_claimed(claim=claims[0].claim, ids=ids, now=later)
    assert set(first.values()) == {"sent"}
    assert set(again.values()) == {"not_claimed"}
    assert len(mail.outbox) == 3


def test_a_row_cleared_by_one_dispatcher_counts_towards_the_cap_for_another(
    published, plan, brand, response
):
    from .conftest import make_response

    settings_row = followup_settings_ensure(brand_id=brand.pk)
    settings_row.weekly_cap = 1
    settings_row.save()
    now = timezone.now()
    buy(response, order_id="one", email="same@example.com", when=now)
    buy(make_response(published), order_id="two", email="same@example.com", when=now)
    later = now + 3 * DAY
    first = followups_claim_due(now=later, worker="a", limit=1)
    second = followups_claim_due(now=later, worker="b", limit=1)
    # Dispatcher a has checked its row and is about to send it, when b checks its own.
    FollowUp.objects.filter(pk=first[0].followup_id).update(sending_at=later)
    assert followups_send_claimed(claim=second[0].claim, now=later) == {
        second[0].followup_id: "skipped"
    }
    assert FollowUp.objects.get(pk=second[0].followup_id).state == "skipped"
    assert mail.outbox == []


class FlakyServer:
    """A real SMTP server (aiosmtpd) that says 451 "try again later" to chosen recipients."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.accepted: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if set(envelope.rcpt_tos) & self.refuse:
            return "451 Try again later"
        self.accepted.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def test_a_server_hiccup_mid_batch_keeps_what_went_and_retries_the_rest_once(
    published, plan, response, settings
):
    import socket

    from aiosmtpd.controller import Controller

    from assessments.followups.services import TransientSendError

    from .conftest import make_response

    for n in range(3):
        buy(make_response(published), order_id=f"hiccup-{n}", email=f"h{n}@example.com")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = FlakyServer()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        later = timezone.now() + 3 * DAY
        claims = followups_claim_due(now=later, worker="test")
        assert [c.followup_id for c in claims] == sorted(c.followup_id for c in claims)
        server.refuse = {"h1@example.com"}
        with pytest.raises(TransientSendError) as raised:
            followups_send_claimed(claim=claims[0].claim, now=later)
        assert server.accepted == ["h0@example.com"]
        assert set(raised.value.done.values()) == {"sent"}
        left = dict(
            FollowUp.objects.filter(pk__in=[c.followup_id for c in claims]).values_list(
                "email", "state"
            )
        )
        assert left == {
            "h0@example.com": "sent",
            "h1@example.com": "claimed",
            "h2@example.com": "claimed",
        }
        # The task's retry runs the same batch again: what went out is not sent twice.
        server.refuse = set()
        again = followups_send_claimed(claim=claims[0].claim, now=later)
        assert sorted(again.values()) == ["sent", "sent"]
        assert sorted(server.accepted) == ["h0@example.com", "h1@example.com", "h2@example.com"]
    finally:
        controller.stop()


def test_a_batch_works_out_its_brands_email_look_once(response, plan, monkeypatch):
    # The sender, logo and colours are the same for every message of a brand in a batch:
    # working them out per message was a third of building it.
    worked_out = []
    original = services._brand_look_of
    monkeypatch.setattr(
        services, "_brand_look_of", lambda brand: worked_out.append(brand.pk) or original(brand)
    )
    services._brand_look_cached.cache_clear()
    queries_to_send(response, plan, "look", 20)
    assert worked_out == [response.brand_id]
