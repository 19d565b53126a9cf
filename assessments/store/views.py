"""The store's pages: the kiosk (a shared touch screen, no login), the hand-off link a
customer's phone opens, and staff assist (a customer's results by their code, a sale).

A kiosk's pages carry the device token and the visit's token, never the response's own: once
the kiosk starts over (idle, a new customer, the results handed to a phone) the visit ends and
every page of it refuses, so nothing of the last customer can be reached from the device.
Kiosk pages are never stored by the browser (`never_cache` sends `no-store`).
"""

from __future__ import annotations

import secrets

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments.engine.text import localized as localized_text
from assessments.followups.purchases import PurchaseRejected
from assessments.limits import Exceeded, client_key, limit_take
from assessments.models import Kiosk, KioskVisit, Response
from assessments.taking.display import fallback_notice, results_context, step_context
from assessments.taking.emails import results_email
from assessments.taking.forms import (
    BackForm,
    ResultsEmailForm,
    StepForm,
    first_error,
    photo_upload_handler,
    photos_read,
)
from assessments.taking.results import result_read, result_shown
from assessments.taking.selectors import result_products
from assessments.taking.services import (
    Place,
    answer_submit_with_photos,
    response_definition,
    response_go_back,
    results_email_send,
)
from assessments.web import HtmxHttpRequest, cross_site_refusal, render_in, see_other

from .forms import CodeLookupForm, StoreSaleForm
from .selectors import (
    assist_find,
    code_current,
    code_find,
    handoff_by_token,
    handoff_current,
    kept_photo,
    kept_photo_keys,
    kiosk_by_token,
    sale_products,
    store_brand,
    store_brands,
    visit_expires_at,
    visit_open,
)
from .services import (
    KioskUnavailable,
    assisted_purchase_record,
    handoff_claim,
    kiosk_reset,
    kiosk_visit_finish,
    kiosk_visit_start,
    kiosk_visit_touch,
)

WELCOME = "assessments/store/kiosk_welcome.html"
KIOSK_STEP = "assessments/store/kiosk_step.html"
KIOSK_RESULTS = "assessments/store/kiosk_results.html"
HANDOFF = "assessments/store/handoff.html"
LOOKUP = "assessments/store/lookup.html"
ASSIST = "assessments/store/assist.html"
STAFF_LOGIN = "admin:login"

# -- kiosk -------------------------------------------------------------------------------


def _kiosk(token: str) -> Kiosk:
    kiosk = kiosk_by_token(token)
    if kiosk is None:
        raise Http404("No such kiosk, or its link was revoked")
    return kiosk


def _language(kiosk: Kiosk) -> str:
    version = kiosk.assessment.live_version
    languages = (version.definition.get("languages") if version else None) or []
    return languages[0] if languages else kiosk.assessment.default_language


def _kiosk_context(kiosk: Kiosk, visit: KioskVisit | None = None) -> dict:
    context = {
        "brand": kiosk.brand,
        "kiosk": kiosk,
        "welcome_url": reverse("store:kiosk", args=[kiosk.token]),
        "reset_url": reverse("store:kiosk_reset", args=[kiosk.token]),
    }
    if visit is not None:
        # Without JavaScript the page reloads the welcome screen when the server ends the visit.
        left = visit_expires_at(visit) - visit.active_at
        context["fallback_seconds"] = int(left.total_seconds())
    return context


def _welcome(
    request: HtmxHttpRequest, kiosk: Kiosk, *, status: int = 200, notice: str = ""
) -> HttpResponse:
    version = kiosk.assessment.live_version
    language = _language(kiosk)
    definition = version.definition if version else {}
    context = {
        **_kiosk_context(kiosk),
        "title": localized_text(definition.get("title"), language),
        "intro": localized_text(definition.get("intro"), language),
        "minutes": definition.get("estimated_minutes"),
        "available": version is not None,
        "notice": notice,
        "ended": status == 410,
    }
    return render_in(request, WELCOME, context, language=language, status=status)


def _visit_or_welcome(
    request: HtmxHttpRequest, kiosk: Kiosk, visit_token: str
) -> KioskVisit | HttpResponse:
    """The open visit, or the welcome screen (410) when it has ended."""
    visit = visit_open(kiosk=kiosk, token=visit_token)
    if visit is None:
        return _welcome(request, kiosk, status=410)
    return visit


