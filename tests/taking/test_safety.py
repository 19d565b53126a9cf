"""Customer pages set no cookies, trust only their own pages' POSTs, and never fail with a 500."""

from __future__ import annotations

import pytest

from assessments.models import Response
from tests.taking.conftest import (
    RUNNER,
    back_url,
    landing_url,
    results_url,
    start,
    step_url,
    submit,
    walk,
)

pytestmark = pytest.mark.django_db


def test_no_customer_page_sets_a_cookie(client, published):
    seen = [client.get(landing_url(published)), client.post(landing_url(published))]
    response = Response.objects.get()
    seen.append(client.get(f"/r/{response.token}/"))
    seen.append(client.get(step_url(response, "use")))
    seen.append(client.get(step_url(response, "use"), HTTP_HX_REQUEST="true"))
    seen.append(submit(client, response, "use", {}))
    seen.append(submit(client, response, "use", {}, HTTP_HX_REQUEST="true"))
    seen.append(submit(client, response, "use", {"use": "run"}, HTTP_HX_REQUEST="true"))
    seen.append(client.post(back_url(response), {"to_step": "use"}))
    for step_key, data in RUNNER:
        seen.append(submit(client, response, step_key, data))
    seen.append(client.get(results_url(response)))
    seen.append(client.get("/brand/acme/theme.css"))
    seen.append(client.get(f"/r/{'x' * 43}/"))
    seen.append(submit(client, response, "use", {"use": "run"}, HTTP_SEC_FETCH_SITE="cross-site"))
    assert [page.status_code for page in seen if page.cookies] == []
    assert {page.status_code for page in seen} >= {200, 303, 403, 404}


def test_a_staff_members_session_is_left_alone_on_customer_pages(admin_client, published):
    response = start(admin_client, published)
    page = submit(admin_client, response, "use", {"use": "run"})
    assert page.status_code == 303
    assert not page.cookies


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_ORIGIN": "https://evil.example", "HTTP_SEC_FETCH_SITE": "same-site"},
    ],
)
def test_a_post_another_site_made_the_browser_send_is_refused(client, published, headers):
    response = start(client, published)
    page = submit(client, response, "use", {"use": "run"}, **headers)
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/plain")
    assert "another site" in page.content.decode()
    response.refresh_from_db()
    assert response.answers == {} and response.current_step == "use"
    assert client.post(back_url(response), {"to_step": "use"}, **headers).status_code == 403
    assert client.post(landing_url(published), **headers).status_code == 403
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_ORIGIN": "https://partner.example", "HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_SEC_FETCH_SITE": "none"},
    ],
)
def test_posts_from_our_own_pages_or_the_brands_allowed_origins_go_through(
    client, published, headers
):
    response = start(client, published)
    assert submit(client, response, "use", {"use": "run"}, **headers).status_code == 303


def test_a_tampered_or_unknown_token_is_not_found(client, published):
    response = start(client, published)
    tampered = response.token[:-1] + ("A" if response.token[-1] != "A" else "B")
    for url in (
        f"/r/{tampered}/",
        f"/r/{tampered}/s/use/",
        f"/r/{tampered}/results/",
        "/r/short/",
        f"/r/{response.token}x%00/s/use/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/r/{tampered}/s/use/", {"use": "run"}).status_code == 404
    assert client.post(f"/r/{tampered}/back/", {"to_step": "use"}).status_code == 404


def test_an_unknown_step_key_is_not_found(client, published):
    response = start(client, published)
    assert client.get(step_url(response, "nope")).status_code == 404
    assert client.get(f"/r/{response.token}/s/USE/").status_code == 404
    assert submit(client, response, "nope", {"use": "run"}).status_code == 404


def test_the_same_submission_twice_is_stored_once(client, published):
    response = start(client, published)
    first = submit(client, response, "use", {"use": "run", "submission_id": "click-1"})
    response.refresh_from_db()
    stamp = response.updated_at
    # A double click resends the same id; even with other data it gets the first outcome.
    again = submit(client, response, "use", {"use": "walk", "submission_id": "click-1"})
    response.refresh_from_db()
    assert first["Location"] == again["Location"] == step_url(response, "distance")
    assert response.answers == {"use": "run"}
    assert response.updated_at == stamp
    assert [entry["id"] for entry in response.submissions] == ["click-1"]


def test_a_post_for_a_step_that_is_not_current_changes_nothing(client, published):
    response = start(client, published)
    walk(client, response, RUNNER[:1])  # now on distance
    before = (response.answers, response.current_step, response.updated_at)
    for step_key, data in (("use", {"use": "walk"}), ("knees", {"knees": "yes"})):
        page = submit(client, response, step_key, data)
        assert page.status_code == 303
        assert page["Location"] == step_url(response, "distance")
    response.refresh_from_db()
    assert (response.answers, response.current_step, response.updated_at) == before


def test_a_finished_response_takes_no_more_answers(client, published):
    response = start(client, published)
    walk(client, response, RUNNER)
    page = submit(client, response, "knees", {"knees": "yes"})
    assert page["Location"] == results_url(response)
    response.refresh_from_db()
    assert response.answers["knees"] == "no"


def test_step_pages_are_never_cached_and_vary_on_htmx(client, published):
    response = start(client, published)
    page = client.get(step_url(response, "use"))
    assert "no-store" in page["Cache-Control"]
    assert "HX-Request" in page["Vary"]
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()
