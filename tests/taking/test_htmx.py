"""With htmx the step swaps in place; errors come back with only the step's partial."""

from __future__ import annotations

import pytest

from tests.taking.conftest import RUNNER, results_url, start, step_url, submit

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_step_form_is_wired_for_htmx_and_the_page_configures_422_swaps(client, published):
    response = start(client, published)
    html = client.get(step_url(response, "use")).content.decode()
    assert f'hx-post="{step_url(response, "use")}"' in html
    assert 'hx-target="#step"' in html
    assert 'hx-push-url="true"' in html
    assert '{"code":"422","swap":true}' in html
    assert "vendor/htmx/htmx.min.js" in html


def test_an_htmx_get_answers_with_only_the_step_partial(client, published):
    response = start(client, published)
    page = client.get(step_url(response, "use"), **HTMX)
    html = page.content.decode()
    assert page.status_code == 200
    # htmx takes a top-level <title> as the new document title.
    assert html.lstrip().startswith("<title>Use · Fit check</title>")
    assert '<section class="step" id="step"' in html
    assert "<html" not in html
    assert "HX-Request" in page["Vary"]


def test_a_plain_post_with_errors_shows_the_page_with_the_error_next_to_the_field(
    client, published
):
    response = start(client, published)
    page = submit(client, response, "use", {})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html
    assert 'id="q-use-error"' in html
    assert "Please answer this question." in html
    assert 'aria-describedby="q-use-error"' in html
    assert 'href="#q-use-run"' in html  # the error summary links to the field


def test_an_htmx_post_with_errors_answers_with_only_the_partial(client, published):
    response = start(client, published)
    submit(client, response, "use", {"use": "run"})
    page = submit(client, response, "distance", {"km": "400"}, **HTMX)
    html = page.content.decode()
    # A 200, which the browser does not log as a failed request in the customer's console.
    assert page.status_code == 200
    assert "<html" not in html
    assert '<section class="step" id="step"' in html
    assert "Please enter a number from 0 to 300." in html
    assert 'value="400"' in html  # what the customer typed is kept


def test_an_htmx_post_swaps_in_the_next_step_and_pushes_its_url(client, published):
    response = start(client, published)
    page = submit(client, response, "use", {"use": "run"}, **HTMX)
    assert page.status_code == 200
    assert page["HX-Push-Url"] == step_url(response, "distance")
    assert "Kilometres a week?" in page.content.decode()


def test_the_last_htmx_post_sends_the_browser_to_the_results_page(client, published):
    response = start(client, published)
    for step_key, data in RUNNER[:-1]:
        submit(client, response, step_key, data, **HTMX)
    page = submit(client, response, "knees", {"knees": "yes"}, **HTMX)
    assert page["HX-Redirect"] == results_url(response)
