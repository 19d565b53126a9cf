"""Error pages: the database being away is a 503 with a page that says to try again shortly."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

log = logging.getLogger("core.errors")

# Seconds a client is told to wait; PostgreSQL restarts in a few.
RETRY_AFTER = 5


def database_unavailable(error: BaseException | None) -> bool:
    """Whether an exception means the database could not be reached (not a bug in a query)."""
    return isinstance(error, (OperationalError, InterfaceError))


def unavailable_page(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 customers see while the database is away; nothing they sent is lost by it."""
    page = HttpResponse(loader.render_to_string("503.html"), status=503)
    page["Retry-After"] = str(RETRY_AFTER)
    page["Cache-Control"] = "no-store"
    return page


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a 503 when the database is away, else the plain 500 page."""
    if database_unavailable(sys.exc_info()[1]):
        log.warning("database unavailable: answered 503")
        return unavailable_page(request)
    try:
        return HttpResponseServerError(loader.render_to_string("500.html"))
    except Exception:  # the 500 page must never fail itself
        return HttpResponseServerError("Server error. Please try again later.")
