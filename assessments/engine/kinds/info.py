"""Information checkpoints: a prompt to read or do something ("take your shoes off"), no answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import QuestionKind


class InfoKind(QuestionKind):
    """Nothing to answer: never required, never counted, named by no condition."""

    name = "info"
    answerable = False
    operators = frozenset()

    def never_holds(self, data: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
        return True
