"""Structural validation with the JSON Schema, reworded for authors."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from . import kinds
from .problems import Problem, json_path

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "assessment.schema.json"

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
    "hidden_fields": ("hidden field", "key"),
    "scoring": ("scoring entry", None),
    "next": ("next rule", None),
    "filters": ("filter", None),
    "trait_fit": ("trait fit", None),
    "preferences": ("preference", None),
}


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The assessment definition JSON Schema (format 1), naming every registered question kind."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return kinds.definition_schema(json.load(fh))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(schema())


def describe(data: Any, parts: tuple[str | int, ...]) -> str:
    """Name the thing at `parts` for an author: "Question 'mileage' in step 'training'"."""
    names: list[str] = []
    rest: list[str] = []
    node = data
    i = 0
    while i < len(parts):
        part = parts[i]
        if (
            isinstance(part, str)
            and part in _ENTITIES
            and i + 1 < len(parts)
            and isinstance(parts[i + 1], int)
        ):
            noun, key_member = _ENTITIES[part]
            index = parts[i + 1]
            item = _get(_get(node, part), index)
            key = item.get(key_member) if isinstance(item, dict) and key_member else None
            names.append(f"{noun} '{key}'" if isinstance(key, str) else f"{noun} {index + 1}")
            node = item
            rest = []
            i += 2
            continue
        if part == "recommendation" and i == 0:
            names.append("the recommendation")
            node = _get(node, part)
            i += 1
            continue
        rest.append(str(part) if not isinstance(part, int) else f"[{part}]")
        node = _get(node, part)
        i += 1
    if names:
        where = " in ".join(reversed(names))
        where = where[0].upper() + where[1:]
    else:
        where = "The assessment"
    member = ".".join(rest).replace(".[", "[")
    return f"{where}: '{member}'" if member else where


def _get(node: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and 0 <= part < len(node) else None
    return node.get(part) if isinstance(node, dict) else None


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text string"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"


def _expected(types: Any) -> str:
    if isinstance(types, str):
        types = [types]
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def structural_problems(data: Any) -> list[Problem]:
    """Every structural problem the JSON Schema finds, in document order."""
    problems: list[Problem] = []
    errors = sorted(
        _validator().iter_errors(data),
        key=lambda e: ([str(p) for p in e.absolute_path], str(e.validator)),
    )
    seen: set[tuple[str, str]] = set()
    for error in errors:
        for problem in _problems_for(data, error):
            # One problem per place: an unknown member trips two rules of the schema.
            marker = problem.path if problem.code in _MEMBER_CODES else problem.message
            if (problem.path, marker) not in seen:
                seen.add((problem.path, marker))
                problems.append(problem)
    return problems


_MEMBER_CODES = ("schema.additionalProperties", "schema.propertyNames")


def _problems_for(data: Any, error: ValidationError) -> list[Problem]:
    parts = tuple(error.absolute_path)
    where = describe(data, parts)
    validator = str(error.validator)
    value = error.validator_value
    instance = error.instance
    custom = error.schema.get("x-error") if isinstance(error.schema, dict) else None
    code = f"schema.{validator}"

    if "propertyNames" in error.relative_schema_path and isinstance(instance, str):
        # A member whose name is not allowed here (e.g. `choices` on a scale question).
        reason = custom or "that name is not allowed here"
        return [
            Problem(
                json_path((*parts, instance)),
                f"{where} has the member '{instance}', but {reason}.",
                "schema.propertyNames",
            )
        ]
    if validator == "required":
        missing = [m for m in value if not (isinstance(instance, dict) and m in instance)]
        return [
            Problem(json_path((*parts, m)), f"{where} is missing '{m}'.", code) for m in missing
        ]
    if validator == "additionalProperties" and isinstance(instance, dict) and not custom:
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in instance if k not in allowed)
        return [
            Problem(json_path((*parts, k)), f"{where} has an unknown member '{k}'.", code)
            for k in extra
        ]
    if validator == "propertyNames" or (
        custom and validator in ("maxProperties", "anyOf", "additionalProperties", "minProperties")
    ):
        message = f"{where} {custom or 'has a member with a bad name'}."
        return [Problem(json_path(parts), message, code)]
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
        message = f"{where}: {error.message}"
    return [Problem(json_path(parts), message, code)]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


@kinds.when_changed
def _forget_the_schema() -> None:
    # A kind registered or forgotten changes what the schema accepts.
    schema.cache_clear()
    _validator.cache_clear()
