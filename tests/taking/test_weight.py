"""A step page, with everything it loads to work, weighs at most 40 KB compressed."""

from __future__ import annotations

import gzip
import io
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from assessments.models import Assessment
from tests.taking.conftest import start, step_url, submit
from tests.taking.generated import first_answers

pytestmark = pytest.mark.django_db

BUDGET = 40 * 1024


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def test_every_step_of_the_demo_with_its_css_and_javascript_fits_in_40_kb(client):
    call_command("load_demo", stdout=io.StringIO())
    assessment = Assessment.objects.get(key="shoe-finder")
    response = start(client, assessment)
    page = client.get(step_url(response, "use")).content
    assets = 0
    for url in re.findall(rb'<(?:link rel="stylesheet" href|script src)="([^"]+)"', page):
        url = url.decode()
        if url.startswith("/static/"):
            path = finders.find(url.removeprefix("/static/"))
            assert path, url
            with open(path, "rb") as handle:
                assets += gzipped(handle.read())
        else:
            assets += gzipped(client.get(url).content)
    assert b"htmx.min.js" in page and b"customer.js" in page and b"customer.css" in page
    heaviest = 0
    while response.current_step:
        step_key = response.current_step
        heaviest = max(heaviest, gzipped(client.get(step_url(response, step_key)).content))
        submit(client, response, step_key, first_answers(response, step_key))
        response.refresh_from_db()
    assert heaviest + assets <= BUDGET, f"{heaviest} B page + {assets} B assets"
    assert b"<script>" not in page and b"style=" not in page
    assert response.status == "completed"
