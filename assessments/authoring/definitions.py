"""Turning a draft into its canonical definition, and back.

The canonical form is what Publish freezes, what export writes and what import reads: keys
sorted, two-space indent, UTF-8, a final newline, and optional members left out when empty or
default, so that export → import → export gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from assessments.engine import KINDS
from assessments.models import (
    Assessment,
    Choice,
    Outcome,
    Product,
    ProductVariant,
    Question,
    Scenario,
    Step,
    Trait,
)

# Format 2 added scenario tests; format 1 files (which have none) are still read.
FORMAT_VERSION = 2


def canonical_json(data: Any) -> str:
    """The one way a definition is written: sorted keys, indent 2, UTF-8, final newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def content_hash(definition: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(definition).encode()).hexdigest()


def _number(value: float | int | None) -> float | int | None:
    """Whole numbers are written without a decimal point, so 30.0 and 30 export alike."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    """Drop members that are absent or empty, as the format says."""
    return {k: v for k, v in data.items() if v is not None and v != "" and v != {} and v != []}


def _choice(choice: Choice) -> dict[str, Any]:
    return _pruned(
        {
            "key": choice.key,
            "label": choice.label,
            "description": choice.description,
            "image": choice.image.name or None,
            "points": {k: _number(v) for k, v in (choice.points or {}).items()},
            "insight": choice.insight,
            "recall": choice.recall,
            "exclusive": True if choice.exclusive else None,
        }
    )


def _question(question: Question) -> dict[str, Any]:
    kind = KINDS[question.kind]
    data: dict[str, Any] = {
        "key": question.key,
        "kind": question.kind,
        "prompt": question.prompt,
        "help": question.help,
        "condition": question.condition,
    }
    if kind.answerable and not question.required:
        data["required"] = False
    data.update(kind.definition(_kind_members(question)))
    return _pruned(data)


def _kind_members(question: Question) -> dict[str, Any]:
    """Every kind setting a draft question holds, in definition form; its kind takes its own."""
    settings = question.kind_settings if isinstance(question.kind_settings, dict) else {}
    return {
        **settings,
        "choices": [_choice(c) for c in question.choices.all()],
        "min_picks": question.min_picks,
        "max_picks": question.max_picks,
        "scale": _pruned(
            {
                "min": question.scale_min,
                "max": question.scale_max,
                "min_label": question.scale_min_label,
                "max_label": question.scale_max_label,
            }
        ),
        "number": _pruned(
            {
                "min": _number(question.number_min),
                "max": _number(question.number_max),
                "unit": question.number_unit,
                "integer": True if question.number_integer else None,
            }
        ),
        "text": _pruned({"max_length": question.text_max_length or None}),
        "scoring": question.scoring,
    }


def _step(step: Step) -> dict[str, Any]:
    return _pruned(
        {
            "key": step.key,
            "title": step.title,
            "section": step.section,
            "why": step.why,
            "condition": step.condition,
            "next": step.next_rules,
            "questions": [_question(q) for q in step.questions.all()],
        }
    )


def _trait(trait: Trait) -> dict[str, Any]:
    return _pruned(
        {
            "key": trait.key,
            "label": trait.label,
            "description": trait.description,
            "bands": [
                _pruned(
                    {
                        "key": band.key,
                        "label": band.label,
                        "insight": band.insight,
                        "min": _number(band.min_score),
                        "max": _number(band.max_score),
                    }
                )
                for band in trait.bands.all()
            ],
        }
    )


def _outcome(outcome: Outcome) -> dict[str, Any]:
    return _pruned(
        {
            "key": outcome.key,
            "title": outcome.title,
            "description": outcome.description,
            "image": outcome.image.name or None,
            "rule": outcome.rule,
            "priority": outcome.priority or None,
        }
    )


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """A draft scenario in definition form. `expect` stays even when empty, so that validation
    can tell the author a scenario checks nothing."""
    top = scenario.expect_top_products or []
    expect = _pruned(
        {
            "outcome": scenario.expect_outcome,
            "bands": scenario.expect_bands,
            "top_products": top,
            "top_in_order": False if top and not scenario.top_in_order else None,
            "never_products": scenario.expect_never_products,
        }
    )
    return {
        **_pruned({"name": scenario.name, "answers": _answers(scenario.answers)}),
        **_pruned({"fields": scenario.fields}),
        "expect": expect,
    }


def _answers(answers: dict[str, Any] | Any) -> Any:
    if not isinstance(answers, dict):
        return answers  # validation words what is wrong with it
    return {k: _number(v) if isinstance(v, float) else v for k, v in answers.items()}


def _recommendation(assessment: Assessment) -> dict[str, Any]:
    settings = getattr(assessment, "recommendation", None)
    if settings is None:
        return {"count": 3, "alternatives": 3}
    return _pruned(
        {
            "count": settings.count,
            "alternatives": settings.alternatives,
            "filters": settings.filters,
            "trait_fit": settings.trait_fit,
            "preferences": settings.preferences,
            "outcome_attribute": settings.outcome_attribute,
            "outcome_weight": _number(settings.outcome_weight) or None,
            "fallback": _pruned(
                {"skus": settings.fallback_skus, "message": settings.fallback_message}
            ),
            "catalogue": _pruned(
                {"tags": settings.catalogue_tags, "skus": settings.catalogue_skus}
            ),
        }
    )


def definition_from_draft(assessment: Assessment) -> dict[str, Any]:
    """The draft as a canonical definition (without the catalogue)."""
    steps = assessment.steps.prefetch_related("questions__choices")
    traits = assessment.traits.prefetch_related("bands")
    data = {
        "format": FORMAT_VERSION,
        "key": assessment.key,
        "languages": list(assessment.languages),
        "title": assessment.title,
        "intro": assessment.intro,
        "learn": assessment.learn,
        "estimated_minutes": assessment.estimated_minutes,
        "hidden_fields": assessment.hidden_fields,
        "traits": [_trait(t) for t in traits],
        "steps": [_step(s) for s in steps],
        "outcomes": [_outcome(o) for o in assessment.outcomes.all()],
        "recommendation": _recommendation(assessment),
        "scenarios": [scenario_to_data(s) for s in assessment.scenarios.all()],
    }
    return _pruned(data)


def _price(amount: Decimal) -> str:
    return str(Decimal(amount).quantize(Decimal("0.01")))


def variant_to_data(variant: ProductVariant) -> dict[str, Any]:
    return _pruned(
        {
            "sku": variant.sku,
            "name": variant.name,
            "url": variant.url,
            "price": _price(variant.price) if variant.price is not None else None,
            "image": variant.image.name or None,
            "attributes": variant.attributes,
            "active": None if variant.active else False,  # true, the default, is left out
        }
    )


def product_to_data(product: Product) -> dict[str, Any]:
    """A product in file form, with its variants (read with `products_with_variants`)."""
    return _pruned(
        {
            "sku": product.sku,
            "name": product.name,
            "description": product.description,
            "url": product.url,
            "price": _price(product.price),
            "currency": product.currency,
            "image": product.image.name or None,
            "attributes": product.attributes,
            "tags": product.tags,
            "variants": [variant_to_data(v) for v in product.variants.all()],
            "active": product.active,
            "priority": product.priority or None,  # 0, the default, is left out
        }
    )


def products_with_variants(brand_id: int) -> QuerySet[Product]:
    """The brand's products, sku order, each with its variants in one more query."""
    return (
        Product.objects.filter(brand_id=brand_id)
        .order_by("sku")
        .prefetch_related(Prefetch("variants", ProductVariant.objects.order_by("position", "pk")))
    )


def catalogue_data(brand_id: int) -> list[dict[str, Any]]:
    return [product_to_data(p) for p in products_with_variants(brand_id)]
