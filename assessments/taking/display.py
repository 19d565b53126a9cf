"""What customer pages show, resolved from the compiled assessment into plain values.

Templates get texts already in the customer's language, inputs already marked checked or
invalid, and products already priced, so they stay free of logic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.numbers import format_currency
from django.core.files.images import get_image_dimensions
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from assessments import engine
from assessments.engine.text import localized as t
from assessments.models import Product
from assessments.taking.results import FrozenProduct, FrozenResult
from assessments.taking.uploads import drawings_field, keep_field, photo_field

# The strongest reasons first (the engine orders them by the points they add); past three a
# list of reasons stops explaining and starts selling.
REASONS_SHOWN = 3

# A failed submission is shown back to the customer; never echo more than this.
ECHO_MAX_CHARS = 5000
FALLBACK_IMAGE_SIZE = (400, 300)

ERROR_MESSAGES = {
    "required": _("Please answer this question."),
    "unknown_choice": _("Please choose one of the options shown."),
    "too_few_picks": _("Please choose at least %(min_picks)s."),
    "too_many_picks": _("Please choose at most %(max_picks)s."),
    "exclusive_combined": _("“%(label)s” can't be combined with other choices."),
    "not_a_number": _("Please enter a number, for example 12 or 7.5."),
    "not_a_whole_number": _("Please enter a whole number, for example 12."),
    "out_of_range": _("Please enter a number from %(min)s to %(max)s."),
    "out_of_range_min": _("Please enter %(min)s or more."),
    "out_of_range_max": _("Please enter %(max)s or less."),
    "too_long": _("Please keep this to %(max_length)s characters or fewer."),
    "not_a_photo": _("Please take a photo of your footprint, or continue without one."),
}
# Why a footprint photo could not be measured, by the problem's code (taking/footprint.py), and
# the size limit the upload handler enforces (`file_too_large`).
PHOTO_PROBLEMS = {
    "file_too_large": _("The photo is larger than %(megabytes)s MB."),
    "too_large": _("The photo has more pixels than we can read."),
    "unreadable": _("The file is not a photo we can read."),
    "too_dark": _("The photo is too dark to see the print."),
    "no_print": _("We could not find a footprint in the photo."),
    "too_small": _("The print is too small in the photo: take it from closer."),
    "cut_off": _("The print is cut off at the edge of the photo."),
}
PHOTO_FALLBACK = _(
    "We could not measure your photo. %(problem)s Choose the drawing that looks most like "
    "your print instead."
)
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


def photo_notice(code: str, *, megabytes: int) -> str:
    """Why the photo was not measured and what to do instead, in the active language; "" for
    a code that names no problem."""
    problem = PHOTO_PROBLEMS.get(code)
    if problem is None:
        return ""
    return str(PHOTO_FALLBACK) % {"problem": str(problem) % {"megabytes": megabytes}}


def fallback_notice(
    assessment: engine.Assessment,
    fields: Iterable[QuestionField],
    code: str,
    *,
    language: str,
    megabytes: int,
) -> str:
    """Why the customer's footprint photo was not measured, on the step that asks its fallback
    (the drawings) instead; "" on any other step."""
    fallbacks = {
        question.settings.get("fallback")
        for step in assessment.steps
        for question in step.questions
        if question.kind == "footprint"
    }
    if not any(field.key in fallbacks for field in fields):
        return ""
    with translation.override(language):
        return photo_notice(code, megabytes=megabytes)


def error_message(error: engine.AnswerError) -> str:
    """The engine's error, worded for the customer in the active language."""
    code = error.code
    params = dict(error.params)
    if isinstance(params.get("label"), Mapping):
        # A choice's label is the author's text: word it in the language being rendered.
        params["label"] = t(params["label"], translation.get_language() or "en")
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


def landing_hero(definition: Mapping[str, Any]) -> Image | None:
    """The landing page's picture: the first outcome's, a glimpse of the profiles the
    assessment leads to (a definition has no picture of its own)."""
    for outcome in definition.get("outcomes") or ():
        if isinstance(outcome, Mapping) and isinstance(outcome.get("image"), str):
            return image(outcome["image"])
    return None


# -- a step's questions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceField:
    key: str
    id: str
    label: str
    description: str = ""
    image: Image | None = None
    checked: bool = False
    insight: str = ""
    exclusive: bool = False


