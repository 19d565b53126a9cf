"""Questions answered on a scale of whole numbers between labelled ends."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from ..model import Option, Question, Widget, optional_text
from .base import TEMPLATES, Found, Parts, Possible, Where, dicts, figure, num, picked
from .number import NUMBER_TEMPLATE, NumberKind, rule_points_at, scoring_rules

# Scales up to this many points are a row of radio buttons; longer ones a number box.
AS_RADIOS = 11
# Up to this wide, the points a scale can give are found by trying every value.
_ENUMERATED = 1000


class ScaleKind(NumberKind):
    """A whole number from `scale.min` to `scale.max`, shown as radios when the scale is short."""

    name = "scale"
    members = ("scale", "scoring")
    required_members = ("scale",)
    member_texts = ("min_label", "max_label")
    template = f"{TEMPLATES}scale.html"

    def whole(self, question: Question) -> bool:
        return True

    def whole_in(self, bounds: Mapping[str, Any]) -> bool:
        return True

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        member = data["scale"]
        return {
            "min": member["min"],
            "max": member["max"],
            "min_label": optional_text(member, "min_label"),
            "max_label": optional_text(member, "max_label"),
            "scoring": scoring_rules(data),
        }

    def bounds_problems(
        self, data: Mapping[str, Any], parts: Parts, where: Where
    ) -> Iterator[Found]:
        member = data.get("scale")
        if not isinstance(member, dict):
            return
        low, high = num(member.get("min")), num(member.get("max"))
        if low is not None and high is not None and low >= high:
            yield (
                (*parts, "scale"),
                f"{where(parts)} has a scale from {figure(low)} to {figure(high)}; the minimum "
                f"must be below the maximum.",
                "scale_range",
            )

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        low, high = self.raw_bounds(data)
        if low is None or high is None or high - low > _ENUMERATED:
            return super().possible_points(data, trait)
        rules = dicts(data.get("scoring"))
        if not any(
            isinstance(r.get("points"), dict) and num(r["points"].get(trait)) for r in rules
        ):
            return None
        found = {rule_points_at(rules, value, trait) for value in range(int(low), int(high) + 1)}
        return found, (min(found), max(found))

    def template_for(self, question: Question) -> str:
        return self.template if _as_radios(question) else NUMBER_TEMPLATE

    def widget(self, question: Question, value: Any) -> Widget:
        labels = {"min_label": question.min_label, "max_label": question.max_label}
        if not _as_radios(question):
            return replace(super().widget(question, value), **labels)
        assert question.min is not None and question.max is not None
        chosen = picked(value)
        return Widget(
            self.template,
            "radio",
            options=tuple(
                Option(str(n), str(n), checked=str(n) in chosen)
                for n in range(int(question.min), int(question.max) + 1)
            ),
            **labels,
        )


def _as_radios(question: Question) -> bool:
    if question.min is None or question.max is None:
        return False
    return int(question.max) - int(question.min) + 1 <= AS_RADIOS