def _visit_url(kiosk: Kiosk, visit: KioskVisit, step: str | None) -> str:
    if step is None:
        return reverse("store:kiosk_results", args=[kiosk.token, visit.token])
    return reverse("store:kiosk_step", args=[kiosk.token, visit.token, step])


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HtmxHttpRequest, kiosk_token: str) -> HttpResponse:
    """The welcome screen; POST starts a new customer's visit."""
    device = _kiosk(kiosk_token)
    if request.method == "GET":
        notice = _("We sent your results. Check your inbox.") if "sent" in request.GET else ""
        return _welcome(request, device, notice=notice)
    refused = cross_site_refusal(request, [])
    if refused is not None:
        return refused
    try:
        visit = kiosk_visit_start(kiosk=device, language=_language(device))
    except KioskUnavailable:
        return _welcome(request, device, status=409)
    response = visit.response
    return see_other(_visit_url(device, visit, response.current_step or None))


@csrf_exempt
@never_cache
@require_POST
def kiosk_reset_view(request: HtmxHttpRequest, kiosk_token: str) -> HttpResponse:
    """Start over: the idle timer, or the customer's "Finish", ends the visit."""
    device = _kiosk(kiosk_token)
    refused = cross_site_refusal(request, [])
    if refused is not None:
        return refused
    kiosk_reset(kiosk=device)
    return see_other(reverse("store:kiosk", args=[device.token]))


def _step_page(
    request: HtmxHttpRequest,
    device: Kiosk,
    visit: KioskVisit,
    place: Place,
    *,
    form: StepForm | None = None,
    photo: str = "",
) -> HttpResponse:
    response = visit.response
    assessment = response_definition(response)
    assert place.step is not None
    shown = step_context(
        assessment,
        place.walk,
        place.step,
        language=response.language,
        values=form.raw if form is not None else place.answers,
        errors=form.answer_errors if form is not None else {},
    )
    context = {
        **_kiosk_context(device, visit),
        **shown,
        "response": response,
        "step_url": _visit_url(device, visit, place.step),
        "back_url": reverse("store:kiosk_back", args=[device.token, visit.token]),
        "submission_id": secrets.token_urlsafe(16),
        # Why a footprint photo could not be measured, on the step with its drawings.
        "photo_notice": fallback_notice(
            assessment,
            shown["fields"],
            photo,
            language=response.language,
            megabytes=settings.FOOTPRINT_MAX_BYTES // 2**20,
        )
        if photo
        else "",
    }
    return render_in(request, KIOSK_STEP, context, language=response.language)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def kiosk_step(
    request: HtmxHttpRequest, kiosk_token: str, visit_token: str, step_key: str
) -> HttpResponse:
    """A step on the kiosk; POST submits it. Only the step the customer is on is shown."""
    device = _kiosk(kiosk_token)
    visit = _visit_or_welcome(request, device, visit_token)
    if isinstance(visit, HttpResponse):
        return visit
    response = visit.response
    assessment = response_definition(response)
    place = Place.of(response, assessment)
    the_step = assessment.step(step_key)
    if the_step is None or step_key != place.step:
        return see_other(_visit_url(device, visit, place.step))
    if request.method == "GET":
        photo = request.GET.get("photo", "")[:64]
        return _step_page(request, device, visit, place, photo=photo)
    handler = photo_upload_handler(request, the_step)
    refused = cross_site_refusal(request, [])
    if refused is not None:
        return refused
    photos = (
        photos_read(the_step, request.POST, request.FILES, handler.too_large) if handler else None
    )
    form = StepForm(
        request.POST, assessment=assessment, step=the_step, response=response, photos=photos
    )
    submitted = answer_submit_with_photos(
        response=response,
        assessment=assessment,
        step_key=step_key,
        raw=form.raw,
        submission_id=form.sent_submission_id,
        cleaned=form.cleaned(),
        photos=form.photos_kept,
    )
    kiosk_visit_touch(visit=visit)
    if submitted.status == "invalid":
        return _step_page(request, device, visit, submitted.place, form=form)
    if submitted.completed and not submitted.duplicate:
        kiosk_visit_finish(visit=visit)
    url = _visit_url(device, visit, submitted.place.step)
    photo = form.photo_problem if submitted.status == "accepted" else ""
    if photo and submitted.place.step is not None:
        url = f"{url}?{urlencode({'photo': photo})}"
    return see_other(url)


@csrf_exempt
@never_cache
@require_POST
def kiosk_back(request: HtmxHttpRequest, kiosk_token: str, visit_token: str) -> HttpResponse:
    """Back one step to change an answer (the only way back on a kiosk)."""
    device = _kiosk(kiosk_token)
    visit = _visit_or_welcome(request, device, visit_token)
    if isinstance(visit, HttpResponse):
        return visit
    refused = cross_site_refusal(request, [])
    if refused is not None:
        return refused
    response = visit.response
    assessment = response_definition(response)
    form = BackForm(request.POST, assessment=assessment)
    place = Place.of(response, assessment)
    if form.is_valid():
        went = response_go_back(
            response=response, to_step=form.cleaned_data["to_step"], assessment=assessment
        )
        place = went.place
        kiosk_visit_touch(visit=visit)
    return see_other(_visit_url(device, visit, place.step))


