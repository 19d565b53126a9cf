"""Compiled conditions: small predicate classes evaluated against the customer's answers.

Conditions are declarative data (FORMAT.md, "Conditions"); they are compiled once into these
objects and never evaluated as code.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class Facts(Protocol):
    """What a condition can ask about the customer at the point it is evaluated."""

    def answer(self, key: str) -> Any: ...

    def trait(self, key: str) -> float: ...

    def band(self, key: str) -> str | None: ...

    def field(self, key: str) -> str | None: ...


class Condition(ABC):
    """Base class: a condition is a callable returning whether it holds."""

    __slots__ = ()

    @abstractmethod
    def __call__(self, facts: Facts) -> bool: ...


@dataclass(frozen=True, slots=True)
class All(Condition):
    parts: tuple[Condition, ...]

    def __call__(self, facts: Facts) -> bool:
        return all(part(facts) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def __call__(self, facts: Facts) -> bool:
        return any(part(facts) for part in self.parts)


@dataclass(frozen=True, slots=True)
class Not(Condition):
    part: Condition

    def __call__(self, facts: Facts) -> bool:
        return not self.part(facts)


@dataclass(frozen=True, slots=True)
class AnswerEquals(Condition):
    """The answer is this choice key or value (a multiple answer: exactly this one pick)."""

    question: str
    value: Any

    def __call__(self, facts: Facts) -> bool:
        answer = facts.answer(self.question)
        if answer is None:
            return False
        if isinstance(answer, list):
            return answer == [self.value]
        return _same(answer, self.value)


@dataclass(frozen=True, slots=True)
class AnswerIn(Condition):
    """The answer is one of these (a multiple answer: any pick is one of these)."""

    question: str
    values: frozenset[Any]

    def __call__(self, facts: Facts) -> bool:
        answer = facts.answer(self.question)
        if answer is None:
            return False
        if isinstance(answer, list):
            return any(pick in self.values for pick in answer)
        if isinstance(answer, bool):
            return False
        return answer in self.values


@dataclass(frozen=True, slots=True)
class AnswerContains(Condition):
    """A multiple answer includes this choice key."""

    question: str
    choice: str

    def __call__(self, facts: Facts) -> bool:
        answer = facts.answer(self.question)
        return isinstance(answer, list) and self.choice in answer


@dataclass(frozen=True, slots=True)
class AnswerRange(Condition):
    """A numeric answer lies within inclusive bounds."""

    question: str
    low: float | None
    high: float | None

    def __call__(self, facts: Facts) -> bool:
        answer = facts.answer(self.question)
        if isinstance(answer, bool) or not isinstance(answer, (int, float)):
            return False
        return within(answer, self.low, self.high)


@dataclass(frozen=True, slots=True)
class Answered(Condition):
    question: str

    def __call__(self, facts: Facts) -> bool:
        return facts.answer(self.question) is not None


@dataclass(frozen=True, slots=True)
class TraitCompare(Condition):
    trait: str
    op: str
    value: float

    def __call__(self, facts: Facts) -> bool:
        score = facts.trait(self.trait)
        if self.op == "gt":
            return score > self.value
        if self.op == "gte":
            return score >= self.value
        if self.op == "lt":
            return score < self.value
        if self.op == "lte":
            return score <= self.value
        return math.isclose(score, self.value, rel_tol=1e-9, abs_tol=1e-9)


@dataclass(frozen=True, slots=True)
class TraitRange(Condition):
    trait: str
    low: float | None
    high: float | None

    def __call__(self, facts: Facts) -> bool:
        return within(facts.trait(self.trait), self.low, self.high)


@dataclass(frozen=True, slots=True)
class TraitBand(Condition):
    trait: str
    band: str

    def __call__(self, facts: Facts) -> bool:
        return facts.band(self.trait) == self.band


@dataclass(frozen=True, slots=True)
class FieldIn(Condition):
    field: str
    values: frozenset[str]

    def __call__(self, facts: Facts) -> bool:
        return facts.field(self.field) in self.values


def within(value: float, low: float | None, high: float | None) -> bool:
    """Inclusive bounds; a missing bound is open."""
    return (low is None or value >= low) and (high is None or value <= high)


def _same(answer: Any, value: Any) -> bool:
    if isinstance(answer, bool) or isinstance(value, bool):
        return answer is value
    if isinstance(answer, (int, float)) and isinstance(value, (int, float)):
        return answer == value
    return type(answer) is type(value) and answer == value


def compile_condition(data: Mapping[str, Any] | None) -> Condition | None:
    """Turn a validated condition object into a predicate (None stays None)."""
    if data is None:
        return None
    if "all" in data:
        return All(tuple(_required(compile_condition(part)) for part in data["all"]))
    if "any" in data:
        return AnyOf(tuple(_required(compile_condition(part)) for part in data["any"]))
    if "not" in data:
        return Not(_required(compile_condition(data["not"])))
    if "answered" in data:
        return Answered(data["answered"])
    if "answer" in data:
        key = data["answer"]
        if "equals" in data:
            return AnswerEquals(key, data["equals"])
        if "in" in data:
            return AnswerIn(key, frozenset(data["in"]))
        if "contains" in data:
            return AnswerContains(key, data["contains"])
        bounds = data["range"]
        return AnswerRange(key, bounds.get("min"), bounds.get("max"))
    if "trait" in data:
        key = data["trait"]
        if "band" in data:
            return TraitBand(key, data["band"])
        if "range" in data:
            bounds = data["range"]
            return TraitRange(key, bounds.get("min"), bounds.get("max"))
        for op in ("gt", "gte", "lt", "lte", "equals"):
            if op in data:
                return TraitCompare(key, op, float(data[op]))
    if "field" in data:
        values = [data["equals"]] if "equals" in data else list(data["in"])
        return FieldIn(data["field"], frozenset(values))
    raise ValueError(f"not a condition: {data!r}")


def _required(condition: Condition | None) -> Condition:
    assert condition is not None
    return condition
