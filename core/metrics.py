"""Prometheus metrics: requests and latencies per route, and follow-ups as the database has them.

gunicorn runs several worker processes; prometheus_client's multi-process mode (the directory in
PROMETHEUS_MULTIPROC_DIR, emptied when the instance starts) adds their counters up at scrape time.
Follow-up figures are read from the database when scraped, so they are the same whichever
instance, or host, answers, and need no process to have seen the dispatch happen.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("core.requests")

REQUESTS = Counter(
    "app_http_requests_total", "HTTP requests answered", ["method", "route", "status"]
)
LATENCY = Histogram(
    "app_http_request_duration_seconds",
    "Time from the request reaching Django to its response",
    ["method", "route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)


def _route(request: HttpRequest) -> str:
    """The URL pattern that answered (bounded, unlike paths full of tokens)."""
    probe = getattr(request, "probe", None)  # answered by core.health before URL resolving
    if probe:
        return probe
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown").lstrip("^")


class RequestMetricsMiddleware:
    """Counts and times every request, and writes one JSON access line for it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route = _route(request)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        log.info(
            "%s %s %s",
            request.method,
            route,
            response.status_code,
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
        return response


class FollowUpsCollector(Collector):
    """Due follow-ups and follow-ups by state, counted when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django.db.models import Count
        from django.utils import timezone

        from assessments.models import FollowUp

        due = GaugeMetricFamily(
            "app_followups_due", "Follow-ups scheduled for now or earlier and not yet claimed"
        )
        by_state = GaugeMetricFamily(
            "app_followups", "Follow-ups by state: what dispatching made of them", labels=["state"]
        )
        try:
            now = timezone.now()
            due.add_metric(
                [],
                FollowUp.objects.filter(
                    state=FollowUp.State.SCHEDULED, scheduled_for__lte=now
                ).count(),
            )
            counts = dict(
                FollowUp.objects.values_list("state")
                .annotate(n=Count("pk"))
                .values_list("state", "n")
            )
            for state in FollowUp.State.values:
                by_state.add_metric([state], counts.get(state, 0))
        except Exception:  # the database is down: say nothing rather than fail the scrape
            log.warning("metrics: follow-up counts unavailable", exc_info=True)
            return
        yield due
        yield by_state


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(FollowUpsCollector())
    return registry


def metrics_allowed(request: HttpRequest) -> bool:
    """From the host itself or an internal network, or with the metrics token."""
    token = getattr(settings, "METRICS_TOKEN", "")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    header = settings.CLIENT_IP_HEADER
    raw = (request.META.get(header, "") if header else "") or request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw.split(",")[0].strip())
    except ValueError:
        return False
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", ())
    return any(address in ipaddress.ip_network(net, strict=False) for net in networks)


def metrics_page(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition, or a 403 that says how to get it."""
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics are served to internal addresses, or with the metrics token "
            "(Authorization: Bearer <METRICS_TOKEN>).\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