def _qr_svg(url: str) -> str:
    # Inline SVG drawn with paths and attributes only: the CSP allows no style attributes.
    return segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")


def _results_page(
    request: HtmxHttpRequest, device: Kiosk, visit: KioskVisit, *, email_error: str = ""
) -> HttpResponse:
    response = visit.response
    assessment = response_definition(response)
    walk = assessment.walk(response.answers, response.fields)
    result = result_shown(response=response, walk=walk)
    products = result_products(
        brand_id=response.brand_id, skus=result.skus, variants=result.variants
    )
    handoff = handoff_current(response.pk)
    handoff_url = (
        request.build_absolute_uri(reverse("store:handoff", args=[handoff.token]))
        if handoff
        else ""
    )
    code = code_current(response.pk)
    context = {
        **_kiosk_context(device, visit),
        **results_context(result, products),
        "response": response,
        "assessment_title": localized_text(assessment.title, response.language),
        "handoff_url": handoff_url,
        "handoff_qr": _qr_svg(handoff_url) if handoff_url else "",
        "store_code": code.code if code else "",
        "email_url": reverse("store:kiosk_email", args=[device.token, visit.token]),
        "back_url": reverse("store:kiosk_back", args=[device.token, visit.token]),
        "last_step": walk.last,
        "email_error": email_error,
    }
    return render_in(request, KIOSK_RESULTS, context, language=response.language)


@require_GET
@never_cache
def kiosk_results(request: HtmxHttpRequest, kiosk_token: str, visit_token: str) -> HttpResponse:
    """The results on the kiosk: profile, products and reasons, the QR code, the staff code."""
    device = _kiosk(kiosk_token)
    visit = _visit_or_welcome(request, device, visit_token)
    if isinstance(visit, HttpResponse):
        return visit
    if visit.response.status != Response.Status.COMPLETED:
        return see_other(_visit_url(device, visit, visit.response.current_step))
    return _results_page(request, device, visit)


@csrf_exempt
@never_cache
@require_POST
def kiosk_email(request: HtmxHttpRequest, kiosk_token: str, visit_token: str) -> HttpResponse:
    """E-mail the results (with consent), then start over for the next customer."""
    device = _kiosk(kiosk_token)
    visit = _visit_or_welcome(request, device, visit_token)
    if isinstance(visit, HttpResponse):
        return visit
    refused = cross_site_refusal(request, [])
    if refused is not None:
        return refused
    response = visit.response
    form = ResultsEmailForm(request.POST)
    with translation.override(response.language):
        if not form.is_valid():
            # The address is not shown again: the next customer must not see it.
            return _results_page(request, device, visit, email_error=first_error(form))
        link = request.build_absolute_uri(reverse("taking:results", args=[response.token]))
        try:
            assessment = response_definition(response)
            sent = results_email_send(
                response=response,
                assessment=assessment,
                to=form.cleaned_data["email"],
                link=link,
                content=results_email(response, title=assessment.title, link=link),
            )
        except Exceeded:
            sent = False
        if not sent:
            error = _("We could not send more e-mails just now. Use the QR code instead.")
            return _results_page(request, device, visit, email_error=error)
    kiosk_reset(kiosk=device)
    return see_other(reverse("store:kiosk", args=[device.token]) + "?sent=1")


