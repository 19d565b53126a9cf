"""What the step POST, the results e-mail and the product links now record for Insights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from assessments.followups.purchases import purchase_refund
from assessments.followups.services import CheckInAnswers, checkin_record
from assessments.models import FollowUp, Product, ProductReference, Response
from tests.followups.conftest import buy
from tests.insights.conftest import taken
from tests.taking.conftest import RUNNER, WALKER, results_url, start, submit


def _idle(response: Response, seconds: float) -> None:
    """Make it look as if the customer has been on the current step for `seconds`."""
    Response.objects.filter(pk=response.pk).update(
        updated_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_each_accepted_step_post_adds_the_time_spent_on_that_step(client, published):
    response = start(client, published)
    _idle(response, 40)
    submit(client, response, "use", {"use": "run"})
    _idle(response, 95)
    submit(client, response, "distance", {"km": "12"})
    response.refresh_from_db()
    assert response.step_seconds["use"] == pytest.approx(40, abs=2)
    assert response.step_seconds["distance"] == pytest.approx(95, abs=2)
    assert "knees" not in response.step_seconds


def test_an_invalid_post_records_no_time_and_a_second_visit_adds_to_the_first(client, published):
    response = start(client, published)
    _idle(response, 30)
    submit(client, response, "use", {})  # nothing chosen: shown again, nothing stored
    response.refresh_from_db()
    assert response.step_seconds == {}
    submit(client, response, "use", {"use": "run"})
    client.post(f"/r/{response.token}/back/", {"to_step": "use"})
    _idle(response, 20)
    submit(client, response, "use", {"use": "walk"})
    response.refresh_from_db()
    assert response.step_seconds["use"] == pytest.approx(50, abs=3)


def test_a_tab_left_open_counts_as_an_hour_at_most(client, published):
    response = start(client, published)
    _idle(response, 3 * 24 * 3600)
    submit(client, response, "use", {"use": "run"})
    response.refresh_from_db()
    assert response.step_seconds == {"use": 3600}


def test_the_results_email_marks_the_response_emailed_only_once_sent(client, published):
    response = taken(client, published, RUNNER)
    before = Response.objects.get(pk=response.pk).updated_at
    assert response.results_emailed_at is None
    page = client.post(f"/r/{response.token}/email/", {"email": "ana@example.com", "consent": "on"})
    assert page.status_code == 303 and len(mail.outbox) == 1
    response.refresh_from_db()
    assert response.results_emailed_at is not None and response.updated_at > before


def test_a_results_email_refused_for_its_cap_leaves_the_response_not_emailed(client, published):
    response = taken(client, published, RUNNER)
    Response.objects.filter(pk=response.pk).update(emails_sent=5)
    client.post(f"/r/{response.token}/email/", {"email": "ana@example.com", "consent": "on"})
    response.refresh_from_db()
    assert mail.outbox == [] and response.results_emailed_at is None


@pytest.fixture
def finished(client, published) -> Response:
    return taken(client, published, RUNNER)


def test_following_a_product_link_records_the_first_click_and_goes_to_the_product(client, finished):
    reference = ProductReference.objects.get(response=finished, sku="steady")
    before = Response.objects.get(pk=finished.pk).updated_at
    first = client.get(f"/go/{reference.ref}/")
    assert first.status_code == 302
    assert first["Location"] == f"https://acme.example/steady?ref={reference.ref}"
    reference.refresh_from_db()
    clicked_at = reference.clicked_at
    assert clicked_at is not None
    assert Response.objects.get(pk=finished.pk).updated_at > before

    again = client.get(f"/go/{reference.ref}/")
    assert again.status_code == 302
    reference.refresh_from_db()
    assert reference.clicked_at == clicked_at  # the first click is the one kept


def test_the_results_page_links_products_through_the_click_counter(client, finished):
    html = client.get(results_url(finished)).content.decode()
    for reference in ProductReference.objects.filter(response=finished):
        assert f'href="/go/{reference.ref}/"' in html
    assert "acme.example" not in html


def test_the_shared_page_links_products_directly_without_references(client, finished):
    html = client.get(f"/s/{finished.share_token}/").content.decode()
    assert 'href="https://acme.example/steady"' in html
    assert 'href="/go/' not in html and "?ref=" not in html


@pytest.mark.parametrize("ref", ["not-a-reference", "x" * 33, "a" * 16])
def test_an_unknown_reference_is_the_404_page(client, finished, ref):
    page = client.get(f"/go/{ref}/")
    assert page.status_code == 404 and "Location" not in page


def test_a_link_to_an_inactive_product_is_the_404_page_and_records_nothing(client, finished):
    reference = ProductReference.objects.get(response=finished, sku="steady")
    Product.objects.filter(sku="steady").update(active=False)
    assert client.get(f"/go/{reference.ref}/").status_code == 404
    reference.refresh_from_db()
    assert reference.clicked_at is None


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "java\tscript:alert(1)", "//evil.example/", "data:text/html,x"]
)
def test_a_product_url_that_is_not_a_safe_link_is_never_redirected_to(client, finished, url):
    reference = ProductReference.objects.get(response=finished, sku="steady")
    Product.objects.filter(sku="steady").update(url=url)
    page = client.get(f"/go/{reference.ref}/")
    assert page.status_code == 404 and "Location" not in page
    reference.refresh_from_db()
    assert reference.clicked_at is None


def test_the_redirect_goes_only_to_the_products_own_host(client, finished):
    reference = ProductReference.objects.get(response=finished, sku="steady")
    page = client.get(f"/go/{reference.ref}/?next=https://evil.example/&url=https://evil.example/")
    assert page["Location"].startswith("https://acme.example/steady?")
    assert "evil" not in page["Location"]


def test_a_post_to_a_product_link_is_refused(client, finished):
    reference = ProductReference.objects.get(response=finished, sku="steady")
    assert client.post(f"/go/{reference.ref}/").status_code == 405


def test_purchases_refunds_and_check_ins_move_the_responses_updated_at(client, published, plan):
    response = taken(client, published, RUNNER)
    stamps = []

    def stamp() -> dt.datetime:
        Response.objects.filter(pk=response.pk).update(
            updated_at=timezone.now() - dt.timedelta(days=1)
        )
        return Response.objects.get(pk=response.pk).updated_at

    old = stamp()
    purchase, _created = buy(response)
    stamps.append(Response.objects.get(pk=response.pk).updated_at > old)
    old = stamp()
    followup = FollowUp.objects.get(purchase=purchase, step__kind="checkin")
    checkin_record(followup=followup, answers=CheckInAnswers(csat=5, ces=2, nps=9, delivered="yes"))
    stamps.append(Response.objects.get(pk=response.pk).updated_at > old)
    old = stamp()
    purchase_refund(brand=response.brand, order_id=purchase.order_id)
    stamps.append(Response.objects.get(pk=response.pk).updated_at > old)
    old = stamp()
    client.post(f"/r/{response.token}/learned/", {"learned": "yes"})
    stamps.append(Response.objects.get(pk=response.pk).updated_at > old)
    assert stamps == [True, True, True, True]


def test_a_walker_records_no_time_for_the_step_its_path_skips(client, published):
    response = taken(client, published, WALKER)
    assert set(response.step_seconds) == {"use", "knees"}
