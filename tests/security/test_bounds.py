"""Bad input gets a clear error and loses nothing: no 500, no half-written rows, no silent drop.

The same on SQLite and PostgreSQL; PostgreSQL is the stricter store (NUL, column lengths,
integer ranges), so CI's second run is where several of these failed first.
"""

from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.admin.forms import ProductForm
from assessments.engine import validate_definition
from assessments.engine.bounds import NAMES, bounds
from assessments.models import (
    Assessment,
    CheckIn,
    Consent,
    FollowUp,
    Product,
    Purchase,
    RecommendationSettings,
    Response,
)
from assessments.taking.display import safe_link, with_reference
from tests.factories import definition, png_bytes, products, t
from tests.followups.conftest import buy, make_plan, make_response
from tests.taking.conftest import start, step_url

from .admin_pages import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(published) -> Response:
    """A completed response of the published test assessment, with a follow-up plan."""
    make_plan(published)
    return make_response(published)


def _text(page) -> str:
    """The page as a reader sees it (quotes and ampersands unescaped)."""
    return html.unescape(page.content.decode())


def _bought_url(response: Response) -> str:
    return reverse("followups:bought", args=[response.token])


# -- finding 2: anonymous 500s ------------------------------------------------------------


@pytest.mark.parametrize("purchase", ["²", "\u0663", "\uff11", "9" * 25, "-1", "1.0", "\x00"])
def test_a_purchase_number_that_is_not_ascii_digits_leads_back_to_the_results(
    client, finished, purchase
):
    page = client.get(_bought_url(finished), {"purchase": purchase})
    assert page.status_code == 303
    assert page["Location"] == reverse("taking:results", args=[finished.token])


def test_the_purchase_page_still_shows_a_real_purchase(client, finished):
    page = client.post(_bought_url(finished), {"sku": "steady", "submission_id": "s1"})
    assert page.status_code == 303
    assert client.get(page["Location"]).status_code == 200


@pytest.mark.parametrize("csat", ["²", "\u0663\u0663", "4\x00", "1e400", "NaN", "9" * 5000])
def test_a_check_in_with_a_number_that_is_not_one_is_shown_back_not_stored(client, finished, csat):
    purchase, _ = buy(finished)
    url = reverse("followups:page", args=[purchase.followups.get(step__kind="checkin").token])
    page = client.post(url, {"csat": csat, "ces": "3", "nps": "5", "delivered": "yes"})
    assert page.status_code == 200
    assert "Please choose a number from 1 to 5." in _text(page)
    assert not CheckIn.objects.exists()


def test_a_nul_in_a_step_submission_id_still_stores_the_answer_once(client, published):
    response = start(client, published)
    data = {"use": "run", "submission_id": "ab\x00cd"}
    first = client.post(step_url(response, "use"), data)
    assert first.status_code == 303
    response.refresh_from_db()
    assert response.answers == {"use": "run"}
    assert [s["id"] for s in response.submissions] == ["abcd"]
    revision = response.revision
    # A double click sends the same id: it lands where the first did and stores nothing more.
    again = client.post(step_url(response, "use"), data)
    assert again["Location"] == first["Location"]
    response.refresh_from_db()
    assert response.revision == revision


@pytest.mark.parametrize(
    "email",
    ["ana\x00@example.com", "a" * 290 + "@example.com"],
    ids=["nul", "300-characters"],
)
def test_i_bought_this_refuses_an_address_no_column_holds(client, finished, email):
    data = {"sku": "steady", "consent": "on", "submission_id": "s1", "email": email}
    page = client.post(_bought_url(finished), data)
    assert page.status_code == 200
    assert not Purchase.objects.exists()
    assert not Consent.objects.exists()
    assert not FollowUp.objects.exists()


def test_i_bought_this_with_a_nul_in_its_submission_id_records_once(client, finished):
    data = {"sku": "steady", "submission_id": "s\x001"}
    assert client.post(_bought_url(finished), data).status_code == 303
    assert client.post(_bought_url(finished), data).status_code == 303
    assert Purchase.objects.count() == 1


