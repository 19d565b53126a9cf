"""Site-wide views: the front page (the probes live in core.health)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from assessments.taking.selectors import published_assessments

    return render(request, "home.html", {"assessments": published_assessments()})
