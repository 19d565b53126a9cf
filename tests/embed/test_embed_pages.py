"""The embedded journey: same pages under /e/, framable only by the brand's partners."""

from __future__ import annotations

import pytest

from assessments.authoring.services import assessment_import
from assessments.models import Response
from tests.factories import BrandFactory, definition, products

pytestmark = pytest.mark.django_db

PARTNER = "https://shop.example"


@pytest.fixture
def brand():
    brand = BrandFactory(slug="acme", allowed_origins=[PARTNER, "https://*.club.example"])
    assessment_import(brand=brand, source=definition(products=products("acme")), publish=True)
    return brand


def start(client, origin: str = PARTNER) -> Response:
    url = f"/e/a/acme/fit-check/?origin={origin}"
    response = client.post(url, {"language": "en"})
    assert response.status_code == 303
    assert response["Location"].startswith("/e/r/")
    return Response.objects.get()


def test_the_embed_landing_may_be_framed_only_by_the_allowed_partners(client, brand):
    response = client.get(f"/e/a/acme/fit-check/?origin={PARTNER}")
    csp = response["Content-Security-Policy"]
    assert "frame-ancestors https://shop.example https://*.club.example" in csp
    assert "X-Frame-Options" not in response
    page = response.content.decode()
    assert f'data-partner-origin="{PARTNER}"' in page
    assert "embed-frame.js" in page
    assert "site-header" not in page  # chrome-less


def test_every_other_page_refuses_to_be_framed(client, brand):
    for url in ("/a/acme/fit-check/", "/", "/admin/login/"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url


def test_a_brand_without_partners_cannot_be_framed_anywhere(client):
    lonely = BrandFactory(slug="lonely", allowed_origins=[])
    assessment_import(brand=lonely, source=definition(products=products("lonely")), publish=True)
    response = client.get(f"/e/a/lonely/fit-check/?origin={PARTNER}")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "data-partner-origin" not in response.content.decode()


def test_an_origin_outside_the_allow_list_gets_no_messages(client, brand):
    page = client.get("/e/a/acme/fit-check/?origin=https://evil.example").content.decode()
    assert "data-partner-origin" not in page


def test_starting_embedded_records_the_channel_and_the_partner_origin(client, brand):
    response = start(client, "https://run.club.example")
    assert response.channel == Response.Channel.EMBEDDED
    assert response.attribution["embed_origin"] == "https://run.club.example"


def test_the_journey_stays_embedded_and_reports_its_events(client, brand):
    response = start(client)
    step = client.get(f"/e/r/{response.token}/")
    assert step["Location"] == f"/e/r/{response.token}/s/use/"
    page = client.get(step["Location"])
    html = page.content.decode()
    assert f'data-partner-origin="{PARTNER}"' in html
    assert 'data-assessment-event="step" data-step="use"' in html
    assert "frame-ancestors https://shop.example" in page["Content-Security-Policy"]
    assert 'action="/e/r/' in html

    for step_key, answers in (("use", {"use": "walk"}), ("knees", {"knees": "yes"})):
        form = client.get(f"/e/r/{response.token}/s/{step_key}/").context["submission_id"]
        posted = client.post(
            f"/e/r/{response.token}/s/{step_key}/", {**answers, "submission_id": form}
        )
        assert posted.status_code == 303
        assert posted["Location"].startswith("/e/r/")
    results = client.get(f"/e/r/{response.token}/results/").content.decode()
    assert 'data-assessment-event="completed" data-outcome="neutral"' in results
    assert 'data-products="breeze"' in results
    assert 'target="_blank"' in results and 'rel="noopener"' in results
    assert not client.cookies


def test_the_loader_script_is_served_as_javascript(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"data-assessment" in response.content
    assert b"postMessage" not in response.content  # the loader only listens


def test_the_admin_shows_copy_paste_snippets(client, brand):
    from assessments.models import Assessment
    from tests.factories import member

    client.force_login(member(brand, "editor"))
    assessment = Assessment.objects.get(key="fit-check")
    page = client.get(f"/admin/assessments/assessment/{assessment.pk}/change/").content.decode()
    assert '&lt;script src="http://testserver/embed.js" async&gt;&lt;/script&gt;' in page
    assert '&lt;div data-assessment="acme/fit-check" data-lang="en"&gt;' in page
    assert "/e/a/acme/fit-check/" in page
