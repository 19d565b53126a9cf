"""Reads for views, admin and dashboards."""

from __future__ import annotations

from django.db.models import QuerySet

from assessments.models import Assessment


def published_assessments() -> QuerySet[Assessment]:
    """Assessments customers can take: those with a live version, brand by brand."""
    return Assessment.objects.filter(live_version__isnull=False).select_related(
        "brand", "live_version"
    )
