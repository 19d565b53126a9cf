"""Keys: each reads only its own brand, revoked keys stop working, read keys cannot write."""

from __future__ import annotations

import pytest

from assessments.api.keys import api_key_authenticate, api_key_create, api_key_revoke
from assessments.models import ApiKey
from tests.api.conftest import Api, key_for
from tests.followups.conftest import buy, make_plan, make_published, make_response

pytestmark = pytest.mark.django_db

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def test_the_key_is_stored_only_as_a_prefix_and_a_digest(brand):
    made = api_key_create(brand=brand, name="CRM", scope="read")
    row = ApiKey.objects.get()
    secret = made.plaintext.split("_", 2)[2]
    assert made.plaintext.startswith(f"ask_{row.prefix}_")
    assert secret not in row.secret_hash and len(row.secret_hash) == 64
    assert api_key_authenticate(made.plaintext) == row
    assert api_key_authenticate(made.plaintext[:-1] + "x") is None


def test_a_key_notes_when_it_was_last_used(brand):
    made = api_key_create(brand=brand, name="CRM", scope="read")
    assert made.key.last_used_at is None
    assert Api(made.plaintext).get("/products").status_code == 200
    made.key.refresh_from_db()
    assert made.key.last_used_at is not None


def test_another_brands_data_is_never_read(api, completed, other):
    theirs = make_published(other)
    make_plan(theirs)
    their_response = make_response(theirs)
    buy(their_response, order_id="THEIRS-1")
    rival = Api(key_for(other))

    assert [r["id"] for r in api.get("/responses").json()["items"]] == [completed.pk]
    assert api.get(f"/responses/{their_response.pk}").status_code == 404
    assert rival.get(f"/responses/{completed.pk}").status_code == 404
    assert api.get("/purchases").json()["items"] == []
    assert {p["sku"] for p in rival.get("/products").json()} == {
        p["sku"] for p in api.get("/products").json()
    }  # same SKUs in both catalogues, but…
    rival.send("put", "/products", [_product("breeze", price="1.00")])
    assert {p["price"] for p in api.get("/products").json() if p["sku"] == "breeze"} == {"99.00"}
    assert api.send("post", "/products/none-such/deactivate", {}).status_code == 404
    assert api.get("/assessments/fit-check/versions/2").status_code == 404


def test_a_revoked_key_is_refused_with_401(brand):
    made = api_key_create(brand=brand, name="old", scope="read_write")
    api = Api(made.plaintext)
    assert api.get("/products").status_code == 200
    assert api_key_revoke(key=made.key)
    answer = api.get("/products")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert set(answer.json()) >= PROBLEM_FIELDS


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ask_nope_nope", "Basic abc"])
def test_missing_or_made_up_keys_get_401(client, db, header):
    answer = client.get("/api/v1/responses", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.json()["status"] == 401


def test_a_read_key_cannot_write(reader, completed):
    answers = [
        reader.send("put", "/products", [_product("new-one")]),
        reader.send("post", "/products/steady/deactivate", {}),
        reader.send("post", "/purchases", {"order_id": "R-1", "items": [{"sku": "steady"}]}),
    ]
    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all(a["Content-Type"] == "application/problem+json" for a in answers)
    assert "read-and-write key" in answers[0].json()["detail"]
    assert reader.get("/products").status_code == 200


def test_each_key_has_its_own_rate_limit(brand, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/m"}
    busy, calm = Api(key_for(brand)), Api(key_for(brand))
    codes = [busy.get("/products").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = busy.get("/products")
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["title"] == "Too many requests"
    assert calm.get("/products").status_code == 200


def _product(sku: str, **fields):
    return {
        "sku": sku,
        "name": {"en": sku.title()},
        "url": f"https://shop.example/{sku}",
        "price": fields.pop("price", "10.00"),
        **fields,
    }
