"""Double opt-in: an address typed on the results page gets one e-mail asking to confirm, and
follow-ups start only once its owner follows the link and presses the button."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.followups.confirmation import SALT, confirmation_token
from assessments.followups.forms import BoughtForm
from assessments.followups.selectors import brand_products
from assessments.followups.services import followup_send, followups_claim_due
from assessments.models import Consent, ContactPreference, FollowUp, Purchase
from assessments.privacy.selectors import customer_data_export

from .conftest import buy, make_response, post_webhook, purchase_payload

pytestmark = pytest.mark.django_db

STRANGER = "stranger@example.org"


@pytest.fixture
def report(response, mailoutbox, django_capture_on_commit_callbacks):
    """Say "I bought this" from `response`'s results page, ticking the box for `email`; the
    e-mails sent once the request's transaction commits are in `mailoutbox`."""

    def send(email: str = STRANGER, *, on=response, submission_id: str = "s1", **extra: str):
        url = reverse("followups:bought", args=[on.token])
        data = {"sku": "steady", "consent": "on", "email": email, "submission_id": submission_id}
        with django_capture_on_commit_callbacks(execute=True):
            page = Client(enforce_csrf_checks=True).post(url, {**data, **extra})
        assert page.status_code == 303, page.content.decode()
        return page

    return send


def confirm_path(message) -> str:
    found = re.search(rf"{re.escape(settings.SITE_URL)}(/c/\S+/)", message.body)
    assert found, message.body
    return found.group(1)


def older_token(consent: Consent, *, days: int, language: str = "en") -> str:
    """A genuine link made `days` ago."""

    class Then(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - days * 86400)

    return Then(salt=SALT).sign_object({"c": consent.pk, "l": language}, compress=True)


# -- reporting a purchase with an address ------------------------------------------------


def test_a_typed_address_gets_exactly_one_confirmation_and_nothing_is_scheduled(report, mailoutbox):
    report(STRANGER)
    purchase = Purchase.objects.get()
    consent = Consent.objects.get()
    assert (consent.email, consent.purchase, consent.confirmed_at) == (STRANGER, purchase, None)
    assert not FollowUp.objects.exists()
    # No preferences either: nothing is kept as a subscription for an unproven address.
    assert not ContactPreference.objects.exists()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [STRANGER]
    assert message.from_email == "Acme <hello@acme.example>"
    assert message.subject == "Confirm follow-ups about Steady from Acme"
    assert confirm_path(message).startswith("/c/")
    assert "without your confirmation we send you nothing more" in message.body


def test_a_double_click_records_once_and_e_mails_once(report, mailoutbox):
    report(STRANGER, submission_id="same")
    report(STRANGER, submission_id="same")
    assert (Purchase.objects.count(), Consent.objects.count(), len(mailoutbox)) == (1, 1, 1)


def test_the_thank_you_page_says_the_follow_ups_wait_for_the_confirmation(report, client):
    page = client.get(report(STRANGER)["Location"])
    html = page.content.decode()
    assert "Check your inbox" in html
    assert "The follow-ups start once you confirm" in html
    assert "What we will send you" not in html
    assert STRANGER not in html


def test_without_the_box_ticked_no_e_mail_goes_out(response, client, mailoutbox):
    url = reverse("followups:bought", args=[response.token])
    assert client.post(url, {"sku": "steady", "email": STRANGER}).status_code == 303
    assert (Consent.objects.count(), len(mailoutbox)) == (0, 0)


def test_an_address_confirmed_before_still_confirms_a_new_self_reported_purchase(
    report, published, mailoutbox, client
):
    report(STRANGER)
    client.post(confirm_path(mailoutbox[0]))
    assert FollowUp.objects.count() == 3
    # Someone else types the same address on their own results: it may not be who bought.
    report(STRANGER, on=make_response(published), submission_id="s2")
    second = Purchase.objects.latest("pk")
    assert not second.followups.exists()
    assert len(mailoutbox) == 2


def test_the_confirmation_speaks_the_customers_language(report, published, mailoutbox):
    report(STRANGER, on=make_response(published, language="es"))
    message = mailoutbox[0]
    assert message.subject == "Confirma los seguimientos de Acme sobre Steady (es)"
    assert message.extra_headers["Content-Language"] == "es"
    assert "sin tu confirmación no te enviaremos nada más" in message.body


def test_no_typed_text_reaches_the_confirmations_subject(report, mailoutbox):
    typed = "Click here http://evil.example"
    report("victim@example.org", first_name=typed, comment=typed)
    message = mailoutbox[0]
    assert "evil" not in message.subject and "evil" not in message.body
    assert "victim" not in message.subject
    # The brand's name and the product's name, from the brand's catalogue, and nothing else.
    assert message.subject == "Confirm follow-ups about Steady from Acme"


