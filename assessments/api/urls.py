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

    The store webhook's first address was this path with `?brand=` (it now has its own,
    `/hooks/store/<brand>/`); stores set up then still POST their signed events here, so a
    POST without an API key that names a brand or carries a Standard Webhooks signature is
    theirs. Anything else is the API's, whose 401 is a problem detail saying how to send a key.
    """
    if request.method == "POST" and _from_a_store(request):
        return purchases_webhook(request)
    return _purchases_api(request)  # type: ignore[operator,no-any-return]


def _from_a_store(request: HttpRequest) -> bool:
    if "authorization" in request.headers:
        return False
    return "brand" in request.GET or "webhook-signature" in request.headers


urlpatterns: list[URLPattern] = [
    path("api/v1/purchases", purchases_entry, name="api-purchases"),
    path("api/v1/", api.urls),  # type: ignore[list-item]
]
