"""The request id: one name for everything a request causes, in every log line and task.

A request keeps the id its proxy (nginx) or client sent in `X-Request-ID` when it is sane (8 to
64 letters, digits, `.`, `_` or `-`), else gets a new one. The response carries it back; Celery
tasks published while handling it carry it in a message header, and the worker puts it back in
place while the task runs, so a worker's log lines name the request that queued them.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")

current: ContextVar[str] = ContextVar("request_id", default="")


def request_id_clean(value: str | None) -> str:
    """The id a client or proxy sent, if it is safe to log and echo; else a new one."""
    if value and _SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain: every later log line of the request carries its id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_clean(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "") on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current.get()
        return True


# -- Celery: the id rides in the task message's headers ----------------------------------


def task_publishing(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """before_task_publish: stamp the message with the id of the request publishing it."""
    request_id = current.get()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


def _task_request_id(task: Any) -> str:
    request = getattr(task, "request", None)
    found = getattr(request, TASK_HEADER, None)
    if not found:
        found = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return found if isinstance(found, str) and _SANE.fullmatch(found) else ""


_task_tokens: dict[str, Any] = {}


def task_starting(task_id: str = "", task: Any = None, **_: Any) -> None:
    """task_prerun: the task's log lines carry the id of the request that queued it."""
    _task_tokens[task_id] = current.set(_task_request_id(task))


def task_finished(task_id: str = "", **_: Any) -> None:
    """task_postrun: forget the id, so the next task on this worker does not inherit it."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            current.reset(token)
        except ValueError:  # set in another context (eager tasks nest); just clear it
            current.set("")
