"""The compiled, immutable parts of an assessment."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from .conditions import Condition, within

Text = Mapping[str, str]
# Words an author text in the customer's language (see `text.localized`).
Say = Callable[[Text | str | None], str]


def frozen_map(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy (an empty shared one for None)."""
    return MappingProxyType(dict(data)) if data else MappingProxyType({})


def optional_text(data: Mapping[str, Any], member: str) -> Text | None:
    """A localised text member of a definition object, frozen; None when absent or empty."""
    value = data.get(member)
    return frozen_map(value) if value else None


def points_map(data: Mapping[str, Any] | None) -> Mapping[str, float]:
    """`{"trait": points}` of a definition, frozen, with every value a float."""
    return frozen_map({k: float(v) for k, v in (data or {}).items()})


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    label: Text
    description: Text | None = None
    image: str | None = None
    points: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    insight: Text | None = None
    recall: Text | None = None
    exclusive: bool = False  # "none of these": picked alone or not at all


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
class Phrase:
    """One picked or typed part of an answer, in words, for recalls and reasons."""

    plain: str  # what the customer picked or typed: a choice's label, "42 km", their text
    form: str  # how a reason cites it without a recall: "choice", "number" or "text"
    recall: str = ""  # the author's second-person phrase for it: "you run 30+ km a week"


@dataclass(frozen=True, slots=True)
class Option:
    """One radio button or checkbox of a question's input."""

    key: str
    label: Text | str
    checked: bool = False
    description: Text | None = None
    image: str | None = None
    insight: Text | None = None
    exclusive: bool = False


@dataclass(frozen=True, slots=True)
class Widget:
    """What a page needs to show a question's input, as plain values and untranslated texts."""

    template: str
    input_type: str = ""  # radio, checkbox, number, text, textarea; "" for information
    options: tuple[Option, ...] = ()
    value: str = ""  # the text already in a text or number box
    min: str = ""
    max: str = ""
    step: str = ""
    range_hint: bool = False  # say the bounds ("From 1 to 20.") under the box
    unit: Text | None = None
    min_label: Text | None = None
    max_label: Text | None = None
    max_length: int = 0


class Behaviour(Protocol):
    """What a compiled question leaves to its kind; `kinds.QuestionKind` implements it."""

    name: str
    answerable: bool
    has_choices: bool
    several: bool
    free_text: bool
    compares_stored: bool

    def clean(self, question: Question, raw: Any) -> Any: ...

    def stored(self, question: Question, value: Any) -> Any: ...

    def points(self, question: Question, value: Any) -> Mapping[str, float]: ...

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]: ...

    def widget(self, question: Question, value: Any) -> Widget: ...

    def compared(self, question: Question, value: Any) -> Any: ...

    def scored_traits(self, question: Question) -> frozenset[str]: ...


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    kind: str
    behaviour: Behaviour  # the registered kind named by `kind`
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
    # What a kind outside the built-in members keeps of its definition.
    settings: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def answerable(self) -> bool:
        return self.behaviour.answerable

    @property
    def has_choices(self) -> bool:
        return self.behaviour.has_choices

    @property
    def several(self) -> bool:
        """An answer is a list of picks."""
        return self.behaviour.several

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
        return self.behaviour.points(self, value)


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
    """A hard rule: the product's attribute must name the customer's answer, band or outcome."""

    attribute: str
    answer: str | None = None  # a question key
    trait: str | None = None  # a trait key: the attribute names the customer's band key
    outcome: bool = False  # the attribute names the customer's outcome key


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
    # The assessment's own catalogue: products carrying any of these tags, or named by sku (a
    # product's or one of its variants'). Both empty: the brand's whole active catalogue.
    catalogue_tags: frozenset[str] = frozenset()
    catalogue_skus: frozenset[str] = frozenset()

    @property
    def scoped(self) -> bool:
        """The assessment picks its own products rather than the whole catalogue."""
        return bool(self.catalogue_tags or self.catalogue_skus)


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
    # False when no counted answer is to a question that can score this trait (its questions
    # were skipped): the band is only the empty score's, so nothing is said or advised about it.
    assessed: bool = True


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


class Lookups(Protocol):
    """What wording an answer or a reason looks up; a compiled `Assessment` is one."""

    default_language: str
    outcomes: tuple[Outcome, ...]

    def question(self, key: str) -> Question | None: ...

    def trait(self, key: str) -> Trait | None: ...
