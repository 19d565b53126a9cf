"""In the store: kiosk devices, a kiosk customer's visit, the hand-off to their phone, and the
short code staff look a customer's results up by."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .authoring import Assessment
from .brands import Brand
from .taking import Response

KIOSK_IDLE_DEFAULT = 60
KIOSK_IDLE_MIN = 5
KIOSK_IDLE_MAX = 1800


def new_device_token() -> str:
    """The credential in a kiosk's URL: as long and random as a response token."""
    return secrets.token_urlsafe(32)


class Kiosk(models.Model):
    """One shared device in a store, running one assessment; its link needs no login."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="kiosks")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="kiosks", verbose_name=_("assessment")
    )
    name = models.CharField(
        _("device"),
        max_length=120,
        help_text=_("Where the device is, e.g. “Tablet by the shoe wall”."),
    )
    token = models.CharField(max_length=64, unique=True, default=new_device_token, editable=False)
    idle_seconds = models.PositiveSmallIntegerField(
        _("idle timeout (seconds)"),
        default=KIOSK_IDLE_DEFAULT,
        help_text=_(
            "After this long without a touch the screen asks “Still there?”, then starts over "
            "for the next customer. From 5 to 1800 seconds."
        ),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    idle_seconds__gte=KIOSK_IDLE_MIN, idle_seconds__lte=KIOSK_IDLE_MAX
                ),
                name="kiosk_idle_seconds_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class KioskVisit(models.Model):
    """One customer's turn at a kiosk: their response, reachable from the kiosk only while
    the visit is open. The kiosk's pages carry the visit's token, never the response's."""

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="visits")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="kiosk_visit")
    token = models.CharField(max_length=64, unique=True, default=new_device_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The customer's last submission; the server ends a visit left alone far longer than the
    # kiosk's idle timeout, for a device whose script did not run.
    active_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk visit")
        verbose_name_plural = _("kiosk visits")
        indexes = [models.Index(fields=["kiosk", "ended_at"], name="kioskvisit_open")]

    def __str__(self) -> str:
        return f"{self.kiosk} · {self.created_at:%Y-%m-%d %H:%M}"


class HandoffClaim(models.Model):
    """A short-lived, single-use link (the kiosk's QR code) that hands a response to the
    customer's phone under a new token."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="handoffs")
    token = models.CharField(max_length=64, unique=True, default=new_device_token, editable=False)
    expires_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hand-off link")
        verbose_name_plural = _("hand-off links")

    def __str__(self) -> str:
        return f"{self.token[:8]}…"


class StoreCode(models.Model):
    """The six characters on a customer's screen that let store staff open their results."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="store_codes")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="store_codes")
    code = models.CharField(max_length=6)
    expires_at = models.DateTimeField()
    # Opening the code gives staff this page's token; the assist page works for a while after
    # the code itself has expired, so a sale that takes time can still be recorded.
    assist_token = models.CharField(
        max_length=64, unique=True, default=new_device_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store code")
        verbose_name_plural = _("store codes")
        constraints = [
            models.UniqueConstraint(fields=["brand", "code"], name="storecode_unique_per_brand"),
        ]

    def __str__(self) -> str:
        return self.code
