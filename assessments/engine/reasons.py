"""Why a product was recommended, as data and as a short sentence for the customer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .model import Lookups, Phrase
from .recall import answer_phrases
from .text import localized

# Built-in sentence templates; any other language falls back to English.
_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "trait": "Your {trait} is {band}{because}.",
        "trait_because": ": {answers}",
        "trait_exact": " This product is made for that.",
        "trait_close": " This product comes close.",
        "preference": "You said {answers}; this one has it.",
        "preference_chose": "You chose {answers}; this one has it.",
        "outcome": "It suits your profile: {outcome}.",
        "fallback": "Nothing matched every answer, so this is a safe choice to start from.",
        "edge": "It comes before {other} because {leads}.",
        "edge_tie": "{other} fits you just as well; this one is the brand's first choice.",
        "edge_tie_sku": "{other} fits you just as well.",
        "lead_trait_exact": "it is made for your {trait}",
        "lead_trait_close": "it comes closer to your {trait}",
        "lead_preference": "it matches what you said: {answers}",
        "lead_outcome": "it is meant for your profile, {outcome}",
        "next_one": "the next one",
        "and": ", and ",
        "label": "“{label}”",
        # An answer cited without a recall phrase, by its form (`Phrase.form`).
        "cite_choice": "you chose “{answer}”",
        "cite_number": "you answered {answer}",
        "cite_text": "you answered “{answer}”",
    },
    "es": {
        "trait": "Tu {trait} es {band}{because}.",
        "trait_because": ": {answers}",
        "trait_exact": " Este producto está hecho para eso.",
        "trait_close": " Este producto se acerca mucho.",
        "preference": "Dijiste que {answers}; este lo tiene.",
        "preference_chose": "Elegiste {answers}; este lo tiene.",
        "outcome": "Encaja con tu perfil: {outcome}.",
        "fallback": "Nada encajaba con todas tus respuestas, así que esta es una opción segura.",
        "edge": "Va antes que {other} porque {leads}.",
        "edge_tie": "{other} te encaja igual de bien; este es la primera opción de la marca.",
        "edge_tie_sku": "{other} te encaja igual de bien.",
        "lead_trait_exact": "está hecho para tu {trait}",
        "lead_trait_close": "se acerca más a tu {trait}",
        "lead_preference": "encaja con lo que dijiste: {answers}",
        "lead_outcome": "está pensado para tu perfil, {outcome}",
        "next_one": "el siguiente",
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
        words = _words(language)

        def say(text: Any) -> str:
            return localized(text, language, (lookups.default_language,))

        if self.kind == "trait":
            return _trait_text(self, lookups, language, say, words)
        if self.kind == "preference":
            return _preference_text(self, lookups, language, words)
        if self.kind == "outcome":
            return words["outcome"].format(outcome=_outcome_title(self, lookups, say))
        return words["fallback"]


@dataclass(frozen=True, slots=True)
class Edge:
    """Why the top pick comes before the runner-up: what it adds that the runner-up does not."""

    runner_up: str  # its sku
    # The top pick's reasons that add more to its score than the runner-up's same reasons do,
    # the biggest lead first; `points` is the lead, `answers` what the runner-up lacks.
    leads: tuple[Reason, ...] = ()
    by_priority: bool = False  # an equal fit, put first by the brand's priority

    def text(self, lookups: Lookups, language: str, runner_up_name: str = "") -> str:
        """One sentence in `language`, naming the runner-up (its sku's name, if given)."""
        words = _words(language)

        def say(text: Any) -> str:
            return localized(text, language, (lookups.default_language,))

        other = runner_up_name or words["next_one"]
        if not self.leads:
            tie = words["edge_tie"] if self.by_priority else words["edge_tie_sku"]
            return _upper_first(tie.format(other=other))
        leads = [_lead_text(lead, lookups, language, say, words) for lead in self.leads]
        return words["edge"].format(other=other, leads=_join(leads, words))


def _words(language: str) -> dict[str, str]:
    return _TEMPLATES.get(language.split("-")[0].lower(), _TEMPLATES["en"])


def _outcome_title(reason: Reason, lookups: Lookups, say: Callable[[Any], str]) -> str:
    outcome = next((o for o in lookups.outcomes if o.key == reason.key), None)
    return say(outcome.title) if outcome else (reason.key or "")


def _lead_text(
    lead: Reason, lookups: Lookups, language: str, say: Callable[[Any], str], words: dict
) -> str:
    if lead.kind == "trait":
        trait = lookups.trait(lead.key) if lead.key else None
        label = _lower_first(say(trait.label)) if trait else (lead.key or "")
        template = words["lead_trait_exact"] if lead.fit >= 1 else words["lead_trait_close"]
        return template.format(trait=label)
    if lead.kind == "preference":
        cited = [_cite(lookups, q, v, language, words) for q, v in lead.answers]
        return words["lead_preference"].format(answers=_join(cited, words))
    return words["lead_outcome"].format(outcome=_outcome_title(lead, lookups, say))


def _trait_text(
    reason: Reason, lookups: Lookups, language: str, say: Callable[[Any], str], words: dict
) -> str:
    trait = lookups.trait(reason.key) if reason.key else None
    label = _lower_first(say(trait.label)) if trait else (reason.key or "")
    band = trait.band(reason.band) if trait and reason.band else None
    band_label = say(band.label) if band else (reason.band or "")
    # The answers behind the band, strongest first, in the customer's words; never the points,
    # which mean nothing to a customer.
    cited = [_cite(lookups, q, v, language, words) for q, v in reason.answers]
    because = words["trait_because"].format(answers=_join(cited, words)) if cited else ""
    sentence = words["trait"].format(trait=label, band=band_label, because=because)
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


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text
