"""The load tool's customer (tests/bench/load/journey.py) answers the photo step as a customer
without a photo does, so the drills' "answers lost" counts only answers."""

from __future__ import annotations

import random
import secrets

import pytest

from tests.bench.load.journey import form_of
from tests.taking.conftest import start, step_url
from tests.taking.footprints import photo_assessment

pytestmark = pytest.mark.django_db


def test_no_photo_no_photo_boxes_and_everything_sent_is_stored(client, brand):
    response = start(client, photo_assessment(brand))
    page = client.get(step_url(response, "photo")).content.decode()
    form = form_of(page, r"^/r/[^/]+/s/")

    data = form.fill(random.Random(7))

    assert form.photos == ["photo-arch_photo"]
    assert not any(name.startswith(("keep-photo-", "drawings-")) for name in data)
    data["submission_id"] = secrets.token_urlsafe(16)
    assert client.post(form.action, data).status_code == 303
    response.refresh_from_db()
    answered = {k for k in data if k not in form.hidden}
    assert answered <= set(response.answers)
