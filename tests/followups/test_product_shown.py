"""A follow-up is about something the customer bought: its e-mail and its page show that
product, with its picture and a link to it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.followups.services import followup_send, followups_claim_due

from .conftest import buy

pytestmark = pytest.mark.django_db


def _send_due(now: dt.datetime) -> None:
    for claim in followups_claim_due(now=now, worker="test"):
        followup_send(followup_id=claim.followup_id, claim=claim.claim, now=now)


def test_the_tip_e_mail_shows_the_product_with_its_picture_and_link(response, mailoutbox):
    buy(response)
    _send_due(timezone.now() + dt.timedelta(days=3))
    (message,) = mailoutbox
    html, _mimetype = message.alternatives[0]
    assert "Your purchase" in html and "Steady" in html
    assert 'href="https://acme.example/steady"' in html
    pictures = re.findall(r'<img src="([^"]+)"', html)
    assert any(p.startswith("http") and "/media/" in p for p in pictures), pictures
    assert "Your purchase: Steady https://acme.example/steady" in message.body


def test_the_tip_page_shows_the_product_with_its_picture_and_link(client, response):
    purchase, _ = buy(response)
    tip = purchase.followups.get(step__kind="tip")
    body = client.get(reverse("followups:page", args=[tip.token])).content.decode()
    assert 'href="https://acme.example/steady"' in body
    assert re.search(r'<img src="/media/[^"]+" alt=""', body)
    assert "View Steady" in body
    assert "style=" not in body  # the CSP forbids inline styles on pages
