"""Answers in the customer's own words: for `{answer:question_key}` in later texts, and reasons."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .model import Lookups, Phrase
from .text import localized

PLACEHOLDER = re.compile(r"\{answer:([a-z0-9][a-z0-9_-]{0,63})\}")
_AND = {"en": " and ", "es": " y "}


def answer_phrases(
    lookups: Lookups, question_key: str, value: Any, language: str
) -> tuple[Phrase, ...]:
    """A counted answer in words, one phrase per pick, as its question's kind words it."""
    question = lookups.question(question_key)
    if question is None or value is None:
        return ()
    fallbacks = (lookups.default_language,)
    return question.behaviour.phrases(
        question, value, lambda text: localized(text, language, fallbacks)
    )


def answer_phrase(lookups: Lookups, question_key: str, value: Any, language: str) -> str:
    """The customer's answer in their words: each choice's recall phrase or label; a number."""
    parts = [p.recall or p.plain for p in answer_phrases(lookups, question_key, value, language)]
    joiner = localized(_AND, language, ("en",))
    return ", ".join(parts[:-1]) + joiner + parts[-1] if len(parts) > 1 else "".join(parts)


def fill_answers(text: str, lookups: Lookups, counted: Mapping[str, Any], language: str) -> str:
    """`text` with each `{answer:key}` replaced by that counted answer's phrase, or nothing."""
    if "{answer:" not in text:
        return text
    return PLACEHOLDER.sub(
        lambda m: answer_phrase(lookups, m.group(1), counted.get(m.group(1)), language), text
    )
