"""Embedding in partner sites: framing headers and the embedded journey's urlconf.

Customer pages under /e/ are the same views as the brand's own pages; EmbedMiddleware marks the
request as embedded, points reverse() at the /e/ urls and sends `frame-ancestors` equal to the
brand's allow-list (and no X-Frame-Options). Every other page keeps `frame-ancestors 'none'` and
`X-Frame-Options: DENY` from the settings. Nothing in the embedded journey needs a cookie: the
response token in the URL is the credential (see assessments/web.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP

from assessments.embedding.origins import (
    OriginError,
    frame_ancestors,
    normalize_origin,
    origin_allowed,
)
from assessments.models import Brand, Response

EMBED_PREFIX = "/e/"
EMBED_URLCONF = "core.urls_embed"
# Where a response's partner origin is kept, with the rest of its attribution.
EMBED_ORIGIN_KEY = "embed_origin"


def _brand_origins(view_kwargs: dict[str, Any]) -> tuple[list[str], str | None]:
    """The brand's allow-list and, for a started response, the partner it was embedded from."""
    stored: str | None = None
    if "token" in view_kwargs:
        row = (
            Response.objects.filter(token=view_kwargs["token"])
            .values_list("brand__allowed_origins", "attribution")
            .first()
        )
        origins, attribution = row if row else ([], {})
        if isinstance(attribution, dict):
            stored = attribution.get(EMBED_ORIGIN_KEY)
    else:
        slug = view_kwargs.get("brand_slug") or view_kwargs.get("slug")
        origins = (
            Brand.objects.filter(slug=slug).values_list("allowed_origins", flat=True).first()
            if slug
            else []
        )
    return (origins if isinstance(origins, list) else []), stored


def partner_origin(
    request: HttpRequest, allowed: list[str], stored: str | None = None
) -> str | None:
    """The partner page's origin (reported by the loader, or stored at start) if still allowed."""
    claimed = stored or request.GET.get("origin") or ""
    # The start form posts the origin; a multipart body (a step with a footprint photo) is
    # left unread here, so its view can have it read in memory only (taking/uploads.py).
    if not claimed and request.content_type != "multipart/form-data":
        claimed = request.POST.get("origin") or ""
    try:
        origin = normalize_origin(claimed)
    except OriginError:
        return None
    return origin if origin_allowed(origin, allowed) else None


class EmbedMiddleware:
    """Serve /e/ as the embedded journey, framable only by the brand's allowed origins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.embedded = request.path_info.startswith(EMBED_PREFIX)
        if request.embedded:
            request.urlconf = EMBED_URLCONF
        response = self.get_response(request)
        if request.embedded:
            allowed = getattr(request, "embed_allowed_origins", [])
            sources = frame_ancestors(allowed) or [CSP.NONE]
            response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": sources}
            response.xframe_options_exempt = True
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: dict[str, Any]
    ) -> None:
        if request.embedded:
            allowed, stored = _brand_origins(kwargs)
            request.embed_allowed_origins = allowed
            request.embed_partner_origin = partner_origin(request, allowed, stored)