def test_an_origin_with_an_unclosed_ipv6_bracket_is_refused_not_crashed(client, published):
    response = start(client, published)
    page = client.post(step_url(response, "use"), {"use": "run"}, HTTP_ORIGIN="https://[::1")
    assert page.status_code == 403
    response.refresh_from_db()
    assert response.answers == {}
    landing = reverse("taking:landing", args=[published.brand.slug, published.key])
    assert client.get(f"/e{landing}?origin=https://%5B::1").status_code == 200


def _nul_in(field: str, payload: dict[str, Any]) -> dict[str, Any]:
    data = payload["data"]
    if field in ("sku", "ref"):
        data["items"][0][field] = "steady\x00"
    elif field == "wording_version":
        data["consent"]["wording_version"] = "v1\x00"
    else:
        data[field] = "A\x00-1"
    return payload


@pytest.mark.parametrize(
    "field", ["order_id", "sku", "ref", "reference", "first_name", "language", "wording_version"]
)
def test_a_signed_webhook_with_a_nul_in_any_text_is_a_400_that_stores_nothing(
    client, finished, field
):
    from tests.followups.conftest import post_webhook, purchase_payload

    page = post_webhook(client, finished.brand, _nul_in(field, purchase_payload(finished)))
    assert page.status_code == 400
    assert "NUL" in page.json()["error"]
    assert not Purchase.objects.exists()
    assert not Consent.objects.exists()


# -- finding 4: the definition format keeps every value to what its column holds -----------


def _with(change):
    def build(brand_slug: str) -> dict[str, Any]:
        data = definition(key="hostile", products=products(brand_slug))
        change(data)
        return data

    return build


def _choice(data: dict[str, Any]) -> dict[str, Any]:
    return data["steps"][0]["questions"][0]["choices"][0]


HOSTILE_FILES = {
    "13-digit-price": (
        _with(lambda d: d["products"][0].update(price="1111111111111")),
        "'price' ('1111111111111') must be an amount written as text, with at most 8 digits",
    ),
    "price-to-a-tenth-of-a-cent": (
        _with(lambda d: d["products"][0].update(price="12.345")),
        "at most 8 digits before the point and 2 after",
    ),
    "no-price": (
        _with(lambda d: d["products"][0].pop("price")),
        "Product 'steady' is missing 'price'",
    ),
    "estimated-minutes-1e30": (
        _with(lambda d: d.update(estimated_minutes=1e30)),
        "'estimated_minutes' must be at most 240 (it is 1e+30)",
    ),
    "points-of-infinity": (
        _with(lambda d: _choice(d).update(points={"support": float("inf")})),
        "'points.support' must be a number, not Infinity",
    ),
    "points-of-1e300": (
        _with(lambda d: _choice(d).update(points={"support": 1e300})),
        "'points.support' must be at most 1000",
    ),
    "scoring-points": (
        _with(
            lambda d: d["steps"][1]["questions"][0]["scoring"][0].update(points={"support": -1e6})
        ),
        "'points.support' must be at least -1000",
    ),
    "count-beyond-a-small-integer": (
        _with(lambda d: d["recommendation"].update(count=70_000)),
        "'count' must be at most 20",
    ),
    "priority-beyond-an-integer": (
        _with(lambda d: d["outcomes"][0].update(priority=2**40)),
        "'priority' must be at most 1000",
    ),
    "weight-1e308": (
        _with(lambda d: d["recommendation"]["trait_fit"][0].update(weight=1e308)),
        "'weight' must be at most 1000",
    ),
    "long-outcome-attribute": (
        _with(lambda d: d["recommendation"].update(outcome_attribute="a" * 65)),
        "'outcome_attribute' is longer than 64 characters",
    ),
    "long-product-url": (
        _with(lambda d: d["products"][0].update(url="https://acme.example/" + "a" * 500)),
        "must be a web address starting with https:// or http://, at most 500 characters",
    ),
    "scale-of-four-billion": (
        _with(
            lambda d: d["steps"][1]["questions"].append(
                {
                    "key": "effort",
                    "kind": "scale",
                    "prompt": t("Effort?"),
                    "scale": {"min": -(2**31), "max": 2**31},
                }
            )
        ),
        "'scale.min' must be at least -1000",
    ),
    "nul-in-a-title": (
        _with(lambda d: d["title"].update(en="Fit\x00check")),
        "'title.en' holds a NUL character",
    ),
    "nul-in-an-attribute-name": (
        _with(lambda d: d["products"][0]["attributes"].update({"sup\x00port": "x"})),
        "has a member name holding a NUL character",
    ),
    "javascript-link": (
        _with(lambda d: d["products"][0].update(url="javascript:alert(document.domain)")),
        "must be a web address starting with https:// or http://",
    ),
    "data-link": (
        _with(lambda d: d["products"][0].update(url="data:text/html,<script>alert(1)</script>")),
        "must be a web address starting with https:// or http://",
    ),
}


