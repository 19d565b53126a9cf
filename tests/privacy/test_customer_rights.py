"""A customer gets a copy of, and erases, everything tied to their address, through a link."""

from __future__ import annotations

import json

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from assessments.models import (
    AuditEntry,
    CheckIn,
    Consent,
    ContactPreference,
    FollowUp,
    Purchase,
    Response,
)
from assessments.privacy import services
from assessments.privacy.links import SALT, data_link_token
from tests.followups.conftest import buy, make_brand

from .conftest import NOTE, finish, link_in, publish

pytestmark = pytest.mark.django_db

ASK = "privacy:request"


def ask_for_link(client: Client, brand, email: str, **headers):
    return client.post(reverse(ASK, args=[brand.slug]), {"email": email}, **headers)


def opened_link(client: Client, brand, email: str = "ana@example.com") -> str:
    mail.outbox.clear()
    assert ask_for_link(client, brand, email).status_code == 303
    assert len(mail.outbox) == 1
    return link_in(mail.outbox[0])


# -- asking for the link ------------------------------------------------------------------


def test_every_customer_page_links_to_the_data_page(client, response):
    page = client.get(reverse("taking:results", args=[response.token])).content.decode()
    assert reverse(ASK, args=[response.brand.slug]) in page


def test_the_data_page_does_not_link_to_itself(client, brand):
    page = client.get(reverse(ASK, args=[brand.slug])).content.decode()
    assert f'href="{reverse(ASK, args=[brand.slug])}' not in page


def test_the_address_gets_an_email_in_the_brands_name_with_a_link_that_opens_its_data(
    bought, brand
):
    client = Client(enforce_csrf_checks=True)  # no CSRF cookie needed, none set
    asked = ask_for_link(client, brand, "  Ana@Example.com ")
    assert asked.status_code == 303
    assert not asked.cookies
    message = mail.outbox[-1]
    assert message.to == ["ana@example.com"]
    assert "hello@acme.example" in message.from_email
    assert message.subject == "Your data at Acme"
    assert "24 hours" in message.body
    page = client.get(link_in(message))
    assert page.status_code == 200
    assert not page.cookies
    html = page.content.decode()
    assert "ana@example.com" in html
    assert "1 purchase" in html and "1 assessment you took" in html
    assert "Download my data" in html and "Erase everything" in html


def test_the_page_reads_the_same_whether_or_not_the_address_is_known(bought, brand, client):
    known = client.get(ask_for_link(client, brand, "ana@example.com")["Location"])
    assert len(mail.outbox) == 1
    unknown = client.get(ask_for_link(client, brand, "nobody@example.com")["Location"])
    assert len(mail.outbox) == 1  # nothing sent to an address the brand has nothing of
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert "If we hold anything tied to that address" in known.content.decode()


def test_an_address_known_only_to_another_brand_gets_no_link(bought, db, client):
    other = make_brand("other")
    assert ask_for_link(client, other, "ana@example.com").status_code == 303
    assert mail.outbox == []


def test_what_is_not_an_address_is_a_form_error_and_sends_nothing(bought, brand, client):
    for typed in ["", "ana", "ana@", "a" * 250 + "@example.com", "ana\x00@example.com"]:
        page = ask_for_link(client, brand, typed)
        assert page.status_code == 200, typed
        assert 'aria-invalid="true"' in page.content.decode()
    assert mail.outbox == []


def test_a_form_sent_from_another_site_is_refused(bought, brand, client):
    page = ask_for_link(client, brand, "ana@example.com", HTTP_ORIGIN="https://evil.example")
    assert page.status_code == 403
    assert mail.outbox == []


def test_the_page_speaks_the_customers_language(bought, brand, client):
    page = client.get(reverse(ASK, args=[brand.slug]) + "?lang=es")
    assert page["Content-Language"] == "es"
    assert "Tus datos en Acme" in page.content.decode()
    asked = client.post(reverse(ASK, args=[brand.slug]) + "?lang=es", {"email": "ana@example.com"})
    assert "lang=es" in asked["Location"]
    message = mail.outbox[0]
    assert message.subject == "Tus datos en Acme"
    assert "24 horas" in message.body
    opened = client.get(link_in(message))
    assert opened["Content-Language"] == "es"
    assert "Descargar mis datos" in opened.content.decode()


