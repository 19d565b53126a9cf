"""Cleaning what an HTML form sends into stored answer values, with typed errors."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .model import Question

# Long enough for any sensible number, short enough that parsing stays cheap.
_MAX_NUMBER_CHARS = 64
_INT_RE = re.compile(r"[+-]?\d+")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


class AnswerError(ValueError):
    """An answer that cannot be stored; `.code` and `.params` let a view word it its own way."""

    code = "invalid"
    template = "This answer cannot be accepted."

    def __init__(self, question_key: str, **params: Any) -> None:
        self.question_key = question_key
        self.params: dict[str, Any] = params
        self.message = self.template.format(**params)
        super().__init__(self.message)


class AnswerRequired(AnswerError):
    code = "required"
    template = "Please answer this question."


class UnknownChoice(AnswerError):
    code = "unknown_choice"
    template = "Please choose one of the options shown."


class TooFewPicks(AnswerError):
    code = "too_few_picks"
    template = "Please choose at least {min_picks}."


class TooManyPicks(AnswerError):
    code = "too_many_picks"
    template = "Please choose at most {max_picks}."


class NotANumber(AnswerError):
    code = "not_a_number"
    template = "Please enter a number."


class NotAWholeNumber(NotANumber):
    code = "not_a_whole_number"
    template = "Please enter a whole number."


class OutOfRange(AnswerError):
    code = "out_of_range"
    template = "Please enter a value between {min} and {max}."


class TooLong(AnswerError):
    code = "too_long"
    template = "Please keep this under {max_length} characters."


class NotAnswerable(AnswerError):
    code = "not_answerable"
    template = "This is information only; there is nothing to answer."


class UnknownQuestion(AnswerError):
    code = "unknown_question"
    template = "This question is not part of the assessment."


def clean(question: Question, raw: Any) -> Any:
    """Normalise a raw form value for a question, or raise an AnswerError."""
    kind = question.kind
    if kind == "info":
        raise NotAnswerable(question.key)
    if kind == "multiple":
        return _clean_multiple(question, raw)
    text = _single_text(question, raw)
    if kind in ("single", "image"):
        return _clean_choice(question, text.strip())
    if kind == "text":
        return _clean_text(question, text)
    return _clean_number(question, text.strip())


def _single_text(question: Question, raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        raise _wrong_shape(question)
    if isinstance(raw, (int, float)):
        return repr(raw)
    if isinstance(raw, (list, tuple)):
        values = [v for v in raw if not (isinstance(v, str) and not v.strip())]
        if not values:
            return ""
        if len(values) == 1 and isinstance(values[0], str):
            return values[0]
    raise _wrong_shape(question)


def _wrong_shape(question: Question) -> AnswerError:
    if question.has_choices:
        return UnknownChoice(question.key, choice="")
    if question.kind == "text":
        return TooLong(question.key, max_length=question.max_length)
    return NotANumber(question.key)


def _unanswered(question: Question) -> None:
    if question.required:
        raise AnswerRequired(question.key)
    return None


def _clean_choice(question: Question, key: str) -> str | None:
    if not key:
        return _unanswered(question)
    if key not in question.choice_index:
        raise UnknownChoice(question.key, choice=key[:100])
    return key


def _clean_multiple(question: Question, raw: Any) -> list[str] | None:
    if raw is None:
        items: list[Any] = []
    elif isinstance(raw, str):
        items = [raw]
    elif isinstance(raw, (list, tuple)):
        items = list(raw)
    else:
        raise UnknownChoice(question.key, choice="")
    picked: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise UnknownChoice(question.key, choice="")
        key = item.strip()
        if not key:
            continue
        if key not in question.choice_index:
            raise UnknownChoice(question.key, choice=key[:100])
        picked.add(key)
    if not picked:
        return _unanswered(question)
    if len(picked) < question.min_picks:
        raise TooFewPicks(question.key, min_picks=question.min_picks, picked=len(picked))
    if question.max_picks is not None and len(picked) > question.max_picks:
        raise TooManyPicks(question.key, max_picks=question.max_picks, picked=len(picked))
    return [choice.key for choice in question.choices if choice.key in picked]


def _clean_text(question: Question, text: str) -> str | None:
    value = text.replace("\x00", "").strip()
    if not value:
        return _unanswered(question)
    if len(value) > question.max_length:
        raise TooLong(question.key, max_length=question.max_length, length=len(value))
    return value


def _clean_number(question: Question, text: str) -> int | float | None:
    if not text:
        return _unanswered(question)
    whole = question.kind == "scale" or question.integer
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
            question.key, min=_show(question.min), max=_show(question.max), value=value
        )
    return value


def _show(bound: float | None) -> str:
    if bound is None:
        return "any"
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def stored(question: Question, value: Any) -> Any:
    """A previously stored answer if it is still valid for the question, else None (ignored)."""
    if value is None:
        return None
    kind = question.kind
    if kind in ("single", "image"):
        return value if isinstance(value, str) and value in question.choice_index else None
    if kind == "multiple":
        if not isinstance(value, (list, tuple)):
            return None
        picked = {v for v in value if isinstance(v, str)}
        keys = [c.key for c in question.choices if c.key in picked]
        return keys or None
    if kind in ("scale", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value
    if kind == "text":
        return value if isinstance(value, str) and value else None
    return None


def clean_many(
    questions: tuple[Question, ...], raw_by_question: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """Clean several questions; errors are collected, not raised."""
    values: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for question in questions:
        try:
            values[question.key] = clean(question, raw_by_question.get(question.key))
        except AnswerError as error:
            errors[question.key] = error
    return values, errors
