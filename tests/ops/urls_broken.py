from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path


def broken(request: HttpRequest) -> HttpResponse:
    raise ZeroDivisionError("a bug, not an outage")


urlpatterns = [path("broken/", broken)]
handler500 = "core.errors.server_error"
