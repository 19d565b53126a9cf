"""Site-wide views: the front page, the health check and the benchmark's floor."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from assessments.selectors import published_assessments

    return render(request, "home.html", {"assessments": published_assessments()})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Report whether the database answers; load balancers poll this."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception as error:  # a health check reports, it never raises
        return JsonResponse({"status": "error", "detail": str(error)}, status=503)


@csrf_exempt
@require_POST
def bench_floor(request: HttpRequest, token: str) -> HttpResponse:
    """The floor a step POST is measured against: one read, one write, one template render.

    The same database work as a step POST: its read (the response and its version's hash)
    and the guarded write a submission makes (answers, step, submission ids, revision).
    Mounted only with BENCH_FLOOR set (see core/urls.py); the taking benchmark runs it side by
    side with the real step POST.
    """
    from assessments.models import Response
    from assessments.selectors import responses_for_taking

    response = responses_for_taking(with_brand=False).get(token=token)
    answers = {
        **response.answers,
        **{k: v for k, v in request.POST.items() if k != "submission_id"},
    }
    submissions = [*response.submissions, {"id": request.POST.get("submission_id", "")}]
    Response.objects.filter(pk=response.pk, revision=response.revision).update(
        answers=answers,
        current_step=response.current_step,
        submissions=submissions,
        revision=response.revision + 1,
        updated_at=timezone.now(),
    )
    return render(request, "bench_floor.html", {"response": response, "answers": answers})
