"""Questions answered with a number, scored by the first `scoring` entry it falls in."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..answers import AnswerError, NotANumber, NotAWholeNumber, OutOfRange
from ..model import (
    EMPTY_POINTS,
    Phrase,
    Question,
    Say,
    ScoringRule,
    Widget,
    optional_text,
    points_map,
)
from ..problems import with_article
from ..text import number
from .base import (
    TEMPLATES,
    Found,
    Parts,
    Possible,
    QuestionKind,
    Where,
    dicts,
    figure,
    num,
    overlaps,
    shown,
    texts_of,
    unanswered,
)

# Long enough for any sensible number, short enough that parsing stays cheap.
_MAX_NUMBER_CHARS = 64
_INT_RE = re.compile(r"[+-]?\d+")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
NUMBER_TEMPLATE = f"{TEMPLATES}number.html"


class NumberKind(QuestionKind):
    """A number typed in a box, within optional bounds, whole or not; it may carry a unit."""

    name = "number"
    members = ("number", "scoring")
    required_members = ("number",)
    operators = frozenset({"equals", "in", "range"})
    template = NUMBER_TEMPLATE
    # Texts of the kind's own member (`number` here, `scale` for scales).
    member_texts: tuple[str, ...] = ("unit",)

    def whole(self, question: Question) -> bool:
        """Whether only whole numbers are accepted."""
        return question.integer

    def whole_in(self, bounds: Mapping[str, Any]) -> bool:
        """`whole`, read from the kind's member of a raw definition."""
        return bounds.get("integer") is True

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        member = data["number"]
        return {
            "min": member.get("min"),
            "max": member.get("max"),
            "unit": optional_text(member, "unit"),
            "integer": bool(member.get("integer", False)),
            "scoring": scoring_rules(data),
        }

    def clean_text(self, question: Question, text: str) -> int | float | None:
        text = text.strip()
        if not text:
            return unanswered(question)
        whole = self.whole(question)
        if len(text) > _MAX_NUMBER_CHARS or not _NUMBER_RE.fullmatch(text):
            raise (NotAWholeNumber if whole else NotANumber)(question.key)
        value: int | float
        if _INT_RE.fullmatch(text):
            value = int(text)
        else:
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")  # a decimal comma, as typed in Spanish
            try:
                value = float(text)
            except ValueError:
                raise NotANumber(question.key) from None
            if not math.isfinite(value):
                raise NotANumber(question.key)
            if value.is_integer() and abs(value) < 2**53:
                value = int(value)
            elif whole:
                raise NotAWholeNumber(question.key)
        if (question.min is not None and value < question.min) or (
            question.max is not None and value > question.max
        ):
            raise OutOfRange(
                question.key, min=_bound(question.min), max=_bound(question.max), value=value
            )
        return value

    def wrong_shape(self, question: Question) -> AnswerError:
        return NotANumber(question.key)

    def stored(self, question: Question, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value

    def points(self, question: Question, value: Any) -> Mapping[str, float]:
        rule = question.scoring_rule(value)
        return rule.points if rule else EMPTY_POINTS

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return ()
        rule = question.scoring_rule(value) if question.scoring else None
        plain = f"{number(value)} {say(question.unit)}".strip()
        return (Phrase(plain, "number", say(rule.recall) if rule else ""),)

    # -- checking a definition ----------------------------------------------------------

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        yield from self.bounds_problems(data, parts, where)
        for i, rule in enumerate(dicts(data.get("scoring"))):
            low, high = num(rule.get("min")), num(rule.get("max"))
            if low is not None and high is not None and low > high:
                yield (
                    (*parts, "scoring", i),
                    f"{where((*parts, 'scoring', i))} has a minimum above its maximum, so it "
                    f"never applies.",
                    "range",
                )

    def bounds_problems(
        self, data: Mapping[str, Any], parts: Parts, where: Where
    ) -> Iterator[Found]:
        member = data.get("number")
        if not isinstance(member, dict):
            return
        low, high = num(member.get("min")), num(member.get("max"))
        if low is not None and high is not None and low > high:
            yield (
                (*parts, "number"),
                f"{where(parts)} allows numbers from {figure(low)} to {figure(high)}; the "
                f"minimum must not be above the maximum.",
                "number_range",
            )

    def texts(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        member = data.get(self.name)
        if isinstance(member, dict):
            yield from texts_of(member, (*parts, self.name), self.member_texts)
        for i, rule in enumerate(dicts(data.get("scoring"))):
            yield from texts_of(rule, (*parts, "scoring", i), ("recall",))

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        rules = dicts(data.get("scoring"))
        if not any(
            isinstance(r.get("points"), dict) and num(r["points"].get(trait)) for r in rules
        ):
            return None
        low, high = self.raw_bounds(data)
        found = {0.0}  # a value matching no rule gives nothing
        for rule in rules:
            if overlaps(num(rule.get("min")), num(rule.get("max")), low, high):
                found.add(_rule_points(rule, trait))
        return found, (min(found), max(found))

    def raw_bounds(self, data: Mapping[str, Any]) -> tuple[float | None, float | None]:
        """The lowest and highest answer a raw definition allows (None: open)."""
        member = self.raw_member(data)
        return num(member.get("min")), num(member.get("max"))

    def raw_member(self, data: Mapping[str, Any]) -> Mapping[str, Any]:
        member = data.get(self.name)
        return member if isinstance(member, dict) else {}

    def comparison_problem(
        self, data: Mapping[str, Any], value: Any, owner: str
    ) -> tuple[str, str] | None:
        if num(value) is not None:
            return None
        return (
            f"{owner} compares question '{data.get('key')}' ({with_article(self.name)} "
            f"question) with '{value}', which is not a number.",
            "operator_kind",
        )

    def never_holds(self, data: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
        low, high = self.raw_bounds(data)
        wanted = condition.get("range")
        if isinstance(wanted, dict):
            r_low, r_high = num(wanted.get("min")), num(wanted.get("max"))
            if (r_low is not None and r_high is not None and r_low > r_high) or not overlaps(
                r_low, r_high, low, high
            ):
                return True
        value = num(condition.get("equals")) if "equals" in condition else None
        if value is not None:
            if not overlaps(value, value, low, high):
                return True
            if self.whole_in(self.raw_member(data)) and not value.is_integer():
                return True
        return False

    # -- showing ------------------------------------------------------------------------

    def widget(self, question: Question, value: Any) -> Widget:
        return Widget(
            self.template_for(question),
            "number",
            value=shown(value),
            min=_shown_bound(question.min),
            max=_shown_bound(question.max),
            step="1" if self.whole(question) else "any",
            range_hint=True,
            unit=question.unit,
        )


def scoring_rules(data: Mapping[str, Any]) -> tuple[ScoringRule, ...]:
    """The compiled `scoring` entries of a question."""
    return tuple(
        ScoringRule(
            s.get("min"), s.get("max"), points_map(s.get("points")), optional_text(s, "recall")
        )
        for s in data.get("scoring", ())
    )


def _rule_points(rule: Mapping[str, Any], trait: str) -> float:
    points = rule.get("points") if isinstance(rule.get("points"), dict) else {}
    return num(points.get(trait)) or 0.0


def rule_points_at(rules: list[dict[str, Any]], value: float, trait: str) -> float:
    """The points the first raw scoring entry containing `value` gives `trait`."""
    for rule in rules:
        low, high = num(rule.get("min")), num(rule.get("max"))
        if (low is None or value >= low) and (high is None or value <= high):
            return _rule_points(rule, trait)
    return 0.0


def _bound(bound: float | None) -> str:
    """A bound as an answer error quotes it."""
    if bound is None:
        return "any"
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _shown_bound(value: float | None) -> str:
    return "" if value is None else number(value)
