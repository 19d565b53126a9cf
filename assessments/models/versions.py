"""Published versions: frozen, immutable definitions that responses pin."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .authoring import Assessment


class ImmutableVersionError(Exception):
    """Raised when code tries to change or delete a published version."""


class AssessmentVersion(models.Model):
    """A published, frozen definition. Never edited: publish again to change what is live."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    definition = models.JSONField(_("definition"))
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["assessment", "-number"]
        get_latest_by = "number"
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="version_number_min"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment.brand.slug}/{self.assessment.key} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableVersionError(
                f"Version {self.number} of {self.assessment.key} is published and cannot change."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableVersionError(
            f"Version {self.number} of {self.assessment.key} is published and cannot be deleted."
        )
