"""The results e-mail carries the results themselves: profile, outcome and products, as text
and as HTML a mail client can show (inline styles, absolute links and images, the brand's look)."""

from __future__ import annotations

import re

import pytest

from assessments.models import Response
from tests.taking.conftest import RUNNER, results_url, start, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(client, published) -> Response:
    response = start(client, published)
    walk(client, response, RUNNER)
    return response


def _send(client, response: Response) -> None:
    sent = client.post(
        f"/r/{response.token}/email/", {"email": "ana@example.com", "consent": "yes"}
    )
    assert sent.status_code == 303


def _html(message) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def test_the_results_e_mail_shows_the_profile_and_products_in_text_and_html(
    client, finished, mailoutbox
):
    _send(client, finished)
    (message,) = mailoutbox
    outcome = finished.result["outcome"]["title"]
    html = _html(message)
    for body in (message.body, html):
        assert outcome in body
        assert "Recommended for you" in body
        assert "Steady" in body  # the top pick, by name
        assert "Your support need is High" in body  # and why it suits them
    assert "Top pick" in html
    assert message.subject.startswith("Your results:")


def test_every_link_and_image_in_the_e_mail_is_absolute(client, finished, mailoutbox):
    _send(client, finished)
    html = _html(mailoutbox[0])
    links = re.findall(r'href="([^"]+)"', html)
    images = re.findall(r'src="([^"]+)"', html)
    assert links and images
    for url in links + images:
        assert url.startswith("http://testserver/"), url
    # The product button counts the click through /go/ and the results link is the customer's.
    assert any("/go/" in url for url in links)
    assert f"http://testserver{results_url(finished)}" in links
    assert any("/media/" in url for url in images), images  # the product's picture


def test_the_html_e_mail_is_styled_inline_in_the_brands_colours(
    client, finished, mailoutbox, brand
):
    brand.primary_color = "#0b5d3b"
    brand.save(update_fields=["primary_color"])
    _send(client, finished)
    html = _html(mailoutbox[0])
    assert "<link" not in html and "<style" not in html  # mail clients drop stylesheets
    assert "background:#0b5d3b" in html  # the buttons wear the brand's colour
    assert "<script" not in html


def test_the_e_mail_is_worded_in_the_customers_language(client, published, mailoutbox):
    response = start(client, published, language="es")
    walk(client, response, RUNNER)
    _send(client, response)
    (message,) = mailoutbox
    assert "Recomendado para ti" in message.body
    assert "Recomendado para ti" in _html(message)
