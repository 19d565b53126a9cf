"""Properties over random valid definitions: they validate, every walk ends, ranking is stable."""

from __future__ import annotations

import itertools
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.engine import AnswerError, Product, compile_definition, validate_definition
from tests.engine.builders import t

TRAITS = ("speed", "support", "comfort")
KINDS = ("single", "multiple", "image", "scale", "number", "text", "info")


@st.composite
def definitions(draw: Any) -> dict[str, Any]:
    traits = draw(st.lists(st.sampled_from(TRAITS), unique=True, max_size=2))
    step_count = draw(st.integers(1, 6))
    steps: list[dict[str, Any]] = []
    choice_questions: list[tuple[int, dict[str, Any]]] = []  # (step index, question)
    counter = 0

    def points() -> dict[str, int]:
        return {tr: draw(st.integers(-3, 3)) for tr in traits if draw(st.booleans())}

    def reference(questions: list[dict[str, Any]]) -> dict[str, Any]:
        q = draw(st.sampled_from(questions))
        keys = [c["key"] for c in q["choices"]]
        if q["kind"] == "multiple":
            return {"answer": q["key"], "contains": draw(st.sampled_from(keys))}
        if draw(st.booleans()):
            return {"answer": q["key"], "equals": draw(st.sampled_from(keys))}
        return {
            "answer": q["key"],
            "in": draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True)),
        }

    def condition(questions: list[dict[str, Any]]) -> dict[str, Any]:
        options = [st.just({"field": "partner", "equals": "shop"})]
        if questions:
            options.append(st.builds(lambda: reference(questions)))
            options.append(st.builds(lambda: {"not": reference(questions)}))
            options.append(
                st.builds(
                    lambda: {"any": [reference(questions), {"field": "partner", "in": ["a"]}]}
                )
            )
            options.append(st.just({"answered": draw(st.sampled_from(questions))["key"]}))
        return draw(st.one_of(options))

    for index in range(step_count):
        questions = []
        earlier = [q for i, q in choice_questions if i < index]
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(KINDS))
            key = f"q{counter}"
            counter += 1
            q: dict[str, Any] = {"key": key, "kind": kind, "prompt": t(key)}
            if kind != "info" and draw(st.booleans()):
                q["required"] = False
            if kind in ("single", "multiple", "image"):
                n = draw(st.integers(1, 4))
                q["choices"] = []
                for c in range(n):
                    choice: dict[str, Any] = {"key": f"c{c}", "label": t(f"Choice {c}")}
                    if kind == "image":
                        choice["image"] = f"img/{key}-{c}.png"
                    if draw(st.booleans()):
                        choice["recall"] = t(f"you picked {c}")
                    if p := points():
                        choice["points"] = p
                    q["choices"].append(choice)
                if kind == "multiple":
                    low = draw(st.integers(0, n))
                    q["min_picks"] = low
                    if draw(st.booleans()):
                        q["max_picks"] = draw(st.integers(max(1, low), n))
            elif kind == "scale":
                low = draw(st.integers(0, 3))
                q["scale"] = {"min": low, "max": low + draw(st.integers(1, 6))}
                q["scoring"] = [{"max": low + 1, "points": points()}]
            elif kind == "number":
                q["number"] = {"min": 0, "max": 100, "integer": draw(st.booleans())}
                q["scoring"] = [{"min": 50, "points": points()}]
            visible_before = earlier + [
                x for x in questions if x["kind"] in ("single", "multiple", "image")
            ]
            if draw(st.integers(0, 3)) == 0:
                q["condition"] = condition(visible_before)
            questions.append(q)
        step: dict[str, Any] = {
            "key": f"s{index}",
            "title": t(f"Step {index}"),
            "questions": questions,
        }
        if index and draw(st.integers(0, 3)) == 0:
            step["condition"] = condition(earlier)
        own = earlier + [q for q in questions if q["kind"] in ("single", "multiple", "image")]
        if index + 1 < step_count and own and draw(st.booleans()):
            step["next"] = [
                {"when": reference(own), "goto": f"s{draw(st.integers(index + 1, step_count - 1))}"}
                for _ in range(draw(st.integers(1, 2)))
            ]
        if draw(st.booleans()):
            step["section"] = t(f"Part {index // 2}")
        steps.append(step)
        choice_questions += [
            (index, q) for q in questions if q["kind"] in ("single", "multiple", "image")
        ]

    trait_data = []
    for tr in traits:
        cuts = sorted(draw(st.sets(st.integers(-8, 8), max_size=3)))
        edges = [None, *cuts, None]
        bands = []
        for b in range(len(edges) - 1):
            band: dict[str, Any] = {"key": f"b{b}", "label": t(f"Band {b}"), "insight": t("...")}
            if edges[b] is not None:
                band["min"] = edges[b]
            if edges[b + 1] is not None:
                band["max"] = edges[b + 1] - 1
            bands.append(band)
        trait_data.append({"key": tr, "label": t(tr.title()), "bands": bands})

    every_choice_q = [q for _, q in choice_questions]
    outcomes = [
        {
            "key": f"o{i}",
            "title": t(f"Outcome {i}"),
            "description": t("..."),
            "priority": draw(st.integers(0, 2)),
            "rule": condition(every_choice_q),
        }
        for i in range(draw(st.integers(0, 2)))
    ]
    outcomes.append(
        {"key": "everyone", "title": t("Everyone"), "description": t("..."), "priority": -1}
    )
    recommendation: dict[str, Any] = {
        "count": draw(st.integers(1, 3)),
        "alternatives": draw(st.integers(0, 3)),
        "trait_fit": [
            {"trait": tr, "attribute": tr, "weight": draw(st.integers(1, 3))} for tr in traits
        ],
        "outcome_attribute": "outcomes",
        "outcome_weight": 1,
    }
    if every_choice_q:
        recommendation["filters"] = [
            {"attribute": "fit", "answer": draw(st.sampled_from(every_choice_q))["key"]}
        ]
        recommendation["preferences"] = [
            {
                "answer": draw(st.sampled_from(every_choice_q))["key"],
                "attribute": "tags",
                "weight": 1,
            }
        ]
    return {
        "format": 1,
        "key": "random",
        "languages": ["en"],
        "title": t("Random"),
        "hidden_fields": [{"key": "partner", "label": t("Partner")}],
        "traits": trait_data,
        "steps": steps,
        "outcomes": outcomes,
        "recommendation": recommendation,
    }


