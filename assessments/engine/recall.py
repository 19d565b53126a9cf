"""Later prompts that recall earlier answers: `{answer:question_key}` in a text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .reasons import number

if TYPE_CHECKING:
    from .assessment import Assessment

PLACEHOLDER = re.compile(r"\{answer:([a-z0-9][a-z0-9_-]{0,63})\}")
_AND = {"en": " and ", "es": " y "}


def answer_phrase(assessment: Assessment, question_key: str, value: Any, language: str) -> str:
    """The customer's answer in their words: each choice's recall phrase or label; a number."""
    question = assessment.question(question_key)
    if question is None or value is None:
        return ""
    if question.has_choices:
        keys = value if isinstance(value, (list, tuple)) else [value]
        parts = []
        for key in keys:
            choice = question.choice(key) if isinstance(key, str) else None
            if choice is not None:
                parts.append(
                    assessment.text(choice.recall, language)
                    or assessment.text(choice.label, language)
                )
        joiner = _AND.get(language.split("-")[0], _AND["en"])
        return ", ".join(parts[:-1]) + joiner + parts[-1] if len(parts) > 1 else "".join(parts)
    if isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        rule = question.scoring_rule(value) if question.scoring else None
        recall = assessment.text(rule.recall, language) if rule else ""
        unit = assessment.text(question.unit, language)
        return recall or f"{number(value)} {unit}".strip()
    return str(value) if isinstance(value, str) else ""


def fill_answers(
    text: str, assessment: Assessment, counted: Mapping[str, Any], language: str
) -> str:
    """`text` with each `{answer:key}` replaced by that counted answer's phrase, or nothing."""
    if "{answer:" not in text:
        return text
    return PLACEHOLDER.sub(
        lambda m: answer_phrase(assessment, m.group(1), counted.get(m.group(1)), language), text
    )
