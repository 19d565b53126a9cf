"""Validation problems as staff read them: what is wrong, and a link to the field to fix."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse

from assessments.authoring.selectors import ProblemPlace, problem_place
from assessments.engine import Problem
from assessments.models import Assessment, Choice, Outcome, RecommendationSettings, TraitBand
from assessments.models.fields import LocalizedTextField

# The model edited in each inline, by its formset prefix (the admin's default: the related name).
INLINE_MODELS: dict[str, type[models.Model]] = {
    "choices": Choice,
    "bands": TraitBand,
    "outcomes": Outcome,
    "recommendation": RecommendationSettings,
}


@dataclass(frozen=True)
class ProblemLink:
    message: str
    path: str
    url: str | None
    where: str


def _anchor(model: type[models.Model], field: str | None, prefix: str) -> str | None:
    """The id of the input for `field` (the first language's for a text), or None."""
    if field is None:
        return None
    try:
        model_field = model._meta.get_field(field)
    except FieldDoesNotExist:
        return f"{field}-group" if field in INLINE_MODELS else None
    suffix = "_0" if isinstance(model_field, LocalizedTextField) else ""
    return f"id_{prefix}{field}{suffix}"


def _url(place: ProblemPlace) -> str:
    obj = place.obj
    url = reverse(f"admin:assessments_{obj._meta.model_name}_change", args=[obj.pk])
    if place.inline is not None:
        prefix, index = place.inline
        anchor = _anchor(INLINE_MODELS[prefix], place.field, f"{prefix}-{index}-")
        return f"{url}#{anchor or f'{prefix}-{index}'}"
    anchor = _anchor(type(obj), place.field, "")
    return f"{url}#{anchor}" if anchor else url


def problem_links(assessment: Assessment, problems: list[Problem]) -> list[ProblemLink]:
    """Each problem with where it lies in the draft and the admin page (and field) to fix it."""
    links = []
    for problem in problems:
        place = problem_place(assessment, problem)
        links.append(
            ProblemLink(
                message=problem.message,
                path=problem.path,
                url=_url(place) if place is not None else None,
                where=" › ".join(place.trail) if place is not None else "",  # noqa: RUF001
            )
        )
    return links