# Frozen and hashable: a question's HTML is a function of its field and the language, so the
# `question` template tag can reuse it (see templatetags/taking.py).
@dataclass(frozen=True, slots=True)
class QuestionField:
    key: str
    kind: str
    id: str
    prompt: str
    template: str  # the template its kind shows it with
    help: str = ""
    required: bool = True
    error: str = ""
    choices: tuple[ChoiceField, ...] = ()
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
    keep_days: int = 0  # a photo question offers to keep the photo this many days (0: never)
    # Something only this customer wrote shows in it: a typed value, or an earlier answer
    # recalled in the prompt or help. Such HTML is never kept for reuse.
    personal: bool = False

    @property
    def grouped(self) -> bool:
        """Radios and checkboxes go in a fieldset whose legend is the prompt."""
        return self.input_type in ("radio", "checkbox")

    @property
    def photo_name(self) -> str:
        """The name of a photo question's file input (see taking/uploads.py)."""
        return photo_field(self.key)

    @property
    def keep_name(self) -> str:
        return keep_field(self.key)

    @property
    def drawings_name(self) -> str:
        return drawings_field(self.key)

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


def _input(question: engine.Question, value: Any, language: str) -> dict[str, Any]:
    """The attributes of a question's input, as its kind lays it out, in `language`."""
    widget = question.behaviour.widget(question, value)
    return {
        "template": widget.template,
        "input_type": widget.input_type,
        "choices": tuple(
            ChoiceField(
                key=option.key,
                id=f"q-{question.key}-{option.key}",
                label=t(option.label, language),
                description=t(option.description, language),
                image=image(option.image),
                checked=option.checked,
                insight=t(option.insight, language),
                exclusive=option.exclusive,
            )
            for option in widget.options
        ),
        "value": widget.value[:ECHO_MAX_CHARS],
        "min": widget.min,
        "max": widget.max,
        "step": widget.step,
        "unit": t(widget.unit, language),
        "max_length": widget.max_length,
        "min_label": t(widget.min_label, language),
        "max_label": t(widget.max_label, language),
        "range_hint": _range_hint(widget.min, widget.max) if widget.range_hint else "",
    }


def _question_field(
    assessment: engine.Assessment,
    question: engine.Question,
    *,
    language: str,
    value: Any,
    error: engine.AnswerError | None,
    recalled: Mapping[str, Any],
) -> QuestionField:
    prompt, help_text = t(question.prompt, language), t(question.help, language)
    filled_prompt = engine.fill_answers(prompt, assessment, recalled, language)
    filled_help = engine.fill_answers(help_text, assessment, recalled, language)
    # Error messages and hints are lazy translations: word them in the customer's language.
    with translation.override(language):
        attributes = _input(question, value, language)
        error_text = error_message(error) if error else ""
    return QuestionField(
        key=question.key,
        kind=question.kind,
        id=f"q-{question.key}",
        prompt=filled_prompt,
        help=filled_help,
        required=question.required,
        error=error_text,
        keep_days=_keep_days(question),
        personal=bool(attributes.get("value"))
        or filled_prompt != prompt
        or filled_help != help_text,
        **attributes,
    )


def _keep_days(question: engine.Question) -> int:
    days = question.settings.get("keep_photo_days")
    return days if isinstance(days, int) and not isinstance(days, bool) else 0


# Compiled assessments times languages whose blank questions are kept (see `_blank_fields`).
BLANK_KEPT = 128


@functools.lru_cache(maxsize=BLANK_KEPT)
def _blank_fields(assessment: engine.Assessment, language: str) -> Mapping[str, QuestionField]:
    """Every question of the assessment as a field in `language` with nothing picked or typed
    and no error; left out are those whose prompt or help recalls an earlier answer.

    Most questions a customer sees are still blank, and a blank field depends only on the
    compiled assessment (immutable, and itself cached) and the language: so it is localised
    once per worker, not on every step page.
    """
    return MappingProxyType(
        {
            question.key: _question_field(
                assessment, question, language=language, value=None, error=None, recalled={}
            )
            for step in assessment.steps
            for question in step.questions
            if "{answer:" not in t(question.prompt, language)
            and "{answer:" not in t(question.help, language)
        }
    )


