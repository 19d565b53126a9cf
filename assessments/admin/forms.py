"""Admin forms: image uploads checked with Pillow, JSON rules checked for shape, import."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.forms.fields import InvalidJSONInput
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.authoring.bundles import ARCHIVE_MAX_BYTES, is_archive
from assessments.authoring.images import image_clean
from assessments.authoring.selectors import catalogue_attributes
from assessments.embedding.origins import OriginError, clean_allowed_origins
from assessments.engine.bounds import Range, bounds
from assessments.engine.structure import MAX_DEPTH
from assessments.engine.text import localized
from assessments.models import (
    Assessment,
    Brand,
    Choice,
    Outcome,
    Product,
    ProductVariant,
    Question,
    RecommendationSettings,
    TraitBand,
)
from assessments.models.brands import RETENTION_DAYS_DEFAULT
from assessments.models.fields import LocalizedTextFormField

from .rows import Column, RowsWidget, attributes_widget, string_rows

# -- bounded numbers and JSON --------------------------------------------------------------

# Numbers an author types, kept to the ranges the definition format gives them
# (assessment.schema.json, read through engine.bounds): a form refuses what publishing would.
NUMBER_BOUNDS: dict[tuple[type[models.Model], str], str] = {
    (Assessment, "estimated_minutes"): "estimated_minutes",
    (Question, "min_picks"): "min_picks",
    (Question, "max_picks"): "max_picks",
    (Question, "scale_min"): "scale_end",
    (Question, "scale_max"): "scale_end",
    (Question, "number_min"): "figure",
    (Question, "number_max"): "figure",
    (Question, "text_max_length"): "text_max_length",
    (TraitBand, "min_score"): "figure",
    (TraitBand, "max_score"): "figure",
    (Outcome, "priority"): "priority",
    (RecommendationSettings, "count"): "count",
    (RecommendationSettings, "alternatives"): "alternatives",
    (RecommendationSettings, "outcome_weight"): "weight",
}


def _within(field: forms.Field, low: float, high: float) -> None:
    field.validators = [*field.validators, MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update({"min": low, "max": high})


def bounded_formfield(db_field: models.Field, field: forms.Field | None) -> forms.Field | None:
    """`field`, refusing numbers its column or the definition format cannot hold.

    Every whole-number column gets PostgreSQL's range on every database: SQLite stores any
    64-bit number, so without it a value saved on one would be a form error on the other.
    """
    if field is None:
        return None
    column = BaseDatabaseOperations.integer_field_ranges.get(db_field.get_internal_type())
    if column is not None:
        _within(field, *column)
    name = NUMBER_BOUNDS.get((db_field.model, db_field.name))
    if name is not None:
        allowed = bounds(name)
        _within(field, allowed.low, allowed.high)
    return field


class DefinitionJSONField(forms.JSONField):
    """JSON as a definition may hold it: finite numbers, no NUL character, at most 100 deep.

    Django's JSONField reads NaN and Infinity (Python's json does) and lets a NUL through, and
    SQLite's JSON check and PostgreSQL's jsonb refuse them when the row is saved: a 500.
    Thousands of nested brackets overflow the parser itself.
    """

    default_error_messages = {
        "invalid": _("Enter valid JSON."),
        "not_finite": _("Numbers must be finite: NaN and Infinity are not JSON numbers."),
        "nul": _("Texts cannot hold a NUL character (\\u0000)."),
        "deep": _("This is nested more than %(depth)d levels deep."),
    }

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(
                self.error_messages["deep"], code="deep", params={"depth": MAX_DEPTH}
            ) from None
        except ValueError:  # a whole number of more than 4,300 digits
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except (RecursionError, ValueError):
            return InvalidJSONInput(data)

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = json_problem(value)
        if problem is not None:
            raise ValidationError(
                self.error_messages[problem], code=problem, params={"depth": MAX_DEPTH}
            )


def json_problem(value: Any) -> str | None:
    """What makes a parsed JSON value unstorable: "not_finite", "nul", "deep"; else None."""
    stack: list[tuple[int, Any]] = [(0, value)]
    while stack:
        depth, node = stack.pop()
        if isinstance(node, dict | list):
            if depth >= MAX_DEPTH:
                return "deep"
            if isinstance(node, dict):
                if any(isinstance(k, str) and "\x00" in k for k in node):
                    return "nul"
                node = node.values()
            stack.extend((depth + 1, item) for item in node)
        elif isinstance(node, float) and not math.isfinite(node):
            return "not_finite"
        elif isinstance(node, str) and "\x00" in node:
            return "nul"
    return None


def _number_in(value: Any, allowed: Range) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value in allowed


def _points_error(points: Any) -> ValidationError | None:
    """Why a {trait: points} object is not one, in the author's words; None when it is."""
    allowed = bounds("points")
    if not isinstance(points, dict) or not all(_number_in(v, allowed) for v in points.values()):
        return ValidationError(
            _(
                "Points are a JSON object from trait key to a number from %(low)s to %(high)s: "
                '{"support": 2}.'
            ),
            params={"low": allowed.low, "high": allowed.high},
        )
    return None


