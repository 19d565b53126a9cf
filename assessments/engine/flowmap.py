"""The flow of a definition as a map: steps in order, where each goes and when, in words.

Reads the definition as it is, problems and all (the flow map helps to find them): steps no
answers can reach are taken from the validator's own `unreachable_step` problems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .kinds.base import dicts
from .text import localized
from .validate import validate_definition

__all__ = ["FlowEdge", "FlowMap", "FlowStep", "condition_words", "flow_map"]

END = None
_STEP_PATH = re.compile(r"^\$\.steps\[(\d+)\]$")
_TRAIT_OPS = {
    "gt": "is above",
    "gte": "is at least",
    "lt": "is below",
    "lte": "is at most",
    "equals": "is exactly",
}


@dataclass(frozen=True, slots=True)
class FlowEdge:
    """Where the flow may go after a step: `target` is a step key, or None for the end."""

    target: str | None
    words: str  # "if “What is it for?” is Walking", "otherwise", "always"
    jump: bool  # a `next` rule (True) or on to the following step (False)


@dataclass(frozen=True, slots=True)
class FlowStep:
    key: str
    index: int
    title: str
    prompts: tuple[str, ...]
    condition: str | None  # when the step is shown, in words; None: always
    edges: tuple[FlowEdge, ...]
    unreachable: str | None  # why no customer ever gets here, or None


@dataclass(frozen=True, slots=True)
class FlowMap:
    steps: tuple[FlowStep, ...]

    def step(self, key: str) -> FlowStep | None:
        return next((s for s in self.steps if s.key == key), None)


class _Names:
    """Question, choice, trait, band and field names in one language, for conditions."""

    def __init__(self, data: Mapping[str, Any], language: str) -> None:
        self.language = language
        self.default = (data.get("languages") or [language])[0]
        self.questions = {
            q.get("key"): q for s in dicts(data.get("steps")) for q in dicts(s.get("questions"))
        }
        self.traits = {t.get("key"): t for t in dicts(data.get("traits"))}
        self.fields = {h.get("key"): h for h in dicts(data.get("hidden_fields"))}

    def text(self, value: Any, fallback: str) -> str:
        found = localized(value, self.language, (self.default,)) if isinstance(value, dict) else ""
        return found or fallback

    def question(self, key: Any) -> str:
        question = self.questions.get(key)
        if question is None:
            return f"question '{key}'"
        return f"“{clip(self.text(question.get('prompt'), str(key)), 48)}”"

    def choice(self, question_key: Any, value: Any) -> str:
        question = self.questions.get(question_key) or {}
        for choice in dicts(question.get("choices")):
            if choice.get("key") == value:
                return self.text(choice.get("label"), str(value))
        return str(value)

    def choices(self, question_key: Any, values: Any) -> str:
        items = values if isinstance(values, list) else [values]
        return " or ".join(self.choice(question_key, v) for v in items)

    def trait(self, key: Any) -> str:
        trait = self.traits.get(key)
        return self.text(trait.get("label"), str(key)) if trait else f"trait '{key}'"

    def band(self, trait_key: Any, band_key: Any) -> str:
        trait = self.traits.get(trait_key) or {}
        for band in dicts(trait.get("bands")):
            if band.get("key") == band_key:
                return self.text(band.get("label"), str(band_key))
        return str(band_key)

    def field(self, key: Any) -> str:
        hidden = self.fields.get(key)
        return self.text(hidden.get("label"), str(key)) if hidden else f"field '{key}'"


def clip(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _n(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _range(bounds: Any) -> str:
    bounds = bounds if isinstance(bounds, dict) else {}
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None:
        return f"is between {_n(low)} and {_n(high)}"
    if low is not None:
        return f"is at least {_n(low)}"
    if high is not None:
        return f"is at most {_n(high)}"
    return "has any value"


def _words(c: Any, names: _Names, nested: bool) -> str:
    if not isinstance(c, dict):
        return "an unreadable condition"
    if "all" in c or "any" in c:
        joiner = " and " if "all" in c else " or "
        parts = [_words(p, names, True) for p in (c.get("all") or c.get("any") or [])]
        text = joiner.join(parts) or "nothing"
        return f"({text})" if nested and len(parts) > 1 else text
    if "not" in c:
        return f"not {_words(c['not'], names, True)}"
    if "answered" in c:
        return f"{names.question(c['answered'])} is answered"
    if "answer" in c:
        key = c["answer"]
        who = names.question(key)
        if "equals" in c:
            return f"{who} is {names.choice(key, c['equals'])}"
        if "in" in c:
            return f"{who} is {names.choices(key, c['in'])}"
        if "contains" in c:
            return f"{who} includes {names.choice(key, c['contains'])}"
        return f"{who} {_range(c.get('range'))}"
    if "trait" in c:
        key = c["trait"]
        who = names.trait(key)
        if "band" in c:
            return f"{who} is {names.band(key, c['band'])}"
        if "range" in c:
            return f"{who} {_range(c['range'])}"
        for op, verb in _TRAIT_OPS.items():
            if op in c and isinstance(c[op], (int, float)):
                return f"{who} {verb} {_n(c[op])}"
    if "field" in c:
        who = names.field(c["field"])
        if "equals" in c:
            return f"{who} is “{c['equals']}”"
        values = c.get("in") if isinstance(c.get("in"), list) else []
        return f"{who} is " + " or ".join(f"“{v}”" for v in values)
    return "an unreadable condition"


def condition_words(condition: Any, definition: Mapping[str, Any], language: str = "") -> str:
    """A condition (FORMAT.md, "Conditions") in plain words, naming prompts and labels."""
    names = _Names(definition, language or (definition.get("languages") or ["en"])[0])
    return _words(condition, names, False)


def _unreachable(definition: Mapping[str, Any]) -> dict[int, str]:
    found = {}
    for problem in validate_definition(dict(definition)):
        match = _STEP_PATH.match(problem.path)
        if problem.code == "unreachable_step" and match:
            found[int(match.group(1))] = problem.message
    return found


def flow_map(definition: Mapping[str, Any], language: str = "") -> FlowMap:
    """The steps of a definition in order, each with where the flow goes next and when."""
    language = language or (definition.get("languages") or ["en"])[0]
    names = _Names(definition, language)
    steps = dicts(definition.get("steps"))
    keys = [
        s.get("key") if isinstance(s.get("key"), str) else f"step-{i + 1}"
        for i, s in enumerate(steps)
    ]
    position = {key: i for i, key in enumerate(keys)}
    unreachable = _unreachable(definition)
    mapped = []
    for index, step in enumerate(steps):
        following = keys[index + 1] if index + 1 < len(keys) else END
        edges: list[FlowEdge] = []
        always_jumps = False
        for rule in dicts(step.get("next")):
            goto = rule.get("goto")
            if goto not in position or position[goto] <= index:
                continue  # a broken rule; validation names it
            if "when" in rule:
                edges.append(FlowEdge(goto, f"if {_words(rule['when'], names, False)}", True))
            else:
                edges.append(FlowEdge(goto, "always", True))
                always_jumps = True
                break
        if not always_jumps:
            edges.append(FlowEdge(following, "otherwise" if edges else "then", False))
        condition = step.get("condition")
        mapped.append(
            FlowStep(
                key=keys[index],
                index=index,
                title=names.text(step.get("title"), keys[index]),
                prompts=tuple(
                    names.text(q.get("prompt"), str(q.get("key")))
                    for q in dicts(step.get("questions"))
                ),
                condition=_words(condition, names, False) if condition is not None else None,
                edges=tuple(edges),
                unreachable=unreachable.get(index),
            )
        )
    return FlowMap(tuple(mapped))
