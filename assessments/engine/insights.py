"""What a customer's picked choices mean for them: each choice's insight, in their language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .model import Question
from .text import localized


@dataclass(frozen=True, slots=True)
class Insight:
    """One picked choice's insight ("what your answer means"), with the question it answers."""

    question: str  # the question's key
    choice: str  # the picked choice's key
    prompt: str
    answer: str  # the choice's label
    insight: str


def choice_insights(
    questions: Iterable[Question], counted: Mapping[str, Any], language: str
) -> list[Insight]:
    """The insights of the choices picked in `counted`, in the order of `questions`."""
    found = []
    for question in questions:
        value = counted.get(question.key)
        if value is None or not question.has_choices:
            continue
        for key in value if isinstance(value, list) else [value]:
            choice = question.choice(key) if isinstance(key, str) else None
            if choice is not None and choice.insight:
                found.append(
                    Insight(
                        question=question.key,
                        choice=choice.key,
                        prompt=localized(question.prompt, language),
                        answer=localized(choice.label, language),
                        insight=localized(choice.insight, language),
                    )
                )
    return found