def test_the_customer_form_has_no_first_name_any_more(response, client):
    assert "first_name" not in BoughtForm(products=brand_products(response.brand)).fields
    results = client.get(reverse("taking:results", args=[response.token])).content.decode()
    assert 'name="email"' in results
    assert 'name="first_name"' not in results


def test_a_follow_up_of_a_self_reported_purchase_greets_without_a_typed_name(
    report, mailoutbox, client
):
    report(STRANGER, first_name="Mallory")
    client.post(confirm_path(mailoutbox[0]))
    assert Purchase.objects.get().first_name == ""
    later = timezone.now() + dt.timedelta(days=3)
    (claim,) = followups_claim_due(now=later)
    assert followup_send(followup_id=claim.followup_id, claim=claim.claim, now=later) == "sent"
    tip = mailoutbox[-1]
    assert tip.subject.startswith("Day 2: Steady")
    assert "Mallory" not in tip.subject and "Mallory" not in tip.body


# -- the link ----------------------------------------------------------------------------


def test_opening_the_link_asks_and_confirms_nothing(report, mailoutbox, client):
    report(STRANGER)
    page = client.get(confirm_path(mailoutbox[0]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirm follow-ups from Acme?" in html
    assert "You told us you bought Steady." in html
    assert "a link to stop them all" in html
    assert 'method="post"' in html
    assert not page.cookies
    assert Consent.objects.get().confirmed_at is None
    assert not FollowUp.objects.exists()


def test_pressing_the_button_confirms_and_schedules_the_plans_follow_ups(report, mailoutbox, plan):
    report(STRANGER)
    path = confirm_path(mailoutbox[0])
    client = Client(enforce_csrf_checks=True)  # no CSRF cookie needed, none set
    done = client.post(path)
    assert done.status_code == 303 and done["Location"] == path
    consent = Consent.objects.get()
    assert consent.confirmed_at is not None
    purchase = Purchase.objects.get()
    scheduled = purchase.followups.order_by("scheduled_for")
    assert [row.step.delay_days for row in scheduled] == [2, 14, 60]
    assert {row.email for row in scheduled} == {STRANGER}
    assert ContactPreference.objects.filter(email=STRANGER).exists()
    shown = client.get(path).content.decode()
    assert "Confirmed" in shown and "What we will send you" in shown
    # The purchase's own page now lists them too.
    bought = client.get(
        reverse("followups:bought", args=[purchase.response.token]) + f"?purchase={purchase.pk}"
    )
    assert "What we will send you" in bought.content.decode()


def test_confirming_twice_changes_nothing(report, mailoutbox, client):
    report(STRANGER)
    path = confirm_path(mailoutbox[0])
    client.post(path)
    first = Consent.objects.get().confirmed_at
    rows = list(FollowUp.objects.values_list("pk", "scheduled_for"))
    assert client.post(path).status_code == 303
    assert Consent.objects.get().confirmed_at == first
    assert list(FollowUp.objects.values_list("pk", "scheduled_for")) == rows
    assert len(mailoutbox) == 1


def test_confirmed_follow_ups_go_out_when_due(report, mailoutbox, client):
    report(STRANGER)
    client.post(confirm_path(mailoutbox[0]))
    later = timezone.now() + dt.timedelta(days=3)
    (claim,) = followups_claim_due(now=later)
    assert followup_send(followup_id=claim.followup_id, claim=claim.claim, now=later) == "sent"
    assert mailoutbox[-1].to == [STRANGER]


def test_a_consent_withdrawn_before_confirming_cannot_be_confirmed(report, mailoutbox, client):
    report(STRANGER)
    Consent.objects.update(withdrawn_at=timezone.now())
    path = confirm_path(mailoutbox[0])
    assert client.post(path).status_code == 303
    assert Consent.objects.get().confirmed_at is None
    assert not FollowUp.objects.exists()
    assert "nothing to confirm" in client.get(path).content.decode()


def test_a_button_pressed_from_another_site_is_refused(report, mailoutbox, client):
    report(STRANGER)
    path = confirm_path(mailoutbox[0])
    assert client.post(path, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    assert client.post(path, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert Consent.objects.get().confirmed_at is None
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[:25],
        lambda token: signing.TimestampSigner(salt=SALT, key="another-key" * 5).sign_object(
            {"c": 1, "l": "en"}, compress=True
        ),
        # A genuine link of another kind (the privacy data link) does not confirm anything.
        lambda token: signing.TimestampSigner(salt="assessments.privacy.data-link").sign_object(
            {"c": 1, "l": "en"}, compress=True
        ),
    ],
    ids=["changed", "cut short", "another key", "another salt"],
)
def test_a_changed_or_forged_link_is_refused_with_a_clear_page(report, mailoutbox, client, tamper):
    report(STRANGER)
    token = confirm_path(mailoutbox[0]).split("/")[2]
    bad = reverse("followups:confirm", args=[tamper(token)])
    page = client.get(bad)
    assert page.status_code == 400
    assert "This link is not valid" in page.content.decode()
    assert client.post(bad).status_code == 400
    assert Consent.objects.get().confirmed_at is None
    assert not FollowUp.objects.exists()


def test_a_forged_link_is_refused_in_the_browsers_language(db, client):
    forged = "x" * 30 + ":" + "y" * 20
    page = client.get(reverse("followups:confirm", args=[forged]), HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 400
    assert page["Content-Language"] == "es"
    assert "Este enlace no es válido" in page.content.decode()


def test_an_expired_link_is_refused_with_a_clear_page_in_the_customers_language(
    report, published, client
):
    report(STRANGER, on=make_response(published, language="es"))
    consent = Consent.objects.get()
    path = reverse("followups:confirm", args=[older_token(consent, days=8, language="es")])
    page = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 410
    assert page["Content-Language"] == "es"
    html = page.content.decode()
    assert "Este enlace ha caducado" in html and "7 días" in html
    assert client.post(path).status_code == 410
    assert Consent.objects.get().confirmed_at is None
    assert not FollowUp.objects.exists()


def test_a_six_day_old_link_still_confirms(report, client):
    report(STRANGER)
    consent = Consent.objects.get()
    client.post(reverse("followups:confirm", args=[older_token(consent, days=6)]))
    assert Consent.objects.get().confirmed_at is not None


def test_a_link_whose_consent_was_erased_leads_nowhere(report, mailoutbox, client):
    report(STRANGER)
    path = confirm_path(mailoutbox[0])
    Consent.objects.all().delete()
    page = client.get(path)
    assert page.status_code == 410
    assert "nothing left to confirm" in page.content.decode()
    assert client.post(path).status_code == 410
    assert not FollowUp.objects.exists()


def test_a_link_names_one_consent_only(report, published, mailoutbox, client):
    report(STRANGER)
    report("other@example.org", on=make_response(published), submission_id="s2")
    first, second = Consent.objects.order_by("pk")
    client.post(
        reverse("followups:confirm", args=[confirmation_token(consent_id=first.pk, language="en")])
    )
    first.refresh_from_db(), second.refresh_from_db()
    assert first.confirmed_at is not None and second.confirmed_at is None
    assert set(FollowUp.objects.values_list("email", flat=True)) == {STRANGER}


# -- what stays as it was ----------------------------------------------------------------


def test_a_webhook_purchase_with_consent_still_schedules_at_once(
    client, brand, response, mailoutbox
):
    page = post_webhook(client, brand, purchase_payload(response))
    assert page.status_code == 201
    assert page.json()["followups_scheduled"] == 3
    consent = Consent.objects.get()
    assert consent.confirmed_at == consent.given_at
    assert mailoutbox == []  # no confirmation asked of an address the store vouches for


def test_staff_and_checkout_consents_are_confirmed_when_given(response):
    purchase, _created = buy(response)
    consent = Consent.objects.get()
    assert (consent.source, consent.purchase, consent.confirmed_at) == (
        "checkout",
        purchase,
        consent.given_at,
    )
    assert purchase.followups.count() == 3


def test_a_follow_up_whose_consent_is_unconfirmed_is_skipped_when_due(response, mailoutbox):
    # A follow-up scheduled before double opt-in, from a consent typed on the results page.
    buy(response)
    Consent.objects.update(source="results_page", confirmed_at=None)
    later = timezone.now() + dt.timedelta(days=3)
    (claim,) = followups_claim_due(now=later)
    assert followup_send(followup_id=claim.followup_id, claim=claim.claim, now=later) == "skipped"
    assert "never confirmed" in FollowUp.objects.get(pk=claim.followup_id).reason
    assert mailoutbox == []


def test_a_customers_data_export_says_whether_and_when_they_confirmed(
    report, mailoutbox, client, brand
):
    report(STRANGER)
    (exported,) = customer_data_export(brand=brand, email=STRANGER)["consents"]
    assert exported["confirmed_at"] is None
    client.post(confirm_path(mailoutbox[0]))
    (exported,) = customer_data_export(brand=brand, email=STRANGER)["consents"]
    assert exported["confirmed_at"] is not None