# -- links that cannot be used --------------------------------------------------------------


def test_an_expired_link_is_refused_with_a_page_offering_a_new_one(bought, brand, client, settings):
    path = opened_link(client, brand)
    settings.PRIVACY_LINK_MAX_AGE = -1
    page = client.get(path)
    assert page.status_code == 410
    html = page.content.decode()
    assert "This link has expired" in html
    assert reverse(ASK, args=[brand.slug]) in html
    assert "ana@example.com" not in html
    erase = client.post(path + "erase/", {"confirm": "on"})
    assert erase.status_code == 410
    assert Purchase.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[:30],
        lambda token: signing.TimestampSigner(salt=SALT, key="another-key" * 5).sign_object(
            {"b": 1, "e": "ana@example.com", "l": "en"}, compress=True
        ),
    ],
)
def test_a_changed_or_forged_link_is_refused_with_a_clear_page(bought, brand, client, tamper):
    path = opened_link(client, brand)
    token = path.rstrip("/").rsplit("/", 1)[1]
    bad = reverse("privacy:data", args=[brand.slug, tamper(token)])
    page = client.get(bad)
    assert page.status_code == 400
    assert "This link is not valid" in page.content.decode()
    assert client.post(bad + "erase/", {"confirm": "on"}).status_code == 400
    assert client.post(bad + "download/").status_code == 400
    assert Purchase.objects.exists()


def test_a_link_made_for_one_brand_does_not_open_another(bought, brand, client):
    other = make_brand("other")
    token = data_link_token(brand_id=brand.pk, email="ana@example.com", language="en")
    page = client.get(reverse("privacy:data", args=[other.slug, token]))
    assert page.status_code == 400


# -- the download -------------------------------------------------------------------------


def test_the_download_holds_the_purchase_consent_follow_ups_and_answers(bought, brand, client):
    path = opened_link(client, brand)
    download = client.post(path + "download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/json")
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]
    data = json.loads(download.content)
    assert data["email"] == "ana@example.com"
    assert [p["order_id"] for p in data["purchases"]] == ["A-1"]
    assert data["purchases"][0]["items"][0]["sku"] == "steady"
    assert [c["wording_version"] for c in data["consents"]] == ["checkout-v1"]
    assert len(data["follow_ups"]) == 3
    [taken] = data["responses"]
    answers = {row["question"]: row for row in taken["answers"]}
    assert answers["use"]["label"] == ["Running"]
    assert answers["note"]["answer"] == NOTE
    assert taken["attribution"] == {"utm_source": "newsletter"}
    assert taken["hidden_fields"] == {"store": "madrid-1"}
    assert taken["result"]["outcome"]["key"] == "supported"
    # Handing the data out is logged for the owners, without the address.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_EXPORTED)
    assert entry.brand == brand and entry.user is None
    assert "ana@example.com" not in json.dumps(entry.details)
    assert entry.details["exported"]["purchases"] == 1


def test_a_download_link_opened_by_a_get_hands_out_nothing(bought, brand, client):
    path = opened_link(client, brand)
    assert client.get(path + "download/").status_code == 405
    assert not AuditEntry.objects.exists()


# -- erasure ------------------------------------------------------------------------------


def test_erasing_asks_for_confirmation_first(bought, brand, client):
    path = opened_link(client, brand)
    page = client.post(path + "erase/", {})
    assert page.status_code == 200
    assert "Tick the box to confirm" in page.content.decode()
    assert Purchase.objects.count() == 1 and FollowUp.objects.count() == 3


