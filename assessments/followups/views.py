"""After-purchase pages and the purchase webhook.

Like the taking pages, these set no cookies: a follow-up's page is identified by the token in
its link, preferences and unsubscribe by the customer's preference token. The one-click
unsubscribe POST (RFC 8058) comes from mail providers' servers, so it needs no cookie, no login
and no CSRF token; its GET only shows a confirmation page, because link scanners follow GETs.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from standardwebhooks.webhooks import Webhook

from assessments.engine.text import localized as localized_text
from assessments.followups import services
from assessments.followups.purchases import (
    RESULTS_CONSENT_VERSION,
    ConsentInput,
    ItemInput,
    PurchaseNotFound,
    PurchaseRejected,
    price_parse,
    purchase_record,
    purchase_refund,
)
from assessments.models import (
    Brand,
    ContactPreference,
    Engagement,
    FollowUp,
    FollowUpPlanStep,
    Product,
    Purchase,
    Response,
)
from assessments.taking.selectors import attribution_lookup
from assessments.web import cross_site_refusal, see_other

PAGE = "assessments/followups/page.html"
UNSUBSCRIBE = "assessments/followups/unsubscribe.html"
PREFERENCES = "assessments/followups/preferences.html"
BOUGHT = "assessments/followups/bought.html"
CHANGES = "assessments/followups/changes.html"

MAX_WEBHOOK_BYTES = 256 * 1024
# "I bought this" from one results page: a handful of products, not an open mail relay.
CUSTOMER_PURCHASES_PER_RESPONSE = 3


def _cross_site(request: HttpRequest, brand: Brand) -> HttpResponse | None:
    """A 403 for a form another site made the browser send (see assessments.web)."""
    return cross_site_refusal(request, brand.allowed_origins or [])


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, language: str, status=200
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, {**context, "language": language}, status=status)
    response["Content-Language"] = language
    return response


def _followups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related(
        "brand", "purchase__response", "step__plan__assessment", "item__product"
    )


def _followup(token: str) -> FollowUp:
    try:
        return _followups().get(token=token)
    except FollowUp.DoesNotExist:
        raise Http404("No such follow-up") from None


def _preference(token: str) -> ContactPreference:
    try:
        return ContactPreference.objects.select_related("brand").get(token=token)
    except ContactPreference.DoesNotExist:
        raise Http404("No such subscription") from None


# -- a follow-up's page: tip, check-in, re-assessment --------------------------------------


def _page_context(row: FollowUp, language: str) -> dict[str, Any]:
    subject, body = services.followup_texts(row, language)
    preference = services.preference_for(brand_id=row.brand_id, email=row.email)
    return {
        "brand": row.brand,
        "followup": row,
        "kind": row.step.kind,
        "subject": subject,
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "preferences_url": reverse("followups:preferences", args=[preference.token]),
        "page_url": reverse("followups:page", args=[row.token]),
        "scale_csat": range(1, 6),
        "scale_ces": range(1, 8),
        "scale_nps": range(0, 11),
    }


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    """A tip, a check-in form, or an invitation to retake the assessment."""
    row = _followup(token)
    language = services.followup_language(row)
    kind = row.step.kind
    context = _page_context(row, language)
    if request.method == "GET":
        opened = {
            FollowUpPlanStep.Kind.TIP: Engagement.Kind.TIP_OPENED,
            FollowUpPlanStep.Kind.CHECKIN: Engagement.Kind.CHECKIN_OPENED,
        }.get(kind)
        if opened:
            services.engagement_record(followup=row, kind=opened)
        if kind == FollowUpPlanStep.Kind.CHECKIN and hasattr(row, "checkin"):
            context["answered"] = row.checkin
        return _render(request, PAGE, context, language=language)

    refused = _cross_site(request, row.brand)
    if refused is not None:
        return refused
    if kind == FollowUpPlanStep.Kind.CHECKIN:
        try:
            answers = services.checkin_parse(request.POST)
        except services.CheckInInvalid as invalid:
            context.update(errors=invalid.errors, submitted=request.POST)
            return _render(request, PAGE, context, language=language, status=200)
        services.checkin_record(followup=row, answers=answers)
        return see_other(reverse("followups:page", args=[row.token]) + "?answered=1")
    if kind == FollowUpPlanStep.Kind.REASSESS:
        try:
            response = services.reassessment_start(followup=row)
        except LookupError:
            context["unavailable"] = True
            return _render(request, PAGE, context, language=language, status=410)
        return see_other(reverse("taking:resume", args=[response.token]))
    raise Http404("Nothing to send here")


@require_GET
@never_cache
def changes(request: HttpRequest, token: str) -> HttpResponse:
    """What changed between the profile before the purchase and the retaken assessment."""
    row = _followup(token)
    language = services.followup_language(row)
    started = (
        Engagement.objects.filter(followup=row, kind=Engagement.Kind.REASSESS_STARTED)
        .select_related("response")
        .order_by("-at")
        .first()
    )
    new = started.response if started else None
    before = row.purchase.response
    rows = []
    if new is not None and new.status == Response.Status.COMPLETED and before is not None:
        old_facts = services.response_facts(before)
        new_facts = services.response_facts(new)
        assessment = new_facts.assessment
        assert assessment is not None
        for trait in assessment.traits:
            was = old_facts.scores.get(trait.key)
            now = new_facts.scores.get(trait.key)
            rows.append(
                {
                    "label": localized_text(trait.label, language),
                    "before": localized_text(was.band.label, language) if was and was.band else "—",
                    "after": localized_text(now.band.label, language) if now and now.band else "—",
                    "changed": (was.band.key if was and was.band else None)
                    != (now.band.key if now and now.band else None),
                }
            )
    context = {
        "brand": row.brand,
        "rows": rows,
        "finished": bool(rows),
        "results_url": reverse("taking:results", args=[new.token]) if new else "",
    }
    return _render(request, CHANGES, context, language=language)


# -- unsubscribe and preferences ---------------------------------------------------------


def _language_for(preference: ContactPreference) -> str:
    last = (
        Purchase.objects.filter(brand_id=preference.brand_id, email=preference.email)
        .order_by("-purchased_at")
        .values_list("language", flat=True)
        .first()
    )
    languages = list(preference.brand.languages or ["en"])
    return last if last in languages else languages[0]


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button. POST (the button, or a mail client's one-click): done."""
    preference = _preference(token)
    language = _language_for(preference)
    context = {
        "brand": preference.brand,
        "preference": preference,
        "action": reverse("followups:unsubscribe", args=[preference.token]),
        "preferences_url": reverse("followups:preferences", args=[preference.token]),
    }
    if request.method == "POST":
        context["cancelled"] = services.unsubscribe(preference=preference)
        context["done"] = True
    return _render(request, UNSUBSCRIBE, context, language=language)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """Choose which follow-ups to get from this brand, or none."""
    preference = _preference(token)
    language = _language_for(preference)
    saved = False
    if request.method == "POST":
        refused = _cross_site(request, preference.brand)
        if refused is not None:
            return refused
        preference = services.preferences_update(
            preference=preference,
            tips=request.POST.get("tips") == "on",
            checkins=request.POST.get("checkins") == "on",
            reassessments=request.POST.get("reassessments") == "on",
        )
        saved = True
    context = {
        "brand": preference.brand,
        "preference": preference,
        "saved": saved,
        "action": reverse("followups:preferences", args=[preference.token]),
        "unsubscribe_url": reverse("followups:unsubscribe", args=[preference.token]),
        "pending": FollowUp.objects.filter(
            brand_id=preference.brand_id, email=preference.email, state__in=FollowUp.PENDING
        )
        .select_related("step")
        .order_by("scheduled_for"),
    }
    return _render(request, PREFERENCES, context, language=language)


