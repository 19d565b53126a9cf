"""After-purchase pages and the purchase webhook.

Like the taking pages, these set no cookies: a follow-up's page is identified by the token in
its link, preferences and unsubscribe by the customer's preference token, the confirmation of
an address by the signed link e-mailed to it. The one-click unsubscribe POST (RFC 8058) comes
from mail providers' servers, so it needs no cookie, no login and no CSRF token; its GET, like
the confirmation link's, only shows a page with a button, because link scanners follow GETs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.brands.mail import mail_can_go
from assessments.followups import selectors, services, stores, webhook
from assessments.followups.confirmation import (
    CONFIRMATION_MAX_AGE,
    ConfirmationLink,
    LinkExpired,
    LinkInvalid,
    confirmation_language,
    confirmation_product,
    confirmation_read,
)
from assessments.followups.deliveries import store_delivery_accept
from assessments.followups.forms import BoughtForm, CheckInForm, PreferencesForm
from assessments.followups.purchases import (
    ConsentNotFound,
    PurchaseLimitReached,
    PurchaseNotFound,
    PurchaseRejected,
    StoreReceipt,
    StoreRefund,
    consent_confirm,
    customer_purchase_record,
    purchase_refund,
    store_purchase_record,
)
from assessments.limits import Exceeded, limit_take
from assessments.models import (
    Brand,
    Consent,
    ContactPreference,
    Engagement,
    FollowUp,
    FollowUpPlanStep,
    Response,
    StoreDelivery,
)
from assessments.web import client_limited, cross_site_refusal, render_in, see_other

PAGE = "assessments/followups/page.html"
UNSUBSCRIBE = "assessments/followups/unsubscribe.html"
PREFERENCES = "assessments/followups/preferences.html"
BOUGHT = "assessments/followups/bought.html"
CHANGES = "assessments/followups/changes.html"
CONFIRM = "assessments/followups/confirm.html"
CONFIRM_REFUSED = "assessments/followups/confirm_refused.html"

# Opening these pages is what the brand measures ("opened the tip"): an event appended to the
# engagement log, not a change to anything the customer or a later request depends on.
OPENED = {
    FollowUpPlanStep.Kind.TIP: Engagement.Kind.TIP_OPENED,
    FollowUpPlanStep.Kind.CHECKIN: Engagement.Kind.CHECKIN_OPENED,
}


def _cross_site(request: HttpRequest, brand: Brand) -> HttpResponse | None:
    """A 403 for a form another site made the browser send (see assessments.web)."""
    return cross_site_refusal(request, brand.allowed_origins or [])


def _followup(token: str) -> FollowUp:
    row = selectors.followup_by_token(token)
    if row is None:
        raise Http404("No such follow-up")
    return row


def _preference(token: str) -> ContactPreference:
    preference = selectors.preference_by_token(token)
    if preference is None:
        raise Http404("No such subscription")
    return preference


# -- a follow-up's page: tip, check-in, re-assessment --------------------------------------


def _page_context(row: FollowUp, language: str, form: CheckInForm) -> dict[str, Any]:
    subject, body = services.followup_texts(row, language)
    # Every customer who was sent a message has preferences; a page is still shown without.
    preference = selectors.preference_of(brand_id=row.brand_id, email=row.email)
    return {
        "brand": row.brand,
        "followup": row,
        "kind": row.step.kind,
        "subject": subject,
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "preferences_url": reverse("followups:preferences", args=[preference.token])
        if preference
        else "",
        "page_url": reverse("followups:page", args=[row.token]),
        "product": services.followup_product_card(services.followup_product(row), language),
        "form": form,
        "scale_csat": form.scale("csat"),
        "scale_ces": form.scale("ces"),
        "scale_nps": form.scale("nps"),
    }


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    """A tip, a check-in form, or an invitation to retake the assessment."""
    row = _followup(token)
    language = services.followup_language(row)
    if request.method == "GET":
        opened = OPENED.get(row.step.kind)
        if opened:
            services.engagement_record(followup=row, kind=opened)
        context = _page_context(row, language, CheckInForm())
        if row.step.kind == FollowUpPlanStep.Kind.CHECKIN and hasattr(row, "checkin"):
            context["answered"] = row.checkin
        return render_in(request, PAGE, context, language=language)

    refused = _cross_site(request, row.brand) or client_limited(
        request, "checkin", brand=row.brand, language=language
    )
    if refused is not None:
        return refused
    if row.step.kind == FollowUpPlanStep.Kind.CHECKIN:
        return _checkin_answer(request, row, language)
    if row.step.kind == FollowUpPlanStep.Kind.REASSESS:
        return _reassessment_start(request, row, language)
    raise Http404("Nothing to send here")


def _checkin_answer(request: HttpRequest, row: FollowUp, language: str) -> HttpResponse:
    form = CheckInForm(request.POST)
    if not form.is_valid():
        context = _page_context(row, language, form)
        return render_in(request, PAGE, context, language=language)
    services.checkin_record(followup=row, answers=form.answers())
    return see_other(reverse("followups:page", args=[row.token]) + "?answered=1")


def _reassessment_start(request: HttpRequest, row: FollowUp, language: str) -> HttpResponse:
    try:
        response = services.reassessment_start(followup=row)
    except LookupError:
        context = {**_page_context(row, language, CheckInForm()), "unavailable": True}
        return render_in(request, PAGE, context, language=language, status=410)
    return see_other(reverse("taking:resume", args=[response.token]))


@require_GET
@never_cache
def changes(request: HttpRequest, token: str) -> HttpResponse:
    """What changed between the profile before the purchase and the retaken assessment."""
    row = _followup(token)
    language = services.followup_language(row)
    retake = selectors.reassessment_of(row)
    rows = services.reassessment_changes(
        before=row.purchase.response, after=retake, language=language
    )
    context = {
        "brand": row.brand,
        "rows": rows,
        "finished": bool(rows),
        "results_url": reverse("taking:results", args=[retake.token]) if retake else "",
    }
    return render_in(request, CHANGES, context, language=language)


# -- unsubscribe and preferences ---------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button. POST (the button, or a mail client's one-click): done."""
    preference = _preference(token)
    context = {
        "brand": preference.brand,
        "preference": preference,
        "action": reverse("followups:unsubscribe", args=[preference.token]),
        "preferences_url": reverse("followups:preferences", args=[preference.token]),
    }
    if request.method == "POST":
        context["cancelled"] = services.unsubscribe(preference=preference)
        context["done"] = True
    language = selectors.preference_language(preference)
    return render_in(request, UNSUBSCRIBE, context, language=language)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    """Choose which follow-ups to get from this brand, or none."""
    preference = _preference(token)
    saved = False
    if request.method == "POST":
        refused = _cross_site(request, preference.brand)
        if refused is not None:
            return refused
        form = PreferencesForm(request.POST)
        if form.is_valid():  # always: an unticked or unreadable box is a kind turned off
            preference = services.preferences_update(preference=preference, **form.cleaned_data)
            saved = True
    context = {
        "brand": preference.brand,
        "preference": preference,
        "saved": saved,
        "action": reverse("followups:preferences", args=[preference.token]),
        "unsubscribe_url": reverse("followups:unsubscribe", args=[preference.token]),
        "pending": selectors.pending_followups(preference),
    }
    language = selectors.preference_language(preference)
    return render_in(request, PREFERENCES, context, language=language)


