"""Dispatching and sending follow-ups, and what customers do with them.

Delivery guarantee: **at most once**, with nothing lost silently.

A row moves scheduled → claimed → sending → sent, each move a guarded UPDATE (`WHERE state =
… AND claimed_by = …`) committed before the next step. The move to `sending` is committed
*before* the message is handed to the mail server, and the move to `sent` after the server
accepted it. So:

- two dispatchers never claim the same row (row locks with SKIP LOCKED on PostgreSQL; the
  guarded UPDATE on SQLite, whose writers are serialised anyway);
- a task delivered twice (acks_late redelivery, a retried task) finds the row no longer
  `claimed` by its claim and does nothing;
- a worker that dies before `sending` leaves a `claimed` row, which recovery puts back to
  `scheduled` (nothing was sent, so sending it later is safe);
- a worker that dies between `sending` and `sent` leaves a row whose outcome is unknown: the
  mail server may or may not have taken the message. Recovery marks it `failed` with that
  reason and never sends it again.

We chose at-most-once because a duplicate message is exactly the "engineered insincerity" the
product promises to avoid, while a rare tip that did not arrive is a small loss and is visible
(failed, with its reason) in the admin. The message also carries a Message-ID derived from the
row, so even a resend by hand would be recognisable as the same message.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import smtplib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from assessments.brands.mail import brand_sender
from assessments.brands.theme import email_theme
from assessments.engine.text import localized as localized_text
from assessments.events import event_announce
from assessments.followups.purchases import consent_active, preference_ensure, response_facts
from assessments.followups.selectors import followup_settings_of
from assessments.models import (
    BrandFollowUpSettings,
    CheckIn,
    Consent,
    ContactPreference,
    Engagement,
    FollowUp,
    FollowUpPlanStep,
    Product,
    Response,
    WebhookEvent,
)
from assessments.models.followups import PLACEHOLDER_PATTERN
from assessments.taking.results import response_touch
from assessments.taking.services import response_retake

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CAP_WINDOW = dt.timedelta(days=7)

SendOutcome = Literal["sent", "skipped", "cancelled", "failed", "not_claimed"]


class TransientSendError(Exception):
    """The mail server could not take the message now; the row is claimed again for a retry."""


# -- settings per brand ------------------------------------------------------------------


def followup_settings_ensure(*, brand_id: int) -> BrandFollowUpSettings:
    """A brand's follow-up settings, created with a fresh webhook secret if it has none."""
    found = BrandFollowUpSettings.objects.filter(brand_id=brand_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return BrandFollowUpSettings.objects.create(brand_id=brand_id)
    except IntegrityError:
        return BrandFollowUpSettings.objects.get(brand_id=brand_id)


def webhook_secret_rotate(*, settings_row: BrandFollowUpSettings) -> str:
    """Give the brand a new webhook secret; requests signed with the old one get 401."""
    from assessments.models.followups import new_webhook_secret

    secret = new_webhook_secret()
    BrandFollowUpSettings.objects.filter(pk=settings_row.pk).update(webhook_secret=secret)
    settings_row.webhook_secret = secret
    return secret


# -- claiming ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    followup_id: int
    claim: str


def followups_recover_stale(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Put claimed rows whose task never ran back in the queue; close rows a dead worker left.

    Runs at the start of every dispatch pass, so after workers were down everything overdue
    goes out when they return.
    """
    now = now or timezone.now()
    claim_cutoff = now - dt.timedelta(seconds=settings.FOLLOWUPS_CLAIM_TIMEOUT)
    sending_cutoff = now - dt.timedelta(seconds=settings.FOLLOWUPS_SENDING_TIMEOUT)
    released = FollowUp.objects.filter(
        state=FollowUp.State.CLAIMED, claimed_at__lt=claim_cutoff
    ).update(state=FollowUp.State.SCHEDULED, claimed_by="", claimed_at=None)
    abandoned = FollowUp.objects.filter(
        state=FollowUp.State.SENDING, sending_at__lt=sending_cutoff
    ).update(
        state=FollowUp.State.FAILED,
        reason=(
            "The worker stopped while handing this message to the mail server, so it may or "
            "may not have been delivered. It is not sent again, to avoid a duplicate."
        ),
    )
    return {"released": released, "abandoned": abandoned}


@transaction.atomic
def followups_claim_due(
    *, limit: int = 200, worker: str = "", now: dt.datetime | None = None
) -> list[Claim]:
    """Claim up to `limit` due follow-ups for this dispatcher; each claim is used once."""
    now = now or timezone.now()
    claim = f"{worker or 'dispatch'}:{uuid.uuid4().hex}"[:64]
    due = FollowUp.objects.filter(state=FollowUp.State.SCHEDULED, scheduled_for__lte=now).order_by(
        "scheduled_for", "id"
    )
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: another dispatcher's rows are skipped, not waited for.
        due = due.select_for_update(skip_locked=True)
    ids = list(due.values_list("id", flat=True)[:limit])
    if not ids:
        return []
    # The state guard makes the claim safe even without row locks (SQLite): a row someone else
    # claimed in the meantime is no longer "scheduled" and is not taken again.
    FollowUp.objects.filter(id__in=ids, state=FollowUp.State.SCHEDULED).update(
        state=FollowUp.State.CLAIMED, claimed_by=claim, claimed_at=now
    )
    claimed = FollowUp.objects.filter(id__in=ids, claimed_by=claim, state=FollowUp.State.CLAIMED)
    return [
        Claim(pk, claim)
        for pk in claimed.order_by("scheduled_for", "id").values_list("id", flat=True)
    ]


@dataclass(frozen=True, slots=True)
class DispatchPass:
    """What one dispatch pass did: stale rows it recovered, and what became of each claim."""

    released: int
    abandoned: int
    outcomes: Mapping[str, int]  # what `deliver` said ("queued", "sent", "retry", …) → count


def followups_dispatch_due(
    *,
    deliver: Callable[[Claim], str],
    limit: int,
    worker: str,
    rounds: int | None = None,
    now: dt.datetime | None = None,
) -> DispatchPass:
    """Recover stale rows, then claim due follow-ups `limit` at a time and hand each claim to
    `deliver` (queue it for a worker, or send it here), which says what became of it.

    Stops at a short batch, or after `rounds` batches: the next pass goes on from there.
    """
    recovered = followups_recover_stale(now=now)
    outcomes: Counter[str] = Counter()
    for _batch in itertools.count() if rounds is None else range(rounds):
        claims = followups_claim_due(limit=limit, worker=worker, now=now)
        for claim in claims:
            outcomes[deliver(claim)] += 1
        if len(claims) < limit:
            break
    return DispatchPass(recovered["released"], recovered["abandoned"], dict(outcomes))


# -- sending -----------------------------------------------------------------------------


def _end(row: FollowUp, state: str, reason: str) -> None:
    FollowUp.objects.filter(pk=row.pk, state=row.state, claimed_by=row.claimed_by).update(
        state=state, reason=reason[:300]
    )


def _refusal(
    row: FollowUp, preference: ContactPreference, now: dt.datetime
) -> tuple[str, str] | None:
    """Why this follow-up must not go out now: (state, reason); None when it may."""
    purchase = row.purchase
    if purchase.status == purchase.Status.REFUNDED:
        return FollowUp.State.CANCELLED, "The purchase was refunded."
    if preference.unsubscribed_at is not None:
        return FollowUp.State.CANCELLED, "The customer unsubscribed."
    if not preference.wants(row.step.kind):
        return FollowUp.State.SKIPPED, f"The customer turned off {row.step.get_kind_display()}."
    if not consent_active(brand=row.brand, email=row.email):
        return (
            FollowUp.State.SKIPPED,
            "No consent to follow-ups (never given, never confirmed, or withdrawn).",
        )
    # A brand whose owner never created its settings has the default cap.
    cap = (followup_settings_of(row.brand_id) or BrandFollowUpSettings()).weekly_cap
    since = now - CAP_WINDOW
    recent = (
        FollowUp.objects.filter(brand_id=row.brand_id, email=row.email)
        .filter(
            Q(state=FollowUp.State.SENT, sent_at__gt=since)
            | Q(state=FollowUp.State.SENDING, sending_at__gt=since)
        )
        .exclude(pk=row.pk)
        .count()
    )
    if recent >= cap:
        return (
            FollowUp.State.SKIPPED,
            f"Weekly cap: this customer already had {recent} follow-up(s) in the last 7 days "
            f"(the brand allows {cap}).",
        )
    return None


def followup_send(*, followup_id: int, claim: str, now: dt.datetime | None = None) -> SendOutcome:
    """Re-check and send one claimed follow-up; safe to call twice with the same claim.

    Raises TransientSendError when the mail server could not take it now (the row is claimed
    again, for the caller to retry).
    """
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related(
                "purchase__response__version", "step__plan__assessment", "brand", "item__product"
            )
            # The version's definition is large and already compiled: leave it in the database.
            .defer("purchase__response__version__definition")
            .filter(pk=followup_id, state=FollowUp.State.CLAIMED, claimed_by=claim)
            .first()
        )
        if row is None:
            return "not_claimed"
        # Locking the customer's preference row serialises sends to one customer, so two
        # workers cannot both slip under the weekly cap.
        preference = preference_ensure(brand_id=row.brand_id, email=row.email, lock=True)
        refused = _refusal(row, preference, now)
        if refused is not None:
            state, reason = refused
            _end(row, state, reason)
            return "cancelled" if state == FollowUp.State.CANCELLED else "skipped"
        row.state = FollowUp.State.SENDING
        row.sending_at = now
        row.attempts += 1
        row.save(update_fields=["state", "sending_at", "attempts"])

    guarded = FollowUp.objects.filter(pk=row.pk, state=FollowUp.State.SENDING, claimed_by=claim)
    try:
        message = followup_message(row, preference)
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused) or (
            isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600
        )
        if permanent or row.attempts >= MAX_ATTEMPTS:
            guarded.update(
                state=FollowUp.State.FAILED,
                reason=f"After {row.attempts} attempt(s) the mail server refused: {error}"[:300],
            )
            log.warning("Follow-up %s failed: %s", row.pk, error)
            return "failed"
        # The server did not accept the message (no 250 after DATA), so trying again cannot
        # make a duplicate.
        guarded.update(state=FollowUp.State.CLAIMED, sending_at=None)
        raise TransientSendError(f"Follow-up {row.pk}: {error}") from error
    except Exception as error:
        # A bug (a broken template, say) must not leave the row "sending" forever.
        guarded.update(
            state=FollowUp.State.FAILED, reason=f"Could not build the message: {error}"[:300]
        )
        log.exception("Follow-up %s could not be built", row.pk)
        return "failed"
    guarded.update(state=FollowUp.State.SENT, sent_at=now)
    return "sent"


# -- the message -------------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@dataclass(frozen=True)
class ProductCard:
    """The product a follow-up is about, as its e-mail and page show it: name, picture, link."""

    name: str
    url: str  # the product's own page, http(s) only; "" for none
    image_url: str  # "" for none


def followup_product_card(
    product: Product | None, language: str, *, absolute_urls: bool = False
) -> ProductCard | None:
    """`product` for a follow-up in `language`; with `absolute_urls`, its picture's address
    is absolute (an e-mail has no page to resolve a path against)."""
    if product is None:
        return None
    url = product.url if urlsplit(product.url or "").scheme in ("http", "https") else ""
    picture = product.thumbnail.name or product.image.name
    image_url = default_storage.url(picture) if picture else ""
    if image_url and absolute_urls and image_url.startswith("/"):
        image_url = absolute(image_url)
    return ProductCard(
        name=localized_text(product.name, language) or product.sku, url=url, image_url=image_url
    )


def followup_product(row: FollowUp) -> Product | None:
    """The product bought, when the store told us which."""
    return row.item.product if row.item and row.item.product else None


def _fill(text: str, values: Mapping[str, str]) -> str:
    filled = PLACEHOLDER_PATTERN.sub(lambda m: values.get(m.group(1), m.group(0)), text)
    # An empty first name leaves "Hi , …" or "Hola ,": close the gap.
    return re.sub(r"[ \t]+([,.!?;:])", r"\1", filled).strip()


def followup_language(row: FollowUp) -> str:
    purchase = row.purchase
    languages = list(row.brand.languages or ["en"])
    for candidate in (purchase.language, getattr(purchase.response, "language", "")):
        if candidate and candidate in languages:
            return candidate
    return languages[0]


def followup_values(row: FollowUp, language: str) -> dict[str, str]:
    """What {first_name}, {product}, {outcome}, {insights} and {brand} stand for."""
    facts = response_facts(row.purchase.response)
    product = row.item.product if row.item and row.item.product else None
    insights = []
    if facts.assessment is not None:
        for trait in facts.assessment.traits:
            score = facts.scores.get(trait.key)
            if score and score.band and score.band.insight:
                insights.append(
                    f"{localized_text(trait.label, language)}: "
                    f"{localized_text(score.band.insight, language)}"
                )
    return {
        "first_name": row.purchase.first_name,
        "product": localized_text(product.name, language)
        if product
        else (row.item.sku if row.item else ""),
        "outcome": localized_text(facts.outcome.title, language) if facts.outcome else "",
        "insights": "\n".join(insights),
        "brand": row.brand.name,
    }


def followup_texts(row: FollowUp, language: str) -> tuple[str, str]:
    """The step's subject and body in this language, with the customer's fields filled in."""
    values = followup_values(row, language)
    subject = _fill(localized_text(row.step.subject, language), values)
    body = _fill(localized_text(row.step.body, language), values)
    return " ".join(subject.split()), body


@dataclass(frozen=True)
class FollowupEmail:
    """A follow-up e-mail as rendered: its subject, plain text and HTML."""

    subject: str
    text: str
    html: str


def followup_email_render(
    *,
    brand: Any,
    step: FollowUpPlanStep,
    values: Mapping[str, str],
    language: str,
    page_url: str,
    preferences_url: str,
    unsubscribe_url: str,
    product: ProductCard | None = None,
) -> FollowupEmail:
    """The step's e-mail in this language with these values, through the e-mail templates."""
    subject = " ".join(_fill(localized_text(step.subject, language), values).split())
    body = _fill(localized_text(step.body, language), values)
    context = {
        "brand": brand,
        "subject": subject,
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "kind": step.kind,
        "page_url": page_url,
        "preferences_url": preferences_url,
        "unsubscribe_url": unsubscribe_url,
        "language": language,
        "theme": email_theme(brand),
        "logo_url": absolute(brand.logo.url) if brand.logo else "",
        "product": product,
    }
    with translation.override(language):
        text = render_to_string("assessments/followups/email.txt", context)
        html = render_to_string("assessments/followups/email.html", context)
    return FollowupEmail(subject=subject, text=text, html=html)


def followup_message(row: FollowUp, preference: ContactPreference) -> EmailMultiAlternatives:
    """The e-mail for a follow-up: plain text and HTML, the brand's look, one-click unsubscribe."""
    language = followup_language(row)
    brand = row.brand
    unsubscribe = absolute(reverse("followups:unsubscribe", args=[preference.token]))
    email = followup_email_render(
        brand=brand,
        step=row.step,
        values=followup_values(row, language),
        language=language,
        page_url=absolute(reverse("followups:page", args=[row.token])),
        preferences_url=absolute(reverse("followups:preferences", args=[preference.token])),
        unsubscribe_url=unsubscribe,
        product=followup_product_card(followup_product(row), language, absolute_urls=True),
    )
    subject, text, html = email.subject, email.text, email.html
    from_email = brand_sender(brand)
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=[row.email],
        headers={
            # RFC 8058 one-click unsubscribe: the mail client POSTs to this URL.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # The same row always has the same Message-ID: a duplicate would be recognisable.
            "Message-ID": f"<followup-{row.token[:32]}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# -- customers' own actions --------------------------------------------------------------


@transaction.atomic
def unsubscribe(*, preference: ContactPreference, followup: FollowUp | None = None) -> int:
    """Stop every follow-up to this customer from this brand; the number of cancelled rows."""
    locked = ContactPreference.objects.select_for_update().get(pk=preference.pk)
    if locked.unsubscribed_at is None:
        locked.unsubscribed_at = timezone.now()
        locked.save(update_fields=["unsubscribed_at", "updated_at"])
        Engagement.objects.create(
            brand_id=locked.brand_id,
            followup=followup,
            response=followup.purchase.response if followup else None,
            kind=Engagement.Kind.UNSUBSCRIBED,
        )
    # A consent stamped a little in the future by a store's clock is withdrawn at its own time.
    Consent.objects.filter(
        brand_id=locked.brand_id, email=locked.email, withdrawn_at__isnull=True
    ).update(withdrawn_at=Greatest("given_at", Value(timezone.now())))
    cancelled = FollowUp.objects.filter(
        brand_id=locked.brand_id, email=locked.email, state__in=FollowUp.PENDING
    ).update(state=FollowUp.State.CANCELLED, reason="The customer unsubscribed.", claimed_by="")
    preference.unsubscribed_at = locked.unsubscribed_at
    return cancelled


@transaction.atomic
def preferences_update(
    *, preference: ContactPreference, tips: bool, checkins: bool, reassessments: bool
) -> ContactPreference:
    """Save which kinds of follow-up a customer still wants; none at all means unsubscribed."""
    if not (tips or checkins or reassessments):
        unsubscribe(preference=preference)
        preference.refresh_from_db()
        return preference
    locked = ContactPreference.objects.select_for_update().get(pk=preference.pk)
    locked.tips, locked.checkins, locked.reassessments = tips, checkins, reassessments
    locked.save(update_fields=["tips", "checkins", "reassessments", "updated_at"])
    Engagement.objects.create(brand_id=locked.brand_id, kind=Engagement.Kind.PREFERENCES_CHANGED)
    unwanted = [
        kind
        for kind, wanted in (
            (FollowUpPlanStep.Kind.TIP, tips),
            (FollowUpPlanStep.Kind.CHECKIN, checkins),
            (FollowUpPlanStep.Kind.REASSESS, reassessments),
        )
        if not wanted
    ]
    FollowUp.objects.filter(
        brand_id=locked.brand_id,
        email=locked.email,
        state__in=FollowUp.PENDING,
        step__kind__in=unwanted,
    ).update(
        state=FollowUp.State.CANCELLED, reason="The customer turned this kind off.", claimed_by=""
    )
    return locked


def engagement_record(*, followup: FollowUp, kind: str) -> Engagement:
    """Note what a customer did with a follow-up, with the response it came from."""
    engagement = Engagement.objects.create(
        brand_id=followup.brand_id,
        followup=followup,
        response_id=followup.purchase.response_id,
        kind=kind,
    )
    # Engaging with a follow-up (and answering a check-in, which notes an engagement) counts
    # on the response's Insights figures.
    response_touch(response_id=engagement.response_id)
    return engagement


@dataclass(frozen=True, slots=True)
class CheckInAnswers:
    csat: int
    ces: int
    nps: int
    delivered: str
    comment: str = ""


@transaction.atomic
def checkin_record(*, followup: FollowUp, answers: CheckInAnswers) -> CheckIn:
    """Store (or correct) a customer's check-in answers, and note that they answered."""
    checkin, _created = CheckIn.objects.update_or_create(
        followup=followup,
        defaults={
            "response_id": followup.purchase.response_id,
            "csat": answers.csat,
            "ces": answers.ces,
            "nps": answers.nps,
            "delivered": answers.delivered,
            "comment": answers.comment,
        },
    )
    engagement_record(followup=followup, kind=Engagement.Kind.CHECKIN_ANSWERED)
    event_announce(
        event=WebhookEvent.CHECKIN_ANSWERED, brand_id=followup.brand_id, subject_id=checkin.pk
    )
    return checkin


@transaction.atomic
def reassessment_start(*, followup: FollowUp) -> Response:
    """Start the assessment again on its live version, pre-filled with the earlier answers."""
    previous = followup.purchase.response
    version = followup.step.plan.assessment.live_version
    if version is None or previous is None:
        raise LookupError("This assessment is not published any more.")
    response = response_retake(
        previous=previous,
        version=version,
        brand=followup.brand,
        language=followup_language(followup),
    )
    # The engagement points at the *new* response: that is how "what changed" finds it.
    Engagement.objects.create(
        brand_id=followup.brand_id,
        followup=followup,
        response=response,
        kind=Engagement.Kind.REASSESS_STARTED,
    )
    return response


@dataclass(frozen=True, slots=True)
class TraitChange:
    label: str
    before: str  # the band's label, or "—"
    after: str
    changed: bool


def reassessment_changes(
    *, before: Response | None, after: Response | None, language: str
) -> list[TraitChange]:
    """How each trait's band moved from the profile before the purchase to a retake; empty
    until the retake is finished."""
    if before is None or after is None or after.status != Response.Status.COMPLETED:
        return []
    old_facts, new_facts = response_facts(before), response_facts(after)
    assert new_facts.assessment is not None
    changes = []
    for trait in new_facts.assessment.traits:
        was, now = old_facts.scores.get(trait.key), new_facts.scores.get(trait.key)
        was_band = was.band if was else None
        now_band = now.band if now else None
        changes.append(
            TraitChange(
                label=localized_text(trait.label, language),
                before=localized_text(was_band.label, language) if was_band else "—",
                after=localized_text(now_band.label, language) if now_band else "—",
                changed=(was_band.key if was_band else None)
                != (now_band.key if now_band else None),
            )
        )
    return changes


# -- plans from files (the demo) ---------------------------------------------------------


@transaction.atomic
def followup_plans_load(data: Mapping[str, Any]) -> list[Any]:
    """Create or update follow-up plans from {"plans": [...]}; safe to run again.

    Steps are matched by position, so re-loading edits them in place and never orphans the
    follow-ups already scheduled from them.
    """
    from assessments.models import Assessment, FollowUpPlan

    loaded = []
    for entry in data.get("plans", []):
        assessment = Assessment.objects.get(brand__slug=entry["brand"], key=entry["assessment"])
        plan, _created = FollowUpPlan.objects.update_or_create(
            assessment=assessment,
            key=entry["key"],
            defaults={
                "name": entry["name"],
                "priority": entry.get("priority", 0),
                "outcome_key": entry.get("outcome_key", ""),
                "product_sku": entry.get("product_sku", ""),
                "condition": entry.get("condition"),
                "active": entry.get("active", True),
            },
        )
        plan.full_clean()
        for position, step in enumerate(entry["steps"]):
            saved, _created = FollowUpPlanStep.objects.update_or_create(
                plan=plan,
                position=position,
                defaults={
                    "delay_days": step["delay_days"],
                    "kind": step["kind"],
                    "subject": step["subject"],
                    "body": step["body"],
                },
            )
            saved.full_clean()
        loaded.append(plan)
    return loaded
