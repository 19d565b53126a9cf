"""While the database is away, customers get a page saying to try again, not a server error."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import database_unreachable

pytestmark = pytest.mark.django_db


def test_a_customer_page_is_a_friendly_503_while_the_database_cannot_be_reached(tmp_path):
    client = Client(raise_request_exception=False)
    with database_unreachable(tmp_path):
        page = client.get("/a/stride-lab/shoe-finder/")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    text = page.content.decode()
    assert "Back in a moment" in text
    assert "Your answers so far are saved" in text
    assert "Volvemos enseguida" in text


def test_a_bug_is_still_a_500_not_a_503(settings):
    settings.ROOT_URLCONF = "tests.ops.urls_broken"
    page = Client(raise_request_exception=False).get("/broken/")
    assert page.status_code == 500
    assert "Something went wrong" in page.content.decode()
