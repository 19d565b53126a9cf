"""Staff assist: a customer's results by their code, scoped to the brand, and a store sale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.followups.services import followup_settings_ensure
from assessments.models import FollowUp, FollowUpPlan, FollowUpPlanStep, Purchase, StoreCode
from assessments.store.services import CODE_ALPHABET
from tests.factories import BrandFactory, member, t

from .conftest import finish


@pytest.fixture
def staff(client, brand):
    user = member(brand, role="store")
    client.force_login(user)
    return user


def _lookup(client, brand, code: str):
    return client.post(reverse("store:lookup", args=[brand.slug]), {"code": code})


def test_codes_are_six_unambiguous_characters(client, kiosk):
    code = finish(client, kiosk).response.store_codes.get().code
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("0O1IL")


def test_store_staff_open_results_by_code_with_reasons(client, kiosk, brand):
    code = finish(client, kiosk).response.store_codes.get()
    client.force_login(member(brand, role="store"))
    page = _lookup(client, brand, code.code.lower())
    assert page.status_code == 303
    assist = client.get(page["Location"])
    html = assist.content.decode()
    assert assist.status_code == 200
    assert "Supported" in html  # the profile
    assert "product__reasons" in html  # the recommendations' reasons
    assert "Record the sale" in html


def test_a_code_does_not_open_another_brands_customer(client, kiosk):
    code = finish(client, kiosk).response.store_codes.get()
    other = BrandFactory(slug="other")
    client.force_login(member(other, role="store"))
    assert _lookup(client, other, code.code).status_code == 404
    assert client.get(reverse("store:lookup", args=["acme"])).status_code == 404
    assist = reverse("store:assist", args=["acme", code.assist_token])
    assert client.get(assist).status_code == 404


def test_an_expired_code_opens_nothing(client, kiosk, brand, staff):
    code = finish(client, kiosk).response.store_codes.get()
    StoreCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _lookup(client, brand, code.code).status_code == 404


def test_guessing_codes_is_rate_limited(client, kiosk, brand, staff):
    code = finish(client, kiosk).response.store_codes.get()
    wrong = "".join("A" if c != "A" else "C" for c in code.code)
    statuses = [_lookup(client, brand, wrong).status_code for _ in range(20)]
    assert set(statuses) == {404}
    assert _lookup(client, brand, code.code).status_code == 429


def test_analysts_and_anonymous_visitors_cannot_assist(client, kiosk, brand):
    url = reverse("store:lookup", args=[brand.slug])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(member(brand, role="analyst"))
    assert client.get(url).status_code == 404


def test_store_staff_see_nothing_in_the_admin(client, brand, staff):
    page = client.get(reverse("admin:index"))
    assert "Kiosks" not in page.content.decode()
    assert "Responses" not in page.content.decode()


def _plan(assessment) -> None:
    followup_settings_ensure(brand_id=assessment.brand_id)
    plan = FollowUpPlan.objects.create(assessment=assessment, key="default", name="Default")
    FollowUpPlanStep.objects.create(
        plan=plan,
        position=0,
        delay_days=2,
        kind=FollowUpPlanStep.Kind.TIP,
        subject=t("Your {product}"),
        body=t("Hi,\n\n{insights}"),
    )


def test_a_store_sale_is_attributed_and_starts_follow_ups(client, kiosk, brand, published, staff):
    _plan(published)
    code = finish(client, kiosk).response.store_codes.get()
    assist = reverse("store:assist", args=[brand.slug, code.assist_token])
    sale = reverse("store:assist_sale", args=[brand.slug, code.assist_token])
    data = {
        "sku": "steady",
        "quantity": "1",
        "order_id": "",
        "email": "ana@example.com",
        "followups_agreed": "on",
        "submission_id": "sale-1",
    }
    page = client.post(sale, data)
    assert page.status_code == 303 and page["Location"] == f"{assist}?recorded=1"
    assert client.post(sale, data).status_code == 303  # a double click records once
    purchase = Purchase.objects.get()
    assert purchase.source == Purchase.Source.STORE
    assert purchase.response == code.response
    assert purchase.items.get().recommended
    assert FollowUp.objects.filter(purchase=purchase).exists()


def test_a_store_sale_without_consent_schedules_nothing(client, kiosk, brand, published, staff):
    _plan(published)
    code = finish(client, kiosk).response.store_codes.get()
    sale = reverse("store:assist_sale", args=[brand.slug, code.assist_token])
    data = {"sku": "steady", "quantity": "1", "submission_id": "sale-2"}
    assert client.post(sale, data).status_code == 303
    assert Purchase.objects.get().source == Purchase.Source.STORE
    assert not FollowUp.objects.exists()
