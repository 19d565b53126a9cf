"""The kiosk: a device link without login, kiosk responses, and nothing left after a reset."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from assessments.models import KioskVisit, Response
from assessments.store.services import kiosk_revoke

from .conftest import finish, kiosk_url, results_url, start, step_url


def test_a_kiosk_link_opens_the_welcome_screen_without_login(client, kiosk):
    page = client.get(kiosk_url(kiosk))
    assert page.status_code == 200
    assert "Tap to start" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_a_revoked_kiosk_link_is_refused(client, kiosk):
    kiosk_revoke(kiosk=kiosk)
    assert client.get(kiosk_url(kiosk)).status_code == 404
    assert client.post(kiosk_url(kiosk)).status_code == 404
    assert not Response.objects.exists()


def test_revoking_ends_the_visit_on_the_device(client, kiosk):
    visit = start(client, kiosk)
    kiosk_revoke(kiosk=kiosk)
    assert client.get(step_url(visit, "use")).status_code == 404


def test_kiosk_responses_record_the_kiosk_channel_and_device(client, kiosk):
    visit = start(client, kiosk)
    response = visit.response
    assert response.channel == Response.Channel.KIOSK
    assert response.kiosk_visit.kiosk == kiosk


def test_kiosk_pages_are_touch_forms_without_autofill_or_storing(client, kiosk):
    visit = start(client, kiosk)
    page = client.get(step_url(visit, "use"))
    html = page.content.decode()
    assert 'autocomplete="off"' in html
    assert f'data-kiosk-idle="{kiosk.idle_seconds}"' in html
    assert "no-store" in page["Cache-Control"]
    # The response's own token never reaches the device.
    assert visit.response.token not in html


def test_the_results_screen_has_a_qr_code_a_staff_code_and_an_empty_email_field(client, kiosk):
    visit = finish(client, kiosk)
    page = client.get(results_url(visit))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "/h/" in html
    code = visit.response.store_codes.get()
    assert code.code in html
    assert 'id="email-input" value=""' in html
    assert visit.response.token not in html


def test_after_a_reset_the_previous_customers_pages_refuse(client, kiosk):
    visit = finish(client, kiosk)
    assert client.post(reverse("store:kiosk_reset", args=[kiosk.token])).status_code == 303
    for url in (results_url(visit), step_url(visit, "use")):
        page = client.get(url)
        assert page.status_code == 410
        assert "Your results" not in page.content.decode()
        assert "Tap to start" in page.content.decode()
    back = client.post(
        reverse("store:kiosk_back", args=[kiosk.token, visit.token]), {"to_step": "use"}
    )
    assert back.status_code == 410


def test_the_next_customer_starting_ends_the_previous_visit(client, kiosk):
    first = finish(client, kiosk)
    second = start(client, kiosk)
    assert second.pk != first.pk
    assert client.get(results_url(first)).status_code == 410


def test_a_visit_left_alone_expires_on_the_server(client, kiosk):
    visit = start(client, kiosk)
    KioskVisit.objects.filter(pk=visit.pk).update(
        active_at=timezone.now() - dt.timedelta(minutes=10)
    )
    assert client.get(step_url(visit, "use")).status_code == 410


def test_emailing_the_results_sends_them_and_starts_over(client, kiosk, mailoutbox):
    visit = finish(client, kiosk)
    email_url = reverse("store:kiosk_email", args=[kiosk.token, visit.token])
    page = client.post(email_url, {"email": "ana@example.com", "consent": "yes"})
    assert page.status_code == 303
    assert page["Location"].startswith(kiosk_url(kiosk))
    assert len(mailoutbox) == 1 and "/r/" in mailoutbox[0].body
    assert client.get(results_url(visit)).status_code == 410


def test_emailing_without_consent_sends_nothing_and_does_not_show_the_address(
    client, kiosk, mailoutbox
):
    visit = finish(client, kiosk)
    email_url = reverse("store:kiosk_email", args=[kiosk.token, visit.token])
    page = client.post(email_url, {"email": "ana@example.com"})
    assert page.status_code == 200
    assert "ana@example.com" not in page.content.decode()
    assert mailoutbox == []
