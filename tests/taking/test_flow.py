"""A customer takes a published assessment from the landing page to explained results."""

from __future__ import annotations

import pytest

from assessments.models import Response
from tests.taking.conftest import (
    RUNNER,
    WALKER,
    back_url,
    landing_url,
    results_url,
    start,
    step_url,
    submit,
    walk,
)

pytestmark = pytest.mark.django_db


def test_the_landing_page_says_what_you_will_learn_and_how_long_it_takes(client, published):
    page = client.get(landing_url(published))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Fit check</h1>" in html
    assert "Find what suits you." in html
    assert "About 2 minutes" in html
    assert 'name="language" value="en"' in html
    assert 'hreflang="es"' in html


def test_the_landing_page_speaks_the_language_asked_for(client, published):
    html = client.get(landing_url(published, "lang=es")).content.decode()
    assert "Prueba de ajuste" in html
    assert 'lang="es"' in html


def test_an_unpublished_or_unknown_assessment_has_no_landing_page(client, published):
    published.live_version = None
    published.save()
    assert client.get(landing_url(published)).status_code == 404
    assert client.post(landing_url(published)).status_code == 404
    assert client.get("/a/acme/no-such-thing/").status_code == 404


def test_starting_pins_the_live_version_and_opens_the_first_step(client, published):
    page = client.post(landing_url(published), {"language": "es"})
    response = Response.objects.get()
    assert page.status_code == 303
    assert page["Location"] == step_url(response, "use")
    assert response.version == published.live_version
    assert response.language == "es"
    assert not response.is_preview
    assert len(response.token) >= 43


def test_the_start_link_carries_declared_hidden_fields_only(client, brand):
    from assessments.authoring.services import assessment_import
    from tests.factories import definition, products, t

    assessment = assessment_import(
        brand=brand,
        source=definition(
            hidden_fields=[{"key": "partner", "label": t("Partner")}],
            products=products("acme"),
        ),
        publish=True,
    )
    client.post(landing_url(assessment, "partner=runshop&evil=1"))
    assert Response.objects.get().fields == {"partner": "runshop"}


def test_a_runner_walks_every_step_to_results_with_plain_posts(client, published):
    response = start(client, published)
    step = client.get(step_url(response, "use"))
    html = step.content.decode()
    assert step.status_code == 200
    assert "Step 1 of 3" in html
    assert "How you use it changes what helps." in html  # why we ask
    assert "<legend" in html and 'type="radio"' in html

    page = submit(client, response, "use", {"use": "run"})
    assert page["Location"] == step_url(response, "distance")
    page = submit(client, response, "distance", {"km": "40"})
    assert page["Location"] == step_url(response, "knees")
    page = submit(client, response, "knees", {"knees": "no"})
    assert page["Location"] == results_url(response)

    response.refresh_from_db()
    assert response.status == Response.Status.COMPLETED
    assert response.completed_at is not None
    assert response.answers == {"use": "run", "km": 40, "knees": "no"}

    results = client.get(results_url(response)).content.decode()
    assert "Support need" in results and "High" in results
    assert "You benefit from support." in results  # the band's insight
    assert "Supported" in results and "Go for support." in results  # the outcome
    recommended, alternatives = results.split("Also worth a look")
    steady = response.references.get(sku="steady").ref
    assert "Steady" in recommended and f'href="/go/{steady}/"' in recommended
    assert "€99.00" in recommended
    assert "Your support need is High: you run" in recommended  # a reason
    assert "Trail" in alternatives and "Breeze" not in results


def test_the_resume_link_goes_wherever_the_customer_left_off(client, published):
    response = start(client, published)
    assert client.get(f"/r/{response.token}/")["Location"] == step_url(response, "use")
    walk(client, response, RUNNER)
    assert client.get(f"/r/{response.token}/")["Location"] == results_url(response)


