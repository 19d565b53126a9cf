"""A question kind only the tests know: a star rating.

It is what adding a kind takes: this module and its template (templates/tests/rating.html
beside it), registered with `engine.register(RatingKind())`. The `rating_kind` fixture does
that for one test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from assessments.engine import (
    NotAWholeNumber,
    Option,
    OutOfRange,
    Phrase,
    Question,
    QuestionKind,
    Widget,
)
from assessments.engine.answers import AnswerError
from assessments.engine.kinds.base import (
    Found,
    Parts,
    Possible,
    Where,
    num,
    picked,
    texts_of,
    unanswered,
)
from assessments.engine.model import Say, frozen_map, optional_text, points_map

TEMPLATES = Path(__file__).resolve().parent / "templates"
MOST_STARS = 10
_STARS = {"en": "{n} of {stars} stars", "es": "{n} de {stars} estrellas"}


class RatingKind(QuestionKind):
    """From 1 to `rating.stars` stars; each star gives the trait points in `rating.points`."""

    name = "rating"
    members = ("rating",)
    required_members = ("rating",)
    member_schemas = {
        "rating": {
            "type": "object",
            "properties": {
                "stars": {"type": "integer", "minimum": 2},
                "points": {
                    "type": "object",
                    "propertyNames": {"$ref": "#/$defs/slug"},
                    "additionalProperties": {"type": "number"},
                },
                "recall": {"$ref": "#/$defs/text"},
            },
            "required": ["stars"],
            "additionalProperties": False,
        }
    }
    operators = frozenset({"equals", "in", "range"})
    template = "tests/rating.html"

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        rating = data["rating"]
        return {
            "min": 1,
            "max": rating["stars"],
            "settings": frozen_map(
                {
                    "points": points_map(rating.get("points")),
                    "recall": optional_text(rating, "recall"),
                }
            ),
        }

    def clean_text(self, question: Question, text: str) -> int | None:
        text = text.strip()
        if not text:
            return unanswered(question)
        if not (text.isdigit() and len(text) <= 3):
            raise NotAWholeNumber(question.key)
        stars = int(text)
        if not 1 <= stars <= _stars(question):
            raise OutOfRange(question.key, min="1", max=str(_stars(question)), value=stars)
        return stars

    def wrong_shape(self, question: Question) -> AnswerError:
        return NotAWholeNumber(question.key)

    def stored(self, question: Question, value: Any) -> Any:
        fits = isinstance(value, int) and not isinstance(value, bool)
        return value if fits and 1 <= value <= _stars(question) else None

    def points(self, question: Question, value: Any) -> Mapping[str, float]:
        return {trait: each * value for trait, each in question.settings["points"].items()}

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]:
        stars = str(value)
        plain = say(_STARS).format(n=stars, stars=_stars(question))
        recall = say(question.settings["recall"]).replace("{stars}", stars)
        return (Phrase(plain, "number", recall),)

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        stars = _raw_stars(data)
        if stars is not None and stars > MOST_STARS:
            yield (
                (*parts, "rating", "stars"),
                f"{where(parts)} has {stars} stars; at most {MOST_STARS} can be told apart.",
                "rating_stars",
            )

    def texts(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        rating = data.get("rating")
        if isinstance(rating, dict):
            yield from texts_of(rating, (*parts, "rating"), ("recall",))

    def point_sources(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        rating = data.get("rating")
        if isinstance(rating, dict):
            yield (*parts, "rating"), rating.get("points")

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        rating = data.get("rating") if isinstance(data.get("rating"), dict) else {}
        points = rating.get("points") if isinstance(rating.get("points"), dict) else {}
        each, stars = num(points.get(trait)), _raw_stars(data)
        if not each or stars is None:
            return None
        found = {each * n for n in range(1, stars + 1)}
        return found, (min(found), max(found))

    def comparison_problem(
        self, data: Mapping[str, Any], value: Any, owner: str
    ) -> tuple[str, str] | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return (
            f"{owner} compares question '{data.get('key')}' (a rating) with '{value}', which "
            f"is not a number of stars.",
            "operator_kind",
        )

    def never_holds(self, data: Mapping[str, Any], condition: Mapping[str, Any]) -> bool:
        stars = _raw_stars(data)
        value = num(condition.get("equals"))
        return stars is not None and value is not None and not 1 <= value <= stars

    def widget(self, question: Question, value: Any) -> Widget:
        chosen = picked(value)
        return Widget(
            self.template_for(question),
            "radio",
            options=tuple(
                Option(str(n), "★" * n, checked=str(n) in chosen)
                for n in range(1, _stars(question) + 1)
            ),
        )


def _stars(question: Question) -> int:
    return int(question.max or 0)


def _raw_stars(data: Mapping[str, Any]) -> int | None:
    rating = data.get("rating")
    stars = rating.get("stars") if isinstance(rating, dict) else None
    return stars if isinstance(stars, int) and not isinstance(stars, bool) else None