# -- "I bought this" on the results page -------------------------------------------------


def _response(token: str) -> Response:
    try:
        return Response.objects.select_related("brand", "version").get(token=token)
    except Response.DoesNotExist:
        raise Http404("No such response") from None


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def bought(request: HttpRequest, token: str) -> HttpResponse:
    """The customer says they bought a product; GET shows what we recorded and what follows."""
    response = _response(token)
    if response.status != Response.Status.COMPLETED or response.is_preview:
        return see_other(reverse("taking:resume", args=[response.token]))
    language = response.language
    context: dict[str, Any] = {"brand": response.brand, "response": response}
    if request.method == "POST":
        refused = _cross_site(request, response.brand)
        if refused is not None:
            return refused
        submission = "".join(
            c for c in request.POST.get("submission_id", "") if c.isalnum() or c in "-_"
        )[:40] or secrets.token_urlsafe(12)
        email = request.POST.get("email", "").strip()
        errors = {}
        sku = request.POST.get("sku", "")
        if not Product.objects.filter(brand=response.brand, sku=sku).exists():
            errors["sku"] = _("Choose the product you bought.")
        wants = request.POST.get("consent") == "on"
        if wants and "@" not in email:
            errors["email"] = _("Give your e-mail address, so we can send the follow-ups.")
        reported = Purchase.objects.filter(response=response, source=Purchase.Source.CUSTOMER)
        if reported.count() >= CUSTOMER_PURCHASES_PER_RESPONSE:
            # A results link must not become a way to have us e-mail strangers.
            errors["sku"] = _("You have already told us about your purchases from these results.")
        if errors:
            context.update(errors=errors)
            return _render(request, BOUGHT, context, language=language, status=422)
        purchase, _created = purchase_record(
            brand=response.brand,
            order_id=f"customer-{response.pk}-{submission}",
            items=[ItemInput(sku=sku)],
            source=Purchase.Source.CUSTOMER,
            response=response,
            email=email if wants else "",
            first_name=request.POST.get("first_name", ""),
            language=language,
            consent=ConsentInput(RESULTS_CONSENT_VERSION, "results_page") if wants else None,
        )
        return see_other(
            reverse("followups:bought", args=[response.token]) + f"?purchase={purchase.pk}"
        )
    purchase_id = request.GET.get("purchase", "")
    purchase = (
        Purchase.objects.filter(response=response, pk=purchase_id).first()
        if purchase_id.isdigit()
        else None
    )
    if purchase is None:
        return see_other(reverse("taking:results", args=[response.token]))
    context.update(
        purchase=purchase,
        items=[
            (localized_text(i.product.name, language) if i.product else i.sku, i)
            for i in purchase.items.select_related("product")
        ],
        planned=purchase.followups.select_related("step").order_by("scheduled_for"),
        results_url=reverse("taking:results", args=[response.token]),
    )
    return _render(request, BOUGHT, context, language=language)


