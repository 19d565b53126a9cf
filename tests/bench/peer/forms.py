"""One Django form per step of the demo shoe finder, read from its definition file.

The same questions, choices and limits as the product asks (the footprint photo as an optional
image field, which the wizard parks in its file storage); a question shown only under a condition
(race_plan) is dropped from its form when the earlier answers say so, and the steps a `next` rule
jumps over are left out through the wizard's condition_dict (see views.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

DEFINITION = Path(__file__).resolve().parents[3] / "assessments" / "demo" / "shoe-finder.json"


def english(text: Any) -> str:
    return text.get("en", "") if isinstance(text, dict) else str(text or "")


def holds(condition: dict[str, Any] | None, answers: dict[str, Any]) -> bool:
    """The definition's declarative conditions, for the few forms the shoe finder uses."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(c, answers) for c in condition["all"])
    if "any" in condition:
        return any(holds(c, answers) for c in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], answers)
    if "answered" in condition:
        return answers.get(condition["answered"]) not in (None, "", [])
    if "answer" in condition and "equals" in condition:
        value = answers.get(condition["answer"])
        if isinstance(value, list):
            return condition["equals"] in value
        return value == condition["equals"]
    raise ValueError(f"The peer does not know this condition: {condition}")


def _at_most(picks: int):
    def check(value: list[str]) -> None:
        if len(value) > picks:
            raise ValidationError(f"Pick at most {picks}.")

    return check


def question_field(question: dict[str, Any]) -> forms.Field | None:
    kind = question["kind"]
    common = {
        "label": english(question.get("prompt")),
        "help_text": english(question.get("help")),
        "required": question.get("required", True),
    }
    choices = [(c["key"], english(c["label"])) for c in question.get("choices", [])]
    if kind in ("single", "image"):
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == "multiple":
        validators = [_at_most(question["max_picks"])] if question.get("max_picks") else []
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, validators=validators, **common
        )
    if kind == "number":
        number = question.get("number", {})
        return forms.IntegerField(
            min_value=number.get("min"), max_value=number.get("max"), **common
        )
    if kind == "scale":
        scale = question["scale"]
        low, high = scale["min"], scale["max"]
        labels = {low: english(scale.get("min_label")), high: english(scale.get("max_label"))}
        return forms.TypedChoiceField(
            choices=[(n, f"{n} {labels.get(n, '')}".strip()) for n in range(low, high + 1)],
            coerce=int,
            widget=forms.RadioSelect,
            **common,
        )
    if kind == "footprint":
        # The photo of a wet print: always optional; without one the drawings are asked.
        return forms.ImageField(**{**common, "required": False})
    if kind == "info":
        return None
    raise ValueError(f"The peer does not know the question kind {kind!r}.")


class StepForm(forms.Form):
    """A step's questions; `answers` (earlier steps' cleaned data) decide conditional ones."""

    conditions: dict[str, dict[str, Any]] = {}

    def __init__(self, *args: Any, answers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, condition in self.conditions.items():
            if not holds(condition, answers or {}):
                del self.fields[name]


def load() -> dict[str, Any]:
    return json.loads(DEFINITION.read_text(encoding="utf-8"))


def step_forms(definition: dict[str, Any]) -> list[tuple[str, type[StepForm]]]:
    """(step key, form class) for every step, in order."""
    built = []
    for step in definition["steps"]:
        fields = {}
        conditions = {}
        for question in step["questions"]:
            field = question_field(question)
            if field is not None:
                fields[question["key"]] = field
                if question.get("condition"):
                    conditions[question["key"]] = question["condition"]
        form = type(
            f"{step['key'].title().replace('-', '')}Form",
            (StepForm,),
            {**fields, "conditions": conditions},
        )
        built.append((step["key"], form))
    return built
