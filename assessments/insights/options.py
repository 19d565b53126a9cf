"""What the Insights filters can be set to, read from the assessment's own responses."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.engine.text import localized
from assessments.models import Assessment, AssessmentVersion, Outcome, Response

# A filter lists at most this many values: enough for every real campaign or partner, and a
# bound on the page when someone sends thousands of distinct utm values.
MAX_VALUES = 200


@dataclass(frozen=True, slots=True)
class FilterOptions:
    """The values each filter offers, as (value, label) pairs."""

    versions: tuple[tuple[int, str], ...]
    languages: tuple[str, ...]
    origins: tuple[str, ...]
    utm_sources: tuple[str, ...]
    utm_campaigns: tuple[str, ...]
    outcomes: tuple[tuple[str, str], ...]


def _distinct(responses: object, lookup: str) -> tuple[str, ...]:
    values = (
        responses.exclude(**{f"{lookup}__isnull": True})  # type: ignore[attr-defined]
        .values_list(lookup, flat=True)
        .order_by(lookup)
        .distinct()[:MAX_VALUES]
    )
    return tuple(sorted({v for v in values if isinstance(v, str) and v}))


def insights_filter_options(assessment: Assessment, *, language: str = "") -> FilterOptions:
    """The versions, languages, partners, campaigns and outcomes this assessment has seen."""
    versions = AssessmentVersion.objects.filter(assessment=assessment).order_by("-number")
    responses = Response.objects.filter(version__assessment=assessment, is_preview=False)
    outcomes = Outcome.objects.filter(assessment=assessment).order_by("position", "key")
    return FilterOptions(
        versions=tuple(
            (v.number, f"v{v.number} ({v.published_at:%-d %b %Y})")
            for v in versions.only("number", "published_at")
        ),
        languages=_distinct(responses, "language"),
        origins=_distinct(responses, "attribution__embed_origin"),
        utm_sources=_distinct(responses, "attribution__utm_source"),
        utm_campaigns=_distinct(responses, "attribution__utm_campaign"),
        outcomes=tuple(
            (o.key, localized(o.title, language) or o.key) for o in outcomes.only("key", "title")
        ),
    )