def _unanswered(value: Any) -> bool:
    """Nothing stored or sent: the question's input is shown blank."""
    return value is None or (isinstance(value, (str, list, tuple)) and not value)


def question_fields(
    assessment: engine.Assessment,
    questions: Iterable[engine.Question],
    *,
    language: str,
    values: Mapping[str, Any],
    errors: Mapping[str, engine.AnswerError],
    recalled: Mapping[str, Any] | None = None,
) -> list[QuestionField]:
    """The step's visible questions as form fields, filled with `values`, marked with `errors`.

    `{answer:key}` in prompts and help is filled from `recalled`, the counted earlier answers.
    """
    fields = []
    recalled = recalled or {}
    blanks = _blank_fields(assessment, language)
    for question in questions:
        error = errors.get(question.key)
        value = values.get(question.key)
        blank = blanks.get(question.key)
        if blank is not None and error is None and _unanswered(value):
            fields.append(blank)
            continue
        fields.append(
            _question_field(
                assessment,
                question,
                language=language,
                value=value,
                error=error,
                recalled=recalled,
            )
        )
    return fields


# -- a step page ------------------------------------------------------------------------


# Compiled assessments times hidden-field sets whose unanswered path length is kept.
UNANSWERED_KEPT = 256


@functools.lru_cache(maxsize=UNANSWERED_KEPT)
def _unanswered_length(assessment: engine.Assessment, fields: tuple[tuple[str, str], ...]) -> int:
    return len(assessment.walk({}, dict(fields)).path)


def path_change(assessment: engine.Assessment, walk: engine.Walk) -> int:
    """How many steps the customer's answers added to the path (negative: took off), next to
    the path before any answer; the first step page counted that many, so the change is said."""
    fields = tuple(sorted((str(k), str(v)) for k, v in (walk.fields or {}).items()))
    return len(walk.path) - _unanswered_length(assessment, fields)


def _path_said(assessment: engine.Assessment, walk: engine.Walk) -> dict[str, int]:
    """Why the step count differs from the first page's, in numbers the template words."""
    change = path_change(assessment, walk) if walk.answers else 0
    return {"steps_skipped": max(-change, 0), "steps_added": max(change, 0)}


def step_context(
    assessment: engine.Assessment,
    walk: engine.Walk,
    step_key: str,
    *,
    language: str,
    values: Mapping[str, Any],
    errors: Mapping[str, engine.AnswerError],
    after: str = "",
) -> dict[str, Any]:
    """What a step page shows, from one walk: the step, progress, its questions filled with
    `values` and marked with `errors`, "why we ask", and the insights of the step `after`.

    `after` names the step just answered without JavaScript: the customer could not see its
    choices' insights before moving on, so the next step opens with them.
    """
    step = assessment.step(step_key)
    assert step is not None
    path = walk.path
    position = path.index(step_key) if step_key in path else 0
    counted = walk.counted
    revealed = after in path[:position] and not errors
    fields = question_fields(
        assessment,
        walk.questions(step_key),
        language=language,
        values=values,
        errors=errors,
        recalled=counted,
    )
    return {
        "step": step,
        "progress": walk.progress(step_key),
        **_path_said(assessment, walk),
        "fields": fields,
        "why": engine.fill_answers(t(step.why, language), assessment, counted, language),
        "revealed": walk.insights(language, after) if revealed else [],
        "has_errors": bool(errors),
        "has_photo": any(field.input_type == "file" for field in fields),
        "previous": path[position - 1] if position > 0 else None,
        "assessment_title": t(assessment.title, language),
    }


# -- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeShown:
    key: str
    title: str
    description: str
    image: Image | None


@dataclass(frozen=True, slots=True)
class ProductResult:
    sku: str
    name: str
    description: str
    url: str
    price: str
    thumbnail: Image | None
    image: Image | None
    reasons: list[str]
    edge: str = ""  # on the top pick: why it comes before the next one
    variant: str = ""  # the name of the variant that fits ("Women's"), "" for none


def price(amount: Decimal, currency: str, language: str) -> str:
    try:
        return format_currency(amount, currency, locale=language)
    except (ValueError, LookupError):
        return f"{amount} {currency}"


