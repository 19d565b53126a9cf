"""Writes behind taking an assessment: start, answer a step, go back; and the compiled definition.

Where the customer is (answers, step, status) only changes here, and every change bumps the
response's `revision`. A step submission writes with one UPDATE that matches only the revision
it read; when another request got there first (two tabs, a double click, a retry) it decides
again under a row lock, as going back always does. So writes never interleave.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from assessments import engine
from assessments.authoring.definitions import content_hash
from assessments.models import AssessmentVersion, Brand, Response

from .results import result_freeze

# How many submission ids a response remembers. A duplicate arrives within seconds of the
# original (a double click, a retry), long before ten more steps have been submitted.
SUBMISSIONS_KEPT = 10
SUBMISSION_ID_MAX_LENGTH = 64
FIELD_VALUE_MAX_LENGTH = 200
# What a start link may carry for attribution, besides the assessment's own hidden fields.
ATTRIBUTION_KEYS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "ref",
    "partner",
)

SubmitStatus = Literal["accepted", "invalid", "stale"]


@dataclass(frozen=True, slots=True)
class SubmitOutcome:
    """What became of a step submission.

    `accepted`: stored, and the flow moved on to `next_step` (None: finished).
    `invalid`: nothing stored; `errors` says why, question by question.
    `stale`: the step is not the one the customer is on (an old tab, a finished response);
    nothing stored.
    """

    status: SubmitStatus
    step_key: str
    next_step: str | None = None
    errors: Mapping[str, engine.AnswerError] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    duplicate: bool = False

    @property
    def completed(self) -> bool:
        return self.status == "accepted" and self.next_step is None


def response_definition(response: Response) -> engine.Assessment:
    """The compiled assessment a response was started on (its pinned version, or its preview)."""
    if response.version_id is not None:
        # Customer pages annotate the version's hash onto the response (`version_hash`), so
        # the version row, with its large definition, is read only on a cache miss.
        digest = getattr(response, "version_hash", None) or response.version.content_hash
        return engine.compile_cached(digest, lambda: response.version.definition)
    definition = response.preview_definition or {}
    # The hash is cheap next to compiling, and keys the cache by content, so two previews of
    # the same draft share one compiled assessment.
    cached = getattr(response, "_preview_hash", None)
    if cached is None:
        cached = content_hash(definition)
        response._preview_hash = cached  # type: ignore[attr-defined]
    return engine.compile_cached(cached, definition)


def _clean_fields(fields: Mapping[str, Any] | None, declared: Iterable[str]) -> dict[str, str]:
    """Keep only the declared keys, as short strings."""
    declared = set(declared)
    cleaned = {}
    for key, value in (fields or {}).items():
        if key in declared and isinstance(value, str):
            value = value.replace("\x00", "").strip()[:FIELD_VALUE_MAX_LENGTH]
            if value:
                cleaned[key] = value
    return cleaned


@transaction.atomic
def response_start(
    *,
    version: AssessmentVersion | None = None,
    preview_definition: dict[str, Any] | None = None,
    brand: Brand,
    language: str,
    fields: Mapping[str, Any] | None = None,
    channel: str = Response.Channel.DIRECT,
    partner_origin: str | None = None,
) -> Response:
    """Start a response on a published version, or a preview of a draft's definition.

    `partner_origin` is the partner page an embedded journey started on (already checked
    against the brand's allow-list); it is kept as the response's touchpoint.

    `fields` is the start link's query string: the assessment's hidden fields are kept in
    `fields` (conditions may use them), utm_*, ref and partner in `attribution`.
    """
    if (version is None) == (preview_definition is None):
        raise ValueError("Start a response on either a published version or a preview definition.")
    response = Response(
        brand=brand,
        version=version,
        preview_definition=preview_definition,
        is_preview=preview_definition is not None,
        token=secrets.token_urlsafe(32),
        channel=channel if channel in Response.Channel.values else Response.Channel.DIRECT,
    )
    assessment = response_definition(response)
    response.language = (
        language if language in assessment.languages else assessment.default_language
    )
    response.fields = _clean_fields(fields, (h.key for h in assessment.hidden_fields))
    response.attribution = _clean_fields(fields, ATTRIBUTION_KEYS)
    if partner_origin:
        response.attribution["embed_origin"] = partner_origin
    first = assessment.first_step(response.fields)
    response.current_step = first or ""
    if first is None:
        # Every step is hidden for these fields: there is nothing to ask.
        response.status = Response.Status.COMPLETED
        response.completed_at = timezone.now()
    response.save(force_insert=True)
    if first is None:
        result_freeze(response=response, assessment=assessment)
        response.save(update_fields=["result", "share_token"])
    return response


def _locked(response: Response) -> Response:
    return Response.objects.select_for_update().get(pk=response.pk)


# What a step submission writes; `_sync` also copies what completing writes.
FLOW_FIELDS = ("answers", "current_step", "status", "completed_at", "submissions", "revision")


def _sync(target: Response, source: Response) -> None:
    """Copy what a service wrote onto the caller's instance, so it need not reload."""
    for name in (*FLOW_FIELDS, "updated_at", "result", "share_token"):
        setattr(target, name, getattr(source, name))


def _remembered(response: Response, submission_id: str) -> SubmitOutcome | None:
    for entry in response.submissions or ():
        if isinstance(entry, dict) and entry.get("id") == submission_id:
            return SubmitOutcome(
                "accepted", entry.get("step", ""), entry.get("next") or None, duplicate=True
            )
    return None


def answer_submit(
    *, response: Response, step_key: str, raw: Mapping[str, Any], submission_id: str
) -> SubmitOutcome:
    """Clean and store one step's answers and move the flow on; idempotent per submission id.

    The common case costs one UPDATE and holds no lock: the step is decided on the row as the
    caller read it, and written only if its revision is unchanged. If another request wrote in
    between (a double click, a second tab, a retry), or this submission completes the response,
    it is decided again on the row re-read under a lock.
    """
    assessment = response_definition(response)
    submission_id = (submission_id or "")[:SUBMISSION_ID_MAX_LENGTH]
    outcome = _submit(assessment, response, step_key, raw, submission_id, guarded=True)
    if outcome is not None:
        return outcome
    with transaction.atomic():
        locked = _locked(response)
        outcome = _submit(assessment, locked, step_key, raw, submission_id, guarded=False)
        _sync(response, locked)
    assert outcome is not None
    return outcome


def _submit(
    assessment: engine.Assessment,
    response: Response,
    step_key: str,
    raw: Mapping[str, Any],
    submission_id: str,
    *,
    guarded: bool,
) -> SubmitOutcome | None:
    """Decide a step submission on `response` and store it.

    `guarded`: `response` was read without a lock; write only if its revision is unchanged,
    else (and before completing, which also writes product references) return None and change
    nothing. Otherwise `response` is locked by the caller's transaction and is saved.
    """
    if submission_id:
        seen = _remembered(response, submission_id)
        if seen is not None:
            return seen
    if response.status == Response.Status.COMPLETED or step_key != response.current_step:
        return SubmitOutcome("stale", step_key)

    values, errors = assessment.clean_step(step_key, raw, response.answers, response.fields)
    if errors:
        return SubmitOutcome("invalid", step_key, errors=errors, values=values)

    # Answers on steps that are now off the path stay stored (the customer may come back to
    # them); the engine counts only the visible ones.
    answers = dict(response.answers)
    for key, value in values.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    following = assessment.next_step(step_key, answers, response.fields)
    submissions = list(response.submissions or [])
    if submission_id:
        entry = {"id": submission_id, "step": step_key, "next": following}
        submissions = [*submissions[-(SUBMISSIONS_KEPT - 1) :], entry]
    changes: dict[str, Any] = {
        "answers": answers,
        "current_step": following or "",
        "submissions": submissions,
        "revision": response.revision + 1,
        "updated_at": timezone.now(),
    }
    # Unlocked, write only if nobody wrote since the read; completing also writes product
    # references, so it always goes through the lock.
    if guarded and (
        following is None
        or not Response.objects.filter(pk=response.pk, revision=response.revision).update(**changes)
    ):
        return None
    for name, value in changes.items():
        setattr(response, name, value)
    if not guarded:
        saved = [*FLOW_FIELDS, "updated_at"]
        if following is None:
            response.status = Response.Status.COMPLETED
            response.completed_at = changes["updated_at"]
            result_freeze(response=response, assessment=assessment)
            saved += ["result", "share_token"]
        response.save(update_fields=saved)
    return SubmitOutcome("accepted", step_key, following, values=values)


@transaction.atomic
def response_go_back(*, response: Response, to_step: str) -> bool:
    """Return to an earlier step on the customer's path; False (nothing changed) for any other.

    Going back from the results reopens the response; its answers are all kept, so the
    customer changes only what they want to.
    """
    assessment = response_definition(response)
    locked = _locked(response)
    path = assessment.path(locked.answers, locked.fields)
    if to_step not in path:
        _sync(response, locked)
        return False
    finished = locked.status == Response.Status.COMPLETED or locked.current_step not in path
    if not finished and path.index(to_step) >= path.index(locked.current_step):
        _sync(response, locked)
        return False
    locked.current_step = to_step
    locked.status = Response.Status.IN_PROGRESS
    locked.completed_at = None
    locked.revision += 1
    locked.save(update_fields=["current_step", "status", "completed_at", "revision", "updated_at"])
    _sync(response, locked)
    return True


@transaction.atomic
def response_retake(
    *, previous: Response, version: AssessmentVersion, brand: Brand, language: str
) -> Response:
    """Start `version` again for the customer of `previous`, with its answers filled in.

    Answers are keyed by stable question keys, so they carry over to a newer version; the
    engine ignores any whose question is gone. The customer still walks every step.
    """
    response = response_start(
        version=version, brand=brand, language=language, fields=previous.fields or {}
    )
    response.answers = dict(previous.answers or {})
    response.revision += 1
    response.save(update_fields=["answers", "revision", "updated_at"])
    return response
