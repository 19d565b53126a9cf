"""Customer pages: the landing page, one page per step, the results, and the brand's theme.

These pages set no cookies. A response is identified by the unguessable token in its URL; POSTs
are accepted only from the app's own pages or the brand's allowed origins (see `_refusal`), so
no CSRF cookie is needed and the pages work inside a partner's iframe where browsers block
third-party cookies. Every page works as plain HTML forms (POST/redirect/GET); with htmx the
step form swaps in place and pushes the step's URL.

Each view reads through a selector, has a form clean what was sent, calls one service, and
renders or redirects. A step page is drawn from one walk of the flow (`Place.walk`): the one
the service computed when it decided, or, on a GET, the one made from the response as read.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from assessments import engine
from assessments.brands.mail import EMAIL_MAX_LENGTH
from assessments.brands.theme import brand_theme_css
from assessments.engine.text import localized as localized_text
from assessments.limits import Exceeded
from assessments.models import Assessment, Brand, Response
from assessments.taking.display import (
    fallback_notice,
    landing_hero,
    landing_languages,
    results_context,
    step_context,
    with_reference,
)
from assessments.taking.emails import results_email
from assessments.taking.forms import (
    BackForm,
    LearnedForm,
    ResultsEmailForm,
    ResumeLinkForm,
    StartForm,
    StepForm,
    first_error,
    photo_upload_handler,
    photos_read,
)
from assessments.taking.results import (
    reference_click_record,
    response_learned_record,
    result_read,
    result_shown,
)
from assessments.taking.selectors import (
    brand_by_slug,
    live_assessment,
    product_link,
    response_for_taking,
    result_products,
    shared_response,
)
from assessments.taking.services import (
    Place,
    answer_submit_with_photos,
    response_definition,
    response_go_back,
    response_start,
    response_step,
    results_email_send,
    resume_link_send,
)
from assessments.web import (
    HtmxHttpRequest,
    client_limited,
    cross_site_refusal,
    render_in,
    see_other,
)

LANDING = "assessments/taking/landing.html"
STEP = "assessments/taking/step.html"
RESULTS = "assessments/taking/results.html"
SHARED = "assessments/taking/shared.html"
STEP_PARTIAL = "step-form"
# A start link's query string is read for hidden fields and attribution; no more keys than this.
START_QUERY_KEYS = 50
AFTER_MAX_LENGTH = 64

# -- helpers ---------------------------------------------------------------------------


def _refusal(request: HtmxHttpRequest, posted_to: Assessment | Response) -> HttpResponse | None:
    """A 403 for a POST another site made the browser send (see assessments.web)."""
    return cross_site_refusal(
        request, SimpleLazyObject(lambda: posted_to.brand.allowed_origins or [])
    )


def _lazy_brand(response: Response) -> Brand:
    """The response's brand, read from the database only if a page needs it."""
    return SimpleLazyObject(lambda: response.brand)  # type: ignore[return-value]


def _mail_refusal(status: int) -> str:
    """Why an e-mail the customer asked for was not sent (in the active language)."""
    if status == 429:
        return _(
            "We cannot send more e-mails to this address today. "
            "Please try again tomorrow, or use another address."
        )
    return _("We have already sent the e-mails this page can send.")


def _response(token: str, *, with_brand: bool = True) -> Response:
    response = response_for_taking(token, with_brand=with_brand)
    if response is None:
        raise Http404("No such response")
    return response


def _url(response: Response, step: str | None) -> str:
    """The page of a step of the response, or of its results (`step` None)."""
    if step is None:
        return reverse("taking:results", args=[response.token])
    return reverse("taking:step", args=[response.token, step])


def _where_now(response: Response) -> str:
    """The page the customer should be on: the current step, or the results when finished."""
    return _url(response, response_step(response))


