"""A customer's run through one published version, its frozen result and its product links."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .brands import Brand
from .versions import AssessmentVersion


def new_reference() -> str:
    """An opaque id for a product link: short enough for a URL, too long to guess."""
    return secrets.token_urlsafe(12)


class Response(models.Model):
    """One customer's answers to one pinned version; previews are marked and never counted."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    class Channel(models.TextChoices):
        DIRECT = "direct", _("Direct (the brand's own link)")
        EMBEDDED = "embedded", _("Embedded on a partner's page")
        KIOSK = "kiosk", _("In-store kiosk")

    class Learned(models.TextChoices):
        YES = "yes", _("Yes")
        A_LITTLE = "a_little", _("A little")
        NO = "no", _("No")

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
    # Seconds spent on each step, {step_key: seconds}, summed over visits: each accepted
    # submission adds the time since the response was last written (capped at an hour, so a
    # tab left open overnight does not count as a day's thought). Read by the Insights page.
    step_seconds = models.JSONField(default=dict, blank=True, editable=False)
    # Bumped by every write that moves the flow (answers, current step, status). A step
    # submission writes only if the revision is still the one it read, so it needs no lock
    # unless another request changed the response in between (see services/taking.py).
    revision = models.PositiveIntegerField(default=0, editable=False)
    attribution = models.JSONField(
        _("attribution"),
        default=dict,
        blank=True,
        help_text=_("Where the customer came from: utm_* fields, ref and partner from the link."),
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.DIRECT
    )
    current_step = models.CharField(_("current step"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    is_preview = models.BooleanField(_("preview"), default=False)
    preview_definition = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The profile, outcome and ranked products with their reasons, frozen when the last step
    # is submitted (see services/results.py). Results pages read this, never recompute it, so
    # what a customer was shown stays what they were shown; re-completing after editing
    # answers freezes a new one.
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    # A second, separate token for the shareable page: sharing it never hands out the
    # credential that edits the answers.
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    learned = models.CharField(
        _("learned something new"), max_length=16, choices=Learned.choices, blank=True
    )
    learned_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # "E-mail me my results": the customer's explicit consent, as the version of the wording
    # they ticked and when. Kept on the response, not as a follow-up `Consent`: asking for
    # one's results is not agreeing to marketing. The address itself is not stored.
    email_consent_version = models.CharField(
        _("results e-mail consent wording"), max_length=40, blank=True
    )
    email_consent_at = models.DateTimeField(
        _("results e-mail consent given at"), null=True, blank=True
    )
    # E-mails sent on the customer's request (a link to continue, the results): capped so a
    # response link cannot be used to send mail to strangers in bulk.
    emails_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    # When the results e-mail was last handed to the mail server (not merely asked for).
    results_emailed_at = models.DateTimeField(
        _("results e-mailed at"), null=True, blank=True, editable=False
    )
    # Set when the response was anonymised (its customer erased their data, or the brand's
    # retention period passed): no token, no free text, nothing linking it to anyone.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    # The landing page's start id: pressing Start twice, or a retry of the same press, gives
    # the same response (see `response_start`); "" for starts that came without one.
    start_id = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [
            models.Index(fields=["version", "is_preview"], name="response_version_counted"),
            # Insights rollups find the responses changed since their last pass.
            models.Index(fields=["version", "updated_at"], name="response_version_updated"),
            models.Index(fields=["version", "created_at"], name="response_version_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["start_id"],
                condition=~models.Q(start_id=""),
                name="response_start_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["in_progress", "completed"]),
                name="response_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(version__isnull=False) | models.Q(is_preview=True),
                name="response_version_or_preview",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["direct", "embedded", "kiosk"]),
                name="response_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(learned__in=["", "yes", "a_little", "no"]),
                name="response_learned_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token[:8]}… ({self.get_status_display()})"


class ProductReference(models.Model):
    """The `ref` on a recommended product's link: which response recommended which product.

    A store sends it back with the purchase; `attribution_lookup` resolves it. One per response
    and product, kept when the result is recomputed, so a link already followed stays valid.
    """

    ref = models.CharField(max_length=32, unique=True, default=new_reference, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="references")
    sku = models.CharField(_("SKU"), max_length=64)
    # The product's variant the results showed (its own link, when it has one); "" for none.
    variant = models.CharField(_("variant SKU"), max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # The first time the customer followed the link from their results page (/go/<ref>/).
    clicked_at = models.DateTimeField(_("first clicked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("product link reference")
        verbose_name_plural = _("product link references")
        constraints = [
            models.UniqueConstraint(fields=["response", "sku"], name="reference_unique_sku"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} → {self.sku}"


class KeptPhoto(models.Model):
    """A footprint photo the customer asked us to keep, so staff can look at it with them.

    Only with their tick on the photo step; re-encoded without EXIF (no place, no device, no
    time), held in the database so it goes with its response in one transaction (erased,
    anonymised or deleted), and deleted by beat once `delete_after` has passed.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="kept_photos")
    question_key = models.CharField(max_length=64)
    image = models.BinaryField(editable=False)  # a JPEG
    created_at = models.DateTimeField(auto_now_add=True)
    delete_after = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("kept footprint photo")
        verbose_name_plural = _("kept footprint photos")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_key"], name="kept_photo_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_key} photo, until {self.delete_after:%Y-%m-%d}"