# -- "I bought this" on the results page -------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def bought(request: HttpRequest, token: str) -> HttpResponse:
    """The customer says they bought a product; GET shows what we recorded and what follows."""
    response = selectors.response_by_token(token)
    if response is None:
        raise Http404("No such response")
    if response.status != Response.Status.COMPLETED or response.is_preview:
        return see_other(reverse("taking:resume", args=[response.token]))
    if request.method == "POST":
        return _bought_record(request, response)
    purchase = selectors.reported_purchase(
        response=response, purchase_id=request.GET.get("purchase", "")
    )
    results_url = reverse("taking:results", args=[response.token])
    if purchase is None:
        return see_other(results_url)
    context = {
        "brand": response.brand,
        "response": response,
        "purchase": purchase,
        "items": selectors.purchase_items(purchase, response.language),
        "planned": selectors.planned_followups(purchase),
        "awaiting_confirmation": selectors.confirmation_awaited(purchase),
        "confirmation_days": CONFIRMATION_MAX_AGE.days,
        "results_url": results_url,
    }
    return render_in(request, BOUGHT, context, language=response.language)


def _bought_record(request: HttpRequest, response: Response) -> HttpResponse:
    refused = _cross_site(request, response.brand) or client_limited(
        request, "purchase_client", brand=response.brand, language=response.language
    )
    if refused is not None:
        return refused
    form = BoughtForm(request.POST, products=selectors.brand_products(response.brand))
    # Shown again with what to fix as a 200, as the steps are: a customer's slip is no error
    # of the page, and browsers log every 4xx page as one in the console.
    status = 200
    if form.is_valid() and not mail_can_go(
        brand=response.brand, address=form.cleaned_data["email"]
    ):
        # Say so now, rather than promise a confirmation e-mail the caps would hold back.
        with translation.override(response.language):
            form.add_error("email", _mail_capped())
        status = 429
    if form.is_valid():
        data = form.cleaned_data
        try:
            purchase = customer_purchase_record(
                response=response,
                sku=data["sku"].sku,
                email=data["email"],
                submission_id=data["submission_id"],
            )
        except PurchaseLimitReached as limit:
            form.add_error("sku", limit.message)
        else:
            url = reverse("followups:bought", args=[response.token])
            return see_other(f"{url}?purchase={purchase.pk}")
    context = {"brand": response.brand, "response": response, "form": form}
    return render_in(request, BOUGHT, context, language=response.language, status=status)


