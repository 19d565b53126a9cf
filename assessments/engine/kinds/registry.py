"""The question kinds a definition may use, by name."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..problems import with_article
from .base import COMMON_MEMBERS, QuestionKind

_kinds: dict[str, QuestionKind] = {}
_listeners: list[Callable[[], None]] = []

KINDS: Mapping[str, QuestionKind] = MappingProxyType(_kinds)
"""Every registered kind by name, in the order registered (read-only; see `register`)."""


def register(kind: QuestionKind) -> QuestionKind:
    """Let definitions use `kind` under its name, from now on; returns it."""
    if not kind.name:
        raise ValueError(f"{kind!r} has no name")
    if kind.name in _kinds:
        raise ValueError(f"a question kind named {kind.name!r} is already registered")
    _kinds[kind.name] = kind
    _changed()
    return kind


def unregister(name: str) -> None:
    """Forget the kind `name`; definitions using it no longer validate."""
    del _kinds[name]
    _changed()


def when_changed(listener: Callable[[], None]) -> Callable[[], None]:
    """Call `listener` whenever a kind is registered or forgotten; returns it (a decorator).

    What is built from the registry and kept (the JSON Schema and its validator) forgets itself
    this way.
    """
    _listeners.append(listener)
    return listener


def _changed() -> None:
    for listener in _listeners:
        listener()


def definition_schema(base: Mapping[str, Any]) -> dict[str, Any]:
    """The definition JSON Schema `base` accepting exactly the registered kinds and members.

    With the built-in kinds it is `base` itself (assessment.schema.json is kept that way); a
    kind registered besides adds its name, the schemas of its own members, and which members a
    question of that kind may and must have.
    """
    schema = copy.deepcopy(dict(base))
    question = schema["$defs"]["question"]
    properties = question["properties"]
    for kind in _kinds.values():
        for member, member_schema in kind.member_schemas.items():
            if properties.setdefault(member, member_schema) != member_schema:
                raise ValueError(
                    f"the {kind.name} kind redefines the question member {member!r}; a kind may "
                    f"use a member of another kind, but not change what it holds"
                )
    properties["kind"] = {"enum": list(_kinds)}
    question["allOf"] = [_members_rule(kind) for kind in _kinds.values()]
    return schema


def _members_rule(kind: QuestionKind) -> dict[str, Any]:
    allowed = [*COMMON_MEMBERS, *kind.members]
    return {
        "if": {"properties": {"kind": {"const": kind.name}}, "required": ["kind"]},
        "then": {
            "required": list(kind.required_members),
            "propertyNames": {
                "enum": allowed,
                "x-error": f"only these members are allowed on {with_article(kind.name)} question: "
                + ", ".join(allowed),
            },
        },
    }