def _page_context(response: Response) -> dict[str, Any]:
    # The brand shows in the page's header and theme, not in the step partial htmx swaps in,
    # so a step POST reads it only when it renders a whole page. Once read, it is passed as
    # itself: every attribute the templates read through a lazy object costs a proxy call.
    brand = (
        response.brand
        if Response.brand.is_cached(response)
        else SimpleLazyObject(lambda: response.brand)
    )
    return {"response": response, "brand": brand, "is_preview": response.is_preview}


def _channel(request: HtmxHttpRequest) -> str:
    """Direct, embedded (a partner's iframe, or said so in the link) or kiosk (said so)."""
    if getattr(request, "embedded", False):
        return Response.Channel.EMBEDDED
    asked = request.GET.get("channel", "")
    if asked in (Response.Channel.EMBEDDED, Response.Channel.KIOSK):
        return asked
    if request.headers.get("Sec-Fetch-Dest", "").lower() == "iframe":
        return Response.Channel.EMBEDDED
    return Response.Channel.DIRECT


# -- landing -----------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def landing(request: HtmxHttpRequest, brand_slug: str, key: str) -> HttpResponse:
    """What the assessment is, what you will learn, how long it takes; POST starts it."""
    assessment = live_assessment(brand_slug=brand_slug, key=key)
    if assessment is None:
        raise Http404("No such assessment")
    version = assessment.live_version
    assert version is not None
    definition = version.definition
    languages = list(definition.get("languages") or [assessment.default_language])
    wanted = request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "")
    language = wanted if wanted in languages else languages[0]

    if request.method == "POST":
        refused = _refusal(request, assessment)
        if refused is not None:
            return refused
        form = StartForm(request.POST, languages=languages)
        limited = client_limited(
            request, "start", brand=assessment.brand, language=form.language_or(language)
        )
        if limited is not None:
            return limited
        response = response_start(
            version=version,
            brand=assessment.brand,
            language=form.language_or(language),
            # Hidden fields ride on the landing page's query string (?partner=…); the service
            # keeps only those the assessment declares.
            fields={k: request.GET.get(k, "") for k in list(request.GET)[:START_QUERY_KEYS]},
            channel=_channel(request),
            partner_origin=getattr(request, "embed_partner_origin", None),
            start_id=form.start_id(),
        )
        return see_other(_where_now(response))

    context = {
        "brand": assessment.brand,
        "title": localized_text(definition.get("title"), language),
        "intro": localized_text(definition.get("intro"), language),
        "learn": localized_text(definition.get("learn"), language),
        "minutes": definition.get("estimated_minutes"),
        "hero": landing_hero(definition),
        "languages": landing_languages(request, languages, language),
        "action": request.get_full_path(),
        "start_id": secrets.token_urlsafe(16),
    }
    page = render_in(request, LANDING, context, language=language)
    patch_vary_headers(page, ["Accept-Language"])
    # The page carries a start id of its own: no shared cache may hand it to someone else.
    patch_cache_control(page, private=True)
    return page


# -- taking ------------------------------------------------------------------------------