def _clean_upload(form: forms.ModelForm, field: str) -> Any:
    upload = form.cleaned_data.get(field)
    # Only fresh uploads are checked and encoded afresh; a kept file was when it arrived.
    if upload and hasattr(upload, "content_type"):
        return image_clean(upload, max_bytes=settings.MAX_IMAGE_UPLOAD_BYTES)
    return upload


def assessment_of(obj: Any) -> Any:
    """The assessment a step, question, choice, trait, band or outcome belongs to."""
    from assessments.models import Assessment

    if obj is None or obj.pk is None:
        return None
    if isinstance(obj, Assessment):
        return obj
    for attr in ("assessment", "step", "question", "trait"):
        parent = getattr(obj, attr, None)
        if parent is not None:
            return assessment_of(parent)
    return None


def languages_of(obj: Any) -> list[str] | None:
    """The languages an object's texts are written in: its assessment's, else its brand's."""
    assessment = assessment_of(obj)
    if assessment is not None:
        return list(assessment.languages) or None
    brand = getattr(obj, "brand", None) if obj is not None and obj.pk is not None else None
    return list(brand.languages) or None if brand is not None else None


def form_in_languages(form_class: type[forms.BaseForm], codes: list[str] | None) -> Any:
    """`form_class` showing its translated texts in these languages only (None: all)."""
    if not codes:
        return form_class

    class InLanguages(form_class):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for field in self.fields.values():
                if isinstance(field, LocalizedTextFormField):
                    field.show_only(codes)

        def clean(self) -> Any:
            cleaned = super().clean()
            for name, field in self.fields.items():
                if isinstance(field, LocalizedTextFormField) and name in self.cleaned_data:
                    self.cleaned_data[name] = field.keep_hidden_languages(
                        self.get_initial_for_field(field, name), self.cleaned_data[name]
                    )
            return cleaned

    InLanguages.__name__ = form_class.__name__
    return InLanguages


class StableKeyForm(forms.ModelForm):
    """Keys name answers in published versions and stored responses: once used, they stay."""

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        original = self.initial.get("key")
        if self.instance.pk and original and key != original:
            assessment = assessment_of(self.instance)
            if assessment is not None and assessment.versions.exists():
                raise forms.ValidationError(
                    _(
                        "Keys cannot change once a version is published: answers and reports "
                        "refer to “%(key)s”. Change the label instead."
                    ),
                    params={"key": original},
                )
        return key


class WordsField(forms.Field):
    """A list of words (tags) typed as one line, separated by commas: “shoes, running”."""

    widget = forms.TextInput

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        words = (value or "").replace("\n", ",").split(",")
        return list(dict.fromkeys(word.strip() for word in words if word.strip()))


