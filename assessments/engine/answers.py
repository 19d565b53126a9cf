"""Answers: the typed errors of a value that cannot be stored, and cleaning by the question's kind.

Each kind (`kinds/`) cleans its own values; these functions are the one door to it.
"""

from __future__ import annotations

from typing import Any

from .model import Question


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


class ExclusiveCombined(AnswerError):
    """An exclusive choice ("none of these") picked together with other choices.

    `params["label"]` is the exclusive choice's localised label, for a page to word the error.
    """

    code = "exclusive_combined"
    template = "Choice '{choice}' cannot be combined with other choices."


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
    return question.behaviour.clean(question, raw)


def stored(question: Question, value: Any) -> Any:
    """A previously stored answer if it is still valid for the question, else None (ignored)."""
    if value is None:
        return None
    return question.behaviour.stored(question, value)
