"""Template helpers for customer pages: localised author texts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


def localized_text(value: Any, language: str) -> str:
    """The text of a {language: text} mapping in `language`, its base language, or any."""
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or not value:
        return ""
    found = value.get(language)
    if not found and "-" in language:
        found = value.get(language.split("-")[0])
    if not found:
        # Validation guarantees every listed language; this only guards hand-made data.
        found = next((text for text in value.values() if text), "")
    return found if isinstance(found, str) else ""


@register.filter
def localized(value: Any, language: str) -> str:
    """`{{ step.title|localized:language }}`."""
    return localized_text(value, language)
