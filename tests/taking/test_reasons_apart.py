"""On the results page: the brand's priority breaks ties, and the top pick says why it is first."""

from __future__ import annotations

import pytest

from assessments.models import Product, Response
from tests.taking.conftest import RUNNER, results_url, start, walk

pytestmark = pytest.mark.django_db


def _finish(client, published) -> tuple[Response, str]:
    response = start(client, published)
    walk(client, response, RUNNER)
    return response, client.get(results_url(response)).content.decode()


def test_two_equally_fitting_products_are_ordered_by_sku_and_the_top_pick_says_so(
    client, published
):
    response, html = _finish(client, published)
    assert [p["sku"] for p in response.result["recommended"]] == ["steady"]
    assert response.result["recommended"][0]["edge"] == "Trail fits you just as well."
    assert "Trail fits you just as well." in html.split("Also worth a look")[0]
    assert "points" not in html


def test_the_brands_priority_breaks_the_tie_before_the_sku(client, published):
    Product.objects.filter(sku="trail").update(priority=5)
    response, html = _finish(client, published)
    assert [p["sku"] for p in response.result["recommended"]] == ["trail"]
    assert [p["sku"] for p in response.result["alternatives"]] == ["steady"]
    assert response.result["recommended"][0]["edge"] == (
        "Steady fits you just as well; this one is the brand's first choice."
    )
    assert html.index("Trail") < html.index("Steady")


def test_priority_never_lifts_a_product_that_fits_worse(client, published):
    Product.objects.filter(sku="breeze").update(priority=1000)
    response, _html = _finish(client, published)
    shown = [p["sku"] for p in (*response.result["recommended"], *response.result["alternatives"])]
    assert shown == ["steady", "trail"]


def test_an_older_frozen_result_with_points_and_no_edge_is_shown_as_it_was(client, published):
    response, _html = _finish(client, published)
    old = dict(response.result)
    old["recommended"] = [
        {"sku": "steady", "rank": 1, "reasons": ["Your support need is High (2 points): you run."]}
    ]
    Response.objects.filter(pk=response.pk).update(result=old)
    html = client.get(results_url(response)).content.decode()
    assert "Your support need is High (2 points): you run." in html
    assert "fits you just as well" not in html
