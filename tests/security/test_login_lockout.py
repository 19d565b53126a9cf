"""Guessing admin passwords stops after a handful of tries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _try(client, username: str, password: str):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR="203.0.113.9",
    )


def test_wrong_passwords_lock_the_account_for_that_address(client, settings):
    user = UserFactory(username="sam", is_staff=True)
    user.set_password("right-horse-battery")
    user.save()
    pages = [_try(client, "sam", f"guess-{n}") for n in range(settings.AXES_FAILURE_LIMIT)]
    assert [p.status_code for p in pages[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    locked = _try(client, "sam", "right-horse-battery")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_right_password_before_the_limit_logs_in_and_resets_the_count(client, settings):
    user = UserFactory(username="ana", is_staff=True)
    user.set_password("right-horse-battery")
    user.save()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        _try(client, "ana", f"guess-{n}")
    assert _try(client, "ana", "right-horse-battery").status_code == 302
    client.logout()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _try(client, "ana", f"again-{n}").status_code == 200
