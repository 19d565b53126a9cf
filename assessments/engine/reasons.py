"""Why a product was recommended, as data and as a short sentence for the customer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .assessment import Assessment
    from .model import Question

# Built-in sentence templates; any other language falls back to English.
_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "trait": "Your {trait} is {band}{score}{because}.",
        "trait_because": ": {answers}",
        "trait_exact": " This product is made for that.",
        "trait_close": " This product comes close.",
        "points_one": "1 point",
        "points_many": "{n} points",
        "preference": "You said {answers}; this one has it.",
        "preference_chose": "You chose {answers}; this one has it.",
        "outcome": "It suits your profile: {outcome}.",
        "fallback": "Nothing matched every answer, so this is a safe choice to start from.",
        "and": ", and ",
        "chose": "you chose “{label}”",
        "label": "“{label}”",
        "answered": "you answered {value}",
    },
    "es": {
        "trait": "Tu {trait} es {band}{score}{because}.",
        "trait_because": ": {answers}",
        "trait_exact": " Este producto está hecho para eso.",
        "trait_close": " Este producto se acerca mucho.",
        "points_one": "1 punto",
        "points_many": "{n} puntos",
        "preference": "Dijiste que {answers}; este lo tiene.",
        "preference_chose": "Elegiste {answers}; este lo tiene.",
        "outcome": "Encaja con tu perfil: {outcome}.",
        "fallback": "Nada encajaba con todas tus respuestas, así que esta es una opción segura.",
        "and": " y ",
        "chose": "elegiste «{label}»",
        "label": "«{label}»",
        "answered": "respondiste {value}",
    },
}


@dataclass(frozen=True, slots=True)
class Reason:
    """One thing that added to a product's score, citing the answers behind it."""

    kind: str  # "trait" | "preference" | "outcome" | "fallback"
    key: str | None  # the trait key, the question key or the outcome key
    band: str | None = None  # the customer's band key, for trait reasons
    answers: tuple[tuple[str, Any], ...] = ()  # (question_key, value) cited
    points: float = 0.0  # what this reason added to the score
    fit: float = 1.0  # how well the product matches, 0..1
    trait_score: float | None = None

    def text(self, assessment: Assessment, language: str) -> str:
        """A short sentence in `language` ("en" or "es"; others fall back to English)."""
        words = _TEMPLATES.get(language.split("-")[0].lower(), _TEMPLATES["en"])
        if self.kind == "trait":
            return _trait_text(self, assessment, language, words)
        if self.kind == "preference":
            if all(_has_recall(assessment, q, v) for q, v in self.answers):
                answers = _join(
                    [_recall(assessment, q, v, language, words) for q, v in self.answers], words
                )
                return words["preference"].format(answers=answers)
            labels = _join(
                [_labels(assessment, q, v, language, words) for q, v in self.answers], words
            )
            return words["preference_chose"].format(answers=labels)
        if self.kind == "outcome":
            outcome = next((o for o in assessment.outcomes if o.key == self.key), None)
            title = assessment.text(outcome.title, language) if outcome else (self.key or "")
            return words["outcome"].format(outcome=title)
        return words["fallback"]


def _trait_text(reason: Reason, assessment: Assessment, language: str, words: dict) -> str:
    trait = next((t for t in assessment.traits if t.key == reason.key), None)
    label = _lower_first(assessment.text(trait.label, language)) if trait else (reason.key or "")
    band = trait.band(reason.band) if trait and reason.band else None
    band_label = assessment.text(band.label, language) if band else (reason.band or "")
    score = reason.trait_score or 0.0
    points = words["points_one"] if score == 1 else words["points_many"].format(n=number(score))
    cited = [_recall(assessment, q, v, language, words) for q, v in reason.answers]
    because = words["trait_because"].format(answers=_join(cited, words)) if cited else ""
    # A score no answer contributed to (e.g. 0 points) is not worth quoting.
    points = f" ({points})" if cited else ""
    sentence = words["trait"].format(trait=label, band=band_label, score=points, because=because)
    return sentence + (words["trait_exact"] if reason.fit >= 1 else words["trait_close"])


def _recall(
    assessment: Assessment, question_key: str, value: Any, language: str, words: dict
) -> str:
    """The customer's answer as a second-person phrase: the recall, the label, or the value."""
    question: Question | None = assessment.question(question_key)
    if question is None:
        return str(value)
    if question.has_choices:
        keys = value if isinstance(value, (list, tuple)) else [value]
        phrases = []
        for key in keys:
            choice = question.choice(key)
            if choice is None:
                continue
            recall = assessment.text(choice.recall, language)
            phrases.append(
                recall or words["chose"].format(label=assessment.text(choice.label, language))
            )
        return _join(phrases, words)
    if question.kind in ("scale", "number") and isinstance(value, (int, float)):
        rule = question.scoring_rule(value)
        recall = assessment.text(rule.recall, language) if rule else ""
        if recall:
            return recall
        unit = assessment.text(question.unit, language)
        return words["answered"].format(value=f"{number(value)} {unit}".strip())
    return words["answered"].format(value=f"“{value}”")


def _has_recall(assessment: Assessment, question_key: str, value: Any) -> bool:
    question = assessment.question(question_key)
    if question is None or not question.has_choices:
        return True
    keys = value if isinstance(value, (list, tuple)) else [value]
    return all((c := question.choice(k)) is not None and c.recall for k in keys)


def _labels(
    assessment: Assessment, question_key: str, value: Any, language: str, words: dict
) -> str:
    question = assessment.question(question_key)
    keys = value if isinstance(value, (list, tuple)) else [value]
    labels = []
    for key in keys:
        choice = question.choice(key) if question else None
        label = assessment.text(choice.label, language) if choice else str(key)
        labels.append(words["label"].format(label=label))
    return _join(labels, words)


def _join(parts: list[str], words: dict) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    if words["and"] == " y ":
        return ", ".join(parts[:-1]) + " y " + parts[-1]
    return ", ".join(parts[:-1]) + words["and"] + parts[-1]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def number(value: float) -> str:
    """7.0 -> "7", 2.5 -> "2.5"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)
