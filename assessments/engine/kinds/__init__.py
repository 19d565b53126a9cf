"""Question kinds: one class per kind, in one registry.

A kind says how its questions are defined (members, compiling, validation), answered (cleaning,
stored values), scored, worded (recalls and reasons) and shown (a widget and its template).
The built-in kinds are registered here; another is added with `register(MyKind())`.
"""

from __future__ import annotations

from .base import COMMON_MEMBERS, QuestionKind
from .choices import ImageKind, MultipleKind, SingleKind
from .footprint import FootprintKind
from .info import InfoKind
from .number import NumberKind
from .registry import KINDS, definition_schema, register, unregister, when_changed
from .scale import ScaleKind
from .text import TextKind

BUILT_IN: tuple[QuestionKind, ...] = (
    SingleKind(),
    MultipleKind(),
    ImageKind(),
    ScaleKind(),
    NumberKind(),
    TextKind(),
    InfoKind(),
    FootprintKind(),
)
for _kind in BUILT_IN:
    register(_kind)

__all__ = [
    "BUILT_IN",
    "COMMON_MEMBERS",
    "KINDS",
    "FootprintKind",
    "ImageKind",
    "InfoKind",
    "MultipleKind",
    "NumberKind",
    "QuestionKind",
    "ScaleKind",
    "SingleKind",
    "TextKind",
    "definition_schema",
    "register",
    "unregister",
    "when_changed",
]
