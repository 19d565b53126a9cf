"""After the purchase: purchases, consent, follow-up plans, follow-ups and what came of them.

Follow-ups are rows, not timers: recording a purchase inserts its follow-ups in the same
transaction, and a periodic dispatcher claims the due ones. The state machine on `FollowUp` is
what keeps a message from going out twice (see assessments/services/followups.py).
"""

from __future__ import annotations

import base64
import re
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .authoring import Assessment, validate_condition
from .brands import Brand
from .catalogue import Product
from .fields import KEY_MAX_LENGTH, LocalizedTextField, key_validator
from .taking import Response

# Fields an author may use in a follow-up's subject and body, e.g. "Hi {first_name}".
PLACEHOLDERS = {
    "first_name": _("the customer's first name (or a friendly greeting word when unknown)"),
    "product": _("the product bought"),
    "outcome": _("the profile the customer landed in"),
    "insights": _("what we learned about the customer: one line per trait"),
    "brand": _("the brand's name"),
}
PLACEHOLDER_PATTERN = re.compile(r"\{([a-z_]+)\}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_webhook_secret() -> str:
    # Standard Webhooks secrets are base64 with a whsec_ prefix; 32 random bytes.
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def validate_placeholders(value: object) -> None:
    """Refuse unknown {fields} in localized text, naming them and the ones that exist."""
    if not isinstance(value, dict):
        return
    unknown = sorted(
        {
            name
            for text in value.values()
            if isinstance(text, str)
            for name in PLACEHOLDER_PATTERN.findall(text)
            if name not in PLACEHOLDERS
        }
    )
    if unknown:
        raise ValidationError(
            _("Unknown field(s) %(unknown)s. You can use %(known)s."),
            params={
                "unknown": ", ".join(f"{{{n}}}" for n in unknown),
                "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
            },
        )


class BrandFollowUpSettings(models.Model):
    """A brand's webhook secret and how many follow-ups one customer may get in 7 days."""

    brand = models.OneToOneField(Brand, on_delete=models.CASCADE, related_name="followup_settings")
    webhook_secret = models.CharField(
        _("webhook signing secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_(
            "Your store signs purchase webhooks with this (Standard Webhooks). Keep it secret."
        ),
    )
    # Shopify and WooCommerce make their own signing secrets; an owner pastes them here.
    # Blank means the brand does not use that platform, and its deliveries are refused.
    shopify_secret = models.CharField(
        _("Shopify webhook secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "The key Shopify signs webhooks with (Settings → Notifications → Webhooks, or your "
            "app's client secret). Leave blank if you do not sell on Shopify."
        ),
    )
    woocommerce_secret = models.CharField(
        _("WooCommerce webhook secret"),
        max_length=200,
        blank=True,
        help_text=_(
            "The secret you typed when creating the webhooks in WooCommerce → Settings → "
            "Advanced → Webhooks. Leave blank if you do not sell on WooCommerce."
        ),
    )
    weekly_cap = models.PositiveSmallIntegerField(
        _("follow-ups per customer per 7 days"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("Never more than this many messages to one customer in any 7 days."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow-up settings")
        verbose_name_plural = _("follow-up settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekly_cap__gte=1, weekly_cap__lte=7),
                name="followup_settings_cap_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} · follow-up settings"


class Purchase(models.Model):
    """An order, linked to the response that led to it when known."""

    class Status(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        REFUNDED = "refunded", _("Refunded")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Store webhook")
        SHOPIFY = "shopify", _("Shopify")
        WOOCOMMERCE = "woocommerce", _("WooCommerce")
        API = "api", _("REST API")
        CUSTOMER = "customer", _("Customer (“I bought this”)")
        STAFF = "staff", _("Staff entry")
        STORE = "store", _("In store (staff assist)")
        DEMO = "demo", _("Demo")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="purchases")
    order_id = models.CharField(_("order id"), max_length=200)
    response = models.ForeignKey(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases",
        verbose_name=_("response"),
    )
    email = models.EmailField(_("customer e-mail"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    purchased_at = models.DateTimeField(_("purchased at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.COMPLETED
    )
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchased_at"]
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        constraints = [
            models.UniqueConstraint(fields=["brand", "order_id"], name="purchase_unique_order"),
            models.CheckConstraint(
                condition=models.Q(status__in=["completed", "refunded"]),
                name="purchase_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="refunded", refunded_at__isnull=False)
                | models.Q(status="completed", refunded_at__isnull=True),
                name="purchase_refunded_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(order_id=""), name="purchase_order_id_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.slug} order {self.order_id}"

    def clean(self) -> None:
        if not (self.order_id or "").strip():
            raise ValidationError({"order_id": _("Give the store's order id.")})
        if self.response_id and self.brand_id and self.response.brand_id != self.brand_id:
            raise ValidationError({"response": _("This response belongs to another brand.")})


class PurchaseItem(models.Model):
    """A line of a purchase, and whether (and at which rank) we had recommended it."""

    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="purchase_items"
    )
    sku = models.CharField(_("SKU"), max_length=KEY_MAX_LENGTH)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    recommended = models.BooleanField(_("recommended"), default=False)
    rank = models.PositiveSmallIntegerField(_("rank when recommended"), null=True, blank=True)

    class Meta:
        ordering = ["purchase", "id"]
        verbose_name = _("purchased item")
        verbose_name_plural = _("purchased items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="item_quantity_min"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="item_price_positive"),
            models.CheckConstraint(
                condition=models.Q(recommended=True, rank__gte=1)
                | models.Q(recommended=False, rank__isnull=True),
                name="item_rank_iff_recommended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"

    def clean(self) -> None:
        if self.recommended and not self.rank:
            raise ValidationError({"rank": _("A recommended item needs its rank (1 = first).")})
        if not self.recommended and self.rank:
            raise ValidationError({"rank": _("Only a recommended item has a rank.")})


class StoreDelivery(models.Model):
    """A webhook delivery from a store platform, kept so a redelivery is not acted on twice.

    Shopify resends a delivery with the same X-Shopify-Webhook-Id, WooCommerce with the same
    X-WC-Webhook-Delivery-ID. The row is written in the transaction that acts on the delivery,
    so a delivery that failed half-way is not remembered as done.
    """

    class Platform(models.TextChoices):
        SHOPIFY = "shopify", _("Shopify")
        WOOCOMMERCE = "woocommerce", _("WooCommerce")

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("Purchase recorded")
        ALREADY_RECORDED = "already_recorded", _("Order already recorded")
        REFUNDED = "refunded", _("Purchase refunded")
        IGNORED = "ignored", _("Ignored")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="store_deliveries")
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    delivery_id = models.CharField(_("delivery id"), max_length=200)
    topic = models.CharField(_("topic"), max_length=64, blank=True)
    order_id = models.CharField(_("order id"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("store delivery")
        verbose_name_plural = _("store deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "platform", "delivery_id"], name="store_delivery_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.delivery_id}"


class Consent(models.Model):
    """A customer's consent to follow-up e-mails from one brand: what they read, when, where."""

    class Source(models.TextChoices):
        RESULTS_PAGE = "results_page", _("Results page")
        CHECKOUT = "checkout", _("Store checkout (webhook)")
        STAFF = "staff", _("Recorded by staff")
        DEMO = "demo", _("Demo")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="consents")
    email = models.EmailField(_("e-mail"))
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    wording_version = models.CharField(_("wording version"), max_length=40)
    given_at = models.DateTimeField(_("given at"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # The purchase this consent was given with, when it came with one: confirming a consent
    # from the results page starts that purchase's follow-ups.
    purchase = models.ForeignKey(
        Purchase, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    # Null until the address's owner confirmed it (double opt-in). A store's checkout and
    # staff vouch for the address, so their consents are confirmed when given; one typed on
    # the results page waits for the link e-mailed to that address. Only confirmed, not
    # withdrawn consents let follow-ups go out.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["brand", "email"], name="consent_brand_email")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="consent_email_lowercase"
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True)
                | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True)
                | models.Q(confirmed_at__gte=models.F("given_at")),
                name="consent_confirmed_after_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(wording_version=""), name="consent_wording_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.brand} ({self.wording_version})"

    def clean(self) -> None:
        if self.email and self.email != self.email.lower():
            self.email = self.email.lower()
        if self.withdrawn_at and self.given_at and self.withdrawn_at < self.given_at:
            raise ValidationError({"withdrawn_at": _("Consent cannot end before it was given.")})
        if self.confirmed_at and self.given_at and self.confirmed_at < self.given_at:
            raise ValidationError(
                {"confirmed_at": _("Consent cannot be confirmed before it was given.")}
            )


class FollowUpPlan(models.Model):
    """What to send after a purchase that came from this assessment, optionally narrowed."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="followup_plans"
    )
    key = models.CharField(_("key"), max_length=KEY_MAX_LENGTH, validators=[key_validator])
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    outcome_key = models.CharField(
        _("only for outcome"),
        max_length=KEY_MAX_LENGTH,
        blank=True,
        help_text=_("The key of an outcome; empty: any outcome."),
    )
    product_sku = models.CharField(
        _("only for product"),
        max_length=KEY_MAX_LENGTH,
        blank=True,
        help_text=_("A purchased SKU; empty: any product."),
    )
    condition = models.JSONField(
        _("only when the profile matches"),
        null=True,
        blank=True,
        validators=[validate_condition],
        help_text=_('An engine condition, e.g. {"trait": "support", "band": "high"}. Empty: any.'),
    )
    priority = models.IntegerField(
        _("priority"),
        default=0,
        help_text=_("When several plans match a purchase, only the highest-priority one is used."),
    )

    class Meta:
        ordering = ["assessment", "-priority", "key"]
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="followup_plan_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.condition:
            from assessments.engine.conditions import compile_condition

            try:
                compile_condition(self.condition)
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise ValidationError(
                    {"condition": _("This is not a condition the engine understands: %(e)s")},
                    params={"e": error},
                ) from error


class FollowUpPlanStep(models.Model):
    """One message of a plan: when, what kind, and its words in each language."""

    class Kind(models.TextChoices):
        TIP = "tip", _("Tip: how to get the most from it")
        CHECKIN = "checkin", _("Check-in: how is it going?")
        REASSESS = "reassess", _("Re-assessment invitation")

    plan = models.ForeignKey(FollowUpPlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"), default=0)
    delay_days = models.PositiveSmallIntegerField(
        _("days after purchase"), validators=[MaxValueValidator(730)]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject = LocalizedTextField(_("subject"), validators=[validate_placeholders])
    body = LocalizedTextField(
        _("message"),
        multiline=True,
        validators=[validate_placeholders],
        help_text=_(
            "Fields: {first_name}, {product}, {outcome}, {insights}, {brand}. For a tip this is "
            "also the page's content."
        ),
    )

    class Meta:
        ordering = ["plan", "delay_days", "position", "id"]
        verbose_name = _("follow-up step")
        verbose_name_plural = _("follow-up steps")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["tip", "checkin", "reassess"]),
                name="followup_step_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(delay_days__lte=730), name="followup_step_delay_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · day {self.delay_days} · {self.get_kind_display()}"


class FollowUp(models.Model):
    """One scheduled message for one purchase.

    scheduled → claimed (a dispatcher took it) → sending (a worker is handing it to the mail
    server) → sent; or skipped (with the reason: consent, unsubscribe, cap…), cancelled
    (refund, unsubscribe) or failed (with the error).
    """

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CLAIMED = "claimed", _("Claimed by a dispatcher")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    PENDING = (State.SCHEDULED, State.CLAIMED)
    FINAL = (State.SENT, State.SKIPPED, State.CANCELLED, State.FAILED)

    # Every dispatch moves a row through four states, and each move writes every index anew:
    # the brand and the purchase are looked up through the indexes that begin with them
    # (followup_customer, followup_unique_step), not indexes of their own; and the token is
    # only ever matched whole, so it has its unique index without a second one for LIKE.
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="followups", db_index=False
    )
    purchase = models.ForeignKey(
        Purchase, on_delete=models.CASCADE, related_name="followups", db_index=False
    )
    step = models.ForeignKey(FollowUpPlanStep, on_delete=models.PROTECT, related_name="followups")
    item = models.ForeignKey(
        PurchaseItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, default=new_token, editable=False)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SCHEDULED
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sending_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["scheduled_for", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["state", "scheduled_for"], name="followup_due"),
            # The weekly cap and unsubscribe look a customer's follow-ups up by brand and e-mail.
            models.Index(fields=["brand", "email", "state"], name="followup_customer"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="followup_unique_token"),
            models.UniqueConstraint(fields=["purchase", "step"], name="followup_unique_step"),
            models.CheckConstraint(
                condition=models.Q(
                    state__in=[
                        "scheduled",
                        "claimed",
                        "sending",
                        "sent",
                        "skipped",
                        "cancelled",
                        "failed",
                    ]
                ),
                name="followup_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state="sent", sent_at__isnull=False)
                | (~models.Q(state="sent") & models.Q(sent_at__isnull=True)),
                name="followup_sent_iff_sent_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["claimed", "sending"]) | ~models.Q(claimed_by=""),
                name="followup_claim_has_owner",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=["skipped", "cancelled", "failed"])
                | ~models.Q(reason=""),
                name="followup_end_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step} → {self.email} ({self.get_state_display()})"

    def clean(self) -> None:
        if self.state == self.State.SENT and self.sent_at is None:
            raise ValidationError(_("A sent follow-up needs the time it was sent."))
        if self.state in (self.State.SKIPPED, self.State.CANCELLED, self.State.FAILED) and not (
            self.reason
        ):
            raise ValidationError({"reason": _("Say why this follow-up did not go out.")})


class CheckIn(models.Model):
    """A customer's answers on a check-in page: CSAT, effort, NPS and the promise kept or not."""

    class Delivered(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    followup = models.OneToOneField(FollowUp, on_delete=models.CASCADE, related_name="checkin")
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="checkins"
    )
    csat = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    ces = models.PositiveSmallIntegerField(
        _("effort (1-7)"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    nps = models.PositiveSmallIntegerField(
        _("likely to recommend (0-10)"), validators=[MaxValueValidator(10)]
    )
    delivered = models.CharField(
        _("delivered what we said"), max_length=8, choices=Delivered.choices
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        ordering = ["-answered_at"]
        verbose_name = _("check-in answer")
        verbose_name_plural = _("check-in answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(csat__gte=1, csat__lte=5), name="checkin_csat_range"
            ),
            models.CheckConstraint(
                condition=models.Q(ces__gte=1, ces__lte=7), name="checkin_ces_range"
            ),
            models.CheckConstraint(
                condition=models.Q(nps__gte=0, nps__lte=10), name="checkin_nps_range"
            ),
            models.CheckConstraint(
                condition=models.Q(delivered__in=["yes", "partly", "no"]),
                name="checkin_delivered_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"CSAT {self.csat} · CES {self.ces} · NPS {self.nps}"


class Engagement(models.Model):
    """Something a customer did with a follow-up: opened a tip, answered a check-in…"""

    class Kind(models.TextChoices):
        TIP_OPENED = "tip_opened", _("Opened the tip")
        CHECKIN_OPENED = "checkin_opened", _("Opened the check-in")
        CHECKIN_ANSWERED = "checkin_answered", _("Answered the check-in")
        REASSESS_STARTED = "reassess_started", _("Started the re-assessment")
        PREFERENCES_CHANGED = "preferences_changed", _("Changed preferences")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="engagements")
    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="engagements"
    )
    response = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="engagements"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "tip_opened",
                        "checkin_opened",
                        "checkin_answered",
                        "reassess_started",
                        "preferences_changed",
                        "unsubscribed",
                    ]
                ),
                name="engagement_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d}"


class ContactPreference(models.Model):
    """What one customer (an e-mail address) wants to hear from one brand; unsubscribed or not."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="contact_preferences")
    email = models.EmailField(_("e-mail"))
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    tips = models.BooleanField(_("tips on using what I bought"), default=True)
    checkins = models.BooleanField(_("short check-ins"), default=True)
    reassessments = models.BooleanField(_("invitations to retake the assessment"), default=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")
        constraints = [
            models.UniqueConstraint(fields=["brand", "email"], name="preference_unique_email"),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="preference_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        state = "unsubscribed" if self.unsubscribed_at else "subscribed"
        return f"{self.email} · {self.brand} ({state})"

    def wants(self, kind: str) -> bool:
        """Whether this customer still wants messages of this step kind."""
        if self.unsubscribed_at is not None:
            return False
        return {
            FollowUpPlanStep.Kind.TIP: self.tips,
            FollowUpPlanStep.Kind.CHECKIN: self.checkins,
            FollowUpPlanStep.Kind.REASSESS: self.reassessments,
        }.get(kind, False)

    def clean(self) -> None:
        if self.email:
            self.email = self.email.lower()
