"""Reads for the Insights page, its command and its export: figures computed live.

Callers scope by brand membership (the admin) and pass the assessment object they checked,
never an id from a URL. Filters on the response's own columns and attribution are applied in
SQL; the figures are the sums of `facts` over the responses left (see `build`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.db.models import Count, Q, QuerySet

from assessments import engine
from assessments.engine.text import localized
from assessments.insights import figures, rollups
from assessments.insights.build import AssessmentMeta, insights_build
from assessments.insights.figures import MIN_N, Difference, Estimate, Filters, Insights
from assessments.models import Assessment, AssessmentVersion, Brand, CheckIn, Product, Response


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def responses_filtered(assessment: Assessment, filters: Filters) -> QuerySet[Response]:
    """The counted responses of `assessment` that `filters` keep (days are UTC days)."""
    responses = Response.objects.filter(version__assessment=assessment, is_preview=False)
    if filters.since is not None:
        responses = responses.filter(created_at__gte=_day_start(filters.since))
    if filters.until is not None:
        until = _day_start(filters.until + dt.timedelta(days=1))
        responses = responses.filter(created_at__lt=until)
    if filters.version is not None:
        responses = responses.filter(version__number=filters.version)
    if filters.channel:
        responses = responses.filter(channel=filters.channel)
    if filters.language:
        responses = responses.filter(language=filters.language)
    for name, value in (
        ("embed_origin", filters.origin),
        ("utm_source", filters.utm_source),
        ("utm_campaign", filters.utm_campaign),
    ):
        if value:
            responses = responses.filter(**{f"attribution__{name}": value})
    if filters.outcome:
        responses = responses.filter(
            status=Response.Status.COMPLETED, result__outcome__key=filters.outcome
        )
    return responses


def _compiled(version: AssessmentVersion) -> engine.Assessment:
    return engine.compile_cached(version.content_hash, lambda: version.definition)


def assessment_meta(assessment: Assessment, filters: Filters) -> AssessmentMeta:
    """Labels and order for the figures: the latest version the filter allows first."""
    versions = list(AssessmentVersion.objects.filter(assessment=assessment).order_by("-number"))
    if filters.version is not None:
        chosen = [v for v in versions if v.number == filters.version]
        versions = chosen + [v for v in versions if v.number != filters.version]
    if not versions:
        raise ValueError(f"{assessment.key} has no published version, so no figures.")
    compiled = [_compiled(v) for v in versions]
    language = compiled[0].default_language
    names = {
        sku: localized(name, language, (language,)) or sku
        for sku, name in Product.objects.filter(brand_id=assessment.brand_id).values_list(
            "sku", "name"
        )
    }
    return AssessmentMeta(compiled[0], language, names, tuple(compiled[1:]))


def insights_for(assessment: Assessment, filters: Filters, *, min_n: int = MIN_N) -> Insights:
    """Every figure of the Insights page for `assessment` under `filters`."""
    meta = assessment_meta(assessment, filters)
    # Stored sums where they are fresh, the rest live: the same figures as all live.
    counts, by_day = rollups.counts_for(
        assessment, filters, responses_filtered(assessment, filters)
    )
    return insights_build(meta, counts, by_day, filters, min_n=min_n)


def compared_rates(insights: Insights) -> dict[str, Estimate]:
    """The shares two versions are compared on, by a stable key.

    "completion", "learned", "purchase" (of started), "purchase_if_learned",
    "purchase_if_not", "csat", "promise_gap", and "stage:<stage key>" for each funnel stage
    after "started" (e.g. "stage:step:use", "stage:clicked").
    """
    experience = insights.experience
    stages = {stage.key: stage for stage in insights.funnel}
    rates = {
        "completion": stages["completed"].of_started,
        "learned": experience.learned,
        "purchase": stages["purchased"].of_started,
        "purchase_if_learned": experience.purchase_if_learned,
        "purchase_if_not": experience.purchase_if_not,
        "csat": experience.csat,
        "promise_gap": experience.promise_gap,
    }
    for stage in insights.funnel[1:]:
        rates[f"stage:{stage.key}"] = stage.of_started
    return rates


def insights_compare(
    assessment: Assessment, filters: Filters, a: int, b: int, *, min_n: int = MIN_N
) -> dict[str, Difference]:
    """Version `b` against version `a` (numbers) under the other filters: per rate (keys as
    in `compared_rates`), the difference and a two-proportion z-test, or "not enough data"."""
    first = compared_rates(insights_for(assessment, replace(filters, version=a), min_n=min_n))
    second = compared_rates(insights_for(assessment, replace(filters, version=b), min_n=min_n))
    return {key: figures.compare(first[key], second[key]) for key in first if key in second}


@dataclass(frozen=True, slots=True)
class AssessmentOverview:
    """One assessment's headline figures on the brand overview."""

    assessment: Assessment
    title: str
    started: int
    completion: Estimate
    learned: Estimate
    nps: Estimate


def brand_overview(brand: Brand, *, min_n: int = MIN_N) -> list[AssessmentOverview]:
    """Each of the brand's assessments: started, completion, learned rate and NPS."""
    completed = Q(status=Response.Status.COMPLETED)
    rows = (
        Response.objects.filter(brand=brand, is_preview=False, version__isnull=False)
        .values("version__assessment")
        .annotate(
            n_started=Count("pk"),
            n_completed=Count("pk", filter=completed),
            n_learned=Count("pk", filter=Q(learned__in=["yes", "a_little"])),
            n_answered=Count("pk", filter=~Q(learned="")),
        )
    )
    by_assessment: Mapping[int, dict[str, int]] = {row["version__assessment"]: row for row in rows}
    scores = (
        CheckIn.objects.filter(response__brand=brand, response__is_preview=False, nps__isnull=False)
        .values("response__version__assessment")
        .annotate(
            n=Count("pk"),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
        )
    )
    nps_by = {row["response__version__assessment"]: row for row in scores}
    found = []
    for assessment in Assessment.objects.filter(brand=brand).order_by("key"):
        row = by_assessment.get(assessment.pk, {})
        score = nps_by.get(assessment.pk, {})
        started = row.get("n_started", 0)
        languages = tuple(assessment.languages or ())
        found.append(
            AssessmentOverview(
                assessment=assessment,
                title=localized(assessment.title, languages[0] if languages else "en")
                or assessment.key,
                started=started,
                completion=figures.share(row.get("n_completed", 0), started, min_n=min_n),
                learned=figures.share(
                    row.get("n_learned", 0), row.get("n_answered", 0), min_n=min_n
                ),
                nps=figures.nps(
                    score.get("promoters", 0),
                    score.get("detractors", 0),
                    score.get("n", 0),
                    min_n=min_n,
                ),
            )
        )
    return found