@require_GET
@never_cache
def resume(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """A response's own link: wherever the customer left off."""
    return see_other(_where_now(_response(token)))


def _step_links(response: Response, step_key: str, place: Place, editable: bool) -> dict[str, str]:
    step_url = _url(response, step_key)
    return {
        "step_url": step_url,
        "back_url": reverse("taking:back", args=[response.token]),
        "email_link_url": reverse("taking:email_link", args=[response.token]),
        "resume_url": step_url if editable else _url(response, place.step),
    }


def _step_page(
    request: HtmxHttpRequest,
    response: Response,
    assessment: engine.Assessment,
    place: Place,
    step_key: str,
    *,
    form: StepForm | None = None,
    status: int = 200,
    after: str = "",
    notice: str = "",
    notice_is_error: bool = False,
    photo: str = "",
) -> HttpResponse:
    """A step, for the customer at `place`; `form` carries what they sent and its errors;
    `photo` names why a footprint photo could not be measured, said where its fallback is.

    The step they are on can be answered. One they passed is shown (from the browser's
    history, say) with its answers and a button to go back to it; a later or skipped one is
    not reachable yet, and sends them where they are.
    """
    editable = step_key == place.step
    if not editable and not place.walk.passed(step_key, place.step):
        return see_other(_url(response, place.step))
    shown = step_context(
        assessment,
        place.walk,
        step_key,
        language=response.language,
        values=form.raw if form is not None else place.answers,
        errors=form.answer_errors if form is not None else {},
        after=after,
    )
    context = {
        **_page_context(response),
        **shown,
        **_step_links(response, step_key, place, editable),
        "editable": editable,
        "submission_id": secrets.token_urlsafe(16),
        "link_notice": notice,
        "link_notice_is_error": notice_is_error,
        "photo_notice": fallback_notice(
            assessment,
            shown["fields"],
            photo,
            language=response.language,
            megabytes=settings.FOOTPRINT_MAX_BYTES // 2**20,
        )
        if photo and editable
        else "",
    }
    return render_in(
        request, STEP, context, language=response.language, status=status, partial=STEP_PARTIAL
    )


def _go_on(
    request: HtmxHttpRequest,
    response: Response,
    assessment: engine.Assessment,
    place: Place,
    *,
    after: str = "",
    photo: str = "",
) -> HttpResponse:
    """After a POST, show where the customer now is: redirect, or with htmx swap the step in.

    `after` names the step just answered: a plain form's next page recalls its insights (with
    htmx they were revealed in place as the customer chose). `photo` names why a footprint
    photo could not be measured: the next page (the drawings) says so.
    """
    url = _url(response, place.step)
    query = {"photo": photo} if photo and not place.finished else {}
    if not request.htmx:
        if after and not place.finished and place.walk.insights(response.language, after):
            query = {"after": after, **query}
        return see_other(f"{url}?{urlencode(query)}" if query else url)
    if place.step is None:
        # The results are a page of their own, not a swap into the step's container.
        return HttpResponseClientRedirect(url)
    page = _step_page(request, response, assessment, place, place.step, photo=photo)
    return push_url(page, f"{url}?{urlencode(query)}" if query else url)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HtmxHttpRequest, token: str, step_key: str) -> HttpResponse:
    """GET shows a step; POST submits it and moves on (or shows what to fix)."""
    response = _response(token, with_brand=request.method == "GET")
    assessment = response_definition(response)
    the_step = assessment.step(step_key)
    if the_step is None:
        raise Http404("No such step")
    if request.method == "POST":
        return _step_submit(request, response, assessment, the_step)
    notice = ""
    if request.GET.get("sent") == "1":
        with translation.override(response.language):
            notice = _("We sent you the link. It works on any device.")
    return _step_page(
        request,
        response,
        assessment,
        Place.of(response, assessment),
        step_key,
        after=request.GET.get("after", "")[:AFTER_MAX_LENGTH],
        notice=notice,
        photo=request.GET.get("photo", "")[:AFTER_MAX_LENGTH],
    )


def _step_submit(
    request: HtmxHttpRequest, response: Response, assessment: engine.Assessment, step: engine.Step
) -> HttpResponse:
    handler = photo_upload_handler(request, step)
    refused = _refusal(request, response) or client_limited(
        request,
        "step",
        brand=_lazy_brand(response),
        language=response.language,
        answers_kept=True,
    )
    if refused is not None:
        return refused
    photos = photos_read(step, request.POST, request.FILES, handler.too_large) if handler else None
    form = StepForm(
        request.POST, assessment=assessment, step=step, response=response, photos=photos
    )
    submitted = answer_submit_with_photos(
        response=response,
        assessment=assessment,
        step_key=step.key,
        raw=form.raw,
        submission_id=form.sent_submission_id,
        cleaned=form.cleaned(),
        photos=form.photos_kept,
    )
    if submitted.status == "invalid":
        # The step again, with what to fix: the whole page for a plain form post, the partial
        # for htmx. A 200, not a 422: browsers log every 4xx fetch as a console error, and a
        # customer's slip is no error of the page (the htmx-config meta still swaps a 422).
        return _step_page(request, response, assessment, submitted.place, step.key, form=form)
    accepted = submitted.status == "accepted"
    after = step.key if accepted else ""
    photo = form.photo_problem if accepted else ""
    return _go_on(request, response, assessment, submitted.place, after=after, photo=photo)