def raw_for(draw: Any, question: Any) -> Any:
    garbage = st.one_of(
        st.text(max_size=8),
        st.lists(st.text(max_size=3), max_size=3),
        st.sampled_from(["", "NaN", "1e999", "-1"]),
    )
    keys = list(question.choice_index)
    if question.kind in ("single", "image"):
        valid = st.sampled_from(keys)
    elif question.kind == "multiple":
        valid = st.lists(st.sampled_from(keys), max_size=len(keys))
    elif question.kind in ("scale", "number"):
        low = int(question.min if question.min is not None else 0)
        high = int(question.max if question.max is not None else 100)
        valid = st.integers(low, high).map(str)
    else:
        valid = st.text(max_size=20)
    return draw(st.one_of(valid, garbage))


def catalogue_for(data: dict[str, Any], rng: random.Random) -> list[Product]:
    bands = {tr["key"]: [b["key"] for b in tr["bands"]] for tr in data["traits"]}
    choices = [f"c{i}" for i in range(4)]
    return [
        Product(
            f"p{i:02d}",
            {
                **{tr: rng.choice(keys) for tr, keys in bands.items()},
                "fit": rng.sample(choices, 2),
                "tags": rng.choice([rng.sample(choices, 2), "c0", []]),
                "outcomes": [rng.choice([o["key"] for o in data["outcomes"]])],
            },
        )
        for i in range(rng.randint(0, 12))
    ]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_generated_definitions_are_valid(data):
    assert validate_definition(data) == []


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=definitions(), choices=st.data(), partner=st.sampled_from([None, "shop", "a"]))
def test_every_walk_ends_moves_forward_and_ranks_deterministically(data, choices, partner):
    assessment = compile_definition(data)
    fields = {"partner": partner} if partner else {}
    answers: dict[str, Any] = {}
    visited: list[str] = []
    current = assessment.first_step(fields)
    while current is not None:
        assert current not in visited
        visited.append(current)
        assert len(visited) <= len(assessment.steps)
        raw = {
            q.key: raw_for(choices.draw, q)
            for q in assessment.visible_questions(current, answers, fields)
            if q.kind != "info"
        }
        for key, value in raw.items():
            try:
                cleaned = assessment.clean_answer(key, value)
            except AnswerError:
                continue
            if cleaned is not None:
                answers[key] = cleaned
        _, errors = assessment.clean_step(current, raw, answers, fields)
        assert all(isinstance(e, AnswerError) for e in errors.values())
        current = assessment.next_step(current, answers, fields)

    assert tuple(visited) == assessment.path(answers, fields)
    progress_ok = all(
        assessment.progress(k, answers, fields).index == i for i, k in enumerate(visited)
    )
    assert progress_ok
    products = catalogue_for(data, random.Random(len(visited)))
    first = assessment.evaluate(products, answers, fields)
    shuffled = products[:]
    random.Random(1).shuffle(shuffled)
    again = assessment.evaluate(list(reversed(products)), answers, fields)
    assert first == again == assessment.evaluate(shuffled, answers, fields)
    ranked = first.recommendation.recommended + first.recommendation.alternatives
    assert [p.rank for p in ranked] == list(range(1, len(ranked) + 1))
    assert all((-a.score, a.sku) < (-b.score, b.sku) for a, b in itertools.pairwise(ranked))
    assert first.outcome is not None  # the fallback outcome always matches
    for product in ranked:
        for reason in product.reasons:
            assert reason.text(assessment, "en") and reason.text(assessment, "es")
