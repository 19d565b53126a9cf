"""Staff: plans, purchases entered by hand, the follow-up list, the webhook secret; the demo."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.followups.services import followup_settings_ensure
from assessments.models import FollowUp, FollowUpPlan, Purchase
from tests.factories import member

from .conftest import buy, make_brand

pytestmark = pytest.mark.django_db


def test_staff_enter_a_purchase_through_the_same_service(client, brand, response):
    client.force_login(member(brand, "editor"))
    page = client.post(
        reverse("admin:assessments_purchase_add"),
        {
            "brand": brand.pk,
            "order_id": "SHOP-9",
            "purchased_at_0": timezone.now().strftime("%Y-%m-%d"),
            "purchased_at_1": timezone.now().strftime("%H:%M:%S"),
            "sku": "steady",
            "quantity": "1",
            "response_token": f"https://shop.example/r/{response.token}/results/",
            "email": "walkin@example.com",
            "first_name": "Sam",
            "language": "en",
            "consent_given": "on",
            "consent_wording": "in-store-v1",
        },
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    purchase = Purchase.objects.get()
    assert (purchase.source, purchase.response) == ("staff", response)
    assert purchase.items.get().rank == 1
    assert purchase.followups.count() == 3


def test_staff_entry_refuses_an_unknown_sku(client, brand, response):
    client.force_login(member(brand, "editor"))
    page = client.post(
        reverse("admin:assessments_purchase_add"),
        {
            "brand": brand.pk,
            "order_id": "X",
            "purchased_at_0": "2025-01-01",
            "purchased_at_1": "10:00:00",
            "sku": "ghost",
            "quantity": "1",
        },
    )
    assert page.status_code == 200
    assert "no product with that SKU" in page.content.decode()
    assert not Purchase.objects.exists()


def test_the_follow_up_list_is_read_only_filtered_by_state_and_brand(client, brand, response):
    buy(response)
    other = make_brand("other")
    client.force_login(member(brand, "analyst"))
    listing = client.get(
        reverse("admin:assessments_followup_changelist") + "?state__exact=scheduled"
    )
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 3
    row = FollowUp.objects.first()
    change = client.get(reverse("admin:assessments_followup_change", args=[row.pk]))
    assert change.status_code == 200 and "Save" not in change.content.decode()
    client.force_login(member(other, "owner"))
    assert (
        client.get(reverse("admin:assessments_followup_changelist")).context["cl"].result_count == 0
    )


def test_plans_are_edited_with_their_steps_inline(client, brand, plan):
    client.force_login(member(brand, "editor"))
    page = client.get(reverse("admin:assessments_followupplan_change", args=[plan.pk]))
    assert page.status_code == 200
    assert "Day 2" in page.content.decode()


def test_only_owners_see_the_webhook_secret(client, brand):
    secret = followup_settings_ensure(brand_id=brand.pk).webhook_secret
    client.force_login(member(brand, "editor"))
    assert (
        client.get(reverse("admin:assessments_brandfollowupsettings_changelist")).status_code == 403
    )
    client.force_login(member(brand, "owner"))
    row = followup_settings_ensure(brand_id=brand.pk)
    page = client.get(reverse("admin:assessments_brandfollowupsettings_change", args=[row.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert secret in body and f"/hooks/store/{brand.slug}/" in body
    assert f"/hooks/shopify/{brand.slug}/" in body and f"/hooks/woocommerce/{brand.slug}/" in body


def test_load_demo_loads_a_plan_for_each_demo_assessment_and_is_idempotent():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    keys = set(FollowUpPlan.objects.values_list("assessment__key", "key"))
    assert {k for k, _ in keys} == {"shoe-finder", "skincare-finder"}
    assert FollowUpPlan.objects.count() == 4
    for plan in FollowUpPlan.objects.all():
        assert {s.kind for s in plan.steps.all()} == {"tip", "checkin", "reassess"}


def test_the_demo_plays_a_plan_forward_with_a_check_in_and_an_unsubscribe():
    out = StringIO()
    call_command("demo_followups", days=40, stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert text.startswith("=" * 72 + "\nDEMO:")
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text
    assert "answered the check-in" in text
    assert "unsubscribe: 1 pending follow-up(s) cancelled" in text
    assert "cancelled — The customer unsubscribed." in text
    assert "2 message(s) sent in 40 simulated day(s)." in text


def test_listing_the_settings_creates_none_and_an_owner_adds_them(client, brand):
    from assessments.models import BrandFollowUpSettings

    client.force_login(member(brand, "owner"))
    listing = client.get(reverse("admin:assessments_brandfollowupsettings_changelist"))
    assert listing.status_code == 200
    assert not BrandFollowUpSettings.objects.exists()
    added = client.post(reverse("admin:assessments_brandfollowupsettings_add"), {"brand": brand.pk})
    assert added.status_code == 302, added.content.decode()[:2000]
    row = BrandFollowUpSettings.objects.get()
    assert row.brand == brand and row.webhook_secret.startswith("whsec_")
    page = client.get(reverse("admin:assessments_brandfollowupsettings_change", args=[row.pk]))
    assert row.webhook_secret in page.content.decode()


def test_an_owner_adds_settings_only_for_their_own_brand_and_only_once(client, brand):
    from assessments.models import BrandFollowUpSettings

    other = make_brand("other")
    client.force_login(member(brand, "owner"))
    url = reverse("admin:assessments_brandfollowupsettings_add")
    form = client.get(url)
    assert form.status_code == 200
    assert list(form.context["adminform"].form.fields["brand"].queryset) == [brand]
    assert client.post(url, {"brand": other.pk}).status_code == 200  # not a choice
    assert not BrandFollowUpSettings.objects.exists()
    assert client.post(url, {"brand": brand.pk}).status_code == 302
    assert client.post(url, {"brand": brand.pk}).status_code == 200  # already has them
    assert BrandFollowUpSettings.objects.count() == 1
    client.force_login(member(brand, "editor"))
    assert client.get(url).status_code == 403


def test_staff_entry_refuses_an_address_mail_cannot_reach(client, brand, response):
    client.force_login(member(brand, "editor"))
    page = client.post(
        reverse("admin:assessments_purchase_add"),
        {
            "brand": brand.pk,
            "order_id": "SHOP-10",
            "purchased_at_0": "2025-01-01",
            "purchased_at_1": "10:00:00",
            "sku": "steady",
            "quantity": "1",
            "email": "sam@" + "x" * 250 + ".example",
        },
    )
    assert page.status_code == 200
    assert not Purchase.objects.exists()
