"""Questions answered by picking choices: single, multiple and image."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from ..answers import AnswerError, ExclusiveCombined, TooFewPicks, TooManyPicks, UnknownChoice
from ..model import (
    EMPTY_POINTS,
    Choice,
    Option,
    Phrase,
    Question,
    Say,
    Widget,
    frozen_map,
    optional_text,
    points_map,
)
from .base import (
    MAX_SCORE_SET,
    Found,
    Parts,
    Possible,
    QuestionKind,
    Where,
    dicts,
    num,
    picked,
    texts_of,
    unanswered,
)


class SingleKind(QuestionKind):
    """One pick among the choices; the answer is the choice's key."""

    name = "single"
    members = ("choices",)
    required_members = ("choices",)
    has_choices = True
    template = "assessments/taking/kinds/choices.html"
    input_type = "radio"

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        yield from _exclusive_misplaced(data, parts, where)

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        choices = tuple(
            Choice(
                key=c["key"],
                label=frozen_map(c["label"]),
                description=optional_text(c, "description"),
                image=c.get("image"),
                points=points_map(c.get("points")),
                insight=optional_text(c, "insight"),
                recall=optional_text(c, "recall"),
                exclusive=c.get("exclusive") is True,
            )
            for c in data.get("choices", ())
        )
        return {
            "choices": choices,
            "choice_index": MappingProxyType({c.key: i for i, c in enumerate(choices)}),
        }

    def clean_text(self, question: Question, text: str) -> str | None:
        key = text.strip()
        if not key:
            return unanswered(question)
        if key not in question.choice_index:
            raise UnknownChoice(question.key, choice=key[:100])
        return key

    def wrong_shape(self, question: Question) -> AnswerError:
        return UnknownChoice(question.key, choice="")

    def stored(self, question: Question, value: Any) -> Any:
        return value if isinstance(value, str) and value in question.choice_index else None

    def points(self, question: Question, value: Any) -> Mapping[str, float]:
        choice = question.choice(value)
        return choice.points if choice else EMPTY_POINTS

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]:
        keys = value if isinstance(value, (list, tuple)) else [value]
        found = []
        for key in keys:
            choice = question.choice(key) if isinstance(key, str) else None
            if choice is not None:
                found.append(Phrase(say(choice.label), "choice", say(choice.recall)))
        return tuple(found)

    def texts(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        for i, choice in enumerate(dicts(data.get("choices"))):
            yield from texts_of(
                choice, (*parts, "choices", i), ("label", "description", "insight", "recall")
            )

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        values = _choice_points(data, trait)
        if not any(values):
            return None
        return set(values), (min(values), max(values))

    def comparison_problem(
        self, data: Mapping[str, Any], value: Any, owner: str
    ) -> tuple[str, str] | None:
        keys = {c.get("key") for c in dicts(data.get("choices"))}
        if isinstance(value, str) and value in keys:
            return None
        return (
            f"{owner} refers to choice '{value}' which question '{data.get('key')}' does not have.",
            "unknown_choice",
        )

    def widget(self, question: Question, value: Any) -> Widget:
        chosen = picked(value)
        return Widget(
            self.template_for(question),
            self.input_type,
            options=tuple(
                Option(
                    c.key,
                    c.label,
                    checked=c.key in chosen,
                    description=c.description,
                    image=c.image,
                    insight=c.insight,
                    exclusive=c.exclusive,
                )
                for c in question.choices
            ),
        )


def _exclusive_misplaced(data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
    """An exclusive choice on a question that takes one pick anyway is a mistake to point out."""
    for i, choice in enumerate(dicts(data.get("choices"))):
        if choice.get("exclusive") is True:
            yield (
                (*parts, "choices", i, "exclusive"),
                f"{where((*parts, 'choices', i))} is marked exclusive, but only a "
                f"multiple-choice question's choices can be: this question takes one pick anyway.",
                "exclusive_misplaced",
            )


class ImageKind(SingleKind):
    """One pick among choices shown as pictures; every choice has an image."""

    name = "image"

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        yield from super().problems(data, parts, where)
        for i, choice in enumerate(dicts(data.get("choices"))):
            if not choice.get("image"):
                yield (
                    (*parts, "choices", i, "image"),
                    f"{where((*parts, 'choices', i))} has no image; every choice of an image "
                    f"question needs one.",
                    "image_missing",
                )


class MultipleKind(SingleKind):
    """Any number of picks between `min_picks` and `max_picks`; the answer lists their keys."""

    name = "multiple"
    members = ("choices", "min_picks", "max_picks")
    several = True
    operators = frozenset({"in", "contains"})
    input_type = "checkbox"

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        return {
            **super().compile(data, required=required),
            "min_picks": data.get("min_picks", 1 if required else 0),
            "max_picks": data.get("max_picks"),
        }

    def clean(self, question: Question, raw: Any) -> list[str] | None:
        if raw is None:
            items: list[Any] = []
        elif isinstance(raw, str):
            items = [raw]
        elif isinstance(raw, (list, tuple)):
            items = list(raw)
        else:
            raise UnknownChoice(question.key, choice="")
        chosen: set[str] = set()
        for item in items:
            if not isinstance(item, str):
                raise UnknownChoice(question.key, choice="")
            key = item.strip()
            if not key:
                continue
            if key not in question.choice_index:
                raise UnknownChoice(question.key, choice=key[:100])
            chosen.add(key)
        if not chosen:
            return unanswered(question)
        if len(chosen) > 1:
            for choice in question.choices:
                if choice.exclusive and choice.key in chosen:
                    raise ExclusiveCombined(question.key, choice=choice.key, label=choice.label)
        if len(chosen) < question.min_picks:
            raise TooFewPicks(question.key, min_picks=question.min_picks, picked=len(chosen))
        if question.max_picks is not None and len(chosen) > question.max_picks:
            raise TooManyPicks(question.key, max_picks=question.max_picks, picked=len(chosen))
        return [choice.key for choice in question.choices if choice.key in chosen]

    def stored(self, question: Question, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            return None
        chosen = {v for v in value if isinstance(v, str)}
        keys = [c.key for c in question.choices if c.key in chosen]
        return keys or None

    def points(self, question: Question, value: Any) -> Mapping[str, float]:
        total: dict[str, float] = {}
        for key in value:
            choice = question.choice(key)
            if choice:
                for trait, points in choice.points.items():
                    total[trait] = total.get(trait, 0) + points
        return total

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        required = data.get("required", True) is not False
        min_picks = data.get("min_picks", 1 if required else 0)
        max_picks = data.get("max_picks")
        choices = dicts(data.get("choices"))
        count = len(choices)
        if isinstance(min_picks, int) and min_picks > 1:
            for i, choice in enumerate(choices):
                if choice.get("exclusive") is True:
                    yield (
                        (*parts, "choices", i, "exclusive"),
                        f"{where((*parts, 'choices', i))} is exclusive, so it is picked alone, "
                        f"but the question asks for at least {min_picks} picks: it could never "
                        f"be chosen.",
                        "picks",
                    )
        if isinstance(min_picks, int) and isinstance(max_picks, int) and min_picks > max_picks:
            yield (
                (*parts, "min_picks"),
                f"{where(parts)} asks for at least {min_picks} picks but allows at most "
                f"{max_picks}.",
                "picks",
            )
        if isinstance(min_picks, int) and count and min_picks > count:
            yield (
                (*parts, "min_picks"),
                f"{where(parts)} asks for at least {min_picks} picks but has only {count} choices.",
                "picks",
            )

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        values = _choice_points(data, trait)
        if not any(values):
            return None
        required = data.get("required", True) is not False
        low_picks = data.get("min_picks", 1 if required else 0)
        high_picks = data.get("max_picks", len(values))
        low_picks = low_picks if isinstance(low_picks, int) else 0
        high_picks = min(high_picks if isinstance(high_picks, int) else len(values), len(values))
        ordered = sorted(values)
        low = sum(ordered[:low_picks]) + sum(v for v in ordered[low_picks:high_picks] if v < 0)
        desc = ordered[::-1]
        high = sum(desc[:low_picks]) + sum(v for v in desc[low_picks:high_picks] if v > 0)
        return _subset_sums(values, low_picks, high_picks), (low, high)


def _choice_points(data: Mapping[str, Any], trait: str) -> list[float]:
    """The points each choice of a raw question gives `trait` (0 when it gives none)."""
    return [
        num(c["points"].get(trait)) or 0.0 if isinstance(c.get("points"), dict) else 0.0
        for c in dicts(data.get("choices"))
    ]


def _subset_sums(values: list[float], low_picks: int, high_picks: int) -> set[float] | None:
    """Sums of picking between low and high choices; None when there are too many to list."""
    # states: picks -> reachable sums
    states: dict[int, set[float]] = {0: {0.0}}
    for value in values:
        grown: dict[int, set[float]] = {k: set(v) for k, v in states.items()}
        for count, sums in states.items():
            if count + 1 > high_picks:
                continue
            target = grown.setdefault(count + 1, set())
            target.update(round(s + value, 9) for s in sums)
            if len(target) > MAX_SCORE_SET:
                return None
        states = grown
    found: set[float] = set()
    for count, sums in states.items():
        if low_picks <= count <= high_picks:
            found |= sums
    return found or {0.0}
