"""The customer's side: I bought this, tip, check-in, re-assessment, unsubscribe, preferences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.followups.selectors import preference_of
from assessments.followups.services import followup_send, followups_claim_due
from assessments.models import (
    CheckIn,
    Consent,
    ContactPreference,
    Engagement,
    FollowUp,
    Purchase,
    Response,
)

from .conftest import buy

pytestmark = pytest.mark.django_db


def page_of(purchase: Purchase, kind: str) -> FollowUp:
    return purchase.followups.get(step__kind=kind)


def test_the_results_page_offers_i_bought_this(client, response):
    page = client.get(reverse("taking:results", args=[response.token]))
    assert page.status_code == 200
    assert reverse("followups:bought", args=[response.token]) in page.content.decode()


def test_i_bought_this_with_consent_records_the_purchase_and_asks_to_confirm_the_address(
    response, mailoutbox, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)  # customer pages need no CSRF cookie
    url = reverse("followups:bought", args=[response.token])
    data = {"sku": "steady", "email": "Bo@Example.com", "consent": "on", "submission_id": "s1"}
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, data)
    assert page.status_code == 303
    purchase = Purchase.objects.get()
    assert (purchase.source, purchase.email, purchase.response) == (
        "customer",
        "bo@example.com",
        response,
    )
    assert purchase.items.get().recommended
    consent = Consent.objects.get()
    assert (consent.source, consent.wording_version) == ("results_page", "results-2025-01")
    # Double opt-in: nothing is scheduled until the address confirms the one e-mail sent.
    assert consent.confirmed_at is None
    assert purchase.followups.count() == 0
    assert [message.to for message in mailoutbox] == [["bo@example.com"]]
    shown = client.get(page["Location"]).content.decode()
    assert "Check your inbox" in shown and "What we will send you" not in shown
    # A double click records once, and e-mails once.
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 303
    assert Purchase.objects.count() == 1
    assert len(mailoutbox) == 1


def test_i_bought_this_without_consent_sends_nothing(client, response):
    url = reverse("followups:bought", args=[response.token])
    assert client.post(url, {"sku": "breeze", "email": "bo@example.com"}).status_code == 303
    purchase = Purchase.objects.get()
    assert (purchase.email, purchase.followups.count()) == ("", 0)
    assert not purchase.items.get().recommended


def test_i_bought_this_asks_for_an_email_when_consenting(client, response):
    url = reverse("followups:bought", args=[response.token])
    page = client.post(url, {"sku": "steady", "consent": "on"})
    assert page.status_code == 200
    assert "e-mail" in page.content.decode()
    assert not Purchase.objects.exists()


def test_i_bought_this_from_another_site_is_refused(client, response):
    url = reverse("followups:bought", args=[response.token])
    page = client.post(url, {"sku": "steady"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert page.status_code == 403
    assert not Purchase.objects.exists()


def test_the_tip_page_shows_the_tip_and_records_that_it_was_opened(client, response):
    purchase, _ = buy(response)
    tip = page_of(purchase, "tip")
    page = client.get(reverse("followups:page", args=[tip.token]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Hi Ana," in body and "You are Supported." in body
    assert "style=" not in body and "<script>" not in body  # the CSP forbids inline code
    assert page.cookies == {}
    engagement = Engagement.objects.get()
    assert (engagement.kind, engagement.response) == ("tip_opened", response)


def test_the_check_in_page_records_csat_effort_nps_and_the_promise(response):
    client = Client(enforce_csrf_checks=True)
    purchase, _ = buy(response)
    checkin = page_of(purchase, "checkin")
    url = reverse("followups:page", args=[checkin.token])
    assert client.get(url).status_code == 200
    page = client.post(url, {"csat": "4", "ces": "6", "nps": "9", "delivered": "partly"})
    assert page.status_code == 303
    answers = CheckIn.objects.get()
    assert (answers.csat, answers.ces, answers.nps, answers.delivered) == (4, 6, 9, "partly")
    assert answers.response == response
    kinds = set(Engagement.objects.values_list("kind", flat=True))
    assert kinds == {"checkin_opened", "checkin_answered"}
    # Answering again corrects the answers rather than adding a second set.
    client.post(url, {"csat": "5", "ces": "7", "nps": "10", "delivered": "yes"})
    assert CheckIn.objects.get().csat == 5


def test_out_of_range_check_in_answers_are_shown_back_not_stored(client, response):
    purchase, _ = buy(response)
    url = reverse("followups:page", args=[page_of(purchase, "checkin").token])
    page = client.post(url, {"csat": "6", "ces": "0", "nps": "11"})
    assert page.status_code == 200
    assert "Please answer every question." in page.content.decode()
    assert not CheckIn.objects.exists()


def test_the_re_assessment_starts_pre_filled_and_shows_what_changed(client, response):
    purchase, _ = buy(response)
    invite = page_of(purchase, "reassess")
    url = reverse("followups:page", args=[invite.token])
    assert client.get(url).status_code == 200
    started = client.post(url)
    assert started.status_code == 303
    new = Response.objects.exclude(pk=response.pk).get()
    assert new.answers == response.answers
    assert new.status == "in_progress"
    changes = reverse("followups:changes", args=[invite.token])
    assert "Finish retaking" in client.get(changes).content.decode()
    # The customer walks the steps, changing only the knees answer.
    from assessments.taking.services import answer_submit
    from tests.followups.conftest import RUNNER

    for step_key, raw in RUNNER[:-1]:
        answer_submit(response=new, step_key=step_key, raw=raw, submission_id=step_key)
    answer_submit(response=new, step_key="knees", raw={"knees": "no"}, submission_id="k")
    shown = client.get(changes).content.decode()
    assert "What changed since last time" in shown and "<table>" in shown


def test_one_click_unsubscribe_needs_no_cookie_login_or_csrf(response):
    client = Client(enforce_csrf_checks=True)
    purchase, _ = buy(response)
    preference = preference_of(brand_id=purchase.brand_id, email=purchase.email)
    url = reverse("followups:unsubscribe", args=[preference.token])
    page = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert page.status_code == 200
    assert ContactPreference.objects.get().unsubscribed_at is not None
    assert set(purchase.followups.values_list("state", flat=True)) == {"cancelled"}
    assert Consent.objects.get().withdrawn_at is not None


def test_a_get_of_the_unsubscribe_link_only_asks(client, response):
    purchase, _ = buy(response)
    preference = preference_of(brand_id=purchase.brand_id, email=purchase.email)
    page = client.get(reverse("followups:unsubscribe", args=[preference.token]))
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    assert ContactPreference.objects.get().unsubscribed_at is None
    assert set(purchase.followups.values_list("state", flat=True)) == {"scheduled"}


def test_preferences_turn_off_one_kind_and_its_pending_rows(client, response, mailoutbox):
    purchase, _ = buy(response)
    preference = preference_of(brand_id=purchase.brand_id, email=purchase.email)
    url = reverse("followups:preferences", args=[preference.token])
    assert "Planned" in client.get(url).content.decode()
    page = client.post(url, {"tips": "on", "reassessments": "on"})
    assert page.status_code == 200
    states = dict(purchase.followups.values_list("step__kind", "state"))
    assert states == {"tip": "scheduled", "checkin": "cancelled", "reassess": "scheduled"}


def test_turning_everything_off_is_unsubscribing(client, response):
    purchase, _ = buy(response)
    preference = preference_of(brand_id=purchase.brand_id, email=purchase.email)
    client.post(reverse("followups:preferences", args=[preference.token]), {})
    assert ContactPreference.objects.get().unsubscribed_at is not None
    assert set(purchase.followups.values_list("state", flat=True)) == {"cancelled"}


def test_the_links_in_a_sent_message_open_its_pages(client, response, mailoutbox, settings):
    buy(response)
    later = timezone.now() + dt.timedelta(days=3)
    (claim,) = followups_claim_due(now=later)
    followup_send(followup_id=claim.followup_id, claim=claim.claim, now=later)
    body = mailoutbox[0].body
    for line in body.splitlines():
        if settings.SITE_URL in line:
            path = line.split(settings.SITE_URL, 1)[1].strip()
            assert client.get(path).status_code == 200, path


def test_one_results_page_can_report_only_a_few_purchases(client, response):
    url = reverse("followups:bought", args=[response.token])
    for n in range(3):
        data = {
            "sku": "steady",
            "email": f"x{n}@example.com",
            "consent": "on",
            "submission_id": f"s{n}",
        }
        assert client.post(url, data).status_code == 303
    data = {"sku": "steady", "email": "victim@example.com", "consent": "on", "submission_id": "s9"}
    assert client.post(url, data).status_code == 200
    assert Purchase.objects.count() == 3
    assert not Consent.objects.filter(email="victim@example.com").exists()


def test_unsubscribing_again_after_a_new_consent_withdraws_it(response):
    from assessments.followups.purchases import consent_record
    from assessments.followups.services import unsubscribe

    purchase, _ = buy(response)
    preference = preference_of(brand_id=purchase.brand_id, email=purchase.email)
    unsubscribe(preference=preference)
    future = timezone.now() + dt.timedelta(minutes=2)  # a store's clock running ahead
    consent_record(
        brand=purchase.brand,
        email=purchase.email,
        wording_version="v2",
        source="checkout",
        given_at=future,
    )
    unsubscribe(preference=preference)
    assert not Consent.objects.filter(withdrawn_at__isnull=True).exists()


def test_consent_gives_the_customer_preferences_and_no_consent_gives_none(response, published):
    from .conftest import make_response

    buy(response)
    assert ContactPreference.objects.filter(email="ana@example.com").exists()
    buy(make_response(published), order_id="A-2", email="cy@example.com", consent=False)
    assert not ContactPreference.objects.filter(email="cy@example.com").exists()


def test_a_follow_up_page_reads_without_writing_preferences(client, response):
    purchase, _ = buy(response)
    ContactPreference.objects.all().delete()  # a customer from before preferences existed
    tip = page_of(purchase, "tip")
    page = client.get(reverse("followups:page", args=[tip.token]))
    assert page.status_code == 200
    assert "Hi Ana," in page.content.decode()
    assert not ContactPreference.objects.exists()


def test_the_page_links_to_the_customers_preferences(client, response):
    purchase, _ = buy(response)
    preference = preference_of(brand_id=purchase.brand_id, email=purchase.email)
    tip = page_of(purchase, "tip")
    body = client.get(reverse("followups:page", args=[tip.token])).content.decode()
    assert reverse("followups:preferences", args=[preference.token]) in body


@pytest.mark.parametrize(
    "answers",
    [
        {"csat": "abc", "ces": "3", "nps": "5", "delivered": "yes"},
        {"csat": "4", "ces": "3", "nps": "5", "delivered": "maybe"},
        {"csat": "4", "ces": "3", "nps": "5", "delivered": "yes", "comment": "x" * 2001},
    ],
    ids=["not a number", "no such answer", "comment too long"],
)
def test_a_check_in_that_is_not_answers_is_shown_back_not_stored(client, response, answers):
    purchase, _ = buy(response)
    url = reverse("followups:page", args=[page_of(purchase, "checkin").token])
    page = client.post(url, answers)
    assert page.status_code == 200
    assert "question--invalid" in page.content.decode()
    assert not CheckIn.objects.exists()


def test_a_check_in_keeps_the_customers_comment(client, response):
    purchase, _ = buy(response)
    url = reverse("followups:page", args=[page_of(purchase, "checkin").token])
    data = {"csat": "3", "ces": "2", "nps": "0", "delivered": "no", "comment": "  Too narrow.  "}
    assert client.post(url, data).status_code == 303
    assert (CheckIn.objects.get().nps, CheckIn.objects.get().comment) == (0, "Too narrow.")


@pytest.mark.parametrize("email", ["a@b", "ana@@example.com", "x" * 250 + "@example.com"])
def test_i_bought_this_refuses_what_is_not_an_address(client, response, email):
    url = reverse("followups:bought", args=[response.token])
    page = client.post(url, {"sku": "steady", "consent": "on", "email": email})
    assert page.status_code == 200
    assert "Give your e-mail address" in page.content.decode()
    assert not Purchase.objects.exists()


def test_i_bought_this_only_offers_the_brands_own_products(client, response):
    from assessments.authoring.services import assessment_import
    from tests.factories import definition, products

    from .conftest import make_brand

    other = make_brand("other")
    assessment_import(brand=other, source=definition(products=products("other")), publish=True)
    url = reverse("followups:bought", args=[response.token])
    for sku in ("", "ghost", "other-steady"):
        page = client.post(url, {"sku": sku})
        assert page.status_code == 200
        assert "Choose the product you bought." in page.content.decode()
    assert not Purchase.objects.exists()


def test_a_double_click_on_the_last_allowed_report_is_not_refused(client, response):
    url = reverse("followups:bought", args=[response.token])
    for n in range(3):
        assert client.post(url, {"sku": "steady", "submission_id": f"s{n}"}).status_code == 303
    again = client.post(url, {"sku": "steady", "submission_id": "s2"})
    assert again.status_code == 303
    assert Purchase.objects.count() == 3


def test_i_bought_this_answers_in_the_customers_language(client, published, plan):
    from .conftest import make_response

    spanish = make_response(published, language="es")
    url = reverse("followups:bought", args=[spanish.token])
    page = client.post(url, {"sku": "ghost"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page["Content-Language"] == "es"
    assert "Elige el producto que compraste." in page.content.decode()
