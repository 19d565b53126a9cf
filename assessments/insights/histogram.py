"""Histogram bins for scale and number answers, from the question's own bounds.

Django-free: facts count answers into these bins, and the page labels them, from one place.
A short whole-number scale (up to `EACH_VALUE_UP_TO` values) has a bin per value; a longer
range is cut into at most `BINS` equal bins. Without both bounds each value is its own bin.
"""

from __future__ import annotations

import math

from assessments.engine import Question
from assessments.engine.text import number

BINS = 10
EACH_VALUE_UP_TO = 12


def _whole(question: Question) -> bool:
    return question.kind == "scale" or question.integer


def _layout(question: Question) -> tuple[float, float, int] | None:
    """(lowest value, bin width, number of bins), or None when each value is its own bin."""
    low, high = question.min, question.max
    if low is None or high is None or high <= low:
        return None
    if _whole(question):
        values = int(math.floor(high) - math.ceil(low)) + 1
        if values <= EACH_VALUE_UP_TO:
            return None
        width = float(math.ceil(values / BINS))
        return float(math.ceil(low)), width, math.ceil(values / width)
    return float(low), (high - low) / BINS, BINS


def bin_key(question: Question, value: float) -> str:
    """The key of the bin a stored answer falls in: the bin's lowest value, as text."""
    layout = _layout(question)
    if layout is None:
        return number(float(value))
    low, width, count = layout
    index = min(count - 1, max(0, int((value - low) // width)))
    return number(low + index * width)


def bins(question: Question) -> list[tuple[str, str]]:
    """Every bin of the question, in order, as (key, label); [] when each value is its own
    bin and the bounds do not say which values there are."""
    layout = _layout(question)
    low, high = question.min, question.max
    if layout is None:
        if low is None or high is None or not _whole(question):
            return []
        values = range(math.ceil(low), math.floor(high) + 1)
        return [(str(v), str(v)) for v in values]
    start, width, count = layout
    found = []
    for index in range(count):
        lower = start + index * width
        upper = lower + width - 1 if _whole(question) else lower + width
        if high is not None:
            upper = min(upper, high)
        found.append((number(lower), f"{number(lower)}\u2013{number(upper)}"))
    return found
