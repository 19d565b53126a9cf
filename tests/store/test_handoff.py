"""The QR hand-off: a single-use, short-lived link that gives the phone its own link."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from assessments.models import HandoffClaim

from .conftest import finish, results_url


def _claim_url(visit) -> str:
    claim = HandoffClaim.objects.get(response=visit.response)
    return reverse("store:handoff", args=[claim.token])


def test_the_claim_link_gives_the_phone_a_new_link_and_ends_the_kiosk_copy(client, kiosk):
    visit = finish(client, kiosk)
    old_token = visit.response.token
    url = _claim_url(visit)
    assert client.get(url).status_code == 200  # asking does not use it up
    page = client.post(url)
    assert page.status_code == 303
    new_token = page["Location"].split("/r/")[1].split("/")[0]
    assert new_token != old_token
    assert client.get(page["Location"]).status_code == 200
    assert client.get(reverse("taking:results", args=[old_token])).status_code == 404
    assert client.get(results_url(visit)).status_code == 410


def test_the_claim_link_works_once(client, kiosk):
    visit = finish(client, kiosk)
    url = _claim_url(visit)
    assert client.post(url).status_code == 303
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404


def test_the_claim_link_expires(client, kiosk):
    visit = finish(client, kiosk)
    url = _claim_url(visit)
    HandoffClaim.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post(url).status_code == 404