# -- the store's webhook -----------------------------------------------------------------


def _problem(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _when(value: Any, name: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise PurchaseRejected(f"{name} must be an ISO 8601 time such as 2025-05-01T10:00:00Z.")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _items(data: dict[str, Any]) -> list[ItemInput]:
    raw = data.get("items")
    if not isinstance(raw, list) or not raw:
        raise PurchaseRejected('"items" must be a non-empty list of {sku, quantity, price}.')
    items = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict) or not isinstance(entry.get("sku"), str):
            raise PurchaseRejected(f'Item {index + 1} needs a "sku" string.')
        quantity = entry.get("quantity", 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise PurchaseRejected(f'Item {index + 1}: "quantity" must be a whole number.')
        price = price_parse(entry["price"]) if entry.get("price") is not None else None
        ref = entry.get("ref") if isinstance(entry.get("ref"), str) else ""
        items.append(ItemInput(sku=entry["sku"], quantity=quantity, price=price, ref=ref))
    return items


def _attributed(brand: Brand, reference: Any, items: list[ItemInput]) -> Response | None:
    """The response a purchase came from: a product link's `ref` (the order's, or an item's),
    or the response's own token. References of another brand link nothing."""
    candidates = [reference, *(item.ref for item in items)]
    for ref in candidates:
        found = attribution_lookup(ref) if isinstance(ref, str) else None
        if found is not None and found[0].brand_id == brand.pk and not found[0].is_preview:
            return found[0]
    if isinstance(reference, str) and reference:
        return Response.objects.filter(brand=brand, token=reference, is_preview=False).first()
    return None


@csrf_exempt
@require_POST
def purchases_webhook(request: HttpRequest) -> HttpResponse:
    """A store reports a purchase or a refund, signed per the Standard Webhooks specification.

    The brand is named in the query string (?brand=<slug>), because its secret is needed to
    check the signature before the body may be trusted, or even parsed. The body:

        {"type": "purchase.completed",
         "data": {"order_id": "1001", "purchased_at": "2025-05-01T10:00:00Z",
                  "items": [{"sku": "keel-5", "quantity": 1, "price": "129.00", "ref": "…"}],
                  "reference": "<a product link's ref, or the response token>",
                  "email": "ana@example.com", "first_name": "Ana", "language": "es",
                  "consent": {"wording_version": "checkout-2025-01", "given_at": "…"}}}
        {"type": "purchase.refunded", "data": {"order_id": "1001"}}

    201: recorded; 200: already recorded (same order id) or refunded; 400: what is wrong;
    401: unsigned, badly signed or stale; 404: refund of an unknown order.
    """
    brand = Brand.objects.filter(slug=request.GET.get("brand", "")).first()
    if brand is None:
        return _problem(401, "Unknown brand: add ?brand=<your brand's slug> to the URL.")
    secret = services.brand_followup_settings(brand.pk).webhook_secret
    body = request.body
    if len(body) > MAX_WEBHOOK_BYTES:
        return _problem(413, "The body is too large.")
    headers = {
        name: request.headers.get(name, "")
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except Exception:
        # Missing headers, a bad signature, a timestamp more than 5 minutes off, or headers so
        # malformed the library cannot read them: all the same to the sender.
        return _problem(
            401,
            "Signature missing, invalid or stale: sign with the brand's webhook secret "
            "(Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).",
        )
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _problem(400, f"The body is not valid JSON: {error}.")
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        return _problem(400, 'Send {"type": "purchase.completed", "data": {...}}.')
    kind = payload.get("type")
    data = payload["data"]
    order_id = data.get("order_id")
    if not isinstance(order_id, str) or not order_id.strip():
        return _problem(400, '"data.order_id" must be the store\'s order id, a string.')
    try:
        if kind == "purchase.refunded":
            purchase = purchase_refund(
                brand=brand,
                order_id=order_id,
                refunded_at=_when(data.get("refunded_at"), "refunded_at"),
            )
            return JsonResponse({"order_id": purchase.order_id, "status": purchase.status})
        if kind != "purchase.completed":
            return _problem(
                400, f'Unknown type {kind!r}: use "purchase.completed" or "purchase.refunded".'
            )
        items = _items(data)
        reference = data.get("reference")
        response = _attributed(brand, reference, items)
        consent = data.get("consent")
        consent_input = None
        if isinstance(consent, dict) and consent.get("wording_version"):
            consent_input = ConsentInput(
                wording_version=str(consent["wording_version"]),
                source="checkout",
                given_at=_when(consent.get("given_at"), "consent.given_at"),
            )
        email = data.get("email") if isinstance(data.get("email"), str) else ""
        if email and "@" not in email:
            return _problem(400, f'"email" {email!r} is not an e-mail address.')
        purchase, created = purchase_record(
            brand=brand,
            order_id=order_id,
            items=items,
            source=Purchase.Source.WEBHOOK,
            purchased_at=_when(data.get("purchased_at"), "purchased_at"),
            response=response,
            email=email,
            first_name=str(data.get("first_name") or ""),
            language=str(data.get("language") or ""),
            consent=consent_input,
        )
    except PurchaseNotFound as missing:
        return _problem(404, str(missing))
    except PurchaseRejected as rejected:
        return _problem(400, str(rejected))
    body_out = {
        "order_id": purchase.order_id,
        "status": purchase.status,
        "created": created,
        "linked_to_response": purchase.response_id is not None,
        "followups_scheduled": purchase.followups.count(),
    }
    if reference and response is None:
        body_out["warning"] = "The reference matches no response of this brand; not linked."
    return JsonResponse(body_out, status=201 if created else 200)
