"""Customer pages: the landing page, one page per step, the results, and the brand's theme.

These pages set no cookies. A response is identified by the unguessable token in its URL; POSTs
are accepted only from the app's own pages or the brand's allowed origins (see `_refusal`), so
no CSRF cookie is needed and the pages work inside a partner's iframe where browsers block
third-party cookies. Every page works as plain HTML forms (POST/redirect/GET); with htmx the
step form swaps in place and pushes the step's URL.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from assessments import engine
from assessments.brands.mail import brand_sender
from assessments.brands.theme import brand_theme_css
from assessments.engine.text import localized as localized_text
from assessments.models import Assessment, Brand, Product, Response
from assessments.taking.display import (
    landing_languages,
    question_fields,
    result_skus,
    results_context,
    step_insights,
)
from assessments.taking.results import (
    RESULTS_EMAIL_CONSENT_VERSION,
    response_email_count,
    response_learned_record,
    result_ensure,
)
from assessments.taking.selectors import responses_for_taking
from assessments.taking.services import (
    answer_submit,
    response_definition,
    response_go_back,
    response_start,
)
from assessments.web import cross_site_refusal, see_other

LANDING = "assessments/taking/landing.html"
STEP = "assessments/taking/step.html"
RESULTS = "assessments/taking/results.html"
SHARED = "assessments/taking/shared.html"
EMAIL_MAX_LENGTH = 254
STEP_PARTIAL = "step-form"

# -- helpers ---------------------------------------------------------------------------


def _refusal(request: HttpRequest, posted_to: Assessment | Response) -> HttpResponse | None:
    """A 403 for a POST another site made the browser send (see assessments.web)."""
    return cross_site_refusal(
        request, SimpleLazyObject(lambda: posted_to.brand.allowed_origins or [])
    )


def _partial_wanted(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _render(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    status: int = 200,
    partial: str | None = None,
) -> HttpResponse:
    """Render in the customer's language; with htmx, only the named partial."""
    name = f"{template}#{partial}" if partial and _partial_wanted(request) else template
    with translation.override(language):
        response = render(request, name, {**context, "language": language}, status=status)
    response["Content-Language"] = language
    patch_vary_headers(response, ["HX-Request"])
    return response


def _response(token: str, *, with_brand: bool = True) -> Response:
    try:
        return responses_for_taking(with_brand=with_brand).get(token=token)
    except Response.DoesNotExist:
        raise Http404("No such response") from None


def _step_url(response: Response, step_key: str) -> str:
    return reverse("taking:step", args=[response.token, step_key])


def _results_url(response: Response) -> str:
    return reverse("taking:results", args=[response.token])


def _where_now(response: Response) -> str:
    """The page the customer should be on: the current step, or the results when finished."""
    if response.status == Response.Status.COMPLETED or not response.current_step:
        return _results_url(response)
    return _step_url(response, response.current_step)


def _page_context(response: Response) -> dict[str, Any]:
    # The brand shows in the page's header and theme, not in the step partial htmx swaps in,
    # so a step POST reads it only when it renders a whole page.
    brand = SimpleLazyObject(lambda: response.brand)
    return {"response": response, "brand": brand, "is_preview": response.is_preview}


def _channel(request: HttpRequest) -> str:
    """Direct, embedded (a partner's iframe, or said so in the link) or kiosk (said so)."""
    if getattr(request, "embedded", False):
        return Response.Channel.EMBEDDED
    asked = request.GET.get("channel", "")
    if asked in (Response.Channel.EMBEDDED, Response.Channel.KIOSK):
        return asked
    if request.headers.get("Sec-Fetch-Dest", "").lower() == "iframe":
        return Response.Channel.EMBEDDED
    return Response.Channel.DIRECT


def _email(request: HttpRequest) -> str | None:
    """The e-mail address the form sent, or None when it is not one."""
    email = request.POST.get("email", "").strip()
    if not email or len(email) > EMAIL_MAX_LENGTH:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


