"""Structural validation with the JSON Schema, reworded for authors.

Compiling and publishing ask the same question here. jsonschema-rs checks a 200-question
definition in about a millisecond, so there is no separate fast path to keep in step with the
schema. Its errors carry the place in the definition, the failing keyword and where that keyword
sits in the schema file, which is all the rewording below needs (the schema's own `x-error`
sentences included).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from . import kinds
from .problems import Problem, json_path

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "assessment.schema.json"

# Objects and lists nested deeper than this are refused before anything else looks at them. The
# demo definitions nest 8 levels; a condition adds one level per `not`, two per `all`/`any`.
MAX_DEPTH = 100

_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a text string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}

# Entities named in messages: list member -> (noun, member holding its key).
_ENTITIES = {
    "steps": ("step", "key"),
    "questions": ("question", "key"),
    "choices": ("choice", "key"),
    "traits": ("trait", "key"),
    "bands": ("band", "key"),
    "outcomes": ("outcome", "key"),
    "products": ("product", "sku"),
    "variants": ("variant", "sku"),
    "hidden_fields": ("hidden field", "key"),
    "scoring": ("scoring entry", None),
    "next": ("next rule", None),
    "filters": ("filter", None),
    "trait_fit": ("trait fit", None),
    "preferences": ("preference", None),
    "scenarios": ("scenario", "name"),
}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The assessment definition JSON Schema (format 2), naming every registered question kind."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return kinds.definition_schema(json.load(fh))


@lru_cache(maxsize=1)
def _validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(schema())


@lru_cache(maxsize=1)
def _depth_limit() -> jsonschema_rs.Validator:
    """Accepts any value with at most MAX_DEPTH objects and lists nested in one another.

    jsonschema-rs recurses on the native stack wherever the schema recurses (conditions), so a
    condition nested 50,000 deep would crash the process instead of raising. This schema stops
    descending after MAX_DEPTH levels whatever the data holds, so it is safe to ask first; the
    semantic checks and the compiler walk conditions recursively too and rely on the same limit.
    """
    scalar = {"type": ["string", "number", "boolean", "null"]}
    levels: dict[str, Any] = {"d0": scalar}
    for depth in range(1, MAX_DEPTH + 1):
        below = {"$ref": f"#/$defs/d{depth - 1}"}
        levels[f"d{depth}"] = {"items": below, "additionalProperties": below}
    return jsonschema_rs.Draft202012Validator({"$defs": levels, "$ref": f"#/$defs/d{MAX_DEPTH}"})


def describe(data: Any, parts: tuple[str | int, ...]) -> str:
    """Name the thing at `parts` for an author: "Question 'mileage' in step 'training'"."""
    names: list[str] = []
    rest: list[str] = []
    node = data
    i = 0
    while i < len(parts):
        part = parts[i]
        if i + 1 < len(parts) and _is_entity(part, parts[i + 1]):
            noun, key_member = _ENTITIES[part]
            index = parts[i + 1]
            item = _get(_get(node, part), index)
            key = item.get(key_member) if isinstance(item, dict) and key_member else None
            name = f"'{_clip(key)}'" if isinstance(key, str) else str(index + 1)
            names.append(f"{noun} {name}")
            node = item
            rest = []
            i += 2
            continue
        if part == "recommendation" and i == 0:
            names.append("the recommendation")
            node = _get(node, part)
            i += 1
            continue
        rest.append(_clip(str(part)) if not isinstance(part, int) else f"[{part}]")
        node = _get(node, part)
        i += 1
    if names:
        where = " in ".join(reversed(names))
        where = where[0].upper() + where[1:]
    else:
        where = "The assessment"
    member = ".".join(rest).replace(".[", "[")
    return f"{where}: '{member}'" if member else where


def _is_entity(part: str | int, following: str | int) -> bool:
    """`("steps", 2)`: an item of a list whose items are named in messages."""
    return isinstance(part, str) and part in _ENTITIES and isinstance(following, int)


def _get(node: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and 0 <= part < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


def _at(data: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        data = _get(data, part)
    return data


def _clip(text: str, limit: int = 64) -> str:
    """A name as short as a message needs: a megabyte-long key is shown by its start."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text string"
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # NaN, Infinity or -Infinity
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def _expected(types: Any) -> str:
    if isinstance(types, str):
        types = [types]
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


