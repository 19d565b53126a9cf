"""Nothing a browser (or anyone with curl) can send makes a customer page fail with a 500."""

from __future__ import annotations

import pytest

from tests.taking.conftest import RUNNER, back_url, landing_url, start, step_url, walk

pytestmark = pytest.mark.django_db

NASTY = [
    pytest.param("use", {}, id="nothing"),
    pytest.param("use", {"use": "sprint"}, id="unknown-choice"),
    pytest.param("use", {"use": ["run", "walk"]}, id="two-values-for-one"),
    pytest.param("use", {"use": "r" * 200_000}, id="oversized"),
    pytest.param("use", {"use": "run\x00"}, id="nul-byte"),
    pytest.param("use", {"use": "run", "submission_id": "s" * 10_000}, id="long-submission-id"),
    pytest.param("use", {"use": "run", "submission_id": ["a", "b"]}, id="submission-id-list"),
    pytest.param("distance", {"km": "1e999"}, id="infinite"),
    pytest.param("distance", {"km": "NaN"}, id="nan"),
    pytest.param("distance", {"km": ["1", "2"]}, id="number-list"),
    pytest.param("distance", {"km": "-0x10"}, id="hex"),
    pytest.param("distance", {"km": "٣٠"}, id="arabic-digits"),
    pytest.param("distance", {"km": "9" * 5000}, id="huge-number"),
    pytest.param("distance", {"km": "7,5"}, id="decimal-comma"),
    pytest.param("distance", {"km": "", "use": "walk"}, id="other-steps-question"),
]


@pytest.mark.parametrize(("step_key", "data"), NASTY)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_nasty_step_payloads_get_an_answer_not_a_crash(client, published, step_key, data, htmx):
    response = start(client, published)
    if step_key == "distance":
        walk(client, response, RUNNER[:1])
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    page = client.post(step_url(response, step_key), data, **extra)
    assert page.status_code in (200, 303, 422), page.content[:300]
    moved_on = page.status_code == 303 or page.has_header("HX-Push-Url")
    assert moved_on or "question__error" in page.content.decode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(
            b"--x\r\nContent-Disposition: form-data",
            "multipart/form-data; boundary=x",
            id="broken-multipart",
        ),
        pytest.param(b"--x\r\n", "multipart/form-data", id="multipart-without-boundary"),
        pytest.param(b'{"use": "run"}', "application/json", id="json"),
        pytest.param(b"use=%ZZ&use=%", "application/x-www-form-urlencoded", id="bad-escapes"),
        pytest.param(
            b"&".join(b"f%d=1" % i for i in range(1500)),
            "application/x-www-form-urlencoded",
            id="too-many-fields",
        ),
        pytest.param(b"use=" + b"r" * 3_000_000, "application/x-www-form-urlencoded", id="too-big"),
        pytest.param(
            b"\xff\xfe\x00use=run",
            "application/x-www-form-urlencoded; charset=utf-8",
            id="bad-bytes",
        ),
        pytest.param(
            b"use=run", "application/x-www-form-urlencoded; charset=nope", id="unknown-charset"
        ),
        pytest.param(b"use=%ED%A0%80", "application/x-www-form-urlencoded", id="encoded-surrogate"),
    ],
)
def test_malformed_bodies_get_an_answer_not_a_crash(client, published, body, content_type):
    response = start(client, published)
    for url in (step_url(response, "use"), back_url(response), landing_url(published)):
        page = client.generic("POST", url, body, content_type=content_type)
        assert page.status_code < 500, (url, page.status_code)


@pytest.mark.parametrize(
    "data",
    [{"to_step": "x" * 10_000}, {"to_step": ["use", "knees"]}, {"to_step": "../../admin"}, {}],
)
def test_nasty_back_requests_leave_the_customer_where_they_were(client, published, data):
    response = start(client, published)
    walk(client, response, RUNNER[:1])
    page = client.post(back_url(response), data)
    assert page.status_code == 303
    response.refresh_from_db()
    assert response.current_step == "distance"


@pytest.mark.parametrize(
    "query",
    ["lang=xx", "lang=" + "e" * 5000, "partner=%00", "lang=es&lang=en", "a=" + "b" * 10_000],
)
def test_nasty_landing_queries_still_show_or_start(client, published, query):
    assert client.get(landing_url(published, query)).status_code == 200
    assert client.post(landing_url(published, query), {"language": "\x00"}).status_code == 303
