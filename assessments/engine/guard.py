"""A fast structural check that accepts exactly what `assessment.schema.json` accepts.

The JSON Schema stays the authority and writes the messages (see `structure.py`), but a general
schema validator takes hundreds of milliseconds on a large definition. Compiling a published
version must be fast, so `compile_definition` asks this hand-written mirror first and only runs
the schema when it says no. Tests check that both agree on many broken definitions.
"""

from __future__ import annotations

import re
from typing import Any

_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_PRICE = re.compile(r"^[0-9]+(\.[0-9]{1,4})?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")

_TOP = {
    "format",
    "key",
    "languages",
    "title",
    "intro",
    "learn",
    "estimated_minutes",
    "hidden_fields",
    "traits",
    "steps",
    "outcomes",
    "recommendation",
    "products",
}
_QUESTION_COMMON = ("key", "kind", "prompt", "help", "required", "condition")
_KIND_MEMBERS = {
    "single": ("choices",),
    "multiple": ("choices", "min_picks", "max_picks"),
    "image": ("choices",),
    "scale": ("scale", "scoring"),
    "number": ("number", "scoring"),
    "text": ("text",),
    "info": (),
}
_KIND_REQUIRED = {
    "single": ("choices",),
    "multiple": ("choices",),
    "image": ("choices",),
    "scale": ("scale",),
    "number": ("number",),
}
_HEADS = ("all", "any", "not", "answer", "answered", "trait", "field")


class _Bad(Exception):
    pass


def well_formed(data: Any) -> bool:
    """True when the JSON Schema would report no problem at all."""
    try:
        _definition(data)
    except _Bad:
        return False
    except RecursionError:
        return False
    return True


def _ok(condition: bool) -> None:
    if not condition:
        raise _Bad


