"""The draft an author edits. Publishing freezes it into an AssessmentVersion."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .brands import Brand, validate_languages
from .fields import KeyField, LocalizedTextField


def validate_condition(value: object) -> None:
    if value is not None and not isinstance(value, dict):
        raise ValidationError(
            _('A condition is a JSON object such as {"answer": "use", "equals": "walk"}, or empty.')
        )


class Assessment(models.Model):
    """An assessment's editable draft; customers only ever see published versions."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="assessments")
    key = KeyField(_("key"))
    title = LocalizedTextField(_("title"))
    intro = LocalizedTextField(_("introduction"), multiline=True, blank=True)
    learn = LocalizedTextField(_("what you will learn"), multiline=True, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=5, validators=[MinValueValidator(1)]
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        validators=[validate_languages],
        help_text=_('e.g. ["en", "es"]; the first is the default.'),
    )
    hidden_fields = models.JSONField(
        _("hidden fields"),
        default=list,
        blank=True,
        help_text=_(
            "Values taken from the start link's query string, usable in conditions: "
            '[{"key": "partner", "label": {"en": "Partner"}}].'
        ),
    )
    live_version = models.ForeignKey(
        "AssessmentVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("live version"),
        help_text=_("The published version customers get when they start."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["brand__name", "key"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["brand", "key"], name="assessment_unique_brand_key"),
        ]

    def __str__(self) -> str:
        title = self.title.get(self.languages[0]) if self.languages else None
        return f"{title or self.key} ({self.brand.slug}/{self.key})"

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else "en"


class Step(models.Model):
    """One screen of an assessment: learning content and the questions asked there."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="steps")
    key = KeyField(_("key"))
    position = models.PositiveIntegerField(_("position"), default=0)
    title = LocalizedTextField(_("title"))
    section = LocalizedTextField(
        _("section"),
        blank=True,
        help_text=_("Names this part of the journey in the progress indicator, e.g. “Training”."),
    )
    why = LocalizedTextField(
        _("why we ask"),
        multiline=True,
        blank=True,
        help_text=_("Learning content shown with the step: what the answers reveal."),
    )
    condition = models.JSONField(
        _("display condition"),
        null=True,
        blank=True,
        validators=[validate_condition],
        help_text=_("Show the step only when this holds. Empty: always."),
    )
    next_rules = models.JSONField(
        _("next rules"),
        default=list,
        blank=True,
        help_text=_(
            '[{"when": condition, "goto": "later-step-key"}]: where the flow goes '
            "after this step. Empty: the next step in order."
        ),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="step_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class Question(models.Model):
    """A question on a step. Its kind decides which of the settings below apply."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        IMAGE = "image", _("Image choice")
        SCALE = "scale", _("Scale")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Short text")
        INFO = "info", _("Information checkpoint (no answer)")
        FOOTPRINT = "footprint", _("Footprint photo (measured arch)")

    CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE, Kind.IMAGE}

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="questions")
    key = KeyField(_("key"))
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    prompt = LocalizedTextField(_("prompt"), multiline=True)
    help = LocalizedTextField(_("help"), multiline=True, blank=True)
    required = models.BooleanField(_("required"), default=True)
    condition = models.JSONField(
        _("display condition"), null=True, blank=True, validators=[validate_condition]
    )
    min_picks = models.PositiveSmallIntegerField(_("minimum picks"), null=True, blank=True)
    max_picks = models.PositiveSmallIntegerField(_("maximum picks"), null=True, blank=True)
    scale_min = models.IntegerField(_("scale from"), null=True, blank=True)
    scale_max = models.IntegerField(_("scale to"), null=True, blank=True)
    scale_min_label = LocalizedTextField(_("label at the low end"), blank=True)
    scale_max_label = LocalizedTextField(_("label at the high end"), blank=True)
    number_min = models.FloatField(_("lowest number"), null=True, blank=True)
    number_max = models.FloatField(_("highest number"), null=True, blank=True)
    number_unit = LocalizedTextField(_("unit"), blank=True)
    number_integer = models.BooleanField(_("whole numbers only"), default=False)
    text_max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    scoring = models.JSONField(
        _("scoring"),
        default=list,
        blank=True,
        help_text=_('For scales and numbers: [{"min": 30, "points": {"support": 2}}].'),
    )
    # A kind without fields of its own keeps its definition members here, as written there.
    kind_settings = models.JSONField(
        _("kind settings"),
        default=dict,
        blank=True,
        help_text=_(
            'For footprint photos: {"fallback": "arch", "bands": {"high": {"label": {...}, '
            '"points": {...}, "recall": {...}}, "normal": {...}, "flat": {...}}, '
            '"keep_photo_days": 30}.'
        ),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "single",
                        "multiple",
                        "image",
                        "scale",
                        "number",
                        "text",
                        "info",
                        "footprint",
                    ]
                ),
                name="question_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(min_picks__isnull=True)
                | models.Q(max_picks__isnull=True)
                | models.Q(min_picks__lte=models.F("max_picks")),
                name="question_picks_ordered",
                violation_error_message=_("Minimum picks cannot exceed maximum picks."),
            ),
            models.CheckConstraint(
                condition=models.Q(scale_min__isnull=True)
                | models.Q(scale_max__isnull=True)
                | models.Q(scale_min__lt=models.F("scale_max")),
                name="question_scale_ordered",
                violation_error_message=_("A scale must go from a lower to a higher number."),
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def clean(self) -> None:
        if self.kind == self.Kind.SCALE and (self.scale_min is None or self.scale_max is None):
            raise ValidationError(_("A scale needs both ends: “scale from” and “scale to”."))
        if (
            self.number_min is not None
            and self.number_max is not None
            and self.number_min > self.number_max
        ):
            raise ValidationError(_("The lowest number cannot be above the highest."))


class Choice(models.Model):
    """An option of a choice question: trait points, and what choosing it teaches."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = KeyField(_("key"))
    position = models.PositiveIntegerField(_("position"), default=0)
    label = LocalizedTextField(_("label"))
    description = LocalizedTextField(_("description"), multiline=True, blank=True)
    image = models.ImageField(_("image"), upload_to="choices/", blank=True)
    points = models.JSONField(
        _("trait points"),
        default=dict,
        blank=True,
        help_text=_('{"trait-key": points}, e.g. {"support": 2}.'),
    )
    insight = LocalizedTextField(
        _("insight"),
        multiline=True,
        blank=True,
        help_text=_("“What this means”, shown once the customer picks it."),
    )
    recall = LocalizedTextField(
        _("recall phrase"),
        blank=True,
        help_text=_("How reasons cite this answer, e.g. “you run more than 30 km a week”."),
    )
    exclusive = models.BooleanField(
        _("exclusive"),
        default=False,
        help_text=_("Picked alone, like “None of these” (multiple-choice questions only)."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class Trait(models.Model):
    """A dimension of the customer's profile, scored from answer points."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="traits")
    key = KeyField(_("key"))
    position = models.PositiveIntegerField(_("position"), default=0)
    label = LocalizedTextField(_("label"))
    description = LocalizedTextField(_("description"), multiline=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("trait")
        verbose_name_plural = _("traits")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="trait_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class TraitBand(models.Model):
    """A score range of a trait, with what landing there says about the customer."""

    trait = models.ForeignKey(Trait, on_delete=models.CASCADE, related_name="bands")
    key = KeyField(_("key"))
    position = models.PositiveIntegerField(_("position"), default=0)
    label = LocalizedTextField(_("label"))
    insight = LocalizedTextField(_("insight"), multiline=True)
    min_score = models.FloatField(_("from score"), null=True, blank=True)
    max_score = models.FloatField(_("to score"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("score band")
        verbose_name_plural = _("score bands")
        constraints = [
            models.UniqueConstraint(fields=["trait", "key"], name="band_unique_key"),
            models.CheckConstraint(
                condition=models.Q(min_score__isnull=True)
                | models.Q(max_score__isnull=True)
                | models.Q(min_score__lte=models.F("max_score")),
                name="band_range_ordered",
                violation_error_message=_("A band's lower score cannot be above its upper score."),
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Outcome(models.Model):
    """A profile the customer can land in, chosen by rule and priority."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="outcomes")
    key = KeyField(_("key"))
    position = models.PositiveIntegerField(_("position"), default=0)
    title = LocalizedTextField(_("title"))
    description = LocalizedTextField(_("description"), multiline=True)
    image = models.ImageField(_("image"), upload_to="outcomes/", blank=True)
    rule = models.JSONField(
        _("rule"),
        null=True,
        blank=True,
        validators=[validate_condition],
        help_text=_("When this outcome applies. Empty: always (a fallback)."),
    )
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Higher wins when several rules match.")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="outcome_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class RecommendationSettings(models.Model):
    """How an assessment's answers filter, weigh and explain the brand's products."""

    assessment = models.OneToOneField(
        Assessment, on_delete=models.CASCADE, related_name="recommendation"
    )
    count = models.PositiveSmallIntegerField(_("products to recommend"), default=3)
    alternatives = models.PositiveSmallIntegerField(_("alternatives to show"), default=3)
    filters = models.JSONField(
        _("hard filters"),
        default=list,
        blank=True,
        help_text=_(
            '[{"attribute": "gender", "answer": "gender"}]: products must match the answer.'
        ),
    )
    trait_fit = models.JSONField(
        _("trait fit"),
        default=list,
        blank=True,
        help_text=_('[{"trait": "support", "attribute": "support", "weight": 3}]'),
    )
    preferences = models.JSONField(
        _("preferences"),
        default=list,
        blank=True,
        help_text=_('[{"answer": "feel", "attribute": "feel", "weight": 1}]'),
    )
    outcome_attribute = models.CharField(_("outcome attribute"), max_length=64, blank=True)
    outcome_weight = models.FloatField(_("outcome weight"), default=0)
    fallback_skus = models.JSONField(_("fallback products (skus)"), default=list, blank=True)
    fallback_message = LocalizedTextField(_("fallback message"), multiline=True, blank=True)
    # The assessment's own catalogue; both empty: the brand's whole active catalogue.
    catalogue_tags = models.JSONField(_("catalogue: products tagged"), default=list, blank=True)
    catalogue_skus = models.JSONField(_("catalogue: and these products"), default=list, blank=True)

    class Meta:
        verbose_name = _("recommendation settings")
        verbose_name_plural = _("recommendation settings")

    def __str__(self) -> str:
        return str(_("Recommendation settings"))
