"""The benchmark's floor: a bare view doing a step POST's database work, and the bench-only
settings and urls that serve it beside the product (never mounted in production)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from assessments.taking.selectors import response_for_taking
from assessments.taking.services import response_write_if_unchanged
from core.urls import urlpatterns as site_urlpatterns


@csrf_exempt
@require_POST
def bench_floor(request: HttpRequest, token: str) -> HttpResponse:
    """The floor a step POST is measured against: one read, one write, one template render.

    The same database work as a step POST: its read (the response and its version's hash)
    and the guarded write a submission makes (answers, step, submission ids, revision).
    The taking benchmark serves it side by side with the real step POST.
    """
    response = response_for_taking(token, with_brand=False)
    assert response is not None
    answers = {
        **response.answers,
        **{k: v for k, v in request.POST.items() if k != "submission_id"},
    }
    submissions = [*response.submissions, {"id": request.POST.get("submission_id", "")}]
    response_write_if_unchanged(
        response,
        {
            "answers": answers,
            "current_step": response.current_step,
            "submissions": submissions,
            "revision": response.revision + 1,
            "updated_at": timezone.now(),
        },
    )
    return render(request, "bench/floor.html", {"response": response, "answers": answers})


urlpatterns = [
    path("bench/floor/<str:token>/", bench_floor, name="bench_floor"),
    *site_urlpatterns,
]