def test_after_erasure_the_results_link_is_gone_and_the_brands_counts_remain(
    bought, brand, response, published, client
):
    results_url = reverse("taking:results", args=[response.token])
    share_url = reverse("taking:shared", args=[response.share_token])
    assert client.get(results_url).status_code == 200
    counted_before = Response.objects.filter(version__assessment=published).count()
    path = opened_link(client, brand)

    done = client.post(path + "erase/", {"confirm": "on"})

    assert done.status_code == 303
    assert "Your data is erased" in client.get(done["Location"]).content.decode()
    assert client.get(results_url).status_code == 404
    assert client.get(share_url).status_code == 404
    assert not Purchase.objects.exists()
    assert not Consent.objects.exists()
    assert not FollowUp.objects.exists()
    assert not ContactPreference.objects.filter(email="ana@example.com").exists()
    # The finished response stays in the brand's figures: its choices, nothing of the person.
    assert Response.objects.filter(version__assessment=published).count() == counted_before
    kept = Response.objects.get(pk=response.pk)
    assert kept.status == Response.Status.COMPLETED and kept.anonymised_at is not None
    assert kept.answers == {"use": "run", "km": 40, "knees": "yes"}
    assert kept.fields == {} and kept.attribution == {}
    assert kept.result["outcome"]["key"] == "supported"
    assert "refs" not in kept.result
    assert not kept.references.exists()
    assert kept.completed_at.hour == kept.completed_at.minute == 0
    # The link still opens, and shows there is nothing left; erasing again logs nothing new.
    assert "holds nothing tied to ana@example.com" in client.get(path).content.decode()
    assert client.post(path + "erase/", {"confirm": "on"}).status_code == 303
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DATA_ERASED).count() == 1
    # The owners' log says what went, not who it was.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert entry.details["removed"]["purchases"] == 1
    assert entry.details["removed"]["finished_responses_anonymised"] == 1
    assert "ana@example.com" not in json.dumps(entry.details) + entry.description


def test_erasure_takes_check_ins_and_the_reassessment_started_from_a_follow_up(
    bought, brand, response, published, client
):
    checkin_row = bought.followups.get(step__kind="checkin")
    CheckIn.objects.create(
        followup=checkin_row, response=response, csat=4, ces=2, nps=9, delivered="yes"
    )
    from assessments.followups.services import reassessment_start

    retaken = reassessment_start(followup=bought.followups.get(step__kind="reassess"))
    assert retaken.status == Response.Status.IN_PROGRESS
    path = opened_link(client, brand)
    page = client.get(path).content.decode()
    assert "1 check-in answer" in page and "2 assessments you took" in page

    client.post(path + "erase/", {"confirm": "on"})

    assert not CheckIn.objects.exists()
    assert not Response.objects.filter(pk=retaken.pk).exists()  # unfinished: deleted
    assert Response.objects.get(pk=response.pk).anonymised_at is not None


def test_erasure_leaves_other_customers_and_other_brands_alone(bought, brand, published, client):
    someone_else = finish(published)
    buy(someone_else, order_id="B-1", email="bo@example.com")
    other = make_brand("other")
    elsewhere = finish(publish(other))
    buy(elsewhere, order_id="A-1", email="ana@example.com")
    path = opened_link(client, brand)

    client.post(path + "erase/", {"confirm": "on"})

    assert set(Purchase.objects.values_list("brand__slug", "email")) == {
        ("acme", "bo@example.com"),
        ("other", "ana@example.com"),
    }
    assert Response.objects.get(pk=someone_else.pk).anonymised_at is None
    assert Response.objects.get(pk=elsewhere.pk).anonymised_at is None
    assert client.get(reverse("taking:results", args=[elsewhere.token])).status_code == 200


def test_erasure_is_all_or_nothing(bought, brand, response, client, monkeypatch):
    path = opened_link(client, brand)

    def broken(**kwargs):
        raise RuntimeError("the database went away half-way")

    monkeypatch.setattr(services, "responses_anonymise", broken)
    with pytest.raises(RuntimeError):
        client.post(path + "erase/", {"confirm": "on"})

    assert Purchase.objects.count() == 1
    assert FollowUp.objects.count() == 3
    assert Consent.objects.count() == 1
    assert client.get(reverse("taking:results", args=[response.token])).status_code == 200
    assert not AuditEntry.objects.exists()


def test_erasing_is_refused_from_another_site(bought, brand, client):
    path = opened_link(client, brand)
    page = client.post(path + "erase/", {"confirm": "on"}, HTTP_SEC_FETCH_SITE="cross-site")
    assert page.status_code == 403
    assert Purchase.objects.count() == 1
