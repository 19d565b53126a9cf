"""Catalogues and variants through the whole product: import and export, publishing with its
warnings, the results page, the product link, the API and the admin."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from assessments.admin.forms import RecommendationForm
from assessments.api.keys import api_key_create
from assessments.authoring.definitions import catalogue_data
from assessments.authoring.services import (
    assessment_export,
    assessment_import,
    assessment_publish,
    draft_check,
)
from assessments.models import Product, ProductReference, ProductVariant
from assessments.taking.emails import results_email
from tests.admin.pages import form_data
from tests.factories import BrandFactory, member, stored_image, t
from tests.taking.conftest import results_url, start, walk

pytestmark = pytest.mark.django_db


def shoe_finder(key: str = "shoes", **recommendation) -> dict:
    """A two-step finder: fit (women/men) and feel; products by fit and feel."""
    return {
        "format": 2,
        "key": key,
        "languages": ["en", "es"],
        "title": t("Finder"),
        "steps": [
            {
                "key": "fit",
                "title": t("Fit"),
                "questions": [
                    {
                        "key": "gender",
                        "kind": "single",
                        "prompt": t("Which fit?"),
                        "choices": [
                            {
                                "key": "women",
                                "label": t("Women's"),
                                "recall": t("you chose women's"),
                            },
                            {"key": "men", "label": t("Men's"), "recall": t("you chose men's")},
                        ],
                    }
                ],
            },
            {
                "key": "feel",
                "title": t("Feel"),
                "questions": [
                    {
                        "key": "feel",
                        "kind": "single",
                        "prompt": t("Which feel?"),
                        "choices": [
                            {"key": "soft", "label": t("Soft"), "recall": t("you like soft")},
                            {"key": "firm", "label": t("Firm"), "recall": t("you like firm")},
                        ],
                    }
                ],
            },
        ],
        "outcomes": [{"key": "all", "title": t("All"), "description": t("All.")}],
        "recommendation": {
            "count": 2,
            "alternatives": 0,
            "filters": [{"attribute": "gender", "answer": "gender"}],
            "preferences": [{"answer": "feel", "attribute": "feel", "weight": 1}],
            **recommendation,
        },
    }


def catalogue(slug: str) -> list[dict]:
    def item(sku: str, **extra) -> dict:
        return {
            "sku": sku,
            "name": t(sku.replace("-", " ").title()),
            "url": f"https://{slug}.example/{sku}",
            "price": "100.00",
            "currency": "EUR",
            "image": stored_image(f"test/{sku}.png"),
            **extra,
        }

    return [
        item(
            "glide",
            attributes={"feel": "soft"},
            tags=["shoes"],
            variants=[
                {
                    "sku": "glide-women",
                    "name": t("Women's", "Mujer"),
                    "attributes": {"gender": "women"},
                    "url": f"https://{slug}.example/glide?fit=women",
                    "price": "95.00",
                },
                {"sku": "glide-men", "name": t("Men's", "Hombre"), "attributes": {"gender": "men"}},
            ],
        ),
        item("cloud-sock", attributes={"feel": "soft", "gender": ["women", "men"]}, tags=["socks"]),
        item("grip-sock", attributes={"feel": "firm", "gender": ["women", "men"]}, tags=["socks"]),
    ]


@pytest.fixture
def brand():
    return BrandFactory(slug="acme", allowed_origins=["https://partner.example"])


@pytest.fixture
def shoes(brand):
    data = {**shoe_finder(catalogue={"tags": ["shoes"]}), "products": catalogue("acme")}
    return assessment_import(brand=brand, source=data, publish=True)


def finish(client, assessment, gender: str, feel: str = "soft"):
    response = start(client, assessment)
    walk(client, response, [("fit", {"gender": gender}), ("feel", {"feel": feel})])
    response.refresh_from_db()
    return response, client.get(results_url(response)).content.decode()


def test_a_file_carries_tags_variants_and_the_catalogue_and_reads_back_byte_for_byte(shoes):
    assert shoes.recommendation.catalogue_tags == ["shoes"]
    glide = Product.objects.get(sku="glide")
    assert glide.tags == ["shoes"]
    assert [(v.sku, v.attributes, v.url) for v in glide.variants.all()] == [
        ("glide-women", {"gender": "women"}, "https://acme.example/glide?fit=women"),
        ("glide-men", {"gender": "men"}, ""),
    ]
    exported = assessment_export(assessment=shoes)
    again = assessment_import(brand=shoes.brand, source=exported)
    assert assessment_export(assessment=again) == exported
    data = json.loads(exported)
    assert data["recommendation"]["catalogue"] == {"tags": ["shoes"]}
    assert data["products"][1]["variants"][0] == {
        "sku": "glide-women",
        "name": t("Women's", "Mujer"),
        "attributes": {"gender": "women"},
        "url": "https://acme.example/glide?fit=women",
        "price": "95.00",
    }


def test_a_product_in_a_file_takes_the_files_variants(shoes):
    products = catalogue("acme")
    products[0]["variants"] = products[0]["variants"][:1]
    data = {**shoe_finder(catalogue={"tags": ["shoes"]}), "products": products}
    assessment_import(brand=shoes.brand, source=data)
    assert list(ProductVariant.objects.values_list("sku", flat=True)) == ["glide-women"]


def test_a_socks_assessment_never_shows_the_brands_shoes(client, brand, shoes):
    socks = assessment_import(
        brand=brand, source=shoe_finder("socks", catalogue={"tags": ["socks"]}), publish=True
    )
    _response, html = finish(client, socks, "women")
    assert "Cloud Sock" in html and "Glide" not in html
    _response, html = finish(client, shoes, "women")
    assert "Glide" in html and "Sock" not in html


def test_the_card_shows_the_model_once_as_the_womens_variant_with_its_own_link_and_price(
    client, shoes
):
    response, html = finish(client, shoes, "women")
    assert html.count('class="product__name"') == 1
    assert '<p class="product__variant">Women&#x27;s</p>' in html
    assert "€95.00" in html
    reference = ProductReference.objects.get(response=response, sku="glide")
    assert reference.variant == "glide-women"
    follow = client.get(reverse("taking:go", args=[reference.ref]))
    assert follow.status_code == 302
    assert follow["Location"] == f"https://acme.example/glide?fit=women&ref={reference.ref}"
    # The results e-mail names the same variant.
    mail = results_email(response, title={"en": "Finder"}, link="https://app.example/r/x/")
    assert "1. Glide, Women's (€95.00)" in mail.text
    assert ">Women&#x27;s</p>" in mail.html


def test_a_variant_without_its_own_link_and_price_shows_the_products(client, shoes):
    response, html = finish(client, shoes, "men")
    assert '<p class="product__variant">Men&#x27;s</p>' in html and "€100.00" in html
    reference = ProductReference.objects.get(response=response, sku="glide")
    follow = client.get(reverse("taking:go", args=[reference.ref]))
    assert follow["Location"] == f"https://acme.example/glide?ref={reference.ref}"


def test_publishing_names_wrong_values_and_warns_of_a_filter_left_empty(brand, shoes):
    ProductVariant.objects.filter(sku="glide-men").update(attributes={"gender": "Men"})
    check = draft_check(shoes)
    assert [(p.path, p.message) for p in check.problems] == [
        (
            "$.products[0].variants[1].attributes.gender",
            "Product 'glide' gives attribute 'gender' the value 'Men', which is none of the "
            "choices of question 'gender' (women, men), so the filter on 'gender' never "
            "matches it. Did you mean 'men'?",
        )
    ]
    ProductVariant.objects.filter(sku="glide-men").delete()
    check = draft_check(shoes)
    assert check.problems == [] and check.scenarios_ran
    assert [p.message for p in check.warnings] == [
        "No product passes the filter on 'gender' when the answer to question 'gender' is "
        "'men': customers who get there see the fallback products instead."
    ]
    published = assessment_publish(assessment=shoes, user=None)
    assert [p.code for p in published.warnings] == ["filter_empty"]


def test_the_validate_page_lists_warnings_apart_and_still_offers_publish(client, brand, shoes):
    ProductVariant.objects.filter(sku="glide-men").delete()
    client.force_login(member(brand, "editor"))
    page = client.get(
        reverse("admin:assessments_assessment_validate", args=[shoes.pk])
    ).content.decode()
    assert "Worth a look" in page
    assert "No product passes the filter on" in page
    assert "Publish now" in page


def test_the_api_writes_and_reads_tags_and_variants(client, brand, shoes):
    made = api_key_create(brand=brand, name="shop", scope="read_write")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {made.plaintext}"}
    body = [
        {
            "sku": "trail-sock",
            "name": {"en": "Trail sock"},
            "url": "https://acme.example/trail-sock",
            "price": "12.00",
            "tags": ["socks"],
            "attributes": {"feel": "firm"},
            "variants": [
                {"sku": "trail-sock-s", "name": {"en": "S"}, "attributes": {"size": "s"}},
                {"sku": "trail-sock-m", "name": {"en": "M"}, "attributes": {"size": "m"}},
            ],
        }
    ]
    put = client.put("/api/v1/products", body, content_type="application/json", **headers)
    assert put.status_code == 200, put.content
    listed = {p["sku"]: p for p in client.get("/api/v1/products", **headers).json()}
    assert listed["trail-sock"]["tags"] == ["socks"]
    assert [v["sku"] for v in listed["trail-sock"]["variants"]] == ["trail-sock-s", "trail-sock-m"]
    assert [v["sku"] for v in listed["glide"]["variants"]] == ["glide-women", "glide-men"]
    # Left out, the variants stay as they are.
    body[0].pop("variants")
    client.put("/api/v1/products", body, content_type="application/json", **headers)
    assert ProductVariant.objects.filter(product__sku="trail-sock").count() == 2


def test_the_admin_edits_tags_as_words_and_variants_under_their_product(client, brand, shoes):
    client.force_login(member(brand, "editor"))
    glide = Product.objects.get(sku="glide")
    url = reverse("admin:assessments_product_change", args=[glide.pk])
    page = client.get(url).content.decode()
    assert 'value="shoes"' in page and "glide-women" in page
    data = form_data(page)
    data["tags"] = "shoes, running"
    data.pop("variants-1-active")  # unticked
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    glide.refresh_from_db()
    assert glide.tags == ["shoes", "running"]
    assert [v.active for v in glide.variants.all()] == [True, False]


def test_the_catalogue_data_lists_variants_in_order(shoes):
    rows = {p["sku"]: p for p in catalogue_data(shoes.brand_id)}
    assert [v["sku"] for v in rows["glide"]["variants"]] == ["glide-women", "glide-men"]
    assert "variants" not in rows["cloud-sock"]


def test_the_recommendation_settings_pick_the_catalogue_without_json(shoes):
    form = RecommendationForm(instance=shoes.recommendation, prefix="r")
    page = str(form)
    assert "as assessments made before catalogues did" in page  # the default, said
    assert 'name="r-catalogue_tags" value="shoes"' in page
    data = form_data(f"<form x>{page}</form>", "<form x>")
    data.update({"r-catalogue_tags": "shoes, socks", "r-catalogue_skus-0-sku": "grip-sock"})
    form = RecommendationForm(data, instance=shoes.recommendation, prefix="r")
    assert form.is_valid(), form.errors
    settings = form.save()
    assert settings.catalogue_tags == ["shoes", "socks"]
    assert settings.catalogue_skus == ["grip-sock"]
