"""A customer's run through one published version."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .brands import Brand
from .versions import AssessmentVersion


class Response(models.Model):
    """One customer's answers to one pinned version; previews are marked and never counted."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(
        AssessmentVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        help_text=_("Empty only for draft previews, which carry their own definition."),
    )
    token = models.CharField(max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=8)
    answers = models.JSONField(_("answers"), default=dict)
    fields = models.JSONField(
        _("hidden fields"),
        default=dict,
        blank=True,
        help_text=_("Values taken from the start link's query string, e.g. the partner."),
    )
    # The last few step submissions as [{"id", "step", "next"}], newest last: a double click or
    # a retry with the same id gets the stored outcome instead of a second write. A list, not an
    # object, because PostgreSQL's jsonb does not keep the order of an object's keys.
    submissions = models.JSONField(default=list, blank=True, editable=False)
    current_step = models.CharField(_("current step"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    is_preview = models.BooleanField(_("preview"), default=False)
    preview_definition = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["version", "is_preview"], name="response_version_counted")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["in_progress", "completed"]),
                name="response_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(version__isnull=False) | models.Q(is_preview=True),
                name="response_version_or_preview",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token[:8]}… ({self.get_status_display()})"