# The only links a product may send a customer to; the format and the admin refuse others, and
# a row stored before they did is shown without its link rather than with a dangerous one.
LINK_SCHEMES = ("http", "https")


def safe_link(url: str) -> str:
    """`url` if it is an http(s) address with a host, else "" (no link at all).

    Read as a browser would: urlsplit drops leading spaces and control characters and the tabs
    and line breaks inside, so "java\tscript:" and " javascript:" are seen for what they are.
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return ""
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else ""


def with_reference(url: str, ref: str) -> str:
    """The product's URL with `ref=<ref>` added to its query (replacing any `ref` it had); ""
    when it is not a link customers may follow (see `safe_link`)."""
    url = safe_link(url)
    if not ref or not url:
        return url
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "ref"]
    query.append(("ref", ref))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _link(url: str, ref: str) -> str:
    """A product's link on a results page: through /go/<ref>/ (which counts the click and
    adds the ref) on the customer's own page, the product's URL on a shared one; "" for none."""
    if not safe_link(url):
        return ""
    return reverse("taking:go", args=[ref]) if ref else url


def _products(
    ranked: Iterable[FrozenProduct],
    catalogue: Mapping[str, Product],
    language: str,
    *,
    reasons: bool,
    references: bool,
) -> list[ProductResult]:
    shown = []
    for item in ranked:
        product = catalogue.get(item.sku)
        if product is None:
            continue
        # The model once, as the variant that fits: its own link, price and picture where it
        # has them, else the product's. A variant removed since is left out, not guessed.
        variant = (
            next((v for v in product.variants.all() if v.sku == item.variant), None)
            if item.variant
            else None
        )
        if variant is not None and variant.image.name:
            thumbnail, full = image(variant.image.name), None
        else:
            thumbnail = image(product.thumbnail.name or product.image.name)
            full = image(product.image.name) if product.thumbnail.name else None
        amount = variant.price if variant is not None and variant.price is not None else None
        shown.append(
            ProductResult(
                sku=product.sku,
                name=t(product.name, language) or product.sku,
                description=t(product.description, language),
                url=_link(
                    (variant.url if variant is not None else "") or product.url,
                    item.ref if references else "",
                ),
                price=price(
                    product.price if amount is None else amount, product.currency, language
                ),
                thumbnail=thumbnail,
                image=full,
                reasons=list(item.reasons[:REASONS_SHOWN]) if reasons else [],
                edge=item.edge if reasons else "",
                variant=t(variant.name, language) if variant is not None else "",
            )
        )
    return shown


def apart(products: list[ProductResult], among: list[ProductResult]) -> list[ProductResult]:
    """`products` with the reasons that tell each apart from the others `among` first.

    A card shows its first reason; when every recommended product fits for the same reason
    (the support the customer needs, say), that reason says nothing about which to choose, so
    it moves behind the ones this product alone has. Nothing is dropped.
    """
    if len(among) < 2:
        return products
    shared = set(among[0].reasons).intersection(*(set(p.reasons) for p in among[1:]))
    if not shared:
        return products
    return [
        replace(
            product,
            reasons=[r for r in product.reasons if r not in shared]
            + [r for r in product.reasons if r in shared],
        )
        for product in products
    ]


def results_context(
    result: FrozenResult, products: Sequence[Product], *, private: bool = True
) -> dict[str, Any]:
    """A frozen result as page values. `private=False` (the shared page) leaves out what only
    the customer should see: the reasons and insights that quote their answers, and the
    attribution references."""
    language = result.language
    catalogue = {p.sku: p for p in products}
    outcome = result.outcome
    recommended = _products(
        result.recommended, catalogue, language, reasons=private, references=private
    )
    alternatives = _products(
        result.alternatives, catalogue, language, reasons=private, references=private
    )
    return {
        "traits": [trait for trait in result.traits if trait.assessed],
        "fewer": result.fewer,
        "traits_not_assessed": [trait.label for trait in result.traits if not trait.assessed],
        "outcome": OutcomeShown(
            outcome.key, outcome.title, outcome.description, image(outcome.image)
        )
        if outcome is not None
        else None,
        "recommended": apart(recommended, recommended),
        "alternatives": apart(alternatives, recommended),
        "fallback_message": result.fallback_message,
        "insights": result.insights if private else (),
    }
