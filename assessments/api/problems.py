"""Errors as RFC 9457 problem details: one JSON shape, `application/problem+json`, for all.

{"type": "https://…/problems/not-found", "title": "Not found", "status": 404,
 "detail": "No response 42 in this brand.", "instance": "/api/v1/responses/42"}
and for 422 an `errors` list: [{"location": "body.0.price", "message": "…"}].
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CONTENT_TYPE = "application/problem+json"

# The title of each status we answer with; the type URI names it for people and code alike.
TITLES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Missing or invalid API key"),
    403: ("forbidden", "Not allowed with this key"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    422: ("invalid", "The request is not valid"),
    429: ("rate-limited", "Too many requests"),
}


class Problem(Exception):
    """Raise to answer with a problem; `errors` lists the fields to fix on a 422."""

    def __init__(
        self, status: int, detail: str, *, errors: Iterable[Mapping[str, Any]] = ()
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


def problem_type(status: int) -> str:
    slug = TITLES.get(status, ("error", "Error"))[0]
    return f"{settings.SITE_URL}/api/v1/docs#problem-{slug}"


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The problem details response for `status`, saying what went wrong in `detail`."""
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": TITLES.get(status, ("error", "Error"))[1],
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    listed = list(errors)
    if listed:
        body["errors"] = listed
    response = HttpResponse(json.dumps(body), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def validation_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's errors as `{"location": "body.items.0.sku", "message": "…"}`."""
    listed = []
    for error in errors:
        where = [str(part) for part in error.get("loc", ())]
        # A body that is a list is named after its parameter too ("body.body.0"): once is enough.
        if where[:2] == ["body", "body"]:
            where = where[1:]
        listed.append({"location": ".".join(where), "message": str(error.get("msg", ""))})
    return listed