def _mail_capped() -> str:
    return str(
        _(
            "We cannot send more e-mails to this address today. "
            "Please try again tomorrow, or use another address."
        )
    )


# -- confirming the address (double opt-in) ----------------------------------------------


def _confirm_refused(
    request: HttpRequest, reason: str, link: ConfirmationLink | None, consent: Consent | None
) -> HttpResponse:
    """The page for a link that cannot be used: 400 when it was not made here, 410 when it is
    too old or what it confirmed was erased. In the link's language when it is genuine."""
    brand = consent.brand if consent is not None else None
    wanted = link.language if link is not None else getattr(request, "LANGUAGE_CODE", "")
    spoken = list(brand.languages or ["en"]) if brand else [code for code, _ in settings.LANGUAGES]
    language = wanted if wanted in spoken else spoken[0]
    context = {"brand": brand, "reason": reason, "days": CONFIRMATION_MAX_AGE.days}
    status = 400 if reason == "invalid" else 410
    return render_in(request, CONFIRM_REFUSED, context, language=language, status=status)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the customer is asked to confirm, with a button. POST (the button): confirmed,
    and the purchase's follow-ups scheduled; again, nothing changes."""
    try:
        link = confirmation_read(token)
    except LinkInvalid:
        return _confirm_refused(request, "invalid", None, None)
    except LinkExpired as expired:
        consent = selectors.consent_to_confirm(expired.link.consent_id)
        return _confirm_refused(request, "expired", expired.link, consent)
    consent = selectors.consent_to_confirm(link.consent_id)
    if consent is None:
        return _confirm_refused(request, "gone", link, None)
    if request.method == "POST":
        refused = cross_site_refusal(request, ())  # opened from an e-mail, never embedded
        if refused is not None:
            return refused
        try:
            consent_confirm(consent_id=consent.pk)
        except ConsentNotFound:  # erased between the page and the button
            return _confirm_refused(request, "gone", link, None)
        return see_other(reverse("followups:confirm", args=[token]))
    languages = list(consent.brand.languages or ["en"])
    language = link.language if link.language in languages else confirmation_language(consent)
    preference = selectors.preference_of(brand_id=consent.brand_id, email=consent.email)
    context = {
        "brand": consent.brand,
        "consent": consent,
        "product": confirmation_product(consent, language),
        "planned": selectors.planned_followups(consent.purchase) if consent.purchase else [],
        "preferences_url": reverse("followups:preferences", args=[preference.token])
        if preference is not None and consent.confirmed_at is not None
        else "",
        "action": reverse("followups:confirm", args=[token]),
    }
    return render_in(request, CONFIRM, context, language=language)