@csrf_exempt
@never_cache
@require_POST
def back(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Go back to an earlier step on the path to change an answer; anything else stays put."""
    response = _response(token)
    refused = _refusal(request, response) or client_limited(
        request, "step", brand=response.brand, language=response.language, answers_kept=True
    )
    if refused is not None:
        return refused
    assessment = response_definition(response)
    form = BackForm(request.POST, assessment=assessment)
    if form.is_valid():
        to_step = form.cleaned_data["to_step"]
        place = response_go_back(response=response, to_step=to_step, assessment=assessment).place
    else:
        place = Place.of(response, assessment)
    return _go_on(request, response, assessment, place)


# -- results -----------------------------------------------------------------------------


def _results_page(
    request: HtmxHttpRequest,
    response: Response,
    *,
    email_error: str = "",
    email_value: str = "",
    status: int = 200,
) -> HttpResponse:
    assessment = response_definition(response)
    walk = assessment.walk(response.answers, response.fields)
    result = result_shown(response=response, walk=walk)
    products = result_products(
        brand_id=response.brand_id, skus=result.skus, variants=result.variants
    )
    token = response.token
    share_url = (
        request.build_absolute_uri(reverse("taking:shared", args=[response.share_token]))
        if response.share_token
        else ""
    )
    context = {
        **_page_context(response),
        **results_context(result, products),
        "last_step": walk.last,
        "back_url": reverse("taking:back", args=[token]),
        "learned_url": reverse("taking:learned", args=[token]),
        "email_url": reverse("taking:email_results", args=[token]),
        "share_url": share_url,
        "learned_choices": Response.Learned.choices,
        "email_error": email_error,
        "email_value": email_value,
        "emailed": request.GET.get("emailed") == "1",
        "assessment_title": localized_text(assessment.title, response.language),
    }
    return render_in(request, RESULTS, context, language=response.language, status=status)


@require_GET
@never_cache
def results(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The customer's profile, outcome and recommended products, each with its reasons."""
    response = _response(token)
    if response.status != Response.Status.COMPLETED:
        return see_other(_where_now(response))
    return _results_page(request, response)


@require_GET
@never_cache
def shared(request: HtmxHttpRequest, share_token: str) -> HttpResponse:
    """The shareable copy of a result: profile and products, nothing personal, no credential.

    Never cached, not even briefly in public: erasing the customer's data ends the link at
    once, which a copy kept by a proxy or CDN would outlive; the page is cheap to draw.
    """
    response = shared_response(share_token)
    result = result_read(response) if response is not None else None
    if response is None or result is None:
        raise Http404("No such shared result")
    products = result_products(
        brand_id=response.brand_id, skus=result.skus, variants=result.variants
    )
    version = response.version
    take_url = ""
    if version is not None and version.assessment.live_version_id:
        query = urlencode({"lang": response.language, "utm_source": "share"})
        landing_url = reverse("taking:landing", args=[response.brand.slug, version.assessment.key])
        take_url = f"{landing_url}?{query}"
    context = {
        "brand": response.brand,
        **results_context(result, products, private=False),
        "assessment_title": localized_text(
            version.definition.get("title") if version else "", response.language
        ),
        "take_url": take_url,
    }
    return render_in(request, SHARED, context, language=response.language)


@require_GET
@never_cache
def go(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """Follow a product link from the results page to the product's own page (302).

    The one GET that writes: it records the first click on this link (a timestamp on the
    reference, nothing else), which the Insights page counts. It redirects only to the
    product's stored http(s) URL, with the `ref` the store sends back; an unknown ref, an
    inactive product or a URL that is not a safe link is the 404 page, never a redirect
    elsewhere.
    """
    found = product_link(ref)
    if found is None:
        raise Http404("No such product link")
    reference, address = found
    url = with_reference(address, reference.ref)
    if not url:
        raise Http404("No such product link")
    reference_click_record(reference=reference)
    return HttpResponseRedirect(url)


@csrf_exempt
@never_cache
@require_POST
def learned(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Store the answer to the north-star question, then back to the results."""
    response = _response(token)
    refused = _refusal(request, response)
    if refused is not None:
        return refused
    form = LearnedForm(request.POST)
    if form.is_valid():
        response_learned_record(response=response, answer=form.cleaned_data["learned"])
    return see_other(f"{_where_now(response)}#learned")


@csrf_exempt
@never_cache
@require_POST
def email_results(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """E-mail the results link, with the customer's explicit consent (wording version and time,
    stored on the response); the address is used once and not kept."""
    response = _response(token)
    refused = _refusal(request, response) or client_limited(
        request, "email_client", brand=response.brand, language=response.language
    )
    if refused is not None:
        return refused
    if response.status != Response.Status.COMPLETED:
        return see_other(_where_now(response))
    form = ResultsEmailForm(request.POST)
    status = 200
    with translation.override(response.language):
        if not form.is_valid():
            error = first_error(form)
        else:
            try:
                assessment = response_definition(response)
                link = request.build_absolute_uri(_url(response, None))
                sent = results_email_send(
                    response=response,
                    assessment=assessment,
                    to=form.cleaned_data["email"],
                    link=link,
                    content=results_email(response, title=assessment.title, link=link),
                )
            except Exceeded:
                sent, status = False, 429
            error = "" if sent else _mail_refusal(status)
    if error:
        typed = form["email"].value()
        value = typed[:EMAIL_MAX_LENGTH] if isinstance(typed, str) else ""
        return _results_page(request, response, email_error=error, email_value=value, status=status)
    return see_other(f"{_url(response, None)}?emailed=1#email")


@csrf_exempt
@never_cache
@require_POST
def email_link(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """E-mail the customer a link to continue on another device; the address is not stored."""
    response = _response(token)
    refused = _refusal(request, response) or client_limited(
        request, "email_client", brand=response.brand, language=response.language
    )
    if refused is not None:
        return refused
    assessment = response_definition(response)
    form = ResumeLinkForm(request.POST)
    status = 200
    with translation.override(response.language):
        if not form.is_valid():
            notice = first_error(form)
        else:
            try:
                sent = resume_link_send(
                    response=response,
                    assessment=assessment,
                    to=form.cleaned_data["email"],
                    link=request.build_absolute_uri(
                        reverse("taking:resume", args=[response.token])
                    ),
                )
            except Exceeded:
                sent, status = False, 429
            notice = "" if sent else _mail_refusal(status)
    where = response_step(response)
    if where is None:
        return see_other(_url(response, None))
    if not notice:
        return see_other(f"{_url(response, where)}?sent=1#email-link")
    place = Place.of(response, assessment)
    return _step_page(
        request,
        response,
        assessment,
        place,
        where,
        notice=notice,
        notice_is_error=True,
        status=status,
    )


# -- theme -------------------------------------------------------------------------------


@require_GET
def theme(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The brand's colours and font as CSS custom properties (a file, as the CSP requires)."""
    brand = brand_by_slug(slug)
    if brand is None:
        raise Http404("No such brand")
    css = HttpResponse(brand_theme_css(brand), content_type="text/css; charset=utf-8")
    patch_cache_control(css, public=True, max_age=300)
    return css
