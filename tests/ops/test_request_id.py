"""The request id: echoed or made, returned, in every log line, and carried into Celery tasks."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from core import requestid
from core.celery import app as product_app
from core.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def test_a_sane_request_id_sent_by_the_proxy_is_kept_and_returned(client):
    page = client.get("/a/none/none/", HTTP_X_REQUEST_ID="edge-7f3a9c01")
    assert page["X-Request-ID"] == "edge-7f3a9c01"


@pytest.mark.parametrize(
    "sent", ["", "short", "has spaces in it", "x" * 65, "new\nline-injected", "<script>1234"]
)
def test_an_unusable_request_id_is_replaced_by_a_new_one(client, sent):
    page = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert re.fullmatch(r"[0-9a-f]{32}", page["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_access_line_is_json_with_the_request_id_route_and_status(client):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(requestid.RequestIdFilter())
    logger = logging.getLogger("core.requests")
    kept = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        client.get("/a/no-brand/no-assessment/", HTTP_X_REQUEST_ID="trace-0001-abcd")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(kept)
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == "trace-0001-abcd"
    assert entry["route"] == "/a/<slug:brand_slug>/<slug:key>/"
    assert entry["status"] == 404
    assert entry["level"] == "INFO"


def test_a_task_queued_during_a_request_runs_with_that_request_id():
    """A real worker (in a thread, on an in-memory broker) sees the id the publisher had."""
    app = Celery(
        "request-id-test", broker="memory://", backend="cache+memory://", set_as_current=False
    )
    app.conf.task_always_eager = False
    seen: list[str] = []

    @app.task(name="tests.ops.remember_request_id")
    def remember() -> str:
        seen.append(requestid.current.get())
        logging.getLogger("tests.ops").info("inside the task")
        return requestid.current.get()

    try:
        _run_in_worker(app, remember)
    finally:
        # The test worker makes its app the current one; the product's tasks must not follow
        # it onto an in-memory broker that nothing serves once this test is over.
        product_app.set_current()
        product_app.set_default()
    assert seen == ["req-from-the-web-1", ""]


def _run_in_worker(app: Celery, remember) -> None:
    with start_worker(app, pool="solo", perform_ping_check=False):
        token = requestid.current.set("req-from-the-web-1")
        try:
            result = remember.delay()
        finally:
            requestid.current.reset(token)
        assert result.get(timeout=10) == "req-from-the-web-1"
        # A task queued outside any request runs with no id, not the previous task's.
        assert remember.delay().get(timeout=10) == ""
