"""A compact Brooks-style shoe finder, used by the engine tests."""

from __future__ import annotations

import copy
from typing import Any

from assessments.engine import Product


def t(text: str) -> dict[str, str]:
    return {"en": text}


def choice(key: str, label: str, recall: str | None = None, **points: float) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "label": t(label)}
    if recall:
        data["recall"] = t(recall)
    if points:
        data["points"] = dict(points)
    return data


SHOE_FINDER: dict[str, Any] = {
    "format": 1,
    "key": "shoe-finder",
    "languages": ["en"],
    "title": t("Find your running shoe"),
    "hidden_fields": [{"key": "partner", "label": t("Partner site")}],
    "traits": [
        {
            "key": "support",
            "label": t("Support need"),
            "bands": [
                {
                    "key": "neutral",
                    "label": t("Neutral"),
                    "insight": t("You move freely."),
                    "max": 3,
                },
                {
                    "key": "light",
                    "label": t("Light"),
                    "insight": t("A little guidance helps."),
                    "min": 4,
                    "max": 6,
                },
                {
                    "key": "high",
                    "label": t("High"),
                    "insight": t("Support protects you."),
                    "min": 7,
                },
            ],
        }
    ],
    "steps": [
        {
            "key": "about",
            "title": t("About you"),
            "section": t("You"),
            "questions": [
                {
                    "key": "gender",
                    "kind": "single",
                    "prompt": t("Which fit?"),
                    "choices": [choice("women", "Women's"), choice("men", "Men's")],
                },
                {
                    "key": "use",
                    "kind": "single",
                    "prompt": t("What will you use them for?"),
                    "choices": [
                        choice("running", "Running", "you run"),
                        choice("walk", "Walk or everyday wear", "you walk"),
                    ],
                },
            ],
            "next": [{"when": {"answer": "use", "equals": "walk"}, "goto": "injuries"}],
        },
        {
            "key": "training",
            "title": t("Your training"),
            "section": t("Training"),
            "questions": [
                {
                    "key": "reason",
                    "kind": "single",
                    "prompt": t("Why do you run?"),
                    "choices": [
                        choice("race", "To race", "you run to race"),
                        choice("health", "For my health", "you run for your health"),
                    ],
                },
                {
                    "key": "distance",
                    "kind": "single",
                    "prompt": t("Miles a week?"),
                    "choices": [
                        choice("short", "Under 10", "you run under 10 miles a week", support=0),
                        choice("mid", "10 to 30", "you run 10 to 30 miles a week", support=1),
                        choice("far", "30+", "you run 30+ miles a week", support=2),
                    ],
                },
                {
                    "key": "goal",
                    "kind": "single",
                    "prompt": t("Your next race?"),
                    "condition": {"not": {"answer": "reason", "equals": "health"}},
                    "choices": [choice("5k", "5K"), choice("marathon", "Marathon")],
                },
                {
                    "key": "years",
                    "kind": "number",
                    "prompt": t("Years running?"),
                    "number": {"min": 0, "max": 80, "integer": True, "unit": t("years")},
                    "scoring": [
                        {"max": 1, "points": {"support": 1}, "recall": t("you are new to running")},
                        {"min": 2, "points": {"support": 0}},
                    ],
                },
            ],
        },
        {
            "key": "injuries",
            "title": t("Injuries"),
            "section": t("Body"),
            "questions": [
                {
                    "key": "injury",
                    "kind": "multiple",
                    "prompt": t("Any injuries?"),
                    "required": False,
                    "choices": [
                        choice("knee", "Knee pain", "you have had knee pain", support=1),
                        choice("shin", "Shin splints", "you have had shin splints", support=1),
                    ],
                },
            ],
        },
        {
            "key": "tests",
            "title": t("Two quick tests"),
            "section": t("Body"),
            "questions": [
                {"key": "shoes-off", "kind": "info", "prompt": t("Take your shoes off.")},
                {
                    "key": "balance",
                    "kind": "scale",
                    "prompt": t("How steady on one foot?"),
                    "scale": {
                        "min": 1,
                        "max": 5,
                        "min_label": t("Wobbly"),
                        "max_label": t("Rock solid"),
                    },
                    "scoring": [
                        {"max": 2, "points": {"support": 2}, "recall": t("you wobble on one foot")},
                        {"min": 3, "points": {"support": 0}},
                    ],
                },
                {
                    "key": "knee-bend",
                    "kind": "single",
                    "prompt": t("Where do your knees go?"),
                    "choices": [
                        choice("straight", "Straight", "your knees stay straight", support=0),
                        choice("in", "Drift in", "your knees drift in", support=2),
                    ],
                },
            ],
        },
        {
            "key": "preferences",
            "title": t("What you like"),
            "section": t("Feel"),
            "questions": [
                {
                    "key": "feel",
                    "kind": "single",
                    "prompt": t("How should they feel?"),
                    "choices": [
                        choice("soft", "Soft", "you like a soft, cushioned feel"),
                        choice("firm", "Firm", "you like a firm, responsive feel"),
                    ],
                },
                {
                    "key": "features",
                    "kind": "multiple",
                    "prompt": t("Must haves?"),
                    "required": False,
                    "choices": [
                        choice("wide", "Wide fit", "you need a wide fit"),
                        choice("waterproof", "Waterproof", "you run in the rain"),
                    ],
                },
            ],
        },
    ],
    "outcomes": [
        {
            "key": "stability",
            "title": t("Stability"),
            "description": t("Guided support."),
            "rule": {"trait": "support", "band": "high"},
            "priority": 2,
        },
        {
            "key": "light-support",
            "title": t("Light support"),
            "description": t("A little guidance."),
            "rule": {"trait": "support", "band": "light"},
            "priority": 1,
        },
        {"key": "neutral", "title": t("Neutral"), "description": t("Free to move.")},
    ],
    "recommendation": {
        "count": 2,
        "alternatives": 2,
        "filters": [{"attribute": "gender", "answer": "gender"}],
        "trait_fit": [{"trait": "support", "attribute": "support", "weight": 3}],
        "preferences": [
            {"answer": "feel", "attribute": "feel", "weight": 1},
            {"answer": "features", "attribute": "features", "weight": 1},
        ],
        "outcome_attribute": "outcomes",
        "outcome_weight": 2,
        "fallback": {"skus": ["ghost-w"], "message": t("Our most loved shoe.")},
    },
}


