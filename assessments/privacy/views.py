"""Customer pages for one's own data: ask for a link, then download or erase with it.

Like every customer page these set no cookies. The credential is the signed link e-mailed to
the address (see links.py); the page where an address is typed says the same whatever the
address, so it cannot be used to learn whether someone is a brand's customer. POSTs are
accepted only from this site's own pages (these pages are never embedded, so no partner
origin is allowed either).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.models import Brand
from assessments.privacy.forms import AddressForm, EraseForm
from assessments.privacy.links import DataLink, LinkExpired, LinkInvalid, data_link_read
from assessments.privacy.selectors import (
    brand_for_customers,
    customer_data_export,
    customer_data_summary,
)
from assessments.privacy.services import customer_data_erase, data_export_record, data_link_send
from assessments.web import client_limited, cross_site_refusal, render_in, see_other

REQUEST = "assessments/privacy/request.html"
DATA = "assessments/privacy/data.html"
ERASED = "assessments/privacy/erased.html"
REFUSED = "assessments/privacy/refused.html"


def _brand(slug: str) -> Brand:
    brand = brand_for_customers(slug)
    if brand is None:
        raise Http404("No such brand")
    return brand


def _language(request: HttpRequest, brand: Brand, wanted: str = "") -> str:
    """The language asked for (link, ?lang=, browser) if the brand speaks it, else its first."""
    languages = list(brand.languages or ["en"])
    for candidate in (wanted, request.GET.get("lang", ""), getattr(request, "LANGUAGE_CODE", "")):
        if candidate in languages:
            return candidate
    return languages[0]


def _own_site_only(request: HttpRequest) -> HttpResponse | None:
    return cross_site_refusal(request, ())


def _rate_limited(request: HttpRequest, brand: Brand, language: str) -> HttpResponse | None:
    """The request for a link is limited per client (the page); the e-mail it may send is
    capped per address and per brand where it is sent (`data_link_send`). None: go on."""
    return client_limited(request, "privacy", brand=brand, language=language)


def _request_url(brand: Brand, language: str, **extra: str) -> str:
    query = urlencode({"lang": language, **extra})
    return f"{reverse('privacy:request', args=[brand.slug])}?{query}"


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def request_link(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """Type an address; if the brand holds anything tied to it, a link is e-mailed to it."""
    brand = _brand(brand_slug)
    language = _language(request, brand)
    form = AddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        refused = _own_site_only(request) or _rate_limited(request, brand, language)
        if refused is not None:
            return refused
        if form.is_valid():
            data_link_send(brand=brand, email=form.cleaned_data["email"], language=language)
            return see_other(_request_url(brand, language, sent="1"))
        # Otherwise the form again with what to fix, as a 200: a customer's slip is no error of
        # the page, and browsers log every 4xx page as one in the console.
    context = {
        "brand": brand,
        "form": form,
        "sent": request.GET.get("sent") == "1",
        "action": _request_url(brand, language),
        "hours": _link_hours(),
    }
    return render_in(request, REQUEST, context, language=language)


def _link_hours() -> int:
    return settings.PRIVACY_LINK_MAX_AGE // 3600


def _open(request: HttpRequest, brand: Brand, token: str) -> DataLink | HttpResponse:
    """What the link says, or the page explaining why it cannot be used."""
    try:
        return data_link_read(token, brand_id=brand.pk)
    except LinkExpired:
        reason, status = "expired", 410
    except LinkInvalid:
        reason, status = "invalid", 400
    context = {
        "brand": brand,
        "reason": reason,
        "hours": _link_hours(),
        "request_url": _request_url(brand, _language(request, brand)),
    }
    return render_in(request, REFUSED, context, language=_language(request, brand), status=status)


def _data_page(
    request: HttpRequest,
    brand: Brand,
    link: DataLink,
    token: str,
    *,
    form: EraseForm | None = None,
) -> HttpResponse:
    language = _language(request, brand, link.language)
    context: dict[str, Any] = {
        "brand": brand,
        "email": link.email,
        "summary": customer_data_summary(brand=brand, email=link.email),
        "form": form or EraseForm(),
        "download_url": reverse("privacy:download", args=[brand.slug, token]),
        "erase_url": reverse("privacy:erase", args=[brand.slug, token]),
        "request_url": _request_url(brand, language),
    }
    return render_in(request, DATA, context, language=language)


@never_cache
@require_GET
def data(request: HttpRequest, brand_slug: str, token: str) -> HttpResponse:
    """What the brand holds about the link's address, with download and erase buttons."""
    brand = _brand(brand_slug)
    link = _open(request, brand, token)
    if isinstance(link, HttpResponse):
        return link
    return _data_page(request, brand, link, token)


@csrf_exempt
@never_cache
@require_POST
def download(request: HttpRequest, brand_slug: str, token: str) -> HttpResponse:
    """Everything tied to the link's address, as a JSON file (a POST: handing it out is logged)."""
    brand = _brand(brand_slug)
    refused = _own_site_only(request)
    if refused is not None:
        return refused
    link = _open(request, brand, token)
    if isinstance(link, HttpResponse):
        return link
    export = customer_data_export(brand=brand, email=link.email)
    data_export_record(
        brand=brand,
        email=link.email,
        counts={key: len(value) for key, value in export.items() if isinstance(value, list)},
    )
    body = json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{brand.slug}-my-data.json"'
    return response


@csrf_exempt
@never_cache
@require_POST
def erase(request: HttpRequest, brand_slug: str, token: str) -> HttpResponse:
    """Erase everything tied to the link's address, once the customer has ticked to confirm."""
    brand = _brand(brand_slug)
    refused = _own_site_only(request)
    if refused is not None:
        return refused
    link = _open(request, brand, token)
    if isinstance(link, HttpResponse):
        return link
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _data_page(request, brand, link, token, form=form)
    customer_data_erase(brand=brand, email=link.email)
    language = _language(request, brand, link.language)
    return see_other(
        f"{reverse('privacy:erased', args=[brand.slug])}?{urlencode({'lang': language})}"
    )


@require_GET
def erased(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """Done: says so, and nothing about whom."""
    brand = _brand(brand_slug)
    context = {"brand": brand, "request_url": _request_url(brand, _language(request, brand))}
    return render_in(request, ERASED, context, language=_language(request, brand))
