"""Published assessments of any size, a catalogue for them, and answers that walk them."""

from __future__ import annotations

from typing import Any

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Brand
from tests.bench.bench_engine import generated_definition, generated_products
from tests.factories import stored_image


def publish_generated(brand: Brand, questions: int, *, products: int = 30) -> Assessment:
    """Publish a generated assessment of `questions` questions, with a catalogue."""
    data = generated_definition(questions)
    for step in data["steps"]:
        for question in step["questions"]:
            if question["kind"] == "image":
                # The generated images do not exist in media storage; a single choice is as
                # heavy for a page and needs none.
                question["kind"] = "single"
                for choice in question["choices"]:
                    choice.pop("image", None)
    # Small sizes cannot reach the rule-based outcome; the catch-all one is enough here.
    data["outcomes"] = [o for o in data["outcomes"] if "rule" not in o]
    data["recommendation"].pop("outcome_attribute", None)
    data["recommendation"].pop("outcome_weight", None)
    data["key"] = f"generated-{questions}"
    picture = stored_image("test/generated.png")
    data["products"] = [
        {
            "sku": item.sku,
            "name": {"en": item.sku, "es": item.sku},
            "url": f"https://{brand.slug}.example/{item.sku}",
            "price": "10.00",
            "currency": "EUR",
            "image": picture,
            "attributes": dict(item.attributes),
            "active": True,
        }
        for item in generated_products(products)
    ]
    return assessment_import(brand=brand, source=data, publish=True)


def step_answers(definition: dict[str, Any], step_key: str) -> dict[str, Any]:
    """POST data that answers every question of a generated step validly."""
    step = next(s for s in definition["steps"] if s["key"] == step_key)
    data: dict[str, Any] = {}
    for question in step["questions"]:
        kind = question["kind"]
        if kind in ("single", "image"):
            data[question["key"]] = "c0"
        elif kind == "multiple":
            data[question["key"]] = ["c0"]
        elif kind == "scale":
            data[question["key"]] = "3"
        elif kind == "number":
            data[question["key"]] = "10"
    return data


def first_answers(response: Any, step_key: str) -> dict[str, Any]:
    """POST data choosing the first option (or the lowest number) for each question of a step."""
    from assessments.taking.services import response_definition

    assessment = response_definition(response)
    data: dict[str, Any] = {}
    for question in assessment.visible_questions(step_key, response.answers, response.fields):
        if question.has_choices:
            data[question.key] = [question.choices[0].key]
        elif question.kind in ("scale", "number"):
            low = question.min if question.min is not None else 0
            data[question.key] = str(int(low))
        elif question.kind == "text":
            data[question.key] = "fine"
    return data
