"""Tenants: brands, and the staff who act for them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .fields import colour_validator

# How long customers' responses are kept as they are: unfinished ones are then deleted and
# finished ones anonymised (see assessments/privacy/services.py). There is no "forever":
# what is kept after the period is anonymous, so no brand needs the personal part longer.
RETENTION_DAYS_DEFAULT = 730
RETENTION_DAYS_MIN = 30
RETENTION_DAYS_MAX = 3650
# Corners from square to well rounded; past this, cards and buttons turn into pills.
CORNER_RADIUS_MAX = 24


def validate_languages(value: object) -> None:
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValidationError(_('List at least one language code, for example ["en", "es"].'))
    unknown = [code for code in value if code not in codes]
    if unknown:
        raise ValidationError(
            _("Unsupported language(s): %(unknown)s. Choose from %(codes)s."),
            params={"unknown": ", ".join(unknown), "codes": ", ".join(sorted(codes))},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Each language may appear only once."))


class Brand(models.Model):
    """A tenant: its staff, catalogue, assessments, theme, embed origins and sender identity."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    logo = models.ImageField(_("logo"), upload_to="brands/logos/", blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#1a5fb4", validators=[colour_validator]
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default="#e66100", validators=[colour_validator]
    )
    text_color = models.CharField(
        _("text colour"), max_length=7, default="#1d1d1f", validators=[colour_validator]
    )
    background_color = models.CharField(
        _("background colour"), max_length=7, default="#ffffff", validators=[colour_validator]
    )
    font_family = models.CharField(
        _("font family"),
        max_length=200,
        default='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
        help_text=_("A CSS font stack. Fonts are never loaded from third parties."),
    )
    corner_radius = models.PositiveSmallIntegerField(
        _("corner radius"),
        default=12,
        validators=[MaxValueValidator(CORNER_RADIUS_MAX)],
        help_text=_("How round the corners of cards and buttons are, in pixels: 0 is square."),
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        validators=[validate_languages],
        help_text=_("Language codes offered to customers, the first being the default."),
    )
    allowed_origins = models.JSONField(
        _("allowed embed origins"),
        default=list,
        blank=True,
        help_text=_(
            "Partner sites allowed to embed this brand's assessments, e.g. https://shop.example."
        ),
    )
    sender_name = models.CharField(_("sender name"), max_length=120, blank=True)
    sender_email = models.EmailField(_("sender e-mail"), blank=True)
    retention_days = models.PositiveSmallIntegerField(
        _("keep customers' responses for (days)"),
        default=RETENTION_DAYS_DEFAULT,
        validators=[MinValueValidator(RETENTION_DAYS_MIN), MaxValueValidator(RETENTION_DAYS_MAX)],
        help_text=_(
            "After this many days an unfinished response is deleted and a finished one is "
            "anonymised: its choices stay in your figures, with nothing that leads to the "
            "customer. From 30 to 3650 days."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    retention_days__gte=RETENTION_DAYS_MIN, retention_days__lte=RETENTION_DAYS_MAX
                ),
                name="brand_retention_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(corner_radius__lte=CORNER_RADIUS_MAX),
                name="brand_corner_radius_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BrandMembership(models.Model):
    """A staff user's role in one brand; every admin action is scoped through these."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        ANALYST = "analyst", _("Analyst")
        # Store staff: look up a customer's results by their code and record a sale in the
        # store; nothing in the admin.
        STORE = "store", _("Store staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EDITOR)

    class Meta:
        verbose_name = _("brand membership")
        verbose_name_plural = _("brand memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "brand"], name="membership_unique_user_brand"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "editor", "analyst", "store"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.brand} ({self.get_role_display()})"
