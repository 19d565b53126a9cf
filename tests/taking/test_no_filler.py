"""A product that matches nothing the customer said is not shown; the page says why fewer."""

from __future__ import annotations

from assessments.authoring.services import assessment_import
from tests.factories import definition, products
from tests.taking.conftest import WALKER, results_url, start, walk


def test_a_walker_sees_only_the_light_shoe_and_an_honest_sentence(client, brand):
    data = definition(products=products("acme"))
    data["recommendation"] = {**data["recommendation"], "count": 2, "alternatives": 0}
    published = assessment_import(brand=brand, source=data, publish=True)
    response = start(client, published)
    walk(client, response, WALKER)
    html = client.get(results_url(response)).content.decode()
    assert "/breeze" in html and "/steady" not in html
    assert "Only one product matched what you told us" in html
