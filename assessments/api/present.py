"""Rows as the API shows them: the same shapes for endpoints and for webhooks' `data`."""

from __future__ import annotations

import json
from typing import Any

from assessments.authoring.services import assessment_export
from assessments.models import Assessment, AssessmentVersion, CheckIn, Purchase, Response


def assessment_out(assessment: Assessment) -> dict[str, Any]:
    return {
        "key": assessment.key,
        "title": assessment.title,
        "live_version": assessment.live_version.number if assessment.live_version else None,
        "versions": [
            {"number": v.number, "published_at": v.published_at, "content_hash": v.content_hash}
            for v in assessment.versions.all()
        ],
    }


def version_out(version: AssessmentVersion) -> dict[str, Any]:
    exported = assessment_export(assessment=version.assessment, version_number=version.number)
    return {
        "assessment": version.assessment.key,
        "number": version.number,
        "published_at": version.published_at,
        "content_hash": version.content_hash,
        "definition": json.loads(exported),
    }


def response_out(response: Response) -> dict[str, Any]:
    return {
        "id": response.pk,
        "assessment": response.version.assessment.key,
        "version": response.version.number,
        "language": response.language,
        "channel": response.channel,
        "status": response.status,
        "started_at": response.created_at,
        "completed_at": response.completed_at,
        "answers": response.answers,
        "fields": response.fields,
        "attribution": response.attribution,
        "learned": response.learned,
        "result": response.result,
    }


def learned_out(response: Response) -> dict[str, Any]:
    return {
        "response_id": response.pk,
        "assessment": response.version.assessment.key,
        "learned": response.learned,
        "learned_at": response.learned_at,
    }


def purchase_out(purchase: Purchase) -> dict[str, Any]:
    return {
        "id": purchase.pk,
        "order_id": purchase.order_id,
        "response_id": purchase.response_id,
        "email": purchase.email,
        "status": purchase.status,
        "source": purchase.source,
        "purchased_at": purchase.purchased_at,
        "refunded_at": purchase.refunded_at,
        "created_at": purchase.created_at,
        "items": [
            {
                "sku": item.sku,
                "quantity": item.quantity,
                "price": item.price,
                "recommended": item.recommended,
                "rank": item.rank,
            }
            for item in purchase.items.all()
        ],
    }


def checkin_out(checkin: CheckIn) -> dict[str, Any]:
    followup = checkin.followup
    return {
        "id": checkin.pk,
        "response_id": checkin.response_id,
        "order_id": followup.purchase.order_id,
        "sku": followup.item.sku if followup.item else "",
        "csat": checkin.csat,
        "ces": checkin.ces,
        "nps": checkin.nps,
        "delivered": checkin.delivered,
        "comment": checkin.comment,
        "answered_at": checkin.answered_at,
    }
