"""Information checkpoints: a prompt to read or do something ("take your shoes off"), no answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..answers import NotAnswerable
from ..model import Question
from .base import QuestionKind


class InfoKind(QuestionKind):
    """Nothing to answer: never required, never counted, named by no condition."""

    name = "info"
    answerable = False
    operators = frozenset()

    def clean(self, question: Question, raw: Any) -> Any:
        raise NotAnswerable(question.key)

    def never_holds(self, data: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
        return True
