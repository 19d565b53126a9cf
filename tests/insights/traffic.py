"""Customers made through the real services, in known numbers, for the Insights page tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from assessments.followups.purchases import ItemInput, purchase_record
from assessments.models import Assessment, AssessmentVersion, Response
from assessments.taking.results import response_learned_record, result_read
from assessments.taking.services import answer_submit, response_start

RUNNER = [("use", {"use": "run"}), ("distance", {"km": "40"}), ("knees", {"knees": "no"})]
WALKER = [("use", {"use": "walk"}), ("knees", {"knees": "no"})]


def customer(
    assessment: Assessment,
    steps: Sequence[tuple[str, dict[str, Any]]] = RUNNER,
    *,
    version: AssessmentVersion | None = None,
    channel: str = "direct",
    language: str = "en",
    utm_source: str = "",
    learned: str = "",
    buys: bool = False,
) -> Response:
    """One customer: starts, answers `steps`, says whether they learned something, maybe buys."""
    response = response_start(
        version=version or assessment.live_version,
        brand=assessment.brand,
        language=language,
        channel=channel,
        fields={"utm_source": utm_source} if utm_source else {},
    )
    for step_key, raw in steps:
        answer_submit(response=response, step_key=step_key, raw=raw, submission_id=uuid.uuid4().hex)
    response.refresh_from_db()
    if response.status != Response.Status.COMPLETED:
        return response
    if learned:
        response_learned_record(response=response, answer=learned)
    result = result_read(response)
    if buys and result is not None and result.skus:
        purchase_record(
            brand=assessment.brand,
            order_id=f"order-{uuid.uuid4().hex[:12]}",
            items=[ItemInput(sku=result.skus[0])],
            source="webhook",
            response=response,
        )
    return response


def crowd(assessment: Assessment, count: int, *, learned_share: float = 0.6, **kwargs: Any) -> None:
    """`count` customers who all finish; the first `learned_share` of them learned something,
    and those buy twice as often as the rest (every third against every sixth)."""
    learned_count = round(count * learned_share)
    for index in range(count):
        learned = index < learned_count
        customer(
            assessment,
            learned="yes" if learned else "no",
            buys=index % (3 if learned else 6) == 0,
            **kwargs,
        )
