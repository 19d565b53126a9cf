"""Owners export or erase a customer's data for a request that came by letter, phone or mail."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from assessments.models import AuditEntry, FollowUp, Purchase, Response
from tests.factories import member
from tests.followups.conftest import buy, make_brand

from .conftest import finish, publish

pytestmark = pytest.mark.django_db

PAGE = "admin:assessments_auditentry_customer_data"


def ask(client, brand, email: str, action: str, confirm: bool = False):
    data = {"brand": brand.pk, "email": email, "action": action}
    if confirm:
        data["confirm"] = "on"
    return client.post(reverse(PAGE), data)


def test_the_brand_page_and_the_log_lead_owners_to_the_request_page(client, brand, bought):
    client.force_login(member(brand, "owner"))
    brand_page = client.get(reverse("admin:assessments_brand_change", args=[brand.pk]))
    assert f"{reverse(PAGE)}?brand={brand.pk}" in brand_page.content.decode()
    log = client.get(reverse("admin:assessments_auditentry_changelist")).content.decode()
    assert reverse(PAGE) in log
    assert client.get(f"{reverse(PAGE)}?brand={brand.pk}").status_code == 200


def test_an_owner_downloads_a_customers_data_and_it_is_logged(client, brand, bought):
    owner = member(brand, "owner", username="olga")
    client.force_login(owner)
    download = ask(client, brand, "ANA@example.com", "export")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert [p["order_id"] for p in data["purchases"]] == ["A-1"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_EXPORTED)
    assert (entry.user, entry.details["requested_by"]) == (owner, "staff")
    assert "ana@example.com" not in json.dumps(entry.details).lower()


def test_an_owner_erases_only_after_ticking_the_box(client, brand, bought, response):
    client.force_login(member(brand, "owner", username="olga"))
    unconfirmed = ask(client, brand, "ana@example.com", "erase")
    assert unconfirmed.status_code == 400
    assert "Tick the box to erase" in unconfirmed.content.decode()
    assert Purchase.objects.count() == 1

    done = ask(client, brand, "ana@example.com", "erase", confirm=True)

    assert done.status_code == 302
    shown = client.get(done["Location"]).content.decode()
    assert "Erased: 1 purchase(s)" in shown
    assert "Erased a customer" in shown and "olga" in shown
    assert not Purchase.objects.exists() and not FollowUp.objects.exists()
    assert Response.objects.get(pk=response.pk).anonymised_at is not None
    assert client.get(reverse("taking:results", args=[response.token])).status_code == 404
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_ERASED)
    assert entry.actor == "olga" and entry.details["removed"]["follow_ups"] == 3


def test_an_address_the_brand_holds_nothing_of_is_said_so(client, brand, bought):
    client.force_login(member(brand, "owner"))
    page = ask(client, brand, "nobody@example.com", "erase", confirm=True)
    assert page.status_code == 400
    assert "holds nothing tied to this address" in page.content.decode()
    assert not AuditEntry.objects.exists()


def test_an_owner_of_another_brand_can_neither_erase_nor_see(client, brand, bought):
    other = make_brand("other")
    client.force_login(member(other, "owner"))
    form = client.get(reverse(PAGE)).content.decode()
    assert "Acme" not in form
    for action in ("export", "erase"):
        page = ask(client, brand, "ana@example.com", action, confirm=True)
        assert page.status_code == 400
        assert "ana@example.com" in page.content.decode()  # only what they typed, echoed
        assert "A-1" not in page.content.decode()
    assert Purchase.objects.count() == 1
    assert not AuditEntry.objects.exists()


def test_editors_and_analysts_cannot_reach_the_request_page(client, brand, bought):
    for role in ("editor", "analyst"):
        client.force_login(member(brand, role))
        assert client.get(reverse(PAGE)).status_code == 404
        assert ask(client, brand, "ana@example.com", "erase", confirm=True).status_code == 404
    assert Purchase.objects.count() == 1


def test_an_owner_of_two_brands_erases_in_the_one_chosen(client, brand, bought):
    other = make_brand("other")
    elsewhere = finish(publish(other))
    buy(elsewhere, order_id="X-1", email="ana@example.com")
    owner = member(brand, "owner")
    owner.brand_memberships.create(brand=other, role="owner")
    client.force_login(owner)
    ask(client, other, "ana@example.com", "erase", confirm=True)
    assert list(Purchase.objects.values_list("brand__slug", flat=True)) == ["acme"]
