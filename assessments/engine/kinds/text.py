"""Questions answered in the customer's own words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..answers import AnswerError, TooLong
from ..model import Phrase, Question, Say, Widget
from .base import QuestionKind, shown, unanswered

# Up to this many characters an answer fits on one line; longer ones get a text area.
ONE_LINE = 200


class TextKind(QuestionKind):
    """Free text up to `text.max_length` characters (500 unless said)."""

    name = "text"
    free_text = True
    members = ("text",)

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        return {"max_length": data.get("text", {}).get("max_length", 500)}

    def clean_text(self, question: Question, text: str) -> str | None:
        value = text.replace("\x00", "").strip()
        if not value:
            return unanswered(question)
        if len(value) > question.max_length:
            raise TooLong(question.key, max_length=question.max_length, length=len(value))
        return value

    def wrong_shape(self, question: Question) -> AnswerError:
        return TooLong(question.key, max_length=question.max_length)

    def stored(self, question: Question, value: Any) -> Any:
        return value if isinstance(value, str) and value else None

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]:
        return (Phrase(value, "text"),) if isinstance(value, str) else ()

    def comparison_problem(
        self, data: Mapping[str, Any], value: Any, owner: str
    ) -> tuple[str, str] | None:
        if isinstance(value, str):
            return None
        return (
            f"{owner} compares question '{data.get('key')}' (a text question) with {value}, "
            f"which is not text.",
            "operator_kind",
        )

    def widget(self, question: Question, value: Any) -> Widget:
        return Widget(
            self.template_for(question),
            "textarea" if question.max_length > ONE_LINE else "text",
            value=shown(value),
            max_length=question.max_length,
        )
