"""What other systems use to reach a brand's data: API keys, and outgoing webhook endpoints with
the log of what was sent to them.

A key's secret is stored only as a SHA-256 digest: the full key is shown once, when it is made.
An endpoint's signing secret is stored as it is, because signing needs it (Standard Webhooks).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .brands import Brand
from .followups import new_webhook_secret


class ApiKey(models.Model):
    """A brand's key to the REST API: read, or read and write."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        READ_WRITE = "read_write", _("Read and write")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses this key, e.g. “CRM sync”.")
    )
    # The public part of the key, which finds the row; the secret part is only hashed.
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["brand", "-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "read_write"]), name="apikey_scope_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(prefix="") & ~models.Q(secret_hash=""),
                name="apikey_has_prefix_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class WebhookEvent(models.TextChoices):
    """What a brand's systems can be told about as it happens."""

    RESPONSE_COMPLETED = "response.completed", _("A customer completed an assessment")
    LEARNED_ANSWERED = "learned.answered", _("A customer said whether they learned something")
    PURCHASE_RECORDED = "purchase.recorded", _("A purchase was recorded")
    CHECKIN_ANSWERED = "checkin.answered", _("A customer answered a check-in")


def validate_events(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event."))
    unknown = [event for event in value if event not in WebhookEvent.values]
    if unknown:
        raise ValidationError(
            _("Unknown event(s) %(unknown)s. Choose from %(known)s."),
            params={"unknown": ", ".join(map(str, unknown)), "known": ", ".join(WebhookEvent)},
        )


class WebhookEndpoint(models.Model):
    """A URL of the brand's that receives signed events; disabled after failing for a day."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("Where events are POSTed. HTTPS only (http://localhost in development)."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list, validators=[validate_events])
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_webhook_secret,
        editable=False,
        help_text=_("Verify our signatures with this (Standard Webhooks). Keep it secret."),
    )
    active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("why it was disabled"), max_length=300, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["brand", "url"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, and the log of sending it.

    pending (next_attempt_at says when) → delivered; or failed once retries ran past
    `retry_until`. A redelivery puts it back to pending with the same webhook-id, so a receiver
    that already has it can tell.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    message_id = models.CharField(_("webhook-id"), max_length=64, editable=False)
    payload = models.JSONField(_("payload"), editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    retry_until = models.DateTimeField(_("retried until"))
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "message_id"], name="webhook_delivery_unique_message"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "delivered", "failed"]),
                name="webhook_delivery_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state="delivered", delivered_at__isnull=False)
                | (~models.Q(state="delivered") & models.Q(delivered_at__isnull=True)),
                name="webhook_delivery_delivered_iff_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="pending") | models.Q(next_attempt_at__isnull=False),
                name="webhook_delivery_pending_has_next",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint} ({self.get_state_display()})"
