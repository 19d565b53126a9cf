"""The endpoints of /api/v1: parse (the schemas), read a selector or call one service, answer."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import Field

from assessments.followups.purchases import PurchaseRejected
from assessments.insights.figures import Filters, Insights
from assessments.insights.selectors import insights_for
from assessments.limits import Exceeded, limit_take
from assessments.models import ApiKey

from . import present, selectors, services
from .keys import api_key_authenticate
from .problems import CONTENT_TYPE, Problem, problem_response, validation_errors
from .schemas import (
    AssessmentOut,
    CheckInOut,
    Instant,
    Page,
    ProblemOut,
    ProductIn,
    ProductOut,
    ProductsUpserted,
    PurchaseIn,
    PurchaseOut,
    PurchaseRecorded,
    ResponseOut,
    VersionOut,
)


class BrandKey(HttpBearer):
    """`Authorization: Bearer ask_…`: a brand's active key, within its rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = api_key_authenticate(token)
        if key is not None:
            # Counted per key, so one busy integration cannot use up another brand's calls.
            limit_take("api", key.prefix)
        return key


class ProblemsApi(NinjaAPI):
    """django-ninja, with its OpenAPI document declaring error bodies as what they are.

    Ninja names every response body `application/json`; ours for 4xx are RFC 9457 problem
    details sent as `application/problem+json` (problems.CONTENT_TYPE). Clients that pick a
    decoder by content type, and schemathesis, need the document to say so.
    """

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        document = super().get_openapi_schema(**kwargs)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                for status, declared in operation.get("responses", {}).items():
                    content = declared.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[CONTENT_TYPE] = content.pop("application/json")
        return document


api = ProblemsApi(
    title="Assessments API",
    version="1",
    description=(
        "A brand's assessments, completed responses, catalogue, purchases and check-ins. "
        "Authenticate with `Authorization: Bearer <key>` (keys are made by a brand's owners in "
        "the admin). Errors are RFC 9457 problem details. Lists are paged with `next_cursor`."
    ),
    auth=BrandKey(),
    urls_namespace="api",
)

READ_ERRORS: dict[int, Any] = {401: ProblemOut, 404: ProblemOut, 422: ProblemOut, 429: ProblemOut}
# 400: a body that is not JSON at all (a body that is JSON but wrong is a 422).
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 400: ProblemOut, 403: ProblemOut}


def _key(request: HttpRequest) -> ApiKey:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _writer(request: HttpRequest) -> ApiKey:
    key = _key(request)
    if key.scope != ApiKey.Scope.READ_WRITE:
        raise Problem(403, "This key may only read. Ask an owner for a read-and-write key.")
    return key


# -- errors as problem details -----------------------------------------------------------