@dataclass(frozen=True, slots=True)
class _Failure:
    """One schema keyword that failed, in the terms the rewording needs."""

    parts: tuple[str | int, ...]  # where in the definition
    keyword: str  # the schema keyword that failed
    owner: dict[str, Any]  # the part of the schema holding the keyword (and any `x-error`)
    instance: Any  # the value that failed: for a member name, the name
    member_name: bool  # failed under `propertyNames`: the name is wrong, not the value
    text: str  # the validator's own wording, for keywords not reworded below

    @classmethod
    def of(cls, data: Any, error: jsonschema_rs.ValidationError) -> _Failure:
        parts = tuple(error.instance_path)
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.PropertyNames):
            # The inner error is about the name itself, checked against the names' schema.
            inner = error.kind.error
            return cls(parts, inner.kind.name, _owner(inner), inner.instance, True, inner.message)
        # Read the value from the definition itself: the validator's copy turns NaN into null.
        return cls(parts, error.kind.name, _owner(error), _at(data, parts), False, error.message)


def _owner(error: jsonschema_rs.ValidationError) -> dict[str, Any]:
    """The subschema whose keyword failed; `schema_path` is its place in the schema file."""
    node: Any = schema()
    for part in error.schema_path[:-1]:
        node = node[part] if isinstance(node, (dict, list)) else None
    return node if isinstance(node, dict) else {}


def structural_problems(data: Any) -> list[Problem]:
    """Every structural problem the JSON Schema finds, in document order."""
    try:
        if not _depth_limit().is_valid(data):
            return [_too_deep(data)]
        errors = list(_validator().iter_errors(data))
    except ValueError:  # the validator reads JSON values only
        return [_not_json(data)]
    failures = [_Failure.of(data, error) for error in errors]
    failures.sort(key=lambda f: ([(isinstance(p, str), p) for p in f.parts], f.keyword))
    problems: list[Problem] = _nul_problems(data)
    seen: set[tuple[str, str]] = set()
    for failure in failures:
        for problem in _problems_for(data, failure):
            # One problem per place: an unknown member trips two rules of the schema.
            marker = problem.path if problem.code in _MEMBER_CODES else problem.message
            if (problem.path, marker) not in seen:
                seen.add((problem.path, marker))
                problems.append(problem)
    return problems


_MEMBER_CODES = ("schema.additionalProperties", "schema.propertyNames")


# At most this many texts holding a NUL are listed: the first ones show what to fix.
MAX_NUL_PROBLEMS = 20


def _nul_problems(data: Any) -> list[Problem]:
    """Each text or member name holding a NUL character (U+0000), in document order.

    JSON can write one ("\\u0000") and Python reads it, but PostgreSQL cannot store it in a
    JSON column, and no author means one: refused on every database alike.
    """
    found: list[Problem] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack and len(found) < MAX_NUL_PROBLEMS:
        parts, node = stack.pop()
        if isinstance(node, dict):
            for key in node:
                if isinstance(key, str) and "\x00" in key:
                    found.append(
                        Problem(
                            json_path(parts),
                            f"{describe(data, parts)} has a member name holding a NUL "
                            f"character (\\u0000): {_clip(ascii(key))}.",
                            "nul",
                        )
                    )
            children = [((*parts, k), v) for k, v in node.items() if isinstance(k, str)]
        elif isinstance(node, (list, tuple)):
            children = [((*parts, i), v) for i, v in enumerate(node)]
        else:
            if isinstance(node, str) and "\x00" in node:
                found.append(
                    Problem(
                        json_path(parts),
                        f"{describe(data, parts)} holds a NUL character (\\u0000); remove it.",
                        "nul",
                    )
                )
            continue
        stack.extend(reversed(children))
    return found


def _too_deep(data: Any) -> Problem:
    parts = _deep_path(data)
    # Name the member the nesting starts in, not the hundred steps down into it: skip the
    # step/question/choice (...) that hold it, then keep one more member.
    end = 0
    while end + 1 < min(len(parts), 6) and _is_entity(parts[end], parts[end + 1]):
        end += 2
    head = parts[: end + 1]
    return Problem(
        json_path(head),
        f"{describe(data, head)} is nested more than {MAX_DEPTH} levels deep.",
        "depth",
    )