# -- landing -----------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest, brand_slug: str, key: str) -> HttpResponse:
    """What the assessment is, what you will learn, how long it takes; POST starts it."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("brand", "live_version"),
        brand__slug=brand_slug,
        key=key,
        live_version__isnull=False,
    )
    version = assessment.live_version
    definition = version.definition
    languages = list(definition.get("languages") or [assessment.default_language])
    wanted = request.GET.get("lang") or getattr(request, "LANGUAGE_CODE", "")
    language = wanted if wanted in languages else languages[0]

    if request.method == "POST":
        refused = _refusal(request, assessment)
        if refused is not None:
            return refused
        chosen = request.POST.get("language", "")
        response = response_start(
            version=version,
            brand=assessment.brand,
            language=chosen if chosen in languages else language,
            # Hidden fields ride on the landing page's query string (?partner=…); the service
            # keeps only those the assessment declares.
            fields={k: request.GET.get(k, "") for k in list(request.GET)[:50]},
            channel=_channel(request),
            partner_origin=getattr(request, "embed_partner_origin", None),
        )
        return see_other(_where_now(response))

    context = {
        "brand": assessment.brand,
        "title": localized_text(definition.get("title"), language),
        "intro": localized_text(definition.get("intro"), language),
        "learn": localized_text(definition.get("learn"), language),
        "minutes": definition.get("estimated_minutes"),
        "languages": landing_languages(request, languages, language),
        "action": request.get_full_path(),
    }
    response = _render(request, LANDING, context, language=language)
    patch_vary_headers(response, ["Accept-Language"])
    return response


# -- taking ------------------------------------------------------------------------------


@require_GET
@never_cache
def resume(request: HttpRequest, token: str) -> HttpResponse:
    """A response's own link: wherever the customer left off."""
    response = _response(token)
    return see_other(_where_now(response))


def _step_page(
    request: HttpRequest,
    response: Response,
    assessment: engine.Assessment,
    step_key: str,
    *,
    submitted: Mapping[str, Any] | None = None,
    errors: Mapping[str, engine.AnswerError] | None = None,
    cleaned: Mapping[str, Any] | None = None,
    status: int = 200,
    after: str = "",
    notice: str = "",
    notice_is_error: bool = False,
) -> HttpResponse:
    language = response.language
    path = assessment.path(response.answers, response.fields)
    current = response.current_step
    finished = response.status == Response.Status.COMPLETED
    editable = step_key == current and not finished
    if not editable:
        # An earlier step is shown (from the browser's history, say) with its answers, and a
        # button to go back to it; a later or skipped one is not reachable yet.
        earlier = step_key in path and (
            finished or current not in path or path.index(step_key) < path.index(current)
        )
        if not earlier:
            return see_other(_where_now(response))
    # After a failed submit, visibility follows what was just sent: a question may depend on
    # an earlier one on the same step.
    answers = {**response.answers, **{k: v for k, v in (cleaned or {}).items() if v is not None}}
    step = assessment.step(step_key)
    assert step is not None
    position = path.index(step_key) if step_key in path else 0
    previous = path[position - 1] if position > 0 else None
    counted = assessment.counted_answers(answers, response.fields)
    # Without JavaScript the customer could not see a choice's insight before moving on, so the
    # step after it opens with them ("what your answer means").
    revealed = (
        step_insights(assessment, after, counted, language)
        if after in path[:position] and not errors
        else []
    )
    # Error messages and hints are lazy translations: word them in the response's language.
    with translation.override(language):
        fields = question_fields(
            assessment,
            assessment.visible_questions(step_key, answers, response.fields),
            language=language,
            values=submitted if submitted is not None else response.answers,
            errors=errors or {},
            recalled=counted,
        )
    step_url = _step_url(response, step_key)
    context = {
        **_page_context(response),
        "step": step,
        "progress": assessment.progress(step_key, answers, response.fields),
        "fields": fields,
        "why": engine.fill_answers(
            localized_text(step.why, language), assessment, counted, language
        ),
        "revealed": revealed,
        "link_notice": notice,
        "link_notice_is_error": notice_is_error,
        "email_link_url": reverse("taking:email_link", args=[response.token]),
        "has_errors": bool(errors),
        "editable": editable,
        "previous": previous,
        "submission_id": secrets.token_urlsafe(16),
        "step_url": step_url,
        "back_url": reverse("taking:back", args=[response.token]),
        "resume_url": step_url if editable else _where_now(response),
        "assessment_title": localized_text(assessment.title, language),
    }
    return _render(request, STEP, context, language=language, status=status, partial=STEP_PARTIAL)