def _import(admin_client, brand, data: dict[str, Any]):
    payload = json.dumps(data, allow_nan=True).encode()
    return admin_client.post(
        reverse("admin:assessments_assessment_import"),
        {"brand": brand.pk, "file": SimpleUploadedFile("hostile.json", payload)},
    )


def _catalogue(brand) -> list[tuple[str, Decimal, str]]:
    return list(Product.objects.filter(brand=brand).values_list("sku", "price", "url"))


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_an_import_out_of_bounds_is_refused_naming_the_value_and_the_brand_keeps_working(
    admin_client, published, name
):
    build, says = HOSTILE_FILES[name]
    brand = published.brand
    catalogue = _catalogue(brand)
    page = _import(admin_client, brand, build(brand.slug))
    assert page.status_code == 400
    assert says in _text(page)
    assert not Assessment.objects.filter(key="hostile").exists()
    assert _catalogue(brand) == catalogue
    # Everything that broke once such a file was stored still works.
    assert admin_client.get(reverse("admin:assessments_product_changelist")).status_code == 200
    export = reverse("admin:assessments_assessment_export", args=[published.pk])
    assert admin_client.get(export).status_code == 200
    publish = reverse("admin:assessments_assessment_publish", args=[published.pk])
    assert admin_client.post(publish).status_code == 302


def test_an_import_holding_a_number_of_5000_digits_is_refused_not_crashed(admin_client, brand):
    page = admin_client.post(
        reverse("admin:assessments_assessment_import"),
        {
            "brand": brand.pk,
            "file": SimpleUploadedFile("n.json", b'{"format": ' + b"9" * 5000 + b"}"),
        },
    )
    assert page.status_code == 400
    assert "a number too long to read" in _text(page)
    assert not Assessment.objects.exists()


def test_a_file_at_the_edge_of_every_range_imports_and_exports_unchanged(admin_client, brand):
    data = definition(key="edges", products=products(brand.slug))
    data["estimated_minutes"] = 240
    data["products"][0]["price"] = "99999999.99"
    data["products"][0]["url"] = "HTTPS://acme.example/" + "a" * (500 - 21)
    _choice(data)["points"] = {"support": -1000}
    data["recommendation"].update(count=20, alternatives=20, outcome_weight=1000)
    data["recommendation"]["outcome_attribute"] = "o" * 64
    data["outcomes"][1]["priority"] = -1000
    page = _import(admin_client, brand, data)
    assert page.status_code == 302, page.content.decode()[:3000]
    export = admin_client.get(
        reverse("admin:assessments_assessment_export", args=[Assessment.objects.get().pk])
    )
    exported = json.loads(export.content)
    assert exported["estimated_minutes"] == 240
    assert exported["products"][1]["price"] == "99999999.99"  # sorted by sku: steady last
    assert exported["recommendation"]["count"] == 20


def test_every_named_range_is_in_the_schema():
    for name in NAMES:
        allowed = bounds(name)
        assert allowed.low < allowed.high, name
    assert (bounds("estimated_minutes").low, bounds("estimated_minutes").high) == (1, 240)
    assert (bounds("points").low, bounds("points").high) == (-1000, 1000)


def test_the_nul_problems_are_capped_and_in_document_order():
    data = definition(steps=[])
    data["title"] = {"en": "a\x00", "es": "b\x00"}
    data["hidden_fields"] = [{"key": "p", "label": {"en": "\x00" * 3, "es": "x"}}] * 30
    found = [p for p in validate_definition(data) if p.code == "nul"]
    assert len(found) == 20
    assert [p.path for p in found[:3]] == [
        "$.title.en",
        "$.title.es",
        "$.hidden_fields[0].label.en",
    ]