def shoe_finder() -> dict[str, Any]:
    """A fresh copy, safe to mutate in a test."""
    return copy.deepcopy(SHOE_FINDER)


def catalogue() -> list[Product]:
    def shoe(
        sku: str,
        gender: str,
        support: str,
        feel: str,
        outcomes: list[str],
        features: list[str] | None = None,
    ) -> Product:
        return Product(
            sku,
            {
                "gender": gender,
                "support": support,
                "feel": feel,
                "outcomes": outcomes,
                "features": features or [],
            },
        )

    return [
        shoe("adrenaline-w", "women", "high", "soft", ["stability"], ["wide"]),
        shoe("adrenaline-m", "men", "high", "soft", ["stability"], ["wide"]),
        shoe("glycerin-gts-w", "women", "high", "firm", ["stability"]),
        shoe("glycerin-gts-m", "men", "high", "firm", ["stability"]),
        shoe("launch-gts-w", "women", "light", "firm", ["light-support"]),
        shoe("launch-gts-m", "men", "light", "firm", ["light-support"]),
        shoe("ghost-w", "women", "neutral", "soft", ["neutral"]),
        shoe("ghost-m", "men", "neutral", "soft", ["neutral"]),
        shoe("hyperion-w", "women", "neutral", "firm", ["neutral"], ["waterproof"]),
        shoe("hyperion-m", "men", "neutral", "firm", ["neutral"], ["waterproof"]),
    ]


RUNNER = {
    "gender": "women",
    "use": "running",
    "reason": "race",
    "distance": "far",
    "goal": "marathon",
    "years": 1,
    "injury": ["knee"],
    "balance": 2,
    "knee-bend": "in",
    "feel": "soft",
}