def _go_on(
    request: HttpRequest, response: Response, assessment: engine.Assessment, after: str = ""
) -> HttpResponse:
    """After a POST, show where the customer now is: redirect, or with htmx swap the step in.

    `after` names the step just answered: a plain form's next page recalls its insights (with
    htmx they were revealed in place as the customer chose).
    """
    url = _where_now(response)
    if not request.htmx:
        finished = response.status == Response.Status.COMPLETED or not response.current_step
        if after and not finished and step_insights(assessment, after, response.answers, "en"):
            url = f"{url}?{urlencode({'after': after})}"
        return see_other(url)
    if response.status == Response.Status.COMPLETED or not response.current_step:
        # The results are a page of their own, not a swap into the step's container.
        return HttpResponseClientRedirect(url)
    page = _step_page(request, response, assessment, response.current_step)
    page["HX-Push-Url"] = url
    return page


def _raw(post: Any, question: engine.Question) -> Any:
    """What the form sent for a question: a list for multiple choice, else one value."""
    values = post.getlist(question.key)
    if question.kind == "multiple":
        return values
    if not values:
        return None
    # Two values for a one-value question is something only a hand-made request sends; the
    # engine refuses the list with a message the customer can act on.
    return values[0] if len(values) == 1 else values


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, token: str, step_key: str) -> HttpResponse:
    """GET shows a step; POST submits it and moves on (or shows what to fix)."""
    response = _response(token, with_brand=request.method == "GET")
    assessment = response_definition(response)
    the_step = assessment.step(step_key)
    if the_step is None:
        raise Http404("No such step")
    if request.method == "GET":
        sent = request.GET.get("sent") == "1"
        with translation.override(response.language):
            notice = _("We sent you the link. It works on any device.") if sent else ""
        return _step_page(
            request,
            response,
            assessment,
            step_key,
            after=request.GET.get("after", "")[:64],
            notice=notice,
        )

    refused = _refusal(request, response)
    if refused is not None:
        return refused
    raw = {q.key: _raw(request.POST, q) for q in the_step.questions if q.answerable}
    outcome = answer_submit(
        response=response,
        step_key=step_key,
        raw=raw,
        submission_id=request.POST.get("submission_id", ""),
    )
    if outcome.status == "invalid":
        # htmx swaps 422 in (see the htmx-config meta); a plain form post gets the page again.
        return _step_page(
            request,
            response,
            assessment,
            step_key,
            submitted=raw,
            errors=outcome.errors,
            cleaned=outcome.values,
            status=422 if request.htmx else 200,
        )
    return _go_on(
        request, response, assessment, after=step_key if outcome.status == "accepted" else ""
    )


@csrf_exempt
@never_cache
@require_POST
def back(request: HttpRequest, token: str) -> HttpResponse:
    """Go back to an earlier step on the path to change an answer; anything else stays put."""
    response = _response(token)
    refused = _refusal(request, response)
    if refused is not None:
        return refused
    assessment = response_definition(response)
    to_step = request.POST.get("to_step", "")
    if assessment.step(to_step) is not None:
        response_go_back(response=response, to_step=to_step)
    return _go_on(request, response, assessment)


def _results_page(
    request: HttpRequest,
    response: Response,
    *,
    email_error: str = "",
    email_value: str = "",
    status: int = 200,
) -> HttpResponse:
    assessment = response_definition(response)
    result = result_ensure(response=response, assessment=assessment)
    products = list(Product.objects.filter(brand_id=response.brand_id, sku__in=result_skus(result)))
    path = assessment.path(response.answers, response.fields)
    token = response.token
    context = {
        **_page_context(response),
        **results_context(result, products),
        "last_step": path[-1] if path else None,
        "back_url": reverse("taking:back", args=[token]),
        "learned_url": reverse("taking:learned", args=[token]),
        "email_url": reverse("taking:email_results", args=[token]),
        "share_url": request.build_absolute_uri(
            reverse("taking:shared", args=[response.share_token])
        )
        if response.share_token
        else "",
        "learned_choices": Response.Learned.choices,
        "email_error": email_error,
        "email_value": email_value,
        "emailed": request.GET.get("emailed") == "1",
        "assessment_title": localized_text(assessment.title, response.language),
    }
    return _render(request, RESULTS, context, language=response.language, status=status)


