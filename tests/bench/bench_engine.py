"""Benchmark the assessment engine: compile and validate time, scoring + ranking time.

Run from the repository root: `.venv/bin/python tests/bench/bench_engine.py`. Prints one JSON
line per figure (metric, value, unit, n, runs). Times are medians of the wall clock, except
where 1,000 and 10,000 products are ranked side by side with and without variants: there each
is the fastest CPU time of runs taken in turn, and `*_ratio` is variants over none (the issue
asks for at most 1.2). Nothing is asserted.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from assessments.engine import (  # noqa: E402
    Product,
    Variant,
    compile_definition,
    validate_definition,
)
from assessments.engine.structure import structural_problems  # noqa: E402


def t(text: str) -> dict[str, str]:
    return {"en": text, "es": text}


def generated_definition(questions: int = 200, per_step: int = 4) -> dict[str, Any]:
    """A valid definition with `questions` questions over several steps, traits and rules."""
    rng = random.Random(7)
    traits = ["support", "cushion", "speed"]
    steps = []
    made = 0
    step_number = 0
    kinds = ["single", "multiple", "scale", "number", "single", "image"]
    while made < questions:
        step_questions = []
        for _ in range(min(per_step, questions - made)):
            key = f"q{made}"
            kind = kinds[made % len(kinds)]
            q: dict[str, Any] = {"key": key, "kind": kind, "prompt": t(f"Question {made}?")}
            if kind in ("single", "multiple", "image"):
                q["choices"] = [
                    {
                        "key": f"c{c}",
                        "label": t(f"Choice {c}"),
                        "recall": t(f"you chose {c}"),
                        "points": {rng.choice(traits): rng.randint(0, 2)},
                        **({"image": f"demo/{key}-{c}.png"} if kind == "image" else {}),
                    }
                    for c in range(4)
                ]
                if kind == "multiple":
                    q["required"] = False
                    q["max_picks"] = 2
            elif kind == "scale":
                q["scale"] = {"min": 1, "max": 5, "min_label": t("low"), "max_label": t("high")}
                q["scoring"] = [{"max": 2, "points": {"support": 1}}]
            else:
                q["number"] = {"min": 0, "max": 100, "unit": t("km")}
                q["scoring"] = [{"min": 50, "points": {"speed": 1}}]
            if made % 9 == 5 and step_questions:
                earlier = step_questions[0]
                if earlier["kind"] == "single":
                    q["condition"] = {"answer": earlier["key"], "equals": "c1"}
            step_questions.append(q)
            made += 1
        step: dict[str, Any] = {
            "key": f"s{step_number}",
            "title": t(f"Step {step_number}"),
            "section": t(f"Part {step_number // 5}"),
            "questions": step_questions,
        }
        first = step_questions[0]
        if first["kind"] == "single" and step_number % 3 == 0:
            step["next"] = [
                {"when": {"answer": first["key"], "equals": "c3"}, "goto": f"s{step_number + 2}"}
            ]
        steps.append(step)
        step_number += 1
    # Jumps past the end are trimmed.
    for step in steps[-2:]:
        step.pop("next", None)
    bands = [
        {"key": "low", "label": t("Low"), "insight": t("Low."), "max": 9},
        {"key": "mid", "label": t("Mid"), "insight": t("Mid."), "min": 10, "max": 39},
        {"key": "high", "label": t("High"), "insight": t("High."), "min": 40},
    ]
    return {
        "format": 1,
        "key": "generated",
        "languages": ["en", "es"],
        "title": t("Generated"),
        "traits": [{"key": k, "label": t(k.title()), "bands": bands} for k in traits],
        "steps": steps,
        "outcomes": [
            {
                "key": "supported",
                "title": t("Supported"),
                "description": t("..."),
                "rule": {"trait": "support", "band": "high"},
                "priority": 1,
            },
            {"key": "everyone", "title": t("Everyone"), "description": t("...")},
        ],
        "recommendation": {
            "count": 3,
            "alternatives": 3,
            "filters": [{"attribute": "range", "answer": "q0"}],
            "trait_fit": [
                {"trait": k, "attribute": k, "weight": w}
                for k, w in zip(traits, (3, 2, 1), strict=True)
            ],
            "preferences": [{"answer": "q1", "attribute": "tags", "weight": 1}],
            "outcome_attribute": "outcomes",
            "outcome_weight": 2,
            "fallback": {"skus": ["p00000"], "message": t("A safe choice.")},
        },
    }


def generated_products(count: int, seed: int = 11) -> list[Product]:
    rng = random.Random(seed)
    levels = ["low", "mid", "high"]
    return [
        Product(
            f"p{i:05d}",
            {
                "range": rng.sample(["c0", "c1", "c2", "c3"], 2),
                "support": rng.choice(levels),
                "cushion": rng.sample(levels, 2),
                "speed": rng.choice(levels),
                "tags": rng.sample(["c0", "c1", "c2", "c3"], 2),
                "outcomes": rng.choice([["supported"], ["everyone"], []]),
            },
        )
        for i in range(count)
    ]


def with_variants(products: list[Product], weighed: bool = False) -> list[Product]:
    """The same models, each as two variants that split its filtered attribute between them
    (as a women's and a men's fit split `gender`), so the same products pass the filters.
    `weighed` also gives the variants their own `support`, which the ranking weighs: the slow
    path, where each variant is scored."""
    levels = ["low", "mid", "high"]
    made = []
    for product in products:
        attributes = {k: v for k, v in product.attributes.items() if k != "range"}
        variants = tuple(
            Variant(
                f"{product.sku}-{value}",
                {"range": [value], **({"support": levels[i]} if weighed else {})},
            )
            for i, value in enumerate(product.attributes["range"])
        )
        made.append(Product(product.sku, attributes, product.priority, variants=variants))
    return made


def generated_answers(definition: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(3)
    answers: dict[str, Any] = {}
    for step in definition["steps"]:
        for q in step["questions"]:
            keys = [c["key"] for c in q.get("choices", [])]
            if q["kind"] in ("single", "image"):
                answers[q["key"]] = rng.choice(keys)
            elif q["kind"] == "multiple":
                answers[q["key"]] = sorted(rng.sample(keys, 2))
            elif q["kind"] == "scale":
                answers[q["key"]] = rng.randint(1, 5)
            elif q["kind"] == "number":
                answers[q["key"]] = rng.randint(0, 100)
    return answers


def median_ms(action: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def emit(metric: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit, **extra}))


def main() -> None:
    definition = generated_definition(200)
    runs = 30
    emit(
        "compile_200_questions",
        median_ms(lambda: compile_definition(definition), runs),
        "ms",
        n=200,
        runs=runs,
    )
    # What publishing runs: the JSON Schema, then the semantic checks.
    emit(
        "validate_200_questions",
        median_ms(lambda: validate_definition(definition), 5),
        "ms",
        n=200,
        runs=5,
    )
    # The JSON Schema part alone, which compiling and publishing share.
    emit(
        "structure_200_questions",
        median_ms(lambda: structural_problems(definition), runs),
        "ms",
        n=200,
        runs=runs,
    )
    assessment = compile_definition(definition)
    answers = generated_answers(definition)
    for count in (100, 1_000, 10_000):
        products = generated_products(count)
        runs = 50 if count < 10_000 else 20

        def score_and_rank(products: list[Product] = products) -> None:
            # `evaluate` is scores + outcome + recommend in one walk of the flow.
            assessment.evaluate(products, answers)

        if count < 1_000:
            emit("score_and_rank", median_ms(score_and_rank, runs), "ms", n=count, runs=runs)
            continue
        # Variants, side by side with the same models without them, in this one run: the
        # variant-free call is the ranking path as it was before variants (a product without
        # variants takes the same loop body as then), so the ratio is what variants cost. All
        # catalogues are built first and timed in turn, so the garbage collector walks the same
        # live objects during each.
        catalogues = {
            "plain": products,
            "variants": with_variants(products),
            "variants_weighed": with_variants(products, weighed=True),
        }
        # CPU time of this process, not the wall clock: on a shared machine other processes'
        # work would otherwise land in whichever side happened to be running.
        gc.collect()
        timed: dict[str, list[float]] = {name: [] for name in catalogues}
        for _ in range(runs):
            for name, catalogue in catalogues.items():
                started = time.process_time()
                score_and_rank(catalogue)
                timed[name].append((time.process_time() - started) * 1000)
        # The fastest of the runs, as timeit reports: the run least disturbed by anything else.
        plain = min(timed["plain"])
        emit("score_and_rank", plain, "ms", n=count, runs=runs)
        for name in ("variants", "variants_weighed"):
            time_ms = min(timed[name])
            emit(f"score_and_rank_{name}", time_ms, "ms", n=count, variants=2, runs=runs)
            emit(f"score_and_rank_{name}_ratio", time_ms / plain, "x", n=count, limit=1.2)


if __name__ == "__main__":
    main()
