"""Site-wide views: the front page and the health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from assessments.taking.selectors import published_assessments

    return render(request, "home.html", {"assessments": published_assessments()})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Report whether the database answers; load balancers poll this."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as error:  # a health check reports, it never raises
        return JsonResponse({"status": "error", "detail": str(error)}, status=503)