# -- the store's webhook -----------------------------------------------------------------


def _problem(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _unverified(request: HttpRequest, brand: Brand) -> JsonResponse | None:
    """A 401 or 413 unless the body is small enough and signed with the brand's secret."""
    found = selectors.followup_settings_of(brand.pk)
    if found is None:
        return _problem(
            401,
            "Signature cannot be checked: this brand has no webhook secret yet. An owner "
            "creates it in the admin, under follow-up settings.",
        )
    if len(request.body) > webhook.MAX_BODY_BYTES:
        return _problem(413, "The body is too large.")
    if not webhook.signature_valid(found.webhook_secret, request.body, request.headers):
        return _problem(
            401,
            "Signature missing, invalid or stale: sign with the brand's webhook secret "
            "(Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).",
        )
    return None


def _receipt(receipt: StoreReceipt) -> JsonResponse:
    purchase = receipt.purchase
    body = {
        "order_id": purchase.order_id,
        "status": purchase.status,
        "created": receipt.created,
        "linked_to_response": purchase.response_id is not None,
        "followups_scheduled": receipt.followups_scheduled,
    }
    if receipt.reference_unmatched:
        body["warning"] = "The reference matches no response of this brand; not linked."
    return JsonResponse(body, status=201 if receipt.created else 200)


@csrf_exempt
@require_POST
def store_webhook(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """A store reports a purchase or a refund, signed per the Standard Webhooks specification.

    The brand is named in the path, because its secret is needed to check the signature before
    the body may be trusted, or even parsed. The body is described in `webhook.event_parse`.

    201: recorded; 200: already recorded (same order id) or refunded; 400: what is wrong;
    401: unknown brand, unsigned, badly signed or stale; 404: refund of an unknown order;
    413: a body over 256 KiB.
    """
    return _store_event(request, brand_slug)


@csrf_exempt
@require_POST
def purchases_webhook(request: HttpRequest) -> HttpResponse:
    """The store webhook's first address, `/api/v1/purchases?brand=<slug>` (a POST without an
    `Authorization` header): kept so stores set up before `/hooks/store/<slug>/` keep working."""
    return _store_event(request, request.GET.get("brand", ""))


def _store_event(request: HttpRequest, brand_slug: str) -> HttpResponse:
    brand = selectors.brand_by_slug(brand_slug)
    if brand is None:
        return _problem(401, "Unknown brand: the URL must name your brand's slug.")
    refused = _unverified(request, brand) or _limited(brand)
    if refused is not None:
        return refused
    try:
        event = webhook.event_parse(request.body)
        if isinstance(event, StoreRefund):
            purchase = purchase_refund(
                brand=brand, order_id=event.order_id, refunded_at=event.refunded_at
            )
            return JsonResponse({"order_id": purchase.order_id, "status": purchase.status})
        return _receipt(store_purchase_record(brand=brand, order=event))
    except PurchaseNotFound as missing:
        return _problem(404, str(missing))
    except PurchaseRejected as rejected:
        return _problem(400, str(rejected))


def _limited(brand: Brand) -> JsonResponse | None:
    """A 429 once the brand's stores called too often; counted only for signed calls, so
    nobody but the store can use up the store's share."""
    try:
        limit_take("webhook", str(brand.pk))
    except Exceeded as exceeded:
        tired = _problem(429, "Too many calls for this brand; retry after the time given.")
        tired["Retry-After"] = str(exceeded.retry_after)
        return tired
    return None


# -- Shopify and WooCommerce ------------------------------------------------------------


@csrf_exempt
@require_POST
def shopify_webhook(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """Shopify's `orders/create` and `refunds/create`, signed with `X-Shopify-Hmac-Sha256`."""
    brand, refused = _platform_brand(request, brand_slug, "shopify_secret", "Shopify")
    if refused is not None:
        return refused
    if not stores.hmac_base64_valid(
        brand.followup_settings.shopify_secret,
        request.body,
        request.headers.get("X-Shopify-Hmac-Sha256", ""),
    ):
        return _problem(
            401,
            "X-Shopify-Hmac-Sha256 is missing or does not match: check the Shopify secret in "
            "this brand's follow-up settings.",
        )
    topic = request.headers.get("X-Shopify-Topic", "")
    return _platform_event(
        request,
        brand,
        platform=StoreDelivery.Platform.SHOPIFY,
        delivery_id=request.headers.get("X-Shopify-Webhook-Id", ""),
        topic=topic,
        read=lambda body: stores.shopify_event(topic, body),
    )


@csrf_exempt
@require_POST
def woocommerce_webhook(request: HttpRequest, brand_slug: str) -> HttpResponse:
    """WooCommerce's order created and updated, signed with `X-WC-Webhook-Signature`."""
    if stores.woocommerce_ping(request.body):
        # Saving a webhook in WooCommerce sends this once, unsigned; it must get a 2xx or the
        # webhook is not saved. It carries nothing, and nothing is written.
        return JsonResponse({"ok": True})
    brand, refused = _platform_brand(request, brand_slug, "woocommerce_secret", "WooCommerce")
    if refused is not None:
        return refused
    if not stores.hmac_base64_valid(
        brand.followup_settings.woocommerce_secret,
        request.body,
        request.headers.get("X-WC-Webhook-Signature", ""),
    ):
        return _problem(
            401,
            "X-WC-Webhook-Signature is missing or does not match: check the WooCommerce secret "
            "in this brand's follow-up settings.",
        )
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    if topic and not topic.startswith("order."):
        return JsonResponse({"outcome": "ignored", "note": f"Topic {topic!r} is not an order."})
    return _platform_event(
        request,
        brand,
        platform=StoreDelivery.Platform.WOOCOMMERCE,
        delivery_id=request.headers.get("X-WC-Webhook-Delivery-ID", ""),
        topic=topic,
        read=stores.woocommerce_event,
    )


def _platform_brand(
    request: HttpRequest, brand_slug: str, secret_field: str, platform: str
) -> tuple[Brand, None] | tuple[None, JsonResponse]:
    """The brand and a refusal: 401 without a secret for this platform, 413 for a huge body."""
    brand = selectors.brand_by_slug(brand_slug)
    found = selectors.followup_settings_of(brand.pk) if brand is not None else None
    if brand is None or found is None or not getattr(found, secret_field):
        return None, _problem(
            401,
            f"This brand has no {platform} secret yet: an owner pastes it in the admin, under "
            "follow-up settings.",
        )
    if len(request.body) > webhook.MAX_BODY_BYTES:
        return None, _problem(413, "The body is too large.")
    brand.followup_settings = found
    return brand, None


def _platform_event(
    request: HttpRequest,
    brand: Brand,
    *,
    platform: str,
    delivery_id: str,
    topic: str,
    read: Callable[[bytes], stores.StoreEvent],
) -> HttpResponse:
    refused = _limited(brand)
    if refused is not None:
        return refused
    try:
        done = store_delivery_accept(
            brand=brand,
            platform=platform,
            delivery_id=delivery_id,
            topic=topic,
            event=read(request.body),
        )
    except stores.BodyUnreadable as unreadable:
        return _problem(400, str(unreadable))
    except PurchaseRejected as rejected:
        return _problem(422, str(rejected))
    body = {
        "outcome": done.outcome,
        "order_id": done.order_id,
        "replayed": done.replayed,
        "linked_to_response": done.linked_to_response,
        "note": done.note,
    }
    created = done.outcome == StoreDelivery.Outcome.RECORDED and not done.replayed
    return JsonResponse(body, status=201 if created else 200)
