"""Why a product was recommended, as data and as a short sentence for the customer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Lookups, Phrase
from .recall import answer_phrases
from .text import localized, number

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
        "label": "“{label}”",
        # An answer cited without a recall phrase, by its form (`Phrase.form`).
        "cite_choice": "you chose “{answer}”",
        "cite_number": "you answered {answer}",
        "cite_text": "you answered “{answer}”",
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
        "label": "«{label}»",
        "cite_choice": "elegiste «{answer}»",
        "cite_number": "respondiste {answer}",
        "cite_text": "respondiste “{answer}”",
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

    def text(self, lookups: Lookups, language: str) -> str:
        """A short sentence in `language` ("en" or "es"; others fall back to English).

        `lookups` is the compiled assessment the reason came from (or anything that looks up its
        questions, traits and outcomes the same way).
        """
        words = _TEMPLATES.get(language.split("-")[0].lower(), _TEMPLATES["en"])
        fallbacks = (lookups.default_language,)

        def say(text: Any) -> str:
            return localized(text, language, fallbacks)

        if self.kind == "trait":
            return _trait_text(self, lookups, language, say, words)
        if self.kind == "preference":
            return _preference_text(self, lookups, language, words)
        if self.kind == "outcome":
            outcome = next((o for o in lookups.outcomes if o.key == self.key), None)
            title = say(outcome.title) if outcome else (self.key or "")
            return words["outcome"].format(outcome=title)
        return words["fallback"]


def _trait_text(
    reason: Reason, lookups: Lookups, language: str, say: Callable[[Any], str], words: dict
) -> str:
    trait = lookups.trait(reason.key) if reason.key else None
    label = _lower_first(say(trait.label)) if trait else (reason.key or "")
    band = trait.band(reason.band) if trait and reason.band else None
    band_label = say(band.label) if band else (reason.band or "")
    score = reason.trait_score or 0.0
    points = words["points_one"] if score == 1 else words["points_many"].format(n=number(score))
    cited = [_cite(lookups, q, v, language, words) for q, v in reason.answers]
    because = words["trait_because"].format(answers=_join(cited, words)) if cited else ""
    # A score no answer contributed to (e.g. 0 points) is not worth quoting.
    points = f" ({points})" if cited else ""
    sentence = words["trait"].format(trait=label, band=band_label, score=points, because=because)
    return sentence + (words["trait_exact"] if reason.fit >= 1 else words["trait_close"])


def _preference_text(reason: Reason, lookups: Lookups, language: str, words: dict) -> str:
    """ "You said you run on trails" when every cited pick has a recall phrase, else the labels."""
    cited = [answer_phrases(lookups, q, v, language) for q, v in reason.answers]
    if all(p.recall or p.form != "choice" for found in cited for p in found):
        said = [_join([_cited(p, words) for p in found], words) for found in cited]
        return words["preference"].format(answers=_join(said, words))
    labels = [
        _join([words["label"].format(label=p.plain) for p in found], words) for found in cited
    ]
    return words["preference_chose"].format(answers=_join(labels, words))


def _cite(lookups: Lookups, question_key: str, value: Any, language: str, words: dict) -> str:
    """The customer's answer as a second-person phrase: its recall, else what they picked or
    typed ("you chose “Road”")."""
    if lookups.question(question_key) is None:
        return str(value)
    return _join(
        [_cited(p, words) for p in answer_phrases(lookups, question_key, value, language)], words
    )


def _cited(phrase: Phrase, words: dict) -> str:
    template = words.get(f"cite_{phrase.form}", words["cite_number"])
    return phrase.recall or template.format(answer=phrase.plain)


def _join(parts: list[str], words: dict) -> str:
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + words["and"] + parts[-1]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
