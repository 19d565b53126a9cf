"""What customer pages show, resolved from the compiled assessment into plain values.

Templates get texts already in the customer's language, inputs already marked checked or
invalid, and products already priced, so they stay free of logic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from assessments import engine
from assessments.engine.reasons import number as show_number
from assessments.models import Product, Response
from assessments.templatetags.taking import localized_text as t

# Scales up to this many points are a row of radio buttons; longer ones a number box.
SCALE_AS_RADIOS = 11
# A failed submission is shown back to the customer; never echo more than this.
ECHO_MAX_CHARS = 5000
FALLBACK_IMAGE_SIZE = (400, 300)

ERROR_MESSAGES = {
    "required": _("Please answer this question."),
    "unknown_choice": _("Please choose one of the options shown."),
    "too_few_picks": _("Please choose at least %(min_picks)s."),
    "too_many_picks": _("Please choose at most %(max_picks)s."),
    "not_a_number": _("Please enter a number, for example 12 or 7.5."),
    "not_a_whole_number": _("Please enter a whole number, for example 12."),
    "out_of_range": _("Please enter a number from %(min)s to %(max)s."),
    "out_of_range_min": _("Please enter %(min)s or more."),
    "out_of_range_max": _("Please enter %(max)s or less."),
    "too_long": _("Please keep this to %(max_length)s characters or fewer."),
}
RANGE_HINTS = {
    "both": _("From %(min)s to %(max)s."),
    "min": _("%(min)s or more."),
    "max": _("%(max)s or less."),
}


def _range_hint(low: str, high: str) -> str:
    if low and high:
        return str(RANGE_HINTS["both"]) % {"min": low, "max": high}
    if low:
        return str(RANGE_HINTS["min"]) % {"min": low}
    if high:
        return str(RANGE_HINTS["max"]) % {"max": high}
    return ""


def error_message(error: engine.AnswerError) -> str:
    """The engine's error, worded for the customer in the active language."""
    code = error.code
    params = dict(error.params)
    if code == "out_of_range":
        if params.get("min") == "any":
            code = "out_of_range_max"
        elif params.get("max") == "any":
            code = "out_of_range_min"
    template = ERROR_MESSAGES.get(code) or ERROR_MESSAGES["required"]
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(ERROR_MESSAGES["required"])


@functools.lru_cache(maxsize=2048)
def image_size(name: str) -> tuple[int, int]:
    """An image's pixel size, so pages reserve its space before it loads (no layout shift)."""
    try:
        with default_storage.open(name, "rb") as handle:
            width, height = get_image_dimensions(handle)
    except (OSError, ValueError):
        return FALLBACK_IMAGE_SIZE
    return (width, height) if width and height else FALLBACK_IMAGE_SIZE


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    width: int
    height: int


def image(name: str | None) -> Image | None:
    if not name:
        return None
    width, height = image_size(name)
    return Image(default_storage.url(name), width, height)


# -- the landing page --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def landing_languages(
    request: HttpRequest, languages: Sequence[str], current: str
) -> list[LanguageLink]:
    """Links that show the landing page in each language, keeping the rest of the query."""
    links = []
    for code in languages:
        query = request.GET.copy()
        query["lang"] = code
        try:
            name = get_language_info(code)["name_local"]
        except KeyError:
            name = code
        links.append(
            LanguageLink(code, name, f"{request.path}?{query.urlencode()}", code == current)
        )
    return links


# -- a step's questions ------------------------------------------------------------------


@dataclass(slots=True)
class ChoiceField:
    key: str
    id: str
    label: str
    description: str = ""
    image: Image | None = None
    checked: bool = False


@dataclass(slots=True)
class QuestionField:
    key: str
    kind: str
    id: str
    prompt: str
    help: str = ""
    required: bool = True
    error: str = ""
    choices: list[ChoiceField] = field(default_factory=list)
    value: str = ""
    input_type: str = ""  # radio, checkbox, number, text, textarea; "" for information
    min: str = ""
    max: str = ""
    step: str = ""
    unit: str = ""
    max_length: int = 0
    min_label: str = ""
    max_label: str = ""
    range_hint: str = ""

    @property
    def grouped(self) -> bool:
        """Radios and checkboxes go in a fieldset whose legend is the prompt."""
        return self.input_type in ("radio", "checkbox")

    @property
    def anchor(self) -> str:
        """Where the error summary links to: the first input of the question."""
        return self.choices[0].id if self.grouped and self.choices else f"{self.id}-input"

    @property
    def described_by(self) -> str:
        ids = []
        if self.help or self.range_hint:
            ids.append(f"{self.id}-help")
        if self.error:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


def _picked(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, (list, tuple)):
        return {v for v in value if isinstance(v, str)}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {show_number(value)}
    return set()


def _shown(value: Any) -> str:
    """A stored or submitted value as the text of an input."""
    if isinstance(value, (list, tuple)):
        value = next((v for v in value if isinstance(v, str)), "")
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (int, float)):
        return show_number(value)
    return str(value)[:ECHO_MAX_CHARS]


def _bound(value: float | None) -> str:
    return "" if value is None else show_number(value)