# -- finding 5: product links are http(s) or nothing ----------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox(1)",
        "ftp://acme.example/file",
        "//evil.example/",
        "https://",
        "http://[::1",
        "",
    ],
)
def test_a_link_that_is_not_http_or_https_is_no_link(url):
    assert safe_link(url) == ""
    assert with_reference(url, "ref123") == ""


@pytest.mark.parametrize(
    "url", ["https://acme.example/a?x=1", "HTTP://acme.example", "http://10.0.0.1/"]
)
def test_a_web_address_stays_a_link(url):
    assert safe_link(url) == url
    assert with_reference(url, "r").endswith("ref=r")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,hi", "ftp://acme.example/x"]
)
def test_the_admin_refuses_a_product_link_that_is_not_a_web_page(brand, url):
    data = {
        "brand": brand.pk,
        "sku": "t1",
        "name_en": "T",
        "url": url,
        "price": "1.00",
        "currency": "EUR",
        "attributes": "{}",
        "active": "on",
    }
    image = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    form = ProductForm(data=data, files={"image": image})
    assert not form.is_valid()
    assert "url" in form.errors


@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "data:text/html,x"])
def test_a_stored_dangerous_link_is_shown_as_the_name_without_a_link(client, finished, url):
    # A row written before the format and the admin refused such links.
    Product.objects.filter(brand=finished.brand).update(url=url)
    results = client.get(reverse("taking:results", args=[finished.token])).content.decode()
    finished.refresh_from_db()
    shared = client.get(reverse("taking:shared", args=[finished.share_token])).content.decode()
    for page in (results, shared):
        assert url not in page
        assert 'data-product-sku="steady"' not in page  # the attribute of the product's link
        assert "Steady" in page  # the product is still shown, by name


# -- finding 9: the share page ----------------------------------------------------------------


def test_the_share_page_is_never_kept_by_a_cache(client, finished):
    page = client.get(reverse("taking:shared", args=[finished.share_token]))
    assert page.status_code == 200
    control = {part.strip() for part in page["Cache-Control"].split(",")}
    assert {"no-store", "private", "max-age=0"} <= control
    assert "public" not in control


# -- admin numbers: the same ranges as the format, on every database ------------------------


def _admin(name: str, *args: Any) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("estimated_minutes", "1000", "less than or equal to 240"),
        ("estimated_minutes", "0", "greater than or equal to 1"),
        ("estimated_minutes", str(2**40), "less than or equal to"),
        ("recommendation-0-count", "70000", "less than or equal to 20"),
        ("recommendation-0-alternatives", "-1", "greater than or equal to 0"),
        ("recommendation-0-outcome_weight", "1e308", "less than or equal to 1000"),
        ("recommendation-0-outcome_weight", "Infinity", "Enter a number"),
        (
            "recommendation-0-trait_fit",
            '[{"trait": "support", "attribute": "s", "weight": 1e9}]',
            "weight",
        ),
        ("recommendation-0-trait_fit", '[{"trait": "support", "weight": NaN}]', "NaN"),
        ("hidden_fields", "[" * 5000 + "]" * 5000, "nested more than 100 levels"),
        ("hidden_fields", '[{"key": "p", "label": {"en": "a\\u0000"}}]', "NUL"),
        ("hidden_fields", "9" * 5000, "Enter valid JSON"),
        ("outcomes-0-priority", str(2**40), "less than or equal to 1000"),
        ("steps-0-position", str(2**40), "less than or equal to 2147483647"),
    ],
)
def test_the_assessment_page_refuses_what_the_format_would(
    admin_client, published, field, value, says
):
    url = _admin("assessment_change", published.pk)
    before = (Assessment.objects.values().get(), list(RecommendationSettings.objects.values()))
    page = save(admin_client, url, **{field: value})
    assert page.status_code == 200
    assert says in _text(page)
    assert (
        Assessment.objects.values().get(),
        list(RecommendationSettings.objects.values()),
    ) == before