# -- hand-off to the customer's phone -------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def handoff(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The QR code's link. GET asks (a link preview must not use it up); POST hands the
    results to this phone under a new link of its own, and the kiosk starts over."""
    claim = handoff_by_token(token)
    if claim is None:
        raise Http404("This link was already used or has expired")
    response = claim.response
    if request.method == "GET":
        context = {"brand": response.brand, "action": request.path}
        return render_in(request, HANDOFF, context, language=response.language)
    refused = cross_site_refusal(request, [])
    if refused is not None:
        return refused
    claimed = handoff_claim(claim=claim)
    if claimed is None:
        raise Http404("This link was already used or has expired")
    return see_other(reverse("taking:results", args=[claimed.token]))


# -- staff assist ------------------------------------------------------------------------


def _staff_brand(request, brand_slug: str):
    brand = store_brand(user=request.user, slug=brand_slug)
    if brand is None:
        raise Http404("No such brand")
    return brand


@login_required(login_url=STAFF_LOGIN)
@never_cache
@require_GET
def store_home(request) -> HttpResponse:
    """Which store: the brands this user helps customers for."""
    brands = list(store_brands(request.user))
    if len(brands) == 1:
        return see_other(reverse("store:lookup", args=[brands[0].slug]))
    return render(request, LOOKUP, {"brands": brands, "brand": None})


@login_required(login_url=STAFF_LOGIN)
@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request, brand_slug: str) -> HttpResponse:
    """Staff type the code on a customer's screen and open their results."""
    brand = _staff_brand(request, brand_slug)
    form = CodeLookupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            # Counted per staff login and per address: six characters are guessable only by
            # trying very many, which this stops long before.
            limit_take("store_lookup", f"user:{request.user.pk}")
            limit_take("store_lookup", client_key(request))
        except Exceeded as exceeded:
            minutes = max(1, -(-exceeded.retry_after // 60))
            form.add_error(None, _("Too many codes tried. Wait %(m)s minutes.") % {"m": minutes})
            status = 429
        else:
            status = 422
            if form.is_valid():
                code = code_find(brand_id=brand.pk, code=form.cleaned_data["code"])
                if code is not None:
                    return see_other(reverse("store:assist", args=[brand.slug, code.assist_token]))
                form.add_error("code", _("No customer has this code now. Codes last 30 minutes."))
                status = 404
    return render(request, LOOKUP, {"brand": brand, "form": form}, status=status)


def _assist_page(request, brand, code, form: StoreSaleForm, *, status: int = 200) -> HttpResponse:
    response = code.response
    result = result_read(response)
    if result is None:
        raise Http404("No results")
    products = result_products(brand_id=brand.pk, skus=result.skus, variants=result.variants)
    context = {
        "brand": brand,
        "code": code,
        "response": response,
        "language": response.language,
        **results_context(result, products),
        "form": form,
        "recorded": request.GET.get("recorded") == "1",
        "sale_url": reverse("store:assist_sale", args=[brand.slug, code.assist_token]),
        # Footprint photos the customer asked us to keep so staff could look at them together.
        "photo_urls": [
            reverse("store:assist_photo", args=[brand.slug, code.assist_token, key])
            for key in kept_photo_keys(response.pk)
        ],
    }
    return render(request, ASSIST, context, status=status)


def _sale_form(brand, code, data=None) -> StoreSaleForm:
    result = result_read(code.response)
    recommended = list(result.skus) if result else []
    language = code.response.language
    catalogue = list(sale_products(brand.pk))
    ordered = sorted(
        catalogue, key=lambda p: recommended.index(p.sku) if p.sku in recommended else 999
    )
    choices = [(p.sku, f"{localized_text(p.name, language)} ({p.sku})") for p in ordered]
    initial = {"submission_id": secrets.token_urlsafe(12), "quantity": 1}
    return StoreSaleForm(data, products=choices, initial=initial)


@login_required(login_url=STAFF_LOGIN)
@never_cache
@require_GET
def assist_photo(request, brand_slug: str, token: str, question_key: str) -> HttpResponse:
    """A footprint photo the customer kept for staff, while their code is open."""
    brand = _staff_brand(request, brand_slug)
    code = assist_find(brand_id=brand.pk, token=token)
    photo = kept_photo(response_id=code.response_id, question_key=question_key) if code else None
    if photo is None:
        raise Http404("No kept photo")
    return HttpResponse(photo, content_type="image/jpeg")


@login_required(login_url=STAFF_LOGIN)
@never_cache
@require_GET
def assist(request, brand_slug: str, token: str) -> HttpResponse:
    """A customer's profile and recommendations with their reasons, and the sale form."""
    brand = _staff_brand(request, brand_slug)
    code = assist_find(brand_id=brand.pk, token=token)
    if code is None:
        raise Http404("This customer's page has closed; ask for the code again")
    return _assist_page(request, brand, code, _sale_form(brand, code))


@login_required(login_url=STAFF_LOGIN)
@never_cache
@require_POST
def assist_sale(request, brand_slug: str, token: str) -> HttpResponse:
    """Record an in-store sale to this customer (follow-ups start as for any purchase)."""
    brand = _staff_brand(request, brand_slug)
    code = assist_find(brand_id=brand.pk, token=token)
    if code is None:
        raise Http404("This customer's page has closed; ask for the code again")
    form = _sale_form(brand, code, request.POST)
    if not form.is_valid():
        return _assist_page(request, brand, code, form, status=422)
    data = form.cleaned_data
    try:
        assisted_purchase_record(
            code=code,
            sku=data["sku"],
            quantity=data["quantity"],
            order_id=data["order_id"] or f"store-{data['submission_id']}",
            email=data["email"],
            followups_agreed=data["followups_agreed"],
        )
    except PurchaseRejected as rejected:
        form.add_error(None, str(rejected))
        return _assist_page(request, brand, code, form, status=422)
    return see_other(reverse("store:assist", args=[brand.slug, code.assist_token]) + "?recorded=1")
