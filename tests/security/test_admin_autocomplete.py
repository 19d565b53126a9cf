"""The admin's autocomplete lists nobody to a brand's staff who may not see the list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import BrandFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_an_owner_cannot_list_every_users_name_through_the_member_autocomplete(client):
    mine = BrandFactory(slug="mine")
    UserFactory(username="zebra-secret-staff")
    client.force_login(member(mine, "owner"))
    page = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "assessments",
            "model_name": "brandmembership",
            "field_name": "user",
            "term": "zebra",
        },
    )
    assert page.status_code == 403
    assert "zebra-secret-staff" not in page.content.decode()
