"""Small builders for definitions in tests: only what a test cares about, valid by default."""

from __future__ import annotations

from typing import Any


def t(text: str) -> dict[str, str]:
    return {"en": text}


def single(
    key: str, *choices: str, points: dict[str, dict[str, float]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "single",
        "prompt": t(key),
        "choices": [_choice(c, (points or {}).get(c)) for c in choices],
        **extra,
    }


def multiple(
    key: str, *choices: str, points: dict[str, dict[str, float]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "multiple",
        "prompt": t(key),
        "choices": [_choice(c, (points or {}).get(c)) for c in choices],
        **extra,
    }


def scale(key: str, low: int = 1, high: int = 5, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "scale",
        "prompt": t(key),
        "scale": {"min": low, "max": high},
        **extra,
    }


def number(key: str, **options: Any) -> dict[str, Any]:
    scoring = options.pop("scoring", None)
    extra = {k: options.pop(k) for k in ("required", "condition") if k in options}
    data = {"key": key, "kind": "number", "prompt": t(key), "number": options, **extra}
    if scoring is not None:
        data["scoring"] = scoring
    return data


def text(key: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "kind": "text", "prompt": t(key), **extra}


def info(key: str) -> dict[str, Any]:
    return {"key": key, "kind": "info", "prompt": t(key)}


def _choice(key: str, points: dict[str, float] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "label": t(key.title())}
    if points:
        data["points"] = points
    return data


def step(key: str, *questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"key": key, "title": t(key), "questions": list(questions), **extra}


def definition(*steps: dict[str, Any], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": 1,
        "key": "test",
        "languages": ["en"],
        "title": t("Test"),
        "steps": list(steps),
        "outcomes": [{"key": "everyone", "title": t("Everyone"), "description": t("All.")}],
    }
    data.update(extra)
    return data


def trait(key: str, *bands: tuple[str, float | None, float | None]) -> dict[str, Any]:
    data: dict[str, Any] = {"key": key, "label": t(key.title())}
    if bands:
        data["bands"] = [
            {
                "key": b,
                "label": t(b.title()),
                "insight": t(b),
                **({"min": low} if low is not None else {}),
                **({"max": high} if high is not None else {}),
            }
            for b, low, high in bands
        ]
    return data
