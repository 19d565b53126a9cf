"""Real headless Chromium (Debian's package) driven by Playwright, against live_server."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
# it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The app is served on 127.0.0.1; partner pages in the embed tests are served on localhost,
# another site, so the app runs as a third party inside them.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


class _OneRequestAtATime(ThreadedWSGIServer):
    """The test server, running the app for one request after another.

    On the in-memory SQLite database the server's threads share the test's one connection, and
    two requests at once (a page's two frames, say) can meet on it and fail. Each request still
    has its thread, so a browser's idle or kept-alive connection holds nobody up; only the app
    runs one request at a time.
    """

    def set_app(self, application: Any) -> None:
        lock = threading.Lock()

        def in_turn(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                return application(environ, start_response)

        super().set_app(in_turn)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time(django_db_setup: None) -> Iterator[None]:
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        yield  # a database with a connection per thread takes requests at once
        return
    threaded, LiveServerThread.server_class = LiveServerThread.server_class, _OneRequestAtATime
    yield
    LiveServerThread.server_class = threaded


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()