@require_GET
@never_cache
def results(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's profile, outcome and recommended products, each with its reasons."""
    response = _response(token)
    if response.status != Response.Status.COMPLETED:
        return see_other(_where_now(response))
    return _results_page(request, response)


@require_GET
def shared(request: HttpRequest, share_token: str) -> HttpResponse:
    """The shareable copy of a result: profile and products, nothing personal, no credential."""
    response = get_object_or_404(
        Response.objects.select_related("brand", "version__assessment"),
        share_token=share_token,
        status=Response.Status.COMPLETED,
        result__isnull=False,
    )
    result = response.result
    products = list(Product.objects.filter(brand_id=response.brand_id, sku__in=result_skus(result)))
    version = response.version
    context = {
        "brand": response.brand,
        **results_context(result, products, private=False),
        "assessment_title": localized_text(
            version.definition.get("title") if version else "", response.language
        ),
        "take_url": reverse("taking:landing", args=[response.brand.slug, version.assessment.key])
        + f"?{urlencode({'lang': response.language, 'utm_source': 'share'})}"
        if version and version.assessment.live_version_id
        else "",
    }
    return _render(request, SHARED, context, language=response.language)


@csrf_exempt
@never_cache
@require_POST
def learned(request: HttpRequest, token: str) -> HttpResponse:
    """Store the answer to the north-star question, then back to the results."""
    response = _response(token)
    refused = _refusal(request, response)
    if refused is not None:
        return refused
    response_learned_record(response=response, answer=request.POST.get("learned", ""))
    return see_other(f"{_where_now(response)}#learned")


@csrf_exempt
@never_cache
@require_POST
def email_results(request: HttpRequest, token: str) -> HttpResponse:
    """E-mail the results link, with the customer's explicit consent (wording version and time,
    stored on the response); the address is used once and not kept."""
    response = _response(token)
    refused = _refusal(request, response)
    if refused is not None:
        return refused
    if response.status != Response.Status.COMPLETED:
        return see_other(_where_now(response))
    email = _email(request)
    with translation.override(response.language):
        if email is None:
            error = _("Please enter an e-mail address, like name@example.com.")
        elif request.POST.get("consent") != "yes":
            error = _("Please tick the box to say we may e-mail you your results.")
        elif not response_email_count(
            response=response, consent_version=RESULTS_EMAIL_CONSENT_VERSION
        ):
            error = _("We have already sent the e-mails this page can send.")
        else:
            error = ""
        if error:
            value = request.POST.get("email", "")[:EMAIL_MAX_LENGTH]
            return _results_page(
                request, response, email_error=error, email_value=value, status=200
            )
        title = localized_text(response_definition(response).title, response.language)
        link = request.build_absolute_uri(_results_url(response))
        send_mail(
            _("Your results: %(title)s") % {"title": title},
            _(
                "Here are your results, as you asked:\n%(link)s\n\n"
                "The link is yours: anyone who has it can see and change your answers, "
                "so keep it to yourself. To share your results, use the share link on the page."
            )
            % {"link": link},
            brand_sender(response.brand),
            [email],
        )
    return see_other(f"{_results_url(response)}?emailed=1#email")


@csrf_exempt
@never_cache
@require_POST
def email_link(request: HttpRequest, token: str) -> HttpResponse:
    """E-mail the customer a link to continue on another device; the address is not stored."""
    response = _response(token)
    refused = _refusal(request, response)
    if refused is not None:
        return refused
    email = _email(request)
    assessment = response_definition(response)
    where = response.current_step
    with translation.override(response.language):
        if email is None:
            notice = _("Please enter an e-mail address, like name@example.com.")
        elif not response_email_count(response=response):
            notice = _("We have already sent the e-mails this page can send.")
        else:
            title = localized_text(assessment.title, response.language)
            link = request.build_absolute_uri(reverse("taking:resume", args=[response.token]))
            send_mail(
                _("Continue: %(title)s") % {"title": title},
                _(
                    "Pick up where you left off:\n%(link)s\n\n"
                    "Anyone with this link can see and change your answers, "
                    "so keep it to yourself."
                )
                % {"link": link},
                brand_sender(response.brand),
                [email],
            )
            notice = ""
    if response.status == Response.Status.COMPLETED or not where:
        return see_other(_where_now(response))
    if not notice:
        return see_other(f"{_where_now(response)}?sent=1#email-link")
    return _step_page(request, response, assessment, where, notice=notice, notice_is_error=True)


# -- theme -------------------------------------------------------------------------------


@require_GET
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    """The brand's colours and font as CSS custom properties (a file, as the CSP requires)."""
    brand = get_object_or_404(Brand, slug=slug)
    response = HttpResponse(brand_theme_css(brand), content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=300)
    return response
