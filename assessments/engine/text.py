"""Author texts in the customer's language: the one place language fallback is decided."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def localized(value: Any, language: str, fallbacks: Iterable[str] = ()) -> str:
    """The text of a {language: text} mapping in `language`, else its base language ("es" for
    "es-MX"), else the first of `fallbacks` it has (the assessment's default language), else any.

    A plain string is its own text; anything else is "". Validation guarantees every listed
    language at publish, so the last resort only guards hand-made data.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping) or not value:
        return ""
    found = value.get(language)
    if not found and "-" in language:
        found = value.get(language.split("-")[0])
    for other in fallbacks:
        if found:
            break
        found = value.get(other)
    if not found:
        found = next((text for text in value.values() if text), "")
    return found if isinstance(found, str) else ""


def number(value: float) -> str:
    """A number as a customer reads it: 7.0 -> "7", 2.5 -> "2.5", 1/3 -> "0.33"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)