class ProductForm(forms.ModelForm):
    tags = WordsField(
        label=_("Tags"),
        required=False,
        help_text=_(
            "Words that put the product in an assessment's catalogue, separated by commas: "
            "“shoes, running”. An assessment that names a tag recommends only products that "
            "have it; one that names none recommends from every active product."
        ),
    )

    class Meta:
        model = Product
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Said before saving, not only in the error after: results show every product's picture.
        self.fields["image"].help_text = _(
            "Required: every recommended product is shown with its picture. A PNG, JPEG, WebP "
            "or GIF of at most %(mb)d MB; a square thumbnail is made from it."
        ) % {"mb": settings.MAX_IMAGE_UPLOAD_BYTES // 1_048_576}
        self._attributes_as_rows()

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")

    def clean_url(self) -> str:
        # Customers follow this link from their results: never javascript:, data: or ftp:.
        url = self.cleaned_data.get("url") or ""
        URLValidator(
            schemes=["http", "https"],
            message=_("Give the product page's web address, starting with https:// or http://."),
        )(url)
        return url

    def _attributes_as_rows(self) -> None:
        self.fields["attributes"].widget = attributes_widget()
        self.fields["attributes"].help_text = _(
            "What recommendation rules match: a name (e.g. “support”) and its value. A list "
            "holds several values, separated by commas (“high, medium”)."
        )

    def clean_attributes(self) -> Any:
        return _attributes_clean(self.cleaned_data.get("attributes"))


def _attributes_clean(value: Any) -> Any:
    """Attributes as rules can match them, or the error that says which is not."""
    if not isinstance(value, dict):
        raise forms.ValidationError(_('Attributes are a JSON object: {"feel": "soft"}.'))
    for name, item in value.items():
        if item == {"not": "number"}:
            raise forms.ValidationError(
                _("Attribute “%(name)s” is a number: type digits, like 8 or 7.5."),
                params={"name": name},
            )
        if item == {"not": "yes-no"}:
            raise forms.ValidationError(
                _("Attribute “%(name)s” is yes or no: type “yes” or “no”."),
                params={"name": name},
            )
        ok = isinstance(item, str | int | float | bool) or (
            isinstance(item, list) and all(isinstance(v, str) for v in item)
        )
        if not ok:
            raise forms.ValidationError(
                _("Attribute “%(name)s” must be text, a number, true/false or a list of texts."),
                params={"name": name},
            )
    return value


class VariantForm(forms.ModelForm):
    """A variant under its product: only what differs (attributes, and a link, price or picture
    of its own)."""

    class Meta:
        model = ProductVariant
        fields = ["sku", "name", "attributes", "url", "price", "image", "active", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attributes"].widget = attributes_widget()
        self.fields["attributes"].help_text = _(
            "Only what differs from the product, such as “gender”: “women”. Filters and fits "
            "read the product's attributes with these over them."
        )

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url") or ""
        if url:
            URLValidator(
                schemes=["http", "https"],
                message=_("Give the page's web address, starting with https:// or http://."),
            )(url)
        return url

    def clean_attributes(self) -> Any:
        return _attributes_clean(self.cleaned_data.get("attributes"))


class ChoiceForm(StableKeyForm):
    class Meta:
        model = Choice
        fields = "__all__"

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")

    def clean_points(self) -> Any:
        value = self.cleaned_data.get("points") or {}
        error = _points_error(value)
        if error is not None:
            raise error
        return value


class QuestionForm(StableKeyForm):
    class Meta:
        model = Question
        fields = "__all__"

    def clean_scoring(self) -> Any:
        # Only the numbers are checked here; Validate and Publish word every other problem.
        value = self.cleaned_data.get("scoring") or []
        figure = bounds("figure")
        for entry in value if isinstance(value, list) else []:
            if not isinstance(entry, dict):
                continue
            error = _points_error(entry.get("points", {}))
            if error is not None:
                raise error
            for end in ("min", "max"):
                if end in entry and not _number_in(entry[end], figure):
                    raise ValidationError(
                        _("A scoring entry's “%(end)s” is a number from %(low)s to %(high)s."),
                        params={"end": end, "low": figure.low, "high": figure.high},
                    )
        return value


class RecommendationForm(forms.ModelForm):
    """Filters, trait fit and preferences as rows chosen from the assessment's questions and
    traits and the catalogue's attribute names (with the values products give them)."""

    catalogue_tags = WordsField(
        label=_("Catalogue: products tagged"),
        required=False,
        help_text=_(
            "Which of the brand's products this assessment may recommend: those with any of "
            "these tags (separated by commas, e.g. “socks”), plus the products listed below. "
            "Leave both empty to recommend from every active product of the brand, as "
            "assessments made before catalogues did."
        ),
    )

    class Meta:
        model = RecommendationSettings
        fields = "__all__"

    def __init__(self, *args: Any, assessment: Assessment | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if assessment is None and self.instance.assessment_id:
            assessment = self.instance.assessment
        attributes: tuple[tuple[str, str], ...] | None = None
        answers = choice_answers = traits = skus = None
        if assessment is not None:
            language = get_language() or ""
            found = catalogue_attributes(assessment.brand_id)
            attributes = tuple(
                (name, f"{name} ({', '.join(values[:6])}{'…' if len(values) > 6 else ''})")
                for name, values in found.items()
            )
            questions = [
                q
                for step in assessment.steps.prefetch_related("questions")
                for q in step.questions.all()
                if q.kind != Question.Kind.INFO
            ]

            def named(q: Question) -> tuple[str, str]:
                return (q.key, f"{q.key}: {localized(q.prompt, language) or q.key}")

            answers = tuple(named(q) for q in questions)
            choice_answers = tuple(named(q) for q in questions if q.kind in Question.CHOICE_KINDS)
            traits = tuple(
                (t.key, f"{t.key}: {localized(t.label, language) or t.key}")
                for t in assessment.traits.all()
            )
            skus = tuple(
                Product.objects.filter(brand_id=assessment.brand_id)
                .order_by("sku")
                .values_list("sku", "sku")
            )
            outcome = self.fields["outcome_attribute"]
            current = self.initial.get("outcome_attribute") or ""
            options = [("", "—"), *attributes]
            if current and current not in found:
                options.append((current, current))
            outcome.widget = forms.Select(choices=options)
        attribute = Column("attribute", _("Product attribute"), choices=attributes)
        weight = Column("weight", _("Weight"), number=True)
        widgets = {
            "filters": [attribute, Column("answer", _("Must match the answer to"), answers)],
            "trait_fit": [Column("trait", _("Trait"), traits), attribute, weight],
            "preferences": [
                Column("answer", _("Answer to"), choice_answers),
                attribute,
                weight,
            ],
        }
        helps = {
            "filters": _("Hard filters: a product stays only if its attribute matches the answer."),
            "trait_fit": _(
                "Products whose attribute names the customer's band of the trait score higher."
            ),
            "preferences": _("Products whose attribute has the picked choices score higher."),
        }
        for name, columns in widgets.items():
            self.fields[name].widget = RowsWidget(columns)
            self.fields[name].help_text = helps[name]
        self.fields["fallback_skus"].help_text = _(
            "Shown, with the fallback message, when the filters leave no product."
        )
        self.fields["fallback_skus"].widget = RowsWidget(
            [Column("sku", _("Product"), skus)],
            to_rows=lambda value: string_rows(value, "sku"),
            from_rows=lambda rows: [row["sku"] for row in rows],
        )
        self.fields["catalogue_skus"].help_text = _(
            "Products this assessment may recommend whatever their tags."
        )
        self.fields["catalogue_skus"].widget = RowsWidget(
            [Column("sku", _("Product"), skus)],
            to_rows=lambda value: string_rows(value, "sku"),
            from_rows=lambda rows: [row["sku"] for row in rows],
        )

    def _weights(self, name: str) -> Any:
        value = self.cleaned_data.get(name) or []
        allowed = bounds("weight")
        rules = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
        for rule in rules:
            if "weight" in rule and not _number_in(rule["weight"], allowed):
                raise ValidationError(
                    _("Each rule's “weight” is a number from %(low)s to %(high)s."),
                    params={"low": allowed.low, "high": allowed.high},
                )
        return value

    def clean_trait_fit(self) -> Any:
        return self._weights("trait_fit")

    def clean_preferences(self) -> Any:
        return self._weights("preferences")


class OutcomeForm(StableKeyForm):
    class Meta:
        model = Outcome
        fields = "__all__"

    def clean_image(self) -> Any:
        return _clean_upload(self, "image")


class BrandForm(forms.ModelForm):
    class Meta:
        model = Brand
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left empty, the period and the corners are the default ones rather than an error.
        self.fields["retention_days"].required = False
        self.fields["corner_radius"].required = False

    def clean_logo(self) -> Any:
        return _clean_upload(self, "logo")

    def clean_retention_days(self) -> int:
        value = self.cleaned_data.get("retention_days")
        return RETENTION_DAYS_DEFAULT if value is None else value

    def clean_corner_radius(self) -> int:
        value = self.cleaned_data.get("corner_radius")
        return Brand._meta.get_field("corner_radius").get_default() if value is None else value

    def clean_sender_name(self) -> str:
        name = self.cleaned_data.get("sender_name") or ""
        if any(character in name for character in "\r\n\x00"):
            raise forms.ValidationError(_("The sender name is one line: remove the line break."))
        return name

    def clean_allowed_origins(self) -> list[str]:
        try:
            return clean_allowed_origins(self.cleaned_data.get("allowed_origins") or [])
        except OriginError as error:
            raise forms.ValidationError(str(error)) from error


class ImportForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=_("Brand"))
    file = forms.FileField(
        label=_("Definition file (JSON, or a .zip with its images)"),
        help_text=_(
            "A file written by Export, or by hand following the JSON Schema. To bring images, "
            "upload a .zip holding the JSON and the images, their paths in the JSON relative to "
            "it (“images/ghost.png”)."
        ),
    )
    publish = forms.BooleanField(
        required=False, label=_("Publish it as a new version once imported")
    )

    def __init__(self, *args: Any, brands: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > ARCHIVE_MAX_BYTES:
            raise forms.ValidationError(_("A .zip is limited to 50 MB."))
        content = upload.read()
        if not is_archive(content) and upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Definition files are limited to 5 MB."))
        return content