def _obj(value: Any, allowed: set[str] | tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    _ok(isinstance(value, dict))
    for key in value:
        _ok(key in allowed)
    for key in required:
        _ok(key in value)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return _is_number(value) and (isinstance(value, int) or float(value).is_integer())


def _int(value: Any, minimum: int | None = None, maximum: int | None = None) -> None:
    _ok(_is_int(value))
    _ok(minimum is None or value >= minimum)
    _ok(maximum is None or value <= maximum)


def _number(value: Any) -> None:
    _ok(_is_number(value))


def _slug(value: Any) -> None:
    _ok(isinstance(value, str) and len(value) <= 64 and _SLUG.search(value) is not None)


def _nonempty_str(value: Any) -> None:
    _ok(isinstance(value, str) and len(value) >= 1)


def _text(value: Any) -> None:
    _ok(isinstance(value, dict) and len(value) >= 1)
    for lang, text in value.items():
        _ok(_LANG.search(lang) is not None and isinstance(text, str))


def _opt(obj: dict, key: str, check: Any, *args: Any) -> None:
    if key in obj:
        check(obj[key], *args)


def _list(value: Any, check: Any, min_items: int = 0) -> None:
    _ok(isinstance(value, list) and len(value) >= min_items)
    for item in value:
        check(item)


def _points(value: Any) -> None:
    _ok(isinstance(value, dict))
    for key, points in value.items():
        _slug(key)
        _number(points)


def _range(value: Any) -> None:
    obj = _obj(value, ("min", "max"))
    _opt(obj, "min", _number)
    _opt(obj, "max", _number)


def _str_or_number(value: Any) -> None:
    _ok(isinstance(value, str) or _is_number(value))


def _condition(value: Any) -> None:
    _ok(isinstance(value, dict))
    _ok(any(head in value for head in _HEADS))
    for group in ("all", "any"):
        if group in value:
            _ok(len(value) <= 1)
            _list(value[group], _condition, 1)
    if "not" in value:
        _ok(len(value) <= 1)
        _condition(value["not"])
    if "answered" in value:
        _ok(len(value) <= 1)
        _slug(value["answered"])
    if "answer" in value:
        _ok(len(value) == 2)
        _obj(value, ("answer", "equals", "in", "contains", "range"))
        _slug(value["answer"])
        _opt(value, "equals", _str_or_number)
        _opt(value, "in", _list, _str_or_number, 1)
        _opt(value, "contains", _slug)
        _opt(value, "range", _range)
    if "trait" in value:
        _ok(len(value) == 2)
        _obj(value, ("trait", "gt", "gte", "lt", "lte", "equals", "range", "band"))
        _slug(value["trait"])
        for op in ("gt", "gte", "lt", "lte", "equals"):
            _opt(value, op, _number)
        _opt(value, "range", _range)
        _opt(value, "band", _slug)
    if "field" in value:
        _ok(len(value) == 2)
        _obj(value, ("field", "equals", "in"))
        _slug(value["field"])
        _opt(value, "equals", lambda v: _ok(isinstance(v, str)))
        _opt(value, "in", _list, lambda v: _ok(isinstance(v, str)), 1)


def _choice(value: Any) -> None:
    obj = _obj(
        value,
        ("key", "label", "description", "image", "points", "insight", "recall"),
        ("key", "label"),
    )
    _slug(obj["key"])
    _text(obj["label"])
    for member in ("description", "insight", "recall"):
        _opt(obj, member, _text)
    _opt(obj, "image", _nonempty_str)
    _opt(obj, "points", _points)


def _scoring_entry(value: Any) -> None:
    obj = _obj(value, ("min", "max", "points", "recall"), ("points",))
    _opt(obj, "min", _number)
    _opt(obj, "max", _number)
    _points(obj["points"])
    _opt(obj, "recall", _text)


def _question(value: Any) -> None:
    every = set(_QUESTION_COMMON) | {m for ms in _KIND_MEMBERS.values() for m in ms}
    obj = _obj(value, every, ("key", "kind", "prompt"))
    kind = obj["kind"]
    _ok(isinstance(kind, str) and kind in _KIND_MEMBERS)
    _slug(obj["key"])
    _text(obj["prompt"])
    _opt(obj, "help", _text)
    _opt(obj, "required", lambda v: _ok(isinstance(v, bool)))
    _opt(obj, "condition", _condition)
    _opt(obj, "choices", _list, _choice, 1)
    _opt(obj, "min_picks", _int, 0)
    _opt(obj, "max_picks", _int, 1)
    if "scale" in obj:
        scale = _obj(obj["scale"], ("min", "max", "min_label", "max_label"), ("min", "max"))
        _int(scale["min"])
        _int(scale["max"])
        _opt(scale, "min_label", _text)
        _opt(scale, "max_label", _text)
    if "number" in obj:
        number = _obj(obj["number"], ("min", "max", "unit", "integer"))
        _opt(number, "min", _number)
        _opt(number, "max", _number)
        _opt(number, "unit", _text)
        _opt(number, "integer", lambda v: _ok(isinstance(v, bool)))
    if "text" in obj:
        _opt(_obj(obj["text"], ("max_length",)), "max_length", _int, 1, 100000)
    _opt(obj, "scoring", _list, _scoring_entry)
    allowed = set(_QUESTION_COMMON) | set(_KIND_MEMBERS[kind])
    for key in obj:
        _ok(key in allowed)
    for key in _KIND_REQUIRED.get(kind, ()):
        _ok(key in obj)


def _step(value: Any) -> None:
    obj = _obj(
        value,
        ("key", "title", "section", "why", "condition", "next", "questions"),
        ("key", "title", "questions"),
    )
    _slug(obj["key"])
    _text(obj["title"])
    _opt(obj, "section", _text)
    _opt(obj, "why", _text)
    _opt(obj, "condition", _condition)

    def rule(item: Any) -> None:
        r = _obj(item, ("when", "goto"), ("goto",))
        _opt(r, "when", _condition)
        _slug(r["goto"])

    _opt(obj, "next", _list, rule)
    _list(obj["questions"], _question, 1)


def _band(value: Any) -> None:
    obj = _obj(value, ("key", "label", "insight", "min", "max"), ("key", "label", "insight"))
    _slug(obj["key"])
    _text(obj["label"])
    _text(obj["insight"])
    _opt(obj, "min", _number)
    _opt(obj, "max", _number)


def _trait(value: Any) -> None:
    obj = _obj(value, ("key", "label", "description", "bands"), ("key", "label"))
    _slug(obj["key"])
    _text(obj["label"])
    _opt(obj, "description", _text)
    _opt(obj, "bands", _list, _band)


def _outcome(value: Any) -> None:
    obj = _obj(
        value,
        ("key", "title", "description", "image", "rule", "priority"),
        ("key", "title", "description"),
    )
    _slug(obj["key"])
    _text(obj["title"])
    _text(obj["description"])
    _opt(obj, "image", _nonempty_str)
    _opt(obj, "rule", _condition)
    _opt(obj, "priority", _int)


def _recommendation(value: Any) -> None:
    obj = _obj(
        value,
        (
            "count",
            "alternatives",
            "filters",
            "trait_fit",
            "preferences",
            "outcome_attribute",
            "outcome_weight",
            "fallback",
        ),
    )
    _opt(obj, "count", _int, 1)
    _opt(obj, "alternatives", _int, 0)

    def filter_(item: Any) -> None:
        f = _obj(item, ("attribute", "answer"), ("attribute", "answer"))
        _nonempty_str(f["attribute"])
        _slug(f["answer"])

    def fit(item: Any) -> None:
        f = _obj(item, ("trait", "attribute", "weight"), ("trait", "attribute", "weight"))
        _slug(f["trait"])
        _nonempty_str(f["attribute"])
        _number(f["weight"])

    def preference(item: Any) -> None:
        f = _obj(item, ("answer", "attribute", "weight"), ("answer", "attribute", "weight"))
        _slug(f["answer"])
        _nonempty_str(f["attribute"])
        _number(f["weight"])

    _opt(obj, "filters", _list, filter_)
    _opt(obj, "trait_fit", _list, fit)
    _opt(obj, "preferences", _list, preference)
    _opt(obj, "outcome_attribute", _nonempty_str)
    _opt(obj, "outcome_weight", _number)
    if "fallback" in obj:
        fallback = _obj(obj["fallback"], ("skus", "message"), ("skus",))
        _list(fallback["skus"], _slug)
        _opt(fallback, "message", _text)


def _attribute(value: Any) -> None:
    if isinstance(value, list):
        _ok(all(isinstance(v, str) for v in value))
    else:
        _ok(isinstance(value, (str, bool)) or _is_number(value))


def _product(value: Any) -> None:
    obj = _obj(
        value,
        ("sku", "name", "description", "url", "price", "currency", "image", "attributes", "active"),
        ("sku", "name"),
    )
    _slug(obj["sku"])
    _text(obj["name"])
    _opt(obj, "description", _text)
    _opt(obj, "url", _nonempty_str)
    _opt(obj, "image", _nonempty_str)
    _opt(obj, "price", lambda v: _ok(isinstance(v, str) and _PRICE.search(v) is not None))
    _opt(obj, "currency", lambda v: _ok(isinstance(v, str) and _CURRENCY.search(v) is not None))
    if "attributes" in obj:
        _ok(isinstance(obj["attributes"], dict))
        for item in obj["attributes"].values():
            _attribute(item)
    _opt(obj, "active", lambda v: _ok(isinstance(v, bool)))


def _definition(data: Any) -> None:
    obj = _obj(data, _TOP, ("format", "key", "languages", "title", "steps"))
    _ok(_is_number(obj["format"]) and obj["format"] == 1)
    _slug(obj["key"])
    languages = obj["languages"]
    _list(languages, lambda v: _ok(isinstance(v, str) and _LANG.search(v) is not None), 1)
    _ok(len(set(languages)) == len(languages))
    _text(obj["title"])
    _opt(obj, "intro", _text)
    _opt(obj, "learn", _text)
    _opt(obj, "estimated_minutes", _int, 1)

    def hidden(item: Any) -> None:
        h = _obj(item, ("key", "label"), ("key", "label"))
        _slug(h["key"])
        _text(h["label"])

    _opt(obj, "hidden_fields", _list, hidden)
    _opt(obj, "traits", _list, _trait)
    _list(obj["steps"], _step, 1)
    _opt(obj, "outcomes", _list, _outcome)
    _opt(obj, "recommendation", _recommendation)
    _opt(obj, "products", _list, _product)
