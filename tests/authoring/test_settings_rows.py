"""Recommendation settings and product attributes edited as rows, never as JSON."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.admin.forms import RecommendationForm
from assessments.admin.rows import attribute_rows, attribute_value
from assessments.authoring.services import assessment_import, draft_problems
from assessments.models import Product
from tests.admin.pages import errors, form_data
from tests.factories import BrandFactory, definition, member, products


def test_attributes_of_every_kind_come_back_from_their_rows():
    attributes = {
        "support": ["high", "medium"],
        "drop": 8,
        "weight": 7.5,
        "wide": True,
        "feel": "soft",
    }
    rows = attribute_rows(attributes)
    assert {"name": "support", "kind": "list", "value": "high, medium"} in rows
    assert attribute_value(rows) == attributes


def test_a_list_item_holding_a_comma_is_left_to_the_json():
    assert attribute_rows({"colours": ["black, matt", "red"]}) is None


@pytest.fixture
def draft():
    brand = BrandFactory(slug="acme")
    return assessment_import(brand=brand, source=definition(products=products("acme")))


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


@pytest.mark.django_db
def test_recommendation_rows_offer_the_assessments_questions_and_the_catalogues_attributes(
    draft,
):
    page = str(RecommendationForm(instance=draft.recommendation, prefix="r"))
    assert options(page, "r-trait_fit-0-trait") == ["", "support"]
    assert options(page, "r-trait_fit-0-attribute") == ["", "support"]
    assert "support (high, low)" in page  # the values products give the attribute
    assert options(page, "r-preferences-0-answer") == ["", "use", "knees"]  # choice questions
    assert options(page, "r-filters-0-answer") == ["", "use", "km", "knees"]
    assert options(page, "r-fallback_skus-0-sku") == ["", "breeze", "steady", "trail"]
    assert re.search(r'<option value="support" selected>', page)  # the stored trait fit


@pytest.mark.django_db
def test_recommendation_rows_save_as_the_formats_json(draft):
    form = RecommendationForm(instance=draft.recommendation, prefix="r")
    data = form_data(f"<form x>{form}</form>", "<form x>")
    data.update(
        {
            "r-count": "2",
            "r-alternatives": "1",
            "r-outcome_weight": "0",
            "r-trait_fit-0-weight": "3",
            "r-preferences-0-answer": "knees",
            "r-preferences-0-attribute": "support",
            "r-preferences-0-weight": "1.5",
            "r-filters-0-attribute": "support",
            "r-filters-0-answer": "use",
            "r-fallback_skus-0-sku": "steady",
        }
    )
    form = RecommendationForm(data, instance=draft.recommendation, prefix="r")
    assert form.is_valid(), form.errors
    settings = form.save()
    assert settings.trait_fit == [{"trait": "support", "attribute": "support", "weight": 3}]
    assert settings.preferences == [{"answer": "knees", "attribute": "support", "weight": 1.5}]
    assert settings.filters == [{"attribute": "support", "answer": "use"}]
    assert settings.fallback_skus == ["steady"]
    # Saved as the format says; Validate then tells that products' support levels are no
    # answers to "use" or "knees", which these rows compare them with.
    assert {p.code for p in draft_problems(draft)} == {"attribute_value"}


@pytest.mark.django_db
def test_a_weight_that_is_no_number_is_refused_in_words(draft):
    form = RecommendationForm(instance=draft.recommendation, prefix="r")
    data = form_data(f"<form x>{form}</form>", "<form x>")
    data["r-trait_fit-0-weight"] = "heavy"
    form = RecommendationForm(data, instance=draft.recommendation, prefix="r")
    assert not form.is_valid()
    assert "weight" in str(form.errors["trait_fit"])


@pytest.mark.django_db
def test_product_attributes_are_edited_as_rows_in_the_admin(client, draft):
    client.force_login(member(draft.brand, "editor"))
    product = Product.objects.get(brand=draft.brand, sku="steady")
    url = reverse("admin:assessments_product_change", args=[product.pk])
    page = client.get(url).text
    assert 'name="attributes-0-name" id="id_attributes-0-name" value="support"' in page
    assert '<textarea name="attributes"' not in page
    data = form_data(page, r'<form [^>]*id="product_form"')
    data.update(
        {
            "attributes-1-name": "drop",
            "attributes-1-kind": "number",
            "attributes-1-value": "8",
            "attributes-2-name": "wide",
            "attributes-2-kind": "yes-no",
            "attributes-2-value": "yes",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, errors(response.text)
    product.refresh_from_db()
    assert product.attributes == {"support": ["high"], "drop": 8, "wide": True}

    data["attributes-1-value"] = "eight"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Attribute “drop” is a number: type digits, like 8 or 7.5." in errors(response.text)
