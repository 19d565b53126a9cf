"""Nobody can make the product work for them without end: starts, steps, mail and store calls
are limited, and a limit says, in the customer's language, when to come back."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from assessments.limits import client_key
from assessments.models import Response
from tests.factories import BrandFactory, member
from tests.followups.conftest import post_webhook, purchase_payload
from tests.taking.conftest import RUNNER, landing_url, start, step_url, submit, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    """Small limits, so a test reaches them in a few requests."""
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "start": "3/10m",
        "step": "4/10m",
        "email_client": "3/h",
        "email_address": "2/d",
        "purchase_client": "2/h",
        "webhook": "2/m",
    }
    return settings.RATE_LIMITS


def start_from(client, published, address: str) -> Response:
    page = client.post(landing_url(published), REMOTE_ADDR=address)
    assert page.status_code == 303
    return Response.objects.get(token=page["Location"].split("/r/")[1].split("/")[0])


def test_starting_over_and_over_from_one_address_gets_a_429_in_the_customers_language(
    client, published, tight
):
    for _ in range(3):
        assert client.post(landing_url(published)).status_code == 303
    page = client.post(landing_url(published, "lang=es"), {"language": "es"})
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert page["Content-Language"] == "es"
    assert "Espera un momento" in page.content.decode()
    assert "Tus respuestas" not in page.content.decode()  # none yet
    assert Response.objects.count() == 3


def test_another_address_is_not_held_back_by_the_first(client, published, tight):
    for _ in range(4):
        client.post(landing_url(published))
    page = client.post(landing_url(published), REMOTE_ADDR="198.51.100.7")
    assert page.status_code == 303


def test_step_submissions_are_limited_and_the_answers_so_far_are_kept(client, published, tight):
    response = start(client, published)
    assert submit(client, response, "use", {"use": "run"}).status_code == 303
    for _ in range(3):
        submit(client, response, "distance", {"distance": "x"})
    page = submit(client, response, "distance", {"distance": "20"})
    assert page.status_code == 429
    assert "Your answers so far are kept" in page.content.decode()
    response.refresh_from_db()
    assert response.answers == {"use": "run"}
    assert response.current_step == "distance"


def test_one_address_gets_few_e_mails_whatever_the_response_or_client(client, published, tight):
    """The per-response cap resets with each new response; the per-address one does not."""
    sent = []
    for n in range(4):
        response = start_from(client, published, f"203.0.113.{n}")
        page = client.post(
            reverse("taking:email_link", args=[response.token]),
            {"email": "victim@example.com", "consent": "yes"},
            REMOTE_ADDR=f"203.0.113.{n}",
        )
        sent.append(page.status_code)
    assert sent == [303, 303, 429, 429]
    assert len(mail.outbox) == 2
    assert "cannot send more e-mails to this address today" in page.content.decode()


def test_the_link_e_mail_needs_the_box_ticked(client, published):
    response = start(client, published)
    page = client.post(
        reverse("taking:email_link", args=[response.token]), {"email": "ana@example.com"}
    )
    assert page.status_code == 200
    assert "tick the box" in page.content.decode()
    assert not mail.outbox
    assert Response.objects.get(pk=response.pk).email_consent_at is None


def test_a_brands_daily_ceiling_stops_visitor_mail_and_its_owners_see_it(
    client, published, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_brand": "4/d"}
    for n in range(5):
        response = start_from(client, published, f"192.0.2.{n}")
        walk(client, response, RUNNER)
        client.post(
            reverse("taking:email_results", args=[response.token]),
            {"email": f"customer{n}@example.com", "consent": "yes"},
            REMOTE_ADDR=f"192.0.2.{n}",
        )
    assert len(mail.outbox) == 4
    owner = member(published.brand, "owner")
    client.force_login(owner)
    page = client.get(reverse("admin:assessments_brand_changelist"))
    assert "reached its daily ceiling" in page.content.decode()
    other = BrandFactory(slug="quiet")
    client.force_login(member(other, "owner"))
    page = client.get(reverse("admin:assessments_brand_changelist"))
    assert "reached its daily ceiling" not in page.content.decode()


def test_reporting_purchases_from_one_address_is_limited(client, published, tight):
    response = start(client, published)
    walk(client, response, RUNNER)
    url = reverse("followups:bought", args=[response.token])
    sku = published.brand.products.first().sku
    codes = [client.post(url, {"sku": sku, "submission_id": f"s{n}"}).status_code for n in range(3)]
    assert codes[:2] == [303, 303]
    assert codes[2] == 429


def test_a_brands_signed_webhook_calls_are_limited_with_a_problem_and_retry_after(
    client, published, tight
):
    sku = published.brand.products.first().sku
    codes = []
    for n in range(3):
        payload = purchase_payload(None, order_id=f"o-{n}", items=[{"sku": sku, "quantity": 1}])
        page = post_webhook(client, published.brand, payload)
        codes.append(page.status_code)
    assert codes[:2] == [201, 201]
    assert codes[2] == 429
    assert int(page["Retry-After"]) > 0
    assert "Too many calls" in page.json()["error"]


def test_the_step_page_without_limits_is_unchanged_for_a_normal_customer(client, published):
    response = start(client, published)
    walk(client, response, RUNNER)
    assert Response.objects.get(pk=response.pk).status == Response.Status.COMPLETED
    assert client.get(step_url(response, "use")).status_code == 200


@pytest.mark.parametrize(
    ("meta", "key"),
    [
        ({"REMOTE_ADDR": "203.0.113.5"}, "203.0.113.5"),
        ({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "2001:db8:1:2:bbbb::9"}, "2001:db8:1:2::/64"),
        ({"REMOTE_ADDR": "::ffff:198.51.100.1"}, "198.51.100.1"),
        ({"REMOTE_ADDR": "not an address"}, "unknown"),
    ],
)
def test_a_client_is_its_address_and_an_ipv6_host_its_64(rf, meta, key):
    assert client_key(rf.get("/", **meta)) == key


def test_behind_the_proxy_the_client_is_the_address_it_reports(rf, settings):
    settings.DJANGO_CLIENT_IP_HEADER = ""
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="198.51.100.23")
    assert client_key(request) == "198.51.100.23"


def test_i_bought_this_says_when_the_address_has_had_its_mail_for_today(
    client, published, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_address": "2/d"}
    response = start(client, published)
    walk(client, response, RUNNER)
    url = reverse("followups:bought", args=[response.token])
    sku = published.brand.products.first().sku
    data = {"sku": sku, "consent": "on", "email": "victim@example.com"}
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url, {**data, "submission_id": f"s{n}"}).status_code == 303
    assert len(mail.outbox) == 2  # one confirmation per report
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(url, {**data, "submission_id": "s3"})
    assert refused.status_code == 429
    assert "cannot send more e-mails to this address today" in refused.content.decode()
    assert len(mail.outbox) == 2