def question_fields(
    assessment: engine.Assessment,
    questions: Iterable[engine.Question],
    *,
    language: str,
    values: Mapping[str, Any],
    errors: Mapping[str, engine.AnswerError],
) -> list[QuestionField]:
    """The step's visible questions as form fields, filled with `values`, marked with `errors`."""
    fields = []
    for question in questions:
        error = errors.get(question.key)
        value = values.get(question.key)
        item = QuestionField(
            key=question.key,
            kind=question.kind,
            id=f"q-{question.key}",
            prompt=t(question.prompt, language),
            help=t(question.help, language),
            required=question.required,
            error=error_message(error) if error else "",
        )
        kind = question.kind
        if question.has_choices:
            item.input_type = "checkbox" if kind == "multiple" else "radio"
            picked = _picked(value)
            item.choices = [
                ChoiceField(
                    key=choice.key,
                    id=f"q-{question.key}-{choice.key}",
                    label=t(choice.label, language),
                    description=t(choice.description, language),
                    image=image(choice.image),
                    checked=choice.key in picked,
                )
                for choice in question.choices
            ]
        elif kind == "scale" and question.max is not None and question.min is not None:
            low, high = int(question.min), int(question.max)
            item.min_label = t(question.min_label, language)
            item.max_label = t(question.max_label, language)
            if high - low + 1 <= SCALE_AS_RADIOS:
                item.input_type = "radio"
                picked = _picked(value)
                item.choices = [
                    ChoiceField(key=str(n), id=f"q-{question.key}-{n}", label=str(n))
                    for n in range(low, high + 1)
                ]
                for choice in item.choices:
                    choice.checked = choice.key in picked
            else:
                item.input_type = "number"
                item.min, item.max, item.step = str(low), str(high), "1"
                item.range_hint = _range_hint(item.min, item.max)
                item.value = _shown(value)
        elif kind in ("number", "scale"):
            item.input_type = "number"
            item.min, item.max = _bound(question.min), _bound(question.max)
            item.step = "1" if question.integer or kind == "scale" else "any"
            item.unit = t(question.unit, language)
            item.range_hint = _range_hint(item.min, item.max)
            item.value = _shown(value)
        elif kind == "text":
            item.input_type = "textarea" if question.max_length > 200 else "text"
            item.max_length = question.max_length
            item.value = _shown(value)
        fields.append(item)
    return fields


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TraitResult:
    label: str
    description: str
    band: str
    insight: str


@dataclass(frozen=True, slots=True)
class ProductResult:
    sku: str
    name: str
    description: str
    url: str
    price: str
    thumbnail: Image | None
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class AnswerInsight:
    prompt: str
    answer: str
    insight: str


def price(amount: Decimal, currency: str, language: str) -> str:
    try:
        return format_currency(amount, currency, locale=language)
    except (ValueError, LookupError):
        return f"{amount} {currency}"


def _products(
    assessment: engine.Assessment,
    ranked: Iterable[engine.RankedProduct],
    catalogue: Mapping[str, Product],
    language: str,
) -> list[ProductResult]:
    shown = []
    for item in ranked:
        product = catalogue.get(item.sku)
        if product is None:
            continue
        shown.append(
            ProductResult(
                sku=product.sku,
                name=t(product.name, language) or product.sku,
                description=t(product.description, language),
                url=product.url,
                price=price(product.price, product.currency, language),
                thumbnail=image(product.thumbnail.name or product.image.name),
                reasons=[reason.text(assessment, language) for reason in item.reasons],
            )
        )
    return shown


def _insights(
    assessment: engine.Assessment, counted: Mapping[str, Any], language: str
) -> list[AnswerInsight]:
    """What the customer's own choices revealed: each picked choice's insight, in step order."""
    found = []
    for step in assessment.steps:
        for question in step.questions:
            if question.key not in counted or not question.has_choices:
                continue
            value = counted[question.key]
            for key in value if isinstance(value, list) else [value]:
                choice = question.choice(key)
                if choice is not None and choice.insight:
                    found.append(
                        AnswerInsight(
                            t(question.prompt, language),
                            t(choice.label, language),
                            t(choice.insight, language),
                        )
                    )
    return found


def results_context(
    assessment: engine.Assessment, response: Response, products: Sequence[Product]
) -> dict[str, Any]:
    """Traits with bands and insights, the outcome, and recommended products with reasons."""
    language = response.language
    catalogue = {p.sku: p for p in products}
    result = assessment.evaluate(
        [
            engine.Product(p.sku, p.attributes if isinstance(p.attributes, dict) else {})
            for p in products
        ],
        response.answers,
        response.fields,
    )
    traits = []
    for trait in assessment.traits:
        score = result.scores.get(trait.key)
        band = score.band if score else None
        traits.append(
            TraitResult(
                label=t(trait.label, language),
                description=t(trait.description, language),
                band=t(band.label, language) if band else "",
                insight=t(band.insight, language) if band else "",
            )
        )
    outcome = result.outcome
    recommendation = result.recommendation
    return {
        "traits": traits,
        "outcome": {
            "title": t(outcome.title, language),
            "description": t(outcome.description, language),
            "image": image(outcome.image),
        }
        if outcome
        else None,
        "recommended": _products(assessment, recommendation.recommended, catalogue, language),
        "alternatives": _products(assessment, recommendation.alternatives, catalogue, language),
        "fallback_message": t(recommendation.fallback_message, language)
        if recommendation.fallback_used
        else "",
        "insights": _insights(
            assessment, assessment.counted_answers(response.answers, response.fields), language
        ),
    }