def test_the_assessment_page_saves_values_inside_the_ranges(admin_client, published):
    url = _admin("assessment_change", published.pk)
    page = save(admin_client, url, estimated_minutes="240", **{"recommendation-0-count": "20"})
    assert page.status_code == 302
    assert Assessment.objects.get().estimated_minutes == 240


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("choices-0-points", '{"support": 1e308}', "from -1000 to 1000"),
        ("choices-0-points", '{"support": Infinity}', "NaN and Infinity"),
        ("choices-0-points", '{"support": "2"}', "from -1000 to 1000"),
        ("min_picks", "-1", "greater than or equal to 0"),
        ("max_picks", "70000", "less than or equal to 100"),
        ("scale_min", str(-(2**31)), "greater than or equal to -1000"),
        ("number_max", "1e30", "less than or equal to 1000000000"),
        ("text_max_length", "1000000", "less than or equal to 100000"),
        ("scoring", '[{"min": 1e300, "points": {"support": 1}}]', "from -1000000000"),
    ],
)
def test_the_question_page_refuses_what_the_format_would(
    admin_client, published, field, value, says
):
    question = published.steps.get(key="use").questions.get()
    url = _admin("question_change", question.pk)
    page = save(admin_client, url, **{field: value})
    assert page.status_code == 200
    assert says in _text(page)
    question.refresh_from_db()
    assert question.choices.get(key="run").points == {"support": 1}
    assert (question.min_picks, question.max_picks, question.scale_min) == (None, None, None)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("bands-0-max_score", "1e300", "less than or equal to 1000000000"),
        ("bands-0-min_score", "-Infinity", "Enter a number"),
    ],
)
def test_the_trait_page_refuses_what_the_format_would(admin_client, published, field, value, says):
    trait = published.traits.get()
    page = save(admin_client, _admin("trait_change", trait.pk), **{field: value})
    assert page.status_code == 200
    assert says in _text(page)


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("1111111111111", "no more than 10 digits"),
        ("12.345", "no more than 2 decimal places"),
        ("-1", "greater than or equal to 0"),
        ("NaN", "Enter a number"),
    ],
)
def test_the_product_page_refuses_a_price_the_catalogue_cannot_hold(
    admin_client, published, value, says
):
    product = Product.objects.get(sku="steady")
    page = save(admin_client, _admin("product_change", product.pk), price=value)
    assert page.status_code == 200
    assert says in _text(page)
    product.refresh_from_db()
    assert product.price == Decimal("99.00")


@pytest.mark.parametrize(
    ("value", "says"),
    [("0", "greater than or equal to 1"), ("8", "less than or equal to 7"), (str(2**40), "7")],
)
def test_the_follow_up_settings_refuse_a_weekly_cap_out_of_range(admin_client, brand, value, says):
    from assessments.followups.services import followup_settings_ensure

    found = followup_settings_ensure(brand_id=brand.pk)
    page = save(admin_client, _admin("brandfollowupsettings_change", found.pk), weekly_cap=value)
    assert page.status_code == 200
    assert says in _text(page)
    found.refresh_from_db()
    assert found.weekly_cap == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"quantity": str(2**31)},
        {"purchased_at_0": "9999-12-31"},
        {"purchased_at_0": "0001-01-01"},
        {"consent_given": "on", "email": "ana@example.com", "consent_wording": "w" * 41},
    ],
    ids=["quantity-2-31", "year-9999", "year-1", "long-wording"],
)
def test_a_staff_purchase_out_of_range_is_a_form_error(admin_client, finished, changes):
    data = {
        "brand": finished.brand.pk,
        "order_id": "A-1",
        "purchased_at_0": "2025-05-01",
        "purchased_at_1": "10:00:00",
        "sku": "steady",
        "quantity": "1",
        "response_token": finished.token,
        "consent_wording": "in-store-v1",
        **changes,
    }
    page = admin_client.post(_admin("purchase_add"), data)
    assert page.status_code == 200
    assert "errornote" in _text(page)
    assert not Purchase.objects.exists()
    assert not FollowUp.objects.exists()