@api.exception_handler(Problem)
def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(request, exc.status, exc.detail, errors=exc.errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        401,
        "Send an active API key as `Authorization: Bearer <key>`; this one is missing, "
        "unknown or revoked.",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


@api.exception_handler(AuthorizationError)
def _forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(request, 403, str(exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, str(exc) or "Nothing here for this brand.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = validation_errors(exc.errors)
    return problem_response(request, 422, "Some fields are not valid; see `errors`.", errors=errors)


@api.exception_handler(Exceeded)
def _limited(request: HttpRequest, exc: Exceeded) -> HttpResponse:
    return problem_response(
        request,
        429,
        f"This key made too many requests; try again in {exc.retry_after} seconds.",
        headers={"Retry-After": str(exc.retry_after)},
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc.message))


def _missing(what: str) -> Problem:
    return Problem(404, f"No {what} in this brand.")


# -- lists ------------------------------------------------------------------------------


class WindowQuery(Schema):
    cursor: str | None = Field(default=None, description="`next_cursor` of the previous page.")
    since: Instant | None = Field(default=None, description="From this time (inclusive).")
    until: Instant | None = Field(default=None, description="Before this time.")
    limit: int = Field(default=50, ge=1, le=selectors.PAGE_MAX)

    def window(self) -> selectors.Window:
        return selectors.Window(self.cursor, self.since, self.until, self.limit)


def _paged(paged: selectors.Paged[Any], show: Any) -> dict[str, Any]:
    return {
        "items": [show(row) for row in paged.rows],
        "next_cursor": paged.next_cursor,
        "has_more": paged.has_more,
    }


def _listed[T](read: Any, request: HttpRequest, window: WindowQuery) -> selectors.Paged[T]:
    try:
        return read(_key(request).brand, window.window())  # type: ignore[no-any-return]
    except selectors.CursorInvalid as error:
        where = [{"location": "query.cursor", "message": str(error)}]
        raise Problem(422, str(error), errors=where) from error


# -- assessments ------------------------------------------------------------------------

assessments = Router(tags=["assessments"])


@assessments.get("", response={200: list[AssessmentOut], **READ_ERRORS})
def assessment_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The brand's assessments and their published versions."""
    return [present.assessment_out(a) for a in selectors.assessments_of(_key(request).brand)]


@assessments.get("/{key}", response={200: AssessmentOut, **READ_ERRORS})
def assessment_detail(request: HttpRequest, key: str) -> dict[str, Any]:
    """One assessment by its key."""
    found = selectors.assessment_of(_key(request).brand, key)
    if found is None:
        raise _missing(f"assessment {key!r}")
    return present.assessment_out(found)


@assessments.get("/{key}/versions/{number}", response={200: VersionOut, **READ_ERRORS})
def version_detail(request: HttpRequest, key: str, number: int) -> dict[str, Any]:
    """A published version with its definition, as the admin exports it."""
    version = selectors.version_of(_key(request).brand, key, number)
    if version is None:
        raise _missing(f"version {number} of assessment {key!r}")
    return present.version_out(version)


class InsightsQuery(Schema):
    """The Insights page's filters; each figure obeys all of them."""

    since: date | None = Field(default=None, description="Responses started on or after.")
    until: date | None = Field(default=None, description="Responses started on or before.")
    version: int | None = Field(default=None, ge=1, le=100_000, description="Version number.")
    channel: Literal["", "direct", "embedded", "kiosk"] = ""
    origin: str = Field(default="", max_length=200, description="The partner page's origin.")
    language: str = Field(default="", max_length=16)
    utm_source: str = Field(default="", max_length=200)
    utm_campaign: str = Field(default="", max_length=200)
    outcome: str = Field(default="", max_length=64, description="An outcome's key.")


@assessments.get("/{key}/insights", response={200: Insights, **READ_ERRORS})
def assessment_insights(request: HttpRequest, key: str, filters: Query[InsightsQuery]) -> Any:
    """The figures of the admin's Insights page: funnel, answers, products, the north star and
    the CX metrics, each with its n and 95% interval (`value` null: too few answers)."""
    found = selectors.assessment_of(_key(request).brand, key)
    if found is None:
        raise _missing(f"assessment {key!r}")
    return insights_for(found, Filters(**filters.dict()))


# -- responses --------------------------------------------------------------------------

responses = Router(tags=["responses"])


@responses.get("", response={200: Page[ResponseOut], **READ_ERRORS})
def response_list(request: HttpRequest, window: Query[WindowQuery]) -> dict[str, Any]:
    """Completed responses with their answers and frozen result, by time of completion."""
    paged = _listed(selectors.completed_responses, request, window)
    return _paged(paged, present.response_out)


@responses.get("/{response_id}", response={200: ResponseOut, **READ_ERRORS})
def response_detail(request: HttpRequest, response_id: int) -> dict[str, Any]:
    """One completed response."""
    found = selectors.completed_response(_key(request).brand_id, response_id)
    if found is None:
        raise _missing(f"completed response {response_id}")
    return present.response_out(found)


# -- products ---------------------------------------------------------------------------

products = Router(tags=["products"])


@products.get("", response={200: list[ProductOut], **READ_ERRORS})
def product_list(request: HttpRequest) -> list[Any]:
    """The brand's catalogue, active and inactive, by SKU."""
    return list(selectors.products_of(_key(request).brand))


@products.put("", response={200: ProductsUpserted, **WRITE_ERRORS})
def product_upsert(request: HttpRequest, body: list[ProductIn]) -> dict[str, Any]:
    """Create or update products by SKU; if any is invalid, none is written (422)."""
    key = _writer(request)
    if not 1 <= len(body) <= 500:
        raise Problem(422, "Send from 1 to 500 products at a time.")
    try:
        done = services.products_upsert(brand=key.brand, products=body)
    except services.ProductsInvalid as error:
        raise Problem(422, str(error), errors=error.errors) from error
    return {"created": done.created, "updated": done.updated, "products": done.products}


@products.post("/{sku}/deactivate", response={200: ProductOut, **WRITE_ERRORS})
def product_deactivate(request: HttpRequest, sku: str) -> Any:
    """Stop recommending a product."""
    key = _writer(request)
    product = selectors.product_of(key.brand, sku)
    if product is None:
        raise _missing(f"product {sku!r}")
    return services.product_deactivate(product=product)


# -- purchases --------------------------------------------------------------------------

purchases = Router(tags=["purchases"])


@purchases.post("", response={200: PurchaseRecorded, 201: PurchaseRecorded, **WRITE_ERRORS})
def purchase_create(request: HttpRequest, body: PurchaseIn) -> Status[dict[str, Any]]:
    """Record a store's order (201), or return the one already stored under its id (200)."""
    key = _writer(request)
    try:
        receipt = services.purchase_create(brand=key.brand, purchase=body)
    except PurchaseRejected as error:
        raise Problem(422, str(error)) from error
    purchase = selectors.purchase_by_id(key.brand_id, receipt.purchase.pk)
    assert purchase is not None
    body_out = {
        "created": receipt.created,
        "followups_scheduled": receipt.followups_scheduled,
        "reference_unmatched": receipt.reference_unmatched,
        "purchase": present.purchase_out(purchase),
    }
    return Status(201 if receipt.created else 200, body_out)


@purchases.get("", response={200: Page[PurchaseOut], **READ_ERRORS})
def purchase_list(request: HttpRequest, window: Query[WindowQuery]) -> dict[str, Any]:
    """Purchases with their items, by time recorded."""
    return _paged(_listed(selectors.purchases_of, request, window), present.purchase_out)


# -- check-ins --------------------------------------------------------------------------

checkins = Router(tags=["check-ins"])


@checkins.get("", response={200: Page[CheckInOut], **READ_ERRORS})
def checkin_list(request: HttpRequest, window: Query[WindowQuery]) -> dict[str, Any]:
    """Customers' check-in answers (CSAT, effort, NPS, promise kept), by time answered."""
    return _paged(_listed(selectors.checkins_of, request, window), present.checkin_out)


api.add_router("/assessments", assessments)
api.add_router("/responses", responses)
api.add_router("/products", products)
api.add_router("/purchases", purchases)
api.add_router("/check-ins", checkins)
