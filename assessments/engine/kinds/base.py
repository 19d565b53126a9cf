"""What every question kind is asked, with the defaults, and the helpers several kinds share."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..answers import AnswerError, AnswerRequired, NotAnswerable
from ..model import EMPTY_POINTS, Phrase, Question, Say, Widget
from ..text import number

Parts = tuple[str | int, ...]
# Names the thing at a place in a definition for its author: "Question 'pace' in step 'a'".
Where = Callable[[Parts], str]
# A problem a kind finds in a definition: where (JSON path parts), the message, its code.
Found = tuple[Parts, str, str]
# The points an answer can give one trait (None: too many to list) and their lowest and highest.
Possible = tuple[set[float] | None, tuple[float, float]]

# Members every question may have, whatever its kind.
COMMON_MEMBERS = ("key", "kind", "prompt", "help", "required", "condition")
# Above this many distinct achievable scores, band gaps are checked on intervals instead.
MAX_SCORE_SET = 4096
TEMPLATES = "assessments/taking/kinds/"


@dataclass(frozen=True, slots=True)
class Asked:
    """Where a question of a raw definition is asked: for checks that name another question."""

    parts: Parts
    data: Mapping[str, Any]
    step: int  # the index of its step
    step_condition: Any = None


class QuestionKind:
    """One kind of question: how it is defined, answered, scored, worded, checked and shown.

    A kind is a stateless object, registered once under its `name` (`kinds.register`); each
    compiled question keeps its kind as `question.behaviour`. Adding a kind is a subclass in one
    module and a template (`template`, by default `assessments/taking/kinds/<name>.html`).
    """

    name = ""
    # Members a question of this kind may have besides COMMON_MEMBERS, and those it must have.
    members: tuple[str, ...] = ()
    required_members: tuple[str, ...] = ()
    # The JSON Schema of members assessment.schema.json does not define: a new kind's own.
    member_schemas: Mapping[str, Any] = MappingProxyType({})
    answerable = True
    has_choices = False
    several = False  # an answer is a list of picks
    # An answer is words the customer wrote (anonymising drops it), not a pick or a figure.
    free_text = False
    # The operators a condition may use on an answer of this kind; `in` suits every kind.
    operators: frozenset[str] = frozenset({"equals", "in"})
    # Never required, whatever the definition says (a photo: the customer may have none).
    always_optional = False
    # Conditions compare the stored answer itself; a kind that stores more says what instead
    # (`compared`).
    compares_stored = True
    template = ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # -- compiling ----------------------------------------------------------------------

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        """The `Question` fields this kind fills from its members of a valid definition."""
        return {}

    def definition(self, members: Mapping[str, Any]) -> dict[str, Any]:
        """This kind's members of a definition, from all a draft question holds in that form."""
        return {m: members[m] for m in self.members if m in members}

    # -- answers -------------------------------------------------------------------------

    def clean(self, question: Question, raw: Any) -> Any:
        """Normalise a raw form value for storage, or raise an AnswerError subclass."""
        if not self.answerable:
            raise NotAnswerable(question.key)
        text = one_text(raw)
        if text is None:
            raise self.wrong_shape(question)
        return self.clean_text(question, text)

    def clean_text(self, question: Question, text: str) -> Any:
        """Normalise the form's one value (`clean` splits off the other shapes). A kind that
        reads no typed value accepts none."""
        raise NotAnswerable(question.key)

    def wrong_shape(self, question: Question) -> AnswerError:
        """The error for a form value that is not one text: several values, a bool, an object."""
        return AnswerError(question.key)

    def stored(self, question: Question, value: Any) -> Any:
        """A stored answer (never None) if it still fits the question, else None (ignored)."""
        return None

    def points(self, question: Question, value: Any) -> Mapping[str, float]:
        """The trait points a stored, valid answer gives."""
        return EMPTY_POINTS

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]:
        """A stored answer in words, one phrase per pick; `say` words an author text."""
        return ()

    def compared(self, question: Question, value: Any) -> Any:
        """What conditions compare of a stored answer (only asked when not `compares_stored`)."""
        return value

    def tallies(self, question: Question) -> tuple[tuple[str, Any], ...]:
        """The groups insights counts this kind's answers in, in order, each with its label
        (an author text), for kinds whose answers are neither choices nor numbers (those are
        counted by pick and by bin); () when they are not counted in groups."""
        return ()

    def tallied(self, question: Question, value: Any) -> tuple[str, ...]:
        """The groups of `tallies` a stored answer is counted in."""
        return ()

    def scored_traits(self, question: Question) -> frozenset[str]:
        """The traits some answer to the question can give points to."""
        traits: set[str] = set()
        for choice in question.choices:
            traits.update(choice.points)
        for rule in question.scoring:
            traits.update(rule.points)
        return frozenset(traits)

    # -- checking a definition (raw data, before the JSON Schema is known to hold) ---------

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        """What is wrong with this kind's members of one question, beyond the JSON Schema."""
        return iter(())

    def reference_problems(
        self,
        data: Mapping[str, Any],
        parts: Parts,
        where: Where,
        asked: Mapping[str, Asked],
    ) -> Iterator[Found]:
        """What is wrong with the other questions this one names (`asked`: every question by
        key)."""
        return iter(())

    def texts(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        """The localised texts of this kind's members, to check every language has them."""
        return iter(())

    def point_sources(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        """Each object of the question holding `points`, to check the traits it names exist."""
        for i, choice in enumerate(dicts(data.get("choices"))):
            yield (*parts, "choices", i), choice.get("points")
        for i, rule in enumerate(dicts(data.get("scoring"))):
            yield (*parts, "scoring", i), rule.get("points")

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        """The points an answer can give `trait`; None when no answer gives it any."""
        return None

    def comparison_problem(
        self, data: Mapping[str, Any], value: Any, owner: str
    ) -> tuple[str, str] | None:
        """(message, code) when a condition compares an answer with a value it can never be."""
        return None

    def never_holds(self, data: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
        """True when no answer can satisfy this `{"answer": key, ...}` condition."""
        return False

    # -- showing -------------------------------------------------------------------------

    def widget(self, question: Question, value: Any) -> Widget:
        """The question's input, filled with `value` (as stored, or as the form sent it)."""
        return Widget(self.template_for(question))

    def template_for(self, question: Question) -> str:
        """The template that shows a question of this kind."""
        return self.template or f"{TEMPLATES}{self.name}.html"


# -- cleaning ------------------------------------------------------------------------------


def one_text(raw: Any) -> str | None:
    """A form value as the one text it holds ("" for nothing); None when it is not one text."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return repr(raw)
    if isinstance(raw, (list, tuple)):
        values = [v for v in raw if not (isinstance(v, str) and not v.strip())]
        if not values:
            return ""
        if len(values) == 1 and isinstance(values[0], str):
            return values[0]
    return None


def unanswered(question: Question) -> None:
    """A blank answer: refused when the question is required, else stored as nothing."""
    if question.required:
        raise AnswerRequired(question.key)
    return None


# -- showing -------------------------------------------------------------------------------


def picked(value: Any) -> set[str]:
    """The option keys a stored or submitted value marks as checked."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple)):
        return {v for v in value if isinstance(v, str)}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {number(value)}
    return set()


def shown(value: Any) -> str:
    """A stored or submitted value as the text of an input."""
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if isinstance(v, str)), "")
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return number(value)
    return str(value)


# -- reading raw definitions ---------------------------------------------------------------


def dicts(value: Any) -> list[dict[str, Any]]:
    """The items of a list member, with anything but an object read as an empty one."""
    return [v if isinstance(v, dict) else {} for v in value] if isinstance(value, list) else []


def num(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (true and false are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def figure(value: float) -> str:
    """A number in a message for an author: 30, not 30.0; "any" for an open bound."""
    if math.isinf(value):
        return "any" if value > 0 else "-any"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def texts_of(
    obj: Mapping[str, Any], parts: Parts, names: tuple[str, ...]
) -> Iterator[tuple[Parts, Any]]:
    """The members `names` that `obj` has, with their paths."""
    for name in names:
        if name in obj:
            yield (*parts, name), obj[name]


def overlaps(
    a_low: float | None, a_high: float | None, b_low: float | None, b_high: float | None
) -> bool:
    """Whether two inclusive ranges (None: open) share a value."""
    low = max(x for x in (a_low, b_low, -math.inf) if x is not None)
    high = min(x for x in (a_high, b_high, math.inf) if x is not None)
    return low <= high
