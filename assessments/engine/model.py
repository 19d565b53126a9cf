"""The compiled, immutable parts of an assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .conditions import Condition, within

Text = Mapping[str, str]
EMPTY_TEXT: Text = MappingProxyType({})

CHOICE_KINDS = frozenset({"single", "multiple", "image"})
NUMERIC_KINDS = frozenset({"scale", "number"})


def frozen_map(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy (an empty shared one for None)."""
    return MappingProxyType(dict(data)) if data else MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    label: Text
    description: Text | None = None
    image: str | None = None
    points: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    insight: Text | None = None
    recall: Text | None = None


@dataclass(frozen=True, slots=True)
class ScoringRule:
    """Points for a scale or number answer within inclusive bounds."""

    min: float | None
    max: float | None
    points: Mapping[str, float]
    recall: Text | None = None

    def matches(self, value: float) -> bool:
        return within(value, self.min, self.max)


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: str
    prompt: Text
    step_key: str
    index: int  # position among all questions of the assessment
    help: Text | None = None
    required: bool = True
    condition: Condition | None = None
    choices: tuple[Choice, ...] = ()
    min_picks: int = 0
    max_picks: int | None = None
    min: float | None = None  # scale or number bounds
    max: float | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    unit: Text | None = None
    integer: bool = False
    max_length: int = 500
    scoring: tuple[ScoringRule, ...] = ()
    choice_index: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def answerable(self) -> bool:
        return self.kind != "info"

    @property
    def has_choices(self) -> bool:
        return self.kind in CHOICE_KINDS

    def choice(self, key: str) -> Choice | None:
        """The choice with this key, or None."""
        index = self.choice_index.get(key)
        return None if index is None else self.choices[index]

    def scoring_rule(self, value: float) -> ScoringRule | None:
        """The first scoring entry whose bounds contain the value."""
        for rule in self.scoring:
            if rule.matches(value):
                return rule
        return None

    def points_for(self, value: Any) -> Mapping[str, float]:
        """Trait points given by a (stored, valid) answer."""
        if value is None:
            return EMPTY_POINTS
        if self.kind in ("single", "image"):
            choice = self.choice(value)
            return choice.points if choice else EMPTY_POINTS
        if self.kind == "multiple":
            total: dict[str, float] = {}
            for key in value:
                choice = self.choice(key)
                if choice:
                    for trait, points in choice.points.items():
                        total[trait] = total.get(trait, 0) + points
            return total
        if self.kind in NUMERIC_KINDS:
            rule = self.scoring_rule(value)
            return rule.points if rule else EMPTY_POINTS
        return EMPTY_POINTS


EMPTY_POINTS: Mapping[str, float] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class NextRule:
    goto: str
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: Text
    index: int
    questions: tuple[Question, ...]
    section: Text | None = None
    why: Text | None = None
    condition: Condition | None = None
    next: tuple[NextRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Band:
    key: str
    label: Text
    insight: Text
    index: int
    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        return within(value, self.min, self.max)


@dataclass(frozen=True, slots=True)
class Trait:
    key: str
    label: Text
    bands: tuple[Band, ...] = ()
    description: Text | None = None

    def band_for(self, value: float) -> Band | None:
        """The first band whose bounds contain the score."""
        for band in self.bands:
            if band.contains(value):
                return band
        return None

    def band(self, key: str) -> Band | None:
        for band in self.bands:
            if band.key == key:
                return band
        return None


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    title: Text
    description: Text
    index: int
    rule: Condition | None = None
    priority: int = 0
    image: str | None = None


@dataclass(frozen=True, slots=True)
class HiddenField:
    key: str
    label: Text


@dataclass(frozen=True, slots=True)
class Filter:
    attribute: str
    answer: str


@dataclass(frozen=True, slots=True)
class TraitFit:
    trait: str
    attribute: str
    weight: float


@dataclass(frozen=True, slots=True)
class Preference:
    answer: str
    attribute: str
    weight: float


@dataclass(frozen=True, slots=True)
class RecommendationSpec:
    count: int = 3
    alternatives: int = 3
    filters: tuple[Filter, ...] = ()
    trait_fit: tuple[TraitFit, ...] = ()
    preferences: tuple[Preference, ...] = ()
    outcome_attribute: str | None = None
    outcome_weight: float = 0.0
    fallback_skus: tuple[str, ...] = ()
    fallback_message: Text | None = None


@dataclass(frozen=True, slots=True)
class Contribution:
    """Points one counted answer gave to a trait."""

    question_key: str
    value: Any
    points: float


@dataclass(frozen=True, slots=True)
class TraitScore:
    key: str
    value: float
    band: Band | None
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the journey in the progress indicator."""

    key: str  # the section's text in the default language
    label: Text
    current: bool
    done: bool


@dataclass(frozen=True, slots=True)
class Progress:
    """Where the customer is on their current path: `index` is 0-based, `total` steps."""

    index: int
    total: int
    sections: tuple[Section, ...]

    @property
    def number(self) -> int:
        """1-based position, for "step 3 of 7"."""
        return self.index + 1

    @property
    def percent(self) -> int:
        return round(100 * self.index / self.total) if self.total else 100
