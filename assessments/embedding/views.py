"""The script partners include to embed an assessment."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

LOADER = Path(__file__).resolve().parent.parent / "static" / "assessments" / "embed.js"


@require_GET
@cache_control(public=True, max_age=300)
def loader(request: HttpRequest) -> HttpResponse:
    """/embed.js: the dependency-free loader partners include with a script tag."""
    response = HttpResponse(LOADER.read_bytes(), content_type="text/javascript; charset=utf-8")
    # Partner pages load it cross-origin as a classic script; that needs no CORS header.
    response["X-Content-Type-Options"] = "nosniff"
    return response