def _deep_path(data: Any) -> tuple[str | int, ...]:
    """The place of an object or list nested more than MAX_DEPTH deep."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        parts, node = stack.pop()
        if len(parts) >= MAX_DEPTH:
            return parts
        children = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend(((*parts, k), v) for k, v in children if isinstance(v, (dict, list, tuple)))
    return ()


def _not_json(data: Any) -> Problem:
    """What the validator refused to read: a value or member name that JSON cannot hold."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), data)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if type(key) is not str or not _is_unicode(key):
                    return Problem(
                        json_path(parts),
                        f"{describe(data, parts)} has a member name that is not valid text: "
                        f"{_clip(ascii(key))}.",
                        "json",
                    )
                stack.append(((*parts, key), value))
        elif isinstance(node, (list, tuple)):
            stack.extend(((*parts, i), v) for i, v in enumerate(node))
        elif type(node) not in (str, int, float, bool, type(None)):
            return Problem(
                json_path(parts),
                f"{describe(data, parts)} is not a JSON value ({type(node).__name__}).",
                "json",
            )
    return Problem("$", "The definition holds something that is not JSON.", "json")


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800", which json.loads lets in
        return False
    return True


def _problems_for(data: Any, failure: _Failure) -> list[Problem]:
    parts = failure.parts
    where = describe(data, parts)
    validator = failure.keyword
    value = failure.owner.get(validator)
    instance = failure.instance
    custom = failure.owner.get("x-error")
    code = f"schema.{validator}"

    if failure.member_name and isinstance(instance, str):
        # A member whose name is not allowed here (e.g. `choices` on a scale question).
        reason = custom or "that name is not allowed here"
        return [
            Problem(
                json_path((*parts, instance)),
                f"{where} has the member '{_clip(instance)}', but {reason}.",
                "schema.propertyNames",
            )
        ]
    if validator == "required":
        missing = [m for m in value if not (isinstance(instance, dict) and m in instance)]
        return [
            Problem(json_path((*parts, m)), f"{where} is missing '{m}'.", code) for m in missing
        ]
    if validator == "additionalProperties" and isinstance(instance, dict) and not custom:
        allowed = set(failure.owner.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        return [
            Problem(json_path((*parts, k)), f"{where} has an unknown member '{_clip(k)}'.", code)
            for k in extra
        ]
    if validator == "propertyNames" or (
        custom and validator in ("maxProperties", "anyOf", "additionalProperties", "minProperties")
    ):
        message = f"{where} {custom or 'has a member with a bad name'}."
        return [Problem(json_path(parts), message, code)]
    if isinstance(instance, float) and not math.isfinite(instance):
        # Python's json reads NaN and Infinity, but JSON has no such numbers: like bytes, they
        # are a fault of the file, and any score computed from them would be nan.
        code = "json"
    if custom:
        shown = f" ({_short(instance)})" if isinstance(instance, (str, int, float)) else ""
        return [Problem(json_path(parts), f"{where}{shown} {custom}.", code)]
    if validator == "type":
        message = f"{where} must be {_expected(value)}, not {_type_of(instance)}."
    elif validator in ("enum", "const"):
        options = value if validator == "enum" else [value]
        listed = ", ".join(json.dumps(o) for o in options)
        message = f"{where} must be one of: {listed} (it is {_short(instance)})."
    elif validator == "minItems":
        message = (
            f"{where} must not be empty."
            if value == 1
            else f"{where} must have at least {value} items."
        )
    elif validator == "uniqueItems":
        message = f"{where} lists the same value twice."
    elif validator == "minProperties":
        message = f"{where} must not be empty."
    elif validator == "maxProperties":
        message = f"{where} has too many members."
    elif validator in ("minimum", "exclusiveMinimum"):
        message = f"{where} must be at least {value} (it is {_short(instance)})."
    elif validator in ("maximum", "exclusiveMaximum"):
        message = f"{where} must be at most {value} (it is {_short(instance)})."
    elif validator == "minLength":
        message = f"{where} must not be empty."
    elif validator == "maxLength":
        message = f"{where} is longer than {value} characters."
    elif validator == "pattern":
        message = f"{where} ({_short(instance)}) does not have the expected form."
    else:
        message = f"{where}: {failure.text}"
    return [Problem(json_path(parts), message, code)]


def _short(value: Any) -> str:
    text = f"'{value[:61]}'" if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


@kinds.when_changed
def _forget_the_schema() -> None:
    # A kind registered or forgotten changes what the schema accepts.
    schema.cache_clear()
    _validator.cache_clear()
