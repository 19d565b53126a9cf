"""The audit log: what staff did to a brand (and what was done to customers' data), for owners.

Entries are written by the services and admin views that perform the actions, in the same
transaction where they can be, and never change afterwards: the admin shows them read-only and
the model refuses to save an existing entry again.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .brands import Brand


class AuditEntryImmutable(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditAction(models.TextChoices):
    """What an audit entry records; the values are stored, the labels shown."""

    PUBLISHED = "published", _("Published a version")
    MADE_LIVE = "made_live", _("Made an earlier version live")
    IMPORTED = "imported", _("Imported an assessment")
    EXPORTED = "exported", _("Exported an assessment")
    DUPLICATED = "duplicated", _("Duplicated an assessment")
    BRAND_CHANGED = "brand_changed", _("Changed the brand's settings")
    FOLLOWUP_SETTINGS_CHANGED = "followup_settings_changed", _("Changed follow-up settings")
    WEBHOOK_SECRET_ROTATED = "webhook_secret_rotated", _("Rotated the webhook secret")
    DATA_EXPORTED = "data_exported", _("Exported a customer's data")
    DATA_ERASED = "data_erased", _("Erased a customer's data")
    RETENTION_APPLIED = "retention_applied", _("Applied the retention period")


class AuditEntry(models.Model):
    """One staff action on a brand (or a customer's own data request, or a retention pass)."""

    Action = AuditAction

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="audit_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # The username when the entry was written: the log still says who after the account goes.
    # Empty for what no staff member did (a customer's own request, the retention pass).
    actor = models.CharField(_("by"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    description = models.CharField(_("on"), max_length=200)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["brand", "-at"], name="audit_brand_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values),
                name="audit_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.get_action_display()} · {self.description}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditEntryImmutable("An audit log entry is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditEntryImmutable("An audit log entry is never deleted on its own.")
