"""The API's URLs, with the one path it shares with the store's purchase webhook."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from assessments.followups.views import purchases_webhook

from .views import api


def _api_view(route: str) -> object:
    return next(p.callback for p in api.urls[0] if str(p.pattern) == route)


_purchases_api = _api_view("purchases")


@csrf_exempt
def purchases_entry(request: HttpRequest) -> HttpResponse:
    """`/api/v1/purchases` has two doors, told apart by the credentials sent.

    Stores already POST their signed events here (Standard Webhooks headers and `?brand=`,
    assessments/followups/webhook.py); key holders list and record purchases with
    `Authorization: Bearer`. A POST without a key is the store's (and its 401, unsigned, says
    how to sign).
    """
    if request.method == "POST" and "authorization" not in request.headers:
        return purchases_webhook(request)
    return _purchases_api(request)  # type: ignore[operator,no-any-return]


urlpatterns: list[URLPattern] = [
    path("api/v1/purchases", purchases_entry, name="api-purchases"),
    path("api/v1/", api.urls),  # type: ignore[list-item]
]
