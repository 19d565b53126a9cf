"""Liveness, readiness and metrics, answered before any other middleware.

Load balancers and Prometheus call these by address, over plain http, without the site's host
name: answered first, they never meet ALLOWED_HOSTS, the https redirect, framing rules or rate
limits. `/healthz` says the process answers; `/readyz` that it can serve (the database and the
broker answer), with a body that says which part failed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.metrics import metrics_page

BROKER_TIMEOUT = 2.0


def database_check(alias: str = "default") -> str:
    """ "ok", or what went wrong reaching the database."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # a probe reports, it never raises
        return f"unavailable: {type(error).__name__}: {error}".strip()[:300]
    return "ok"


def broker_check() -> str:
    """ "ok", "not used" (tasks run in-process), or what went wrong reaching the broker."""
    url = settings.CELERY_BROKER_URL
    if not url:
        return "not used"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except Exception as error:
        return f"unavailable: {type(error).__name__}: {error}".strip()[:300]
    return "ok"


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage does not
    get healthy web processes restarted."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the broker answer; 503 naming what does not."""
    checks = {"database": database_check(), "broker": broker_check()}
    ready = all(value in ("ok", "not used") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics_page,
}


class ProbeMiddleware:
    """Answers the probes above for GET and HEAD; everything else goes on down the chain."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/") or "/"
        probe = PROBES.get(path)
        if probe is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        request.probe = path  # type: ignore[attr-defined]  (the metrics' route label)
        response = probe(request)
        response["Cache-Control"] = "no-store"
        return response
