"""Reads for authoring pages: where in the draft a validation problem lies."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from django.db import models

from assessments.engine import Problem, in_catalogue
from assessments.models import Assessment, Product, ProductVariant

from .definitions import products_with_variants

_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\]")

# Definition members that are stored under another name on the draft's rows.
_FIELD_NAMES = {
    "next": "next_rules",
    "min": "min_score",
    "max": "max_score",
    "skus": "fallback_skus",
    "message": "fallback_message",
    "fallback": "fallback_message",
    "catalogue": "catalogue_tags",
    "tags": "catalogue_tags",
}
_QUESTION_GROUPS = {"scale": "scale", "number": "number", "text": "text_max_length"}


@dataclass(frozen=True)
class ProblemPlace:
    """The row whose page fixes a problem, the field there, and the inline row it sits in."""

    obj: models.Model
    field: str | None
    inline: tuple[str, int] | None
    trail: tuple[str, ...]


def path_parts(path: str) -> list[str | int]:
    """`$.steps[2].questions[0]['a b']` -> `["steps", 2, "questions", 0, "a b"]`."""
    parts: list[str | int] = []
    for name, index, quoted in _PART.findall(path.removeprefix("$")):
        if index:
            parts.append(int(index))
        elif quoted:
            parts.append(str(ast.literal_eval(quoted)))
        else:
            parts.append(name)
    return parts


def _named(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name} “{getattr(obj, 'key', None) or getattr(obj, 'sku', obj)}”"


def _nth(rows: Any, index: Any) -> Any:
    if not isinstance(index, int):
        return None
    rows = list(rows)
    return rows[index] if 0 <= index < len(rows) else None


def _field(parts: list[str | int]) -> str | None:
    name = next((p for p in parts if isinstance(p, str)), None)
    return _FIELD_NAMES.get(name, name) if name is not None else None


def _question_field(parts: list[str | int]) -> str | None:
    if len(parts) >= 2 and parts[0] in ("scale", "number") and isinstance(parts[1], str):
        return f"{parts[0]}_{parts[1]}"
    if parts and parts[0] in _QUESTION_GROUPS:
        return _QUESTION_GROUPS[str(parts[0])] if parts[0] == "text" else f"{parts[0]}_min"
    return _field(parts)


def problem_place(assessment: Assessment, problem: Problem) -> ProblemPlace | None:
    """Where to fix `problem` in the admin, found by walking the draft in definition order."""
    parts = path_parts(problem.path)
    if not parts:
        return None
    head, rest = parts[0], parts[1:]
    if head == "steps":
        step = _nth(assessment.steps.all(), rest[0] if rest else None)
        if step is None:
            return ProblemPlace(assessment, None, None, (_named(assessment),))
        trail = (_named(step),)
        if len(rest) >= 3 and rest[1] == "questions":
            question = _nth(step.questions.all(), rest[2])
            if question is not None:
                trail = (*trail, _named(question))
                after = rest[3:]
                if len(after) >= 2 and after[0] == "choices" and isinstance(after[1], int):
                    choice = _nth(question.choices.all(), after[1])
                    if choice is not None:
                        trail = (*trail, _named(choice))
                    return ProblemPlace(question, _field(after[2:]), ("choices", after[1]), trail)
                return ProblemPlace(question, _question_field(after), None, trail)
        return ProblemPlace(step, _field(rest[1:]), None, trail)
    if head == "traits":
        trait = _nth(assessment.traits.all(), rest[0] if rest else None)
        if trait is None:
            return ProblemPlace(assessment, None, None, (_named(assessment),))
        trail = (_named(trait),)
        if len(rest) >= 3 and rest[1] == "bands" and isinstance(rest[2], int):
            band = _nth(trait.bands.all(), rest[2])
            if band is not None:
                trail = (*trail, _named(band))
            return ProblemPlace(trait, _field(rest[3:]), ("bands", rest[2]), trail)
        return ProblemPlace(trait, _field(rest[1:]), None, trail)
    if head == "outcomes" and rest and isinstance(rest[0], int):
        outcome = _nth(assessment.outcomes.all(), rest[0])
        trail = (_named(outcome),) if outcome is not None else ()
        return ProblemPlace(assessment, _field(rest[1:]), ("outcomes", rest[0]), trail)
    if head == "recommendation":
        return ProblemPlace(
            assessment, _field(rest), ("recommendation", 0), ("recommendation settings",)
        )
    if head == "products" and rest and isinstance(rest[0], int):
        # draft_problems checks the active products of the assessment's own catalogue, in sku
        # order.
        product = _nth(_own_catalogue(assessment), rest[0])
        if product is None:
            return None
        if len(rest) >= 3 and rest[1] == "variants" and isinstance(rest[2], int):
            variant = _nth(product.variants.all(), rest[2])
            trail = (_named(product), *((_named(variant),) if variant is not None else ()))
            return ProblemPlace(product, _field(rest[3:]), ("variants", rest[2]), trail)
        return ProblemPlace(product, _field(rest[1:]), None, (_named(product),))
    return ProblemPlace(assessment, _field(parts), None, ())


def _own_catalogue(assessment: Assessment) -> list[Product]:
    """The active products the assessment recommends, in sku order, as publishing checks them."""
    settings = getattr(assessment, "recommendation", None)
    tags = list(settings.catalogue_tags or []) if settings is not None else []
    skus = list(settings.catalogue_skus or []) if settings is not None else []
    rec = {"catalogue": {"tags": tags, "skus": skus}}
    products = products_with_variants(assessment.brand_id).filter(active=True)
    return [
        p
        for p in products
        if in_catalogue(
            rec,
            {"sku": p.sku, "tags": p.tags, "variants": [{"sku": v.sku} for v in p.variants.all()]},
        )
    ]


def catalogue_attributes(brand_id: int) -> dict[str, list[str]]:
    """The attribute names used by the brand's products and their variants, each with the
    values they take."""
    found: dict[str, set[str]] = {}
    rows = [
        *Product.objects.filter(brand_id=brand_id).values_list("attributes", flat=True),
        *ProductVariant.objects.filter(product__brand_id=brand_id).values_list(
            "attributes", flat=True
        ),
    ]
    for attributes in rows:
        if not isinstance(attributes, dict):
            continue
        for name, value in attributes.items():
            values = found.setdefault(str(name), set())
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str | int | float | bool):
                    values.add(str(item))
    return {name: sorted(values) for name, values in sorted(found.items())}
