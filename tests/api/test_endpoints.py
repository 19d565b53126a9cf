"""The endpoints: what a brand's systems read and write through /api/v1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from assessments.followups.services import CheckInAnswers, checkin_record
from assessments.models import CheckIn, FollowUp, Product, Purchase, Response
from tests.api.test_keys_and_scope import _product
from tests.followups.conftest import buy, make_response

pytestmark = pytest.mark.django_db


def test_assessments_list_their_versions_and_a_version_its_exported_definition(api, published):
    listed = api.get("/assessments").json()
    assert listed == [
        {
            "key": "fit-check",
            "title": published.title,
            "live_version": 1,
            "versions": [
                {
                    "number": 1,
                    "published_at": listed[0]["versions"][0]["published_at"],
                    "content_hash": published.live_version.content_hash,
                }
            ],
        }
    ]
    version = api.get("/assessments/fit-check/versions/1").json()
    assert version["definition"]["key"] == "fit-check"
    assert {p["sku"] for p in version["definition"]["products"]} >= {"steady", "breeze"}
    assert api.get("/assessments/nope").json()["status"] == 404


def test_responses_are_completed_ones_with_answers_and_the_frozen_result(api, published):
    done = make_response(published)
    from assessments.taking.services import response_start

    response_start(version=published.live_version, brand=published.brand, language="en")
    page = api.get("/responses").json()
    assert [item["id"] for item in page["items"]] == [done.pk]
    item = page["items"][0]
    assert item["answers"] == done.answers
    assert item["result"] == done.result
    assert item["status"] == "completed"
    assert api.get(f"/responses/{done.pk}").json() == item


def test_response_pages_neither_repeat_nor_skip_and_respect_since_until(api, published):
    made = [make_response(published) for _ in range(5)]
    base = timezone.now() - dt.timedelta(hours=5)
    for hours, response in enumerate(made):
        Response.objects.filter(pk=response.pk).update(
            completed_at=base + dt.timedelta(hours=hours)
        )
    # Two finish at the same instant: the id breaks the tie, so neither is lost between pages.
    Response.objects.filter(pk=made[3].pk).update(completed_at=base + dt.timedelta(hours=2))
    seen, cursor = [], None
    while True:
        page = api.get("/responses", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert sorted(seen) == sorted(r.pk for r in made) and len(seen) == 5
    # A response started before all of these but completed after the last page was read is
    # on the next page from the same cursor: a syncing client does not miss it.
    late = Response.objects.order_by("pk").first()
    Response.objects.filter(pk=late.pk).update(completed_at=timezone.now())
    assert [i["id"] for i in api.get("/responses", cursor=cursor).json()["items"]] == [late.pk]
    empty = api.get("/responses", cursor=api.get("/responses", cursor=cursor).json()["next_cursor"])
    assert empty.json() == {
        "items": [],
        "next_cursor": empty.json()["next_cursor"],
        "has_more": False,
    }
    assert empty.json()["next_cursor"] is not None
    window = api.get(
        "/responses",
        since=(base + dt.timedelta(hours=1)).isoformat(),
        until=(base + dt.timedelta(hours=3)).isoformat(),
    ).json()
    assert [i["id"] for i in window["items"]] == [made[1].pk, made[2].pk, made[3].pk]
    assert api.get("/responses", cursor="not-a-cursor").json()["errors"][0]["location"] == (
        "query.cursor"
    )


def test_products_upsert_by_sku_and_deactivate(api, published):
    sent = [_product("breeze", price="79.50"), _product("trail-x", attributes={"support": ["low"]})]
    answer = api.send("put", "/products", sent)
    assert answer.status_code == 200
    assert (answer.json()["created"], answer.json()["updated"]) == (1, 1)
    assert Product.objects.get(brand=published.brand, sku="breeze").price == 79.5
    assert api.send("post", "/products/trail-x/deactivate", {}).json()["active"] is False
    assert Product.objects.get(sku="trail-x").active is False


def test_an_invalid_product_writes_none_of_the_batch(api, published):
    before = list(Product.objects.order_by("pk").values_list("sku", "price", "name"))
    sent = [
        _product("breeze", price="1.00"),
        _product("fresh-one"),
        _product("Bad SKU!"),
        _product("also-bad", price="-3"),
        _product("dup"),
        _product("dup"),
    ]
    answer = api.send("put", "/products", sent)
    assert answer.status_code == 422
    assert answer["Content-Type"] == "application/problem+json"
    locations = {error["location"] for error in answer.json()["errors"]}
    assert {"body.2.sku", "body.3.price"} <= locations
    assert list(Product.objects.order_by("pk").values_list("sku", "price", "name")) == before

    # Valid in shape, refused by the model (a name in no language): still nothing written.
    answer = api.send("put", "/products", [_product("fine"), _product("dup"), _product("dup")])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"] == "SKU 'dup' is sent twice."
    assert not Product.objects.filter(sku="fine").exists()


def test_purchases_are_recorded_as_the_webhook_would_and_listed(api, completed):
    body = {
        "order_id": "API-1",
        "items": [{"sku": "steady", "quantity": 2}],
        "reference": completed.token,
        "email": "ana@example.com",
        "consent": {"wording_version": "checkout-v1"},
    }
    first = api.send("post", "/purchases", body)
    again = api.send("post", "/purchases", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["purchase"]["response_id"] == completed.pk
    assert first.json()["followups_scheduled"] == FollowUp.objects.count() > 0
    assert Purchase.objects.get().source == "api"
    listed = api.get("/purchases").json()["items"]
    assert [(p["order_id"], p["items"][0]["quantity"]) for p in listed] == [("API-1", 2)]
    unknown = api.send("post", "/purchases", {"order_id": "API-2", "items": [{"sku": "nope"}]})
    assert unknown.status_code == 422 and "Unknown sku" in unknown.json()["detail"]


def test_checkins_are_listed_with_their_purchase(api, completed):
    buy(completed, order_id="C-1")
    followup = FollowUp.objects.filter(step__kind="checkin").get()
    checkin_record(followup=followup, answers=CheckInAnswers(5, 2, 9, "yes", "Great"))
    listed = api.get("/check-ins").json()["items"]
    assert [(c["order_id"], c["csat"], c["nps"], c["comment"]) for c in listed] == [
        ("C-1", 5, 9, "Great")
    ]
    assert CheckIn.objects.count() == 1


def test_the_openapi_document_and_docs_page(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/responses" in document["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_the_openapi_document_declares_errors_as_problem_details(client, db):
    document = client.get("/api/v1/openapi.json").json()
    listing = document["paths"]["/api/v1/responses"]["get"]["responses"]
    assert set(listing["200"]["content"]) == {"application/json"}
    assert set(listing["401"]["content"]) == {"application/problem+json"}
    assert set(listing["422"]["content"]) == {"application/problem+json"}


def test_a_post_to_purchases_without_key_or_store_signature_gets_the_apis_401(client, db):
    answer = client.post("/api/v1/purchases", {"order_id": "X"}, content_type="application/json")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert "Authorization: Bearer" in answer.json()["detail"]


def test_a_products_priority_is_upserted_and_read_back(api, published):
    answer = api.send("put", "/products", [_product("breeze", priority=3)])
    assert answer.json()["products"][0]["priority"] == 3
    assert Product.objects.get(brand=published.brand, sku="breeze").priority == 3
    refused = api.send("put", "/products", [_product("breeze", priority=5000)])
    assert refused.status_code == 422
    assert Product.objects.get(brand=published.brand, sku="breeze").priority == 3
