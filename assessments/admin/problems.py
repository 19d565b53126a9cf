"""Validation problems as staff read them: what is wrong, and a link to the field to fix."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse

from assessments.authoring.selectors import ProblemPlace, problem_place
from assessments.engine import Problem
from assessments.models import (
    Assessment,
    Choice,
    Outcome,
    Question,
    RecommendationSettings,
    Step,
    TraitBand,
)
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
    if not model_field.editable:
        return None
    suffix = "_0" if isinstance(model_field, LocalizedTextField) else ""
    return f"id_{prefix}{field}{suffix}"


def _step_page_url(place: ProblemPlace) -> str | None:
    """Problems in a step, its questions or their choices lead to the step's one-page editor."""
    obj = place.obj
    if isinstance(obj, Step):
        url = reverse("admin:assessments_step_page", args=[obj.pk])
        if place.field == "condition":
            return f"{url}#step-condition"
        anchor = _anchor(Step, place.field, "step-")
        return f"{url}#{anchor}" if anchor else url
    if not isinstance(obj, Question):
        return None
    url = reverse("admin:assessments_step_page", args=[obj.step_id])
    order = list(Question.objects.filter(step_id=obj.step_id).values_list("pk", flat=True))
    prefix = f"questions-{order.index(obj.pk)}"
    if place.inline is not None:
        row = f"{prefix}-choices-{place.inline[1]}"
        anchor = None if place.field == "points" else _anchor(Choice, place.field, f"{row}-")
        return f"{url}#{anchor or row}"
    anchor = _anchor(Question, place.field, f"{prefix}-") if place.field != "choices" else None
    return f"{url}#{anchor or prefix}"


def _url(place: ProblemPlace) -> str:
    step_page = _step_page_url(place)
    if step_page is not None:
        return step_page
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