def test_walking_skips_the_distance_step(client, published):
    response = start(client, published)
    page = submit(client, response, "use", {"use": "walk"})
    assert page["Location"] == step_url(response, "knees")
    knees = client.get(step_url(response, "knees")).content.decode()
    assert "Step 2 of 2" in knees
    # The skipped step is not reachable: its URL sends the customer back to where they are.
    assert client.get(step_url(response, "distance"))["Location"] == step_url(response, "knees")


def test_results_wait_until_the_last_step_is_answered(client, published):
    response = start(client, published)
    assert client.get(results_url(response))["Location"] == step_url(response, "use")


def test_going_back_shows_the_earlier_answer_and_changing_it_changes_path_and_outcome(
    client, published
):
    response = start(client, published)
    walk(client, response, RUNNER)
    assert "Supported" in client.get(results_url(response)).content.decode()

    # From the results, back to the last step, then back once more, to the first step.
    page = client.post(back_url(response), {"to_step": "knees"})
    assert page["Location"] == step_url(response, "knees")
    knees = client.get(step_url(response, "knees")).content.decode()
    assert 'value="no" checked' in knees
    assert client.post(back_url(response), {"to_step": "distance"}).status_code == 303
    client.post(back_url(response), {"to_step": "use"})
    use = client.get(step_url(response, "use")).content.decode()
    assert 'value="run" checked' in use

    page = submit(client, response, "use", {"use": "walk"})
    assert page["Location"] == step_url(response, "knees")  # distance is now skipped
    page = submit(client, response, "knees", {"knees": "no"})
    assert page["Location"] == results_url(response)

    response.refresh_from_db()
    assert response.answers["km"] == 40  # kept, but no longer counted
    results = client.get(results_url(response)).content.decode()
    assert "Neutral" in results and "Go neutral." in results
    assert "Supported" not in results
    recommended = results.split("Also worth a look")[0]
    assert "Breeze" in recommended and "Steady" not in recommended


def test_a_step_already_answered_is_shown_read_only_with_a_way_back(client, published):
    response = start(client, published)
    walk(client, response, RUNNER[:2])
    html = client.get(step_url(response, "use")).content.decode()
    assert 'value="run" checked' in html
    assert '<fieldset class="step__questions" disabled>' in html
    assert "Change these answers" in html
    assert 'name="to_step" value="use"' in html


def test_back_cannot_jump_forward_or_off_the_path(client, published):
    response = start(client, published)
    walk(client, response, WALKER[:1])  # at knees; distance is off the path
    client.post(back_url(response), {"to_step": "distance"})
    client.post(back_url(response), {"to_step": "knees"})
    client.post(back_url(response), {"to_step": "<script>"})
    response.refresh_from_db()
    assert response.current_step == "knees"


def test_the_back_button_posts_to_the_previous_step_and_the_first_step_has_none(client, published):
    response = start(client, published)
    assert 'form="back-form"' not in client.get(step_url(response, "use")).content.decode()
    walk(client, response, RUNNER[:1])
    html = client.get(step_url(response, "distance")).content.decode()
    assert 'form="back-form"' in html
    assert 'name="to_step" value="use"' in html


def test_content_is_shown_in_the_language_the_customer_chose(client, published):
    response = start(client, published, language="es")
    html = client.get(step_url(response, "use")).content.decode()
    assert '<html lang="es">' in html
    assert "What is it for? (es)" in html
    assert "Running (es)" in html


def test_customers_on_the_same_step_each_see_only_their_own_choice_picked(client, published):
    first, second = start(client, published), start(client, published)
    walk(client, first, WALKER)
    client.post(back_url(first), {"to_step": "knees"})
    walk(client, second, WALKER[:1])
    for _ in range(2):  # the second time, the same step is shown again to each
        mine = client.get(step_url(first, "knees")).content.decode()
        theirs = client.get(step_url(second, "knees")).content.decode()
        assert 'value="no" checked' in mine
        assert "checked" not in theirs
    spanish = start(client, published, language="es")
    walk(client, spanish, WALKER[:1])
    assert "Do your knees drift in? (es)" in client.get(step_url(spanish, "knees")).content.decode()
