"""Compiling a validated definition (FORMAT.md) into the immutable, fast `Assessment`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .assessment import Assessment
from .conditions import compile_condition
from .model import (
    Band,
    Choice,
    Filter,
    HiddenField,
    NextRule,
    Outcome,
    Preference,
    Question,
    RecommendationSpec,
    ScoringRule,
    Step,
    Text,
    Trait,
    TraitFit,
    frozen_map,
)
from .problems import DefinitionInvalid


def _text(data: Mapping[str, Any], member: str) -> Text | None:
    value = data.get(member)
    return frozen_map(value) if value else None


def _points(data: Mapping[str, Any] | None) -> Mapping[str, float]:
    return frozen_map({k: float(v) for k, v in (data or {}).items()})


def _question(data: Mapping[str, Any], step_key: str, index: int) -> Question:
    kind = data["kind"]
    choices = tuple(
        Choice(
            key=c["key"],
            label=frozen_map(c["label"]),
            description=_text(c, "description"),
            image=c.get("image"),
            points=_points(c.get("points")),
            insight=_text(c, "insight"),
            recall=_text(c, "recall"),
        )
        for c in data.get("choices", ())
    )
    required = bool(data.get("required", True)) and kind != "info"
    extra: dict[str, Any] = {}
    if kind == "multiple":
        extra["min_picks"] = data.get("min_picks", 1 if required else 0)
        extra["max_picks"] = data.get("max_picks")
    elif kind == "scale":
        scale = data["scale"]
        extra.update(
            min=scale["min"],
            max=scale["max"],
            min_label=_text(scale, "min_label"),
            max_label=_text(scale, "max_label"),
        )
    elif kind == "number":
        number = data["number"]
        extra.update(
            min=number.get("min"),
            max=number.get("max"),
            unit=_text(number, "unit"),
            integer=bool(number.get("integer", False)),
        )
    elif kind == "text":
        extra["max_length"] = data.get("text", {}).get("max_length", 500)
    scoring = tuple(
        ScoringRule(s.get("min"), s.get("max"), _points(s.get("points")), _text(s, "recall"))
        for s in data.get("scoring", ())
    )
    return Question(
        key=data["key"],
        kind=kind,
        prompt=frozen_map(data["prompt"]),
        step_key=step_key,
        index=index,
        help=_text(data, "help"),
        required=required,
        condition=compile_condition(data.get("condition")),
        choices=choices,
        scoring=scoring,
        choice_index=MappingProxyType({c.key: i for i, c in enumerate(choices)}),
        **extra,
    )


def build(data: Mapping[str, Any]) -> Assessment:
    """Build the compiled structure from an already validated definition."""
    steps = []
    counter = 0
    for step_index, s in enumerate(data["steps"]):
        questions = []
        for q in s["questions"]:
            questions.append(_question(q, s["key"], counter))
            counter += 1
        steps.append(
            Step(
                key=s["key"],
                title=frozen_map(s["title"]),
                index=step_index,
                questions=tuple(questions),
                section=_text(s, "section"),
                why=_text(s, "why"),
                condition=compile_condition(s.get("condition")),
                next=tuple(
                    NextRule(r["goto"], compile_condition(r.get("when"))) for r in s.get("next", ())
                ),
            )
        )
    traits = tuple(
        Trait(
            key=t["key"],
            label=frozen_map(t["label"]),
            description=_text(t, "description"),
            bands=tuple(
                Band(
                    b["key"],
                    frozen_map(b["label"]),
                    frozen_map(b["insight"]),
                    i,
                    b.get("min"),
                    b.get("max"),
                )
                for i, b in enumerate(t.get("bands", ()))
            ),
        )
        for t in data.get("traits", ())
    )
    outcomes = tuple(
        Outcome(
            key=o["key"],
            title=frozen_map(o["title"]),
            description=frozen_map(o["description"]),
            index=i,
            rule=compile_condition(o.get("rule")),
            priority=o.get("priority", 0),
            image=o.get("image"),
        )
        for i, o in enumerate(data.get("outcomes", ()))
    )
    rec = data.get("recommendation", {})
    fallback = rec.get("fallback") or {}
    spec = RecommendationSpec(
        count=rec.get("count", 3),
        alternatives=rec.get("alternatives", 3),
        filters=tuple(Filter(f["attribute"], f["answer"]) for f in rec.get("filters", ())),
        trait_fit=tuple(
            TraitFit(f["trait"], f["attribute"], float(f["weight"]))
            for f in rec.get("trait_fit", ())
        ),
        preferences=tuple(
            Preference(p["answer"], p["attribute"], float(p["weight"]))
            for p in rec.get("preferences", ())
        ),
        outcome_attribute=rec.get("outcome_attribute"),
        outcome_weight=float(rec.get("outcome_weight", 0)),
        fallback_skus=tuple(fallback.get("skus", ())),
        fallback_message=_text(fallback, "message"),
    )
    return Assessment(
        key=data["key"],
        languages=tuple(data["languages"]),
        title=frozen_map(data["title"]),
        steps=tuple(steps),
        traits=traits,
        outcomes=outcomes,
        hidden_fields=tuple(
            HiddenField(h["key"], frozen_map(h["label"])) for h in data.get("hidden_fields", ())
        ),
        recommendation=spec,
    )


def compile_definition(data: dict[str, Any]) -> Assessment:
    """Validate a definition and compile it; raises DefinitionInvalid listing every problem."""
    from .validate import validate_fast

    problems = validate_fast(data)
    if problems:
        raise DefinitionInvalid(problems)
    return build(data)


_CACHE: OrderedDict[str, Assessment] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 64


def compile_cached(
    content_hash: str, data: dict[str, Any] | Callable[[], dict[str, Any]]
) -> Assessment:
    """`compile_definition`, remembered by content hash in a bounded LRU (thread-safe).

    `data` may be a function returning the definition, so callers can skip loading a large
    definition at all when its compiled form is already cached.
    """
    with _CACHE_LOCK:
        found = _CACHE.get(content_hash)
        if found is not None:
            _CACHE.move_to_end(content_hash)
            return found
    compiled = compile_definition(data() if callable(data) else data)
    with _CACHE_LOCK:
        _CACHE[content_hash] = compiled
        _CACHE.move_to_end(content_hash)
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled
