"""A question kind registered beside the built-in ones is asked, answered and explained on real
pages: the test-only star rating (tests/engine/rating.py and its template)."""

from __future__ import annotations

import pytest

from assessments.authoring.definitions import content_hash
from assessments.authoring.services import version_make_live
from assessments.models import Assessment, AssessmentVersion
from tests.factories import definition, t
from tests.taking.conftest import back_url, results_url, start, step_url, submit, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(published: Assessment, rating_pages) -> Assessment:
    """The test assessment with a comfort rating before the knees step, which recalls it.

    A draft cannot hold a kind its models do not list, so the version is written as published.
    """
    data = definition()
    data["steps"].insert(
        2,
        {
            "key": "comfort",
            "title": t("Comfort"),
            "questions": [
                {
                    "key": "comfort",
                    "kind": "rating",
                    "prompt": t("How comfortable were your last shoes?"),
                    "rating": {
                        "stars": 5,
                        "points": {"support": 1},
                        "recall": t(
                            "you gave your last shoes {stars} stars",
                            "diste {stars} estrellas a tus últimas zapatillas",
                        ),
                    },
                }
            ],
        },
    )
    data["steps"][3]["questions"][0]["help"] = t("Since {answer:comfort}: look at your knees.")
    version = AssessmentVersion.objects.create(
        assessment=published, number=2, definition=data, content_hash=content_hash(data)
    )
    version_make_live(version=version)
    published.refresh_from_db()
    return published


def test_a_registered_kind_is_shown_by_its_own_template(client, rated):
    response = start(client, rated)
    walk(client, response, [("use", {"use": "run"}), ("distance", {"km": "40"})])
    page = client.get(step_url(response, "comfort"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Step 3 of 4" in html
    assert '<fieldset class="question question--rating" id="q-comfort">' in html
    assert html.count('<input type="radio" name="comfort"') == 5
    assert '<label class="rating__stars" for="q-comfort-3">★★★</label>' in html


def test_a_registered_kind_cleans_stores_recalls_and_explains_its_answer(client, rated):
    response = start(client, rated)
    walk(client, response, [("use", {"use": "run"}), ("distance", {"km": "40"})])

    refused = submit(client, response, "comfort", {"comfort": "9"}).content.decode()
    assert "Please enter a number from 1 to 5." in refused
    assert "question--invalid" in refused

    page = submit(client, response, "comfort", {"comfort": "4"})
    assert page["Location"] == step_url(response, "knees")
    response.refresh_from_db()
    assert response.answers["comfort"] == 4

    knees = client.get(step_url(response, "knees")).content.decode()
    assert "Since you gave your last shoes 4 stars: look at your knees." in knees

    walk(client, response, [("knees", {"knees": "no"})])
    results = client.get(results_url(response)).content.decode()
    recommended = results.split("Also worth a look")[0]
    # The rating gave the most points (4 of 6), so it is cited first.
    assert (
        "Your support need is High: you gave your last shoes 4 stars, you run, and you "
        "answered 40 km. This product is made for that."
    ) in recommended


def test_going_back_to_a_rating_shows_the_stars_given(client, rated):
    response = start(client, rated)
    walk(
        client,
        response,
        [("use", {"use": "run"}), ("distance", {"km": "40"}), ("comfort", {"comfort": "2"})],
    )
    client.post(back_url(response), {"to_step": "comfort"})
    html = client.get(step_url(response, "comfort")).content.decode()
    assert 'id="q-comfort-2" value="2" checked' in html
    assert 'id="q-comfort-3" value="3" checked' not in html
