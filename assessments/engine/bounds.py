"""The ranges a definition's numbers keep, read from assessment.schema.json by name.

The schema file is the one statement of them (FORMAT.md explains each); the admin's forms ask
here, so an author gets the same refusal whether a number arrives in an imported file or in a
form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .structure import SCHEMA_PATH

# Where each named range sits in the schema file (a path of members from its root).
_PLACES: dict[str, tuple[str, ...]] = {
    "estimated_minutes": ("properties", "estimated_minutes"),
    "points": ("$defs", "point"),
    "weight": ("$defs", "weight"),
    "figure": ("$defs", "figure"),
    "priority": ("$defs", "outcome", "properties", "priority"),
    "count": ("$defs", "recommendation", "properties", "count"),
    "alternatives": ("$defs", "recommendation", "properties", "alternatives"),
    "min_picks": ("$defs", "question", "properties", "min_picks"),
    "max_picks": ("$defs", "question", "properties", "max_picks"),
    "scale_end": ("$defs", "question", "properties", "scale", "properties", "min"),
    "text_max_length": ("$defs", "question", "properties", "text", "properties", "max_length"),
}


@dataclass(frozen=True, slots=True)
class Range:
    """An inclusive range of numbers: `low <= x <= high`."""

    low: int | float
    high: int | float

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= value <= self.high


@lru_cache(maxsize=1)
def _schema_file() -> dict[str, Any]:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


def bounds(name: str) -> Range:
    """The range the schema gives the number called `name` (a key of `_PLACES`)."""
    node: Any = _schema_file()
    for member in _PLACES[name]:
        node = node[member]
    return Range(node["minimum"], node["maximum"])


NAMES = tuple(_PLACES)
