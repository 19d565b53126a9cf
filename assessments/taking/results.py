"""Freezing a response's result when its last step is submitted, and what customers do with it.

The result (profile, outcome, ranked products with their reasons, the insights the answers
revealed) is computed once, in the transaction that completes the response, and stored on it.
Pages read the frozen copy: what the customer was told stays what they were told, even if the
catalogue or the brand's texts change later. Editing answers and finishing again freezes anew.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments import engine
from assessments.engine.text import localized as t
from assessments.models import Product, ProductReference, Response

RESULT_FORMAT = 1

# The wording of the "e-mail me my results" checkbox: stored with the consent, so a consent
# says exactly what the customer agreed to. Change the wording, bump the version.
RESULTS_EMAIL_CONSENT_VERSION = "results-email/1"

# How many e-mails a customer can have sent from one response (a link to continue, results).
EMAILS_PER_RESPONSE = 5


def _catalogue(brand_id: int) -> list[engine.Product]:
    rows = Product.objects.filter(brand_id=brand_id, active=True).values_list("sku", "attributes")
    return [engine.Product(sku, attrs if isinstance(attrs, dict) else {}) for sku, attrs in rows]


def _ranked(
    assessment: engine.Assessment,
    items: Iterable[engine.RankedProduct],
    refs: Mapping[str, str],
    language: str,
) -> list[dict[str, Any]]:
    return [
        {
            "sku": item.sku,
            "rank": item.rank,
            "score": item.score,
            "ref": refs.get(item.sku, ""),
            "reasons": [reason.text(assessment, language) for reason in item.reasons],
        }
        for item in items
    ]


def _insights(
    assessment: engine.Assessment, counted: Mapping[str, Any], language: str
) -> list[dict[str, str]]:
    """Each picked choice's insight ("what this means"), in the order the questions came."""
    found = []
    for question in (q for step in assessment.steps for q in step.questions):
        if question.key not in counted or not question.has_choices:
            continue
        value = counted[question.key]
        for key in value if isinstance(value, list) else [value]:
            choice = question.choice(key)
            if choice is not None and choice.insight:
                found.append(
                    {
                        "question": question.key,
                        "prompt": t(question.prompt, language),
                        "answer": t(choice.label, language),
                        "insight": t(choice.insight, language),
                    }
                )
    return found


def result_compute(
    assessment: engine.Assessment,
    response: Response,
    catalogue: list[engine.Product],
    refs: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The result of a response's answers as plain JSON, texts in the response's language."""
    language = response.language
    evaluated = assessment.evaluate(catalogue, response.answers, response.fields)
    traits = []
    for trait in assessment.traits:
        score = evaluated.scores.get(trait.key)
        band = score.band if score else None
        traits.append(
            {
                "key": trait.key,
                "label": t(trait.label, language),
                "description": t(trait.description, language),
                "score": score.value if score else 0,
                "band": band.key if band else "",
                "band_label": t(band.label, language) if band else "",
                "insight": t(band.insight, language) if band else "",
            }
        )
    outcome = evaluated.outcome
    recommendation = evaluated.recommendation
    refs = refs or {}
    return {
        "format": RESULT_FORMAT,
        "language": language,
        "computed_at": timezone.now().isoformat(),
        "outcome": {
            "key": outcome.key,
            "title": t(outcome.title, language),
            "description": t(outcome.description, language),
            "image": outcome.image or "",
        }
        if outcome
        else None,
        "traits": traits,
        "recommended": _ranked(assessment, recommendation.recommended, refs, language),
        "alternatives": _ranked(assessment, recommendation.alternatives, refs, language),
        "fallback_message": t(recommendation.fallback_message, language)
        if recommendation.fallback_used
        else "",
        "insights": _insights(
            assessment, assessment.counted_answers(response.answers, response.fields), language
        ),
    }


def result_freeze(*, response: Response, assessment: engine.Assessment) -> dict[str, Any]:
    """Compute and store the result of a response that has just been completed.

    Call inside the transaction that completes it, on the locked row; the caller saves
    `result` and `share_token`. Product references already issued are kept (a link the customer
    followed stays valid); products new to the ranking get one. Previews get none.
    """
    previous = response.result if isinstance(response.result, dict) else {}
    refs: dict[str, str] = dict(previous.get("refs") or {})
    result = result_compute(assessment, response, _catalogue(response.brand_id))
    if not response.is_preview:
        shown = [p["sku"] for p in (*result["recommended"], *result["alternatives"])]
        new = [ProductReference(response=response, sku=sku) for sku in shown if sku not in refs]
        if new:
            ProductReference.objects.bulk_create(new)
            refs.update({reference.sku: reference.ref for reference in new})
        for product in (*result["recommended"], *result["alternatives"]):
            product["ref"] = refs.get(product["sku"], "")
    result["refs"] = refs
    response.result = result
    if not response.share_token:
        response.share_token = secrets.token_urlsafe(32)
    return result


def _locked(response: Response) -> Response:
    return Response.objects.select_for_update().get(pk=response.pk)


def result_ensure(*, response: Response, assessment: engine.Assessment) -> dict[str, Any]:
    """The frozen result of a completed response; freezes one for a response that has none
    (completed before results were frozen)."""
    if isinstance(response.result, dict) and response.share_token:
        return response.result
    with transaction.atomic():
        locked = _locked(response)
        if not (isinstance(locked.result, dict) and locked.share_token):
            result_freeze(response=locked, assessment=assessment)
            locked.save(update_fields=["result", "share_token"])
    response.result, response.share_token = locked.result, locked.share_token
    return response.result


@transaction.atomic
def response_learned_record(*, response: Response, answer: str) -> bool:
    """Store the answer to "Did you learn something new about your needs?"; False if invalid."""
    if answer not in Response.Learned.values:
        return False
    updated = Response.objects.filter(pk=response.pk, status=Response.Status.COMPLETED).update(
        learned=answer, learned_at=timezone.now(), updated_at=timezone.now()
    )
    if updated:
        response.learned = answer
    return bool(updated)


@transaction.atomic
def response_email_count(*, response: Response, consent_version: str = "") -> bool:
    """Count one customer-requested e-mail, storing the consent given for it when there is one;
    False (nothing stored) when the response has used up its e-mails."""
    changes: dict[str, Any] = {"emails_sent": F("emails_sent") + 1}
    if consent_version:
        changes.update(email_consent_version=consent_version, email_consent_at=timezone.now())
    updated = Response.objects.filter(pk=response.pk, emails_sent__lt=EMAILS_PER_RESPONSE).update(
        **changes
    )
    return bool(updated)
