"""What every customer page shares: the token in its URL, 303s, and refusing other sites' forms.

Customer pages set no cookies. A response (or follow-up, or preference) is identified by the
unguessable token in its URL; what stops a hostile page from submitting a form on a customer's
behalf is where the request comes from, which browsers state in `Sec-Fetch-Site` and `Origin`
and pages cannot forge. So no CSRF cookie is needed and the pages work inside a partner's
iframe where browsers block third-party cookies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.urls import register_converter
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

from assessments.embedding.origins import origin_allowed
from assessments.limits import Exceeded, client_key, limit_take
from assessments.models import Brand

LIMITED = "assessments/limited.html"

REFUSED = (
    "This form was sent from another site, so it was not accepted. "
    "Open the page on its own and try again."
)


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `request.htmx` says whether htmx sent
    it, and how."""

    htmx: HtmxDetails


class TokenConverter:
    """A token as `secrets.token_urlsafe(32)` makes it; anything else is not a page."""

    regex = r"[A-Za-z0-9_-]{32,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TokenConverter, "token")


def see_other(url: str) -> HttpResponse:
    """303: after a POST, the browser GETs the new page (POST/redirect/GET)."""
    redirect = HttpResponse(status=303)
    redirect["Location"] = url
    return redirect


def cross_site_refusal(request: HttpRequest, allowed_origins: Iterable[str]) -> HttpResponse | None:
    """A 403 for a POST another site made the browser send; None when it may proceed.

    Allowed: the app's own pages, requests that state no origin (plain clients), and the
    brand's partner origins (`allowed_origins`, read only when another origin is stated).
    """
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return HttpResponseForbidden(REFUSED, content_type="text/plain; charset=utf-8")
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    own = f"{request.scheme}://{request.get_host()}".lower()
    if origin.strip().rstrip("/").lower() == own or origin_allowed(origin, allowed_origins):
        return None
    return HttpResponseForbidden(REFUSED, content_type="text/plain; charset=utf-8")


def partial_wanted(request: HtmxHttpRequest) -> bool:
    """Whether to answer with a partial: htmx asked, and not to restore a page from history
    (which needs the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.history_restore_request


def render_in(
    request: HtmxHttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    status: int = 200,
    partial: str | None = None,
) -> HttpResponse:
    """Render a customer page in the customer's language (not the browser's); with htmx, only
    its `partial` when it names one (`{% partialdef %}` in the template)."""
    name = f"{template}#{partial}" if partial and partial_wanted(request) else template
    with translation.override(language):
        page = render(request, name, {**context, "language": language}, status=status)
    page["Content-Language"] = language
    patch_vary_headers(page, ["HX-Request"])
    return page


def too_many(
    request: HtmxHttpRequest,
    exceeded: Exceeded,
    *,
    brand: Brand,
    language: str,
    answers_kept: bool = False,
) -> HttpResponse:
    """429: the customer has done this too often for now; the page says when to come back
    (and, on a response's pages, that its answers are safe)."""
    minutes = max(1, -(-exceeded.retry_after // 60))
    context = {"brand": brand, "minutes": minutes, "answers_kept": answers_kept}
    page = render_in(request, LIMITED, context, language=language, status=429)
    page["Retry-After"] = str(exceeded.retry_after)
    return page


def client_limited(
    request: HtmxHttpRequest,
    limit: str,
    *,
    brand: Brand,
    language: str,
    answers_kept: bool = False,
) -> HttpResponse | None:
    """Count one use of `limit` by this client; the 429 page when it is over, else None.

    `brand` may be lazy: it is read only to render the refusal.
    """
    try:
        limit_take(limit, client_key(request))
    except Exceeded as exceeded:
        return too_many(
            request, exceeded, brand=brand, language=language, answers_kept=answers_kept
        )
    return None
