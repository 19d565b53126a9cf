"""Compiling a validated definition (FORMAT.md) into the immutable, fast `Assessment`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from .assessment import Assessment
from .conditions import compile_condition
from .kinds import KINDS
from .model import (
    Band,
    Filter,
    HiddenField,
    NextRule,
    Outcome,
    Preference,
    Question,
    RecommendationSpec,
    Step,
    Trait,
    TraitFit,
    frozen_map,
    optional_text,
)
from .problems import DefinitionInvalid
from .validate import validate_fast


def _question(data: Mapping[str, Any], step_key: str, index: int) -> Question:
    kind = KINDS[data["kind"]]
    required = bool(data.get("required", True)) and kind.answerable and not kind.always_optional
    return Question(
        key=data["key"],
        kind=kind.name,
        behaviour=kind,
        prompt=frozen_map(data["prompt"]),
        step_key=step_key,
        index=index,
        help=optional_text(data, "help"),
        required=required,
        condition=compile_condition(data.get("condition")),
        **kind.compile(data, required=required),
    )


def _steps(data: Mapping[str, Any]) -> tuple[Step, ...]:
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
                section=optional_text(s, "section"),
                why=optional_text(s, "why"),
                condition=compile_condition(s.get("condition")),
                next=tuple(
                    NextRule(r["goto"], compile_condition(r.get("when"))) for r in s.get("next", ())
                ),
            )
        )
    return tuple(steps)


def _trait(data: Mapping[str, Any]) -> Trait:
    return Trait(
        key=data["key"],
        label=frozen_map(data["label"]),
        description=optional_text(data, "description"),
        bands=tuple(
            Band(
                b["key"],
                frozen_map(b["label"]),
                frozen_map(b["insight"]),
                i,
                b.get("min"),
                b.get("max"),
            )
            for i, b in enumerate(data.get("bands", ()))
        ),
    )


def _outcome(data: Mapping[str, Any], index: int) -> Outcome:
    return Outcome(
        key=data["key"],
        title=frozen_map(data["title"]),
        description=frozen_map(data["description"]),
        index=index,
        rule=compile_condition(data.get("rule")),
        priority=data.get("priority", 0),
        image=data.get("image"),
    )


def _recommendation(rec: Mapping[str, Any]) -> RecommendationSpec:
    fallback = rec.get("fallback") or {}
    catalogue = rec.get("catalogue") or {}
    return RecommendationSpec(
        count=rec.get("count", 3),
        alternatives=rec.get("alternatives", 3),
        filters=tuple(
            Filter(f["attribute"], f.get("answer"), f.get("trait"), f.get("outcome") is True)
            for f in rec.get("filters", ())
        ),
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
        fallback_message=optional_text(fallback, "message"),
        catalogue_tags=frozenset(catalogue.get("tags", ())),
        catalogue_skus=frozenset(catalogue.get("skus", ())),
    )


def build(data: Mapping[str, Any]) -> Assessment:
    """Build the compiled structure from an already validated definition."""
    return Assessment(
        key=data["key"],
        languages=tuple(data["languages"]),
        title=frozen_map(data["title"]),
        steps=_steps(data),
        traits=tuple(_trait(t) for t in data.get("traits", ())),
        outcomes=tuple(_outcome(o, i) for i, o in enumerate(data.get("outcomes", ()))),
        hidden_fields=tuple(
            HiddenField(h["key"], frozen_map(h["label"])) for h in data.get("hidden_fields", ())
        ),
        recommendation=_recommendation(data.get("recommendation", {})),
    )


def compile_definition(data: dict[str, Any]) -> Assessment:
    """Validate a definition and compile it; raises DefinitionInvalid listing every problem."""
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
