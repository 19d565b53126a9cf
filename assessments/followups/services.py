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
import functools
import itertools
import logging
import re
import smtplib
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.core import mail
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.urls.converters import get_converters
from django.utils import timezone, translation
from django.utils.html import escape

from assessments import engine
from assessments.brands.mail import brand_sender
from assessments.brands.theme import email_theme
from assessments.engine.text import localized as localized_text
from assessments.events import event_announce
from assessments.followups.mail import FollowupEmailMessage
from assessments.followups.purchases import (
    ResponseFacts,
    catalogue_for_facts,
    email_normalise,
    preference_ensure,
    response_facts,
)
from assessments.models import (
    AssessmentVersion,
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

    def __init__(self, message: str, done: Mapping[int, str] | None = None) -> None:
        super().__init__(message)
        self.done = dict(done or {})  # what became of the batch's other rows meanwhile


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
    ).update(state=FollowUp.State.SCHEDULED, claimed_by="", claimed_at=None, sending_at=None)
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
    deliver: Callable[[Claim], str] | None = None,
    deliver_batch: Callable[[list[Claim]], Mapping[str, int]] | None = None,
    limit: int,
    worker: str,
    rounds: int | None = None,
    now: dt.datetime | None = None,
) -> DispatchPass:
    """Recover stale rows, then claim due follow-ups `limit` at a time and hand each claim to
    `deliver` (queue it for a worker, or send it here), which says what became of it; or each
    whole batch to `deliver_batch`, which says how many became what.

    Stops at a short batch, or after `rounds` batches: the next pass goes on from there.
    """
    if (deliver is None) == (deliver_batch is None):
        raise TypeError("Pass exactly one of deliver and deliver_batch.")
    recovered = followups_recover_stale(now=now)
    outcomes: Counter[str] = Counter()
    for _batch in itertools.count() if rounds is None else range(rounds):
        claims = followups_claim_due(limit=limit, worker=worker, now=now)
        if deliver_batch is not None:
            if claims:
                outcomes.update(deliver_batch(claims))
        else:
            for claim in claims:
                outcomes[deliver(claim)] += 1  # type: ignore[misc]
        if len(claims) < limit:
            break
    return DispatchPass(recovered["released"], recovered["abandoned"], dict(outcomes))


# -- sending -----------------------------------------------------------------------------
#
# A claimed batch is sent in two moves.
#
# 1. The checks, in one transaction and a fixed number of queries whatever the batch's size:
#    the batch's rows, its customers' preferences (locked, so two dispatchers cannot both slip
#    one customer under the weekly cap), their consents, the brands' caps and the customers'
#    recent messages. A refused row is closed with its reason. An allowed row is *cleared*:
#    still claimed, with `sending_at` set, which counts towards the weekly cap for every other
#    dispatcher from that commit on.
# 2. The cleared rows go through one mail connection, SEND_WINDOW at a time, each message
#    built just before it is handed over (a brand's catalogue read once per batch). The
#    window's rows move to `sending` (committed) before the first of them is handed over, and
#    to `sent` once the last was accepted. A worker killed mid-batch leaves at most one window
#    whose outcome is unknown (closed as failed by recovery, never sent twice); the writes
#    cost two statements per window, not two per message.

# The most messages a worker killed mid-batch can leave with an unknown outcome. Each window
# costs two committed writes, so at 50 they are a small share of the time a message takes.
SEND_WINDOW = 50


def _counts_towards_cap(since: dt.datetime) -> Q:
    """Follow-ups that use up a customer's weekly cap: sent, being sent, or cleared to send."""
    return (
        Q(state=FollowUp.State.SENT, sent_at__gt=since)
        | Q(state=FollowUp.State.SENDING, sending_at__gt=since)
        | Q(state=FollowUp.State.CLAIMED, sending_at__gt=since)
    )


@dataclass(frozen=True, slots=True)
class _Customer:
    """What the send-time checks know about one customer of one brand."""

    preference: ContactPreference
    consented: bool
    cap: int
    recent: int  # messages counting towards the cap, outside the batch being checked


def _preferences_locked(
    pairs: set[tuple[int, str]],
) -> dict[tuple[int, str], ContactPreference]:
    """These customers' preferences, created where missing (every kind on), locked until the
    transaction ends; in id order, so two dispatchers never wait on each other in a circle."""
    brands, emails = {b for b, _ in pairs}, {e for _, e in pairs}

    def read() -> dict[tuple[int, str], ContactPreference]:
        found = ContactPreference.objects.select_for_update().filter(
            brand_id__in=brands, email__in=emails
        )
        return {
            (p.brand_id, p.email): p for p in found.order_by("pk") if (p.brand_id, p.email) in pairs
        }

    found = read()
    missing = pairs - found.keys()
    if missing:
        ContactPreference.objects.bulk_create(
            [ContactPreference(brand_id=b, email=e) for b, e in sorted(missing)],
            ignore_conflicts=True,
        )
        found = read()
    for brand_id, email in pairs - found.keys():
        # Not storable in bulk (an address the constraint refuses): the one-row path says why.
        found[brand_id, email] = preference_ensure(brand_id=brand_id, email=email, lock=True)
    return found


def _customers(rows: list[FollowUp], now: dt.datetime) -> dict[tuple[int, str], _Customer]:
    """The checks' facts for every customer in `rows`, in five queries whatever their number."""
    pairs = {(row.brand_id, row.email) for row in rows}
    brands, emails = {b for b, _ in pairs}, {e for _, e in pairs}
    preferences = _preferences_locked(pairs)
    normalised = {(b, e): email_normalise(e) for b, e in pairs}
    consented = set(
        Consent.objects.filter(
            brand_id__in=brands,
            email__in={e for e in normalised.values() if e},
            confirmed_at__isnull=False,
            withdrawn_at__isnull=True,
        )
        .order_by()
        .values_list("brand_id", "email")
        .distinct()
    )
    # A brand whose owner never created its settings has the default cap.
    default_cap = BrandFollowUpSettings._meta.get_field("weekly_cap").get_default()
    caps = dict(
        BrandFollowUpSettings.objects.filter(brand_id__in=brands).values_list(
            "brand_id", "weekly_cap"
        )
    )
    recent = {
        (r["brand_id"], r["email"]): r["n"]
        for r in FollowUp.objects.filter(brand_id__in=brands, email__in=emails)
        .filter(_counts_towards_cap(now - CAP_WINDOW))
        .exclude(pk__in=[row.pk for row in rows])
        .order_by()
        .values("brand_id", "email")
        .annotate(n=Count("id"))
    }
    return {
        (b, e): _Customer(
            preference=preferences[b, e],
            consented=bool(normalised[b, e]) and (b, normalised[b, e]) in consented,
            cap=caps.get(b, default_cap),
            recent=recent.get((b, e), 0),
        )
        for b, e in pairs
    }


def _refusal(row: FollowUp, customer: _Customer, recent: int) -> tuple[str, str] | None:
    """Why this follow-up must not go out now: (state, reason); None when it may."""
    purchase = row.purchase
    preference = customer.preference
    if purchase.status == purchase.Status.REFUNDED:
        return FollowUp.State.CANCELLED, "The purchase was refunded."
    if preference.unsubscribed_at is not None:
        return FollowUp.State.CANCELLED, "The customer unsubscribed."
    if not preference.wants(row.step.kind):
        return FollowUp.State.SKIPPED, f"The customer turned off {row.step.get_kind_display()}."
    if not customer.consented:
        return (
            FollowUp.State.SKIPPED,
            "No consent to follow-ups (never given, never confirmed, or withdrawn).",
        )
    if recent >= customer.cap:
        return (
            FollowUp.State.SKIPPED,
            f"Weekly cap: this customer already had {recent} follow-up(s) in the last 7 days "
            f"(the brand allows {customer.cap}).",
        )
    return None


# What a message reads of the customer's response (the result it was shown, the answers its
# profile is made of); the rest (their history, attribution, share links…) stays in the database.
_RESPONSE_READ = {
    "id",
    "brand",
    "version",
    "language",
    "status",
    "is_preview",
    "answers",
    "fields",
    "result",
}
_RESPONSE_UNREAD = [
    f"purchase__response__{field.name}"
    for field in Response._meta.concrete_fields
    if field.name not in _RESPONSE_READ
]


@transaction.atomic
def _batch_check(
    *, claim: str, ids: Sequence[int] | None, now: dt.datetime, outcomes: dict[int, SendOutcome]
) -> list[tuple[FollowUp, ContactPreference]]:
    """Check every row the claim holds; close the refused, clear the rest (returned in order)."""
    rows = (
        FollowUp.objects.select_for_update(of=("self",))
        # What is each row's own comes with the row: its purchase, the response, the item. What
        # rows share (the brand, the plan's step, the version, the product) is read once per
        # batch, one copy each, rather than once in every row.
        .select_related("purchase__response", "item")
        .defer(*_RESPONSE_UNREAD)
        .prefetch_related(
            "brand",
            "step",
            # The definition is large and already compiled.
            Prefetch(
                "purchase__response__version",
                queryset=AssessmentVersion.objects.defer("definition"),
            ),
            # A message shows neither a product's description nor its attributes.
            Prefetch("item__product", queryset=Product.objects.defer("description", "attributes")),
        )
        .filter(state=FollowUp.State.CLAIMED, claimed_by=claim)
        .order_by("scheduled_for", "id")
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    rows = list(rows)
    if not rows:
        return []
    customers = _customers(rows, now)
    used: Counter[tuple[int, str]] = Counter()  # cleared in this batch, per customer
    refused: dict[tuple[str, str], list[int]] = {}
    cleared = []
    for row in rows:
        customer = customers[row.brand_id, row.email]
        refusal = _refusal(row, customer, customer.recent + used[row.brand_id, row.email])
        if refusal is None:
            used[row.brand_id, row.email] += 1
            cleared.append((row, customer.preference))
        else:
            refused.setdefault(refusal, []).append(row.pk)
            outcomes[row.pk] = "cancelled" if refusal[0] == FollowUp.State.CANCELLED else "skipped"
    for (state, reason), pks in refused.items():
        FollowUp.objects.filter(pk__in=pks).update(state=state, reason=reason[:300])
    if cleared:
        FollowUp.objects.filter(pk__in=[row.pk for row, _ in cleared]).update(sending_at=now)
    return cleared


def _guarded(pk: int, *, claim: str) -> QuerySet[FollowUp]:
    """The row, while it is still ours and being sent (built only when a send went wrong)."""
    return FollowUp.objects.filter(pk=pk, state=FollowUp.State.SENDING, claimed_by=claim)


def _handed_over(pks: list[int], *, claim: str, now: dt.datetime) -> None:
    if pks:
        FollowUp.objects.filter(pk__in=pks, state=FollowUp.State.SENDING, claimed_by=claim).update(
            state=FollowUp.State.SENT, sent_at=now
        )


def _send_windows(
    cleared: list[tuple[FollowUp, ContactPreference]],
    build: Callable[[FollowUp, ContactPreference], EmailMultiAlternatives],
    *,
    claim: str,
    now: dt.datetime,
    outcomes: dict[int, SendOutcome],
) -> None:
    """Build each message just before handing it to one mail connection, SEND_WINDOW rows
    at a time (see above). One at a time: a whole batch of built messages held at once makes
    the garbage collector scan them over and over, and costs more than the sending."""
    messages = cleared
    mailer = mail.mailers.default
    opened = False
    try:
        for start in range(0, len(messages), SEND_WINDOW):
            window = messages[start : start + SEND_WINDOW]
            pks = [row.pk for row, _ in window]
            moved = FollowUp.objects.filter(
                pk__in=pks, state=FollowUp.State.CLAIMED, claimed_by=claim
            ).update(state=FollowUp.State.SENDING, sending_at=now, attempts=F("attempts") + 1)
            if moved != len(pks):
                # Someone acted on a row since the checks (an unsubscribe, a refund, recovery):
                # only the rows that moved are ours to send.
                ours = set(
                    FollowUp.objects.filter(
                        pk__in=pks, state=FollowUp.State.SENDING, claimed_by=claim
                    ).values_list("pk", flat=True)
                )
                window = [(row, pref) for row, pref in window if row.pk in ours]
            handed: list[int] = []
            for position, (row, preference) in enumerate(window):
                row.attempts += 1
                try:
                    message = build(row, preference)
                except Exception as error:
                    # A bug (a broken template, say) fails this row, not the batch.
                    _guarded(row.pk, claim=claim).update(
                        state=FollowUp.State.FAILED,
                        reason=f"Could not build the message: {error}"[:300],
                    )
                    log.exception("Follow-up %s could not be built", row.pk)
                    outcomes[row.pk] = "failed"
                    continue
                try:
                    if not opened:
                        mailer.open()
                        opened = True
                    mailer.send_messages([message])
                except (smtplib.SMTPException, OSError) as error:
                    permanent = isinstance(error, smtplib.SMTPRecipientsRefused) or (
                        isinstance(error, smtplib.SMTPResponseException)
                        and 500 <= error.smtp_code < 600
                    )
                    if permanent or row.attempts >= MAX_ATTEMPTS:
                        _guarded(row.pk, claim=claim).update(
                            state=FollowUp.State.FAILED,
                            reason=(
                                f"After {row.attempts} attempt(s) the mail server refused: {error}"
                            )[:300],
                        )
                        log.warning("Follow-up %s failed: %s", row.pk, error)
                        outcomes[row.pk] = "failed"
                        continue
                    # The server did not take this message (no 250 after DATA), nor any after
                    # it: they go back to claimed, and trying again cannot make a duplicate.
                    _handed_over(handed, claim=claim, now=now)
                    outcomes.update(dict.fromkeys(handed, "sent"))
                    untried = [r.pk for r, _ in window[position:]]
                    FollowUp.objects.filter(
                        pk__in=untried, state=FollowUp.State.SENDING, claimed_by=claim
                    ).update(state=FollowUp.State.CLAIMED, sending_at=None)
                    later = [r.pk for r, _ in messages[start + SEND_WINDOW :]]
                    FollowUp.objects.filter(
                        pk__in=later, state=FollowUp.State.CLAIMED, claimed_by=claim
                    ).update(sending_at=None)
                    done = {pk: o for pk, o in outcomes.items() if pk not in {*untried, *later}}
                    raise TransientSendError(f"Follow-up {row.pk}: {error}", done) from error
                except Exception as error:
                    # A bug (in a mail backend, say) must not leave the row "sending" forever.
                    _guarded(row.pk, claim=claim).update(
                        state=FollowUp.State.FAILED,
                        reason=f"Could not hand the message over: {error}"[:300],
                    )
                    log.exception("Follow-up %s could not be handed over", row.pk)
                    outcomes[row.pk] = "failed"
                    continue
                handed.append(row.pk)
            _handed_over(handed, claim=claim, now=now)
            outcomes.update(dict.fromkeys(handed, "sent"))
    finally:
        if opened:
            mailer.close()


def followups_send_claimed(
    *, claim: str, ids: Sequence[int] | None = None, now: dt.datetime | None = None
) -> dict[int, SendOutcome]:
    """Re-check and send the follow-ups `claim` holds (only those in `ids`, when given); what
    became of each. Safe to call twice with the same claim: a row is sent at most once.

    The checks cost the same few queries for one row or a whole batch. Raises
    TransientSendError when the mail server could not take a message now: the rows not handed
    over stay claimed, for the caller to retry, and the error carries what was done.
    """
    now = now or timezone.now()
    outcomes: dict[int, SendOutcome] = dict.fromkeys(ids or (), "not_claimed")
    cleared = _batch_check(claim=claim, ids=ids, now=now, outcomes=outcomes)
    catalogues: dict[int, Sequence[engine.Product]] = {}

    def build(row: FollowUp, preference: ContactPreference) -> EmailMultiAlternatives:
        if row.brand_id not in catalogues:  # each brand's catalogue read once per batch
            catalogues[row.brand_id] = catalogue_for_facts(row.brand_id)
        facts = response_facts(row.purchase.response, products=catalogues[row.brand_id])
        return followup_message(row, preference, facts=facts)

    _send_windows(cleared, build, claim=claim, now=now, outcomes=outcomes)
    return outcomes


def followup_send(*, followup_id: int, claim: str, now: dt.datetime | None = None) -> SendOutcome:
    """Re-check and send one claimed follow-up; safe to call twice with the same claim.

    Raises TransientSendError when the mail server could not take it now (the row is claimed
    again, for the caller to retry).
    """
    return followups_send_claimed(claim=claim, ids=[followup_id], now=now)[followup_id]


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


def followup_values(
    row: FollowUp, language: str, *, facts: ResponseFacts | None = None
) -> dict[str, str]:
    """What {first_name}, {product}, {outcome}, {insights} and {brand} stand for (`facts`: the
    purchase's response evaluated, when the caller already has it)."""
    if facts is None:
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
    return _draft_render(
        _draft(brand=brand, step=step, values=values, language=language, product=product),
        first_name=values.get("first_name", ""),
        page_url=page_url,
        preferences_url=preferences_url,
        unsubscribe_url=unsubscribe_url,
    )


@dataclass(frozen=True, slots=True)
class _BrandLook:
    """What a brand's e-mails show of it: who they come from, its logo and its colours."""

    sender: str
    logo_url: str
    theme: tuple[tuple[str, str], ...]


def _brand_look(brand: Any) -> _BrandLook:
    """The brand's look, worked out once per state of the brand rather than once per message
    (each row of a batch loads its own copy of the same brand). A copy with fields left in
    the database is worked out afresh: its state is not all known."""
    if brand.pk is None or brand.get_deferred_fields():
        return _brand_look_of(brand)
    # Through the fields (a file field's raw name becomes its file object once read).
    stored = repr([f.value_from_object(brand) for f in brand._meta.concrete_fields])
    return _brand_look_cached(stored, settings.SITE_URL, settings.DEFAULT_FROM_EMAIL, brand)


@functools.lru_cache(maxsize=64)
def _brand_look_cached(stored: str, site_url: str, default_from: str, brand: Any) -> _BrandLook:
    # Keyed by the brand's stored values and the settings the look reads; `brand` is the
    # first copy seen in that state (equal copies hash alike, as their primary keys match).
    return _brand_look_of(brand)


def _brand_look_of(brand: Any) -> _BrandLook:
    return _BrandLook(
        sender=brand_sender(brand),
        logo_url=absolute(brand.logo.url) if brand.logo else "",
        theme=tuple(email_theme(brand).items()),
    )


@dataclass(frozen=True, slots=True)
class _Draft:
    """Everything a follow-up e-mail is rendered from but the customer's name and links."""

    subject: str  # the step's, in the language, placeholders not yet filled
    body: str
    values: tuple[tuple[str, str], ...]  # what the placeholders stand for, but {first_name}
    kind: str
    language: str
    brand_name: str  # the templates read nothing else of the brand
    logo_url: str
    theme: tuple[tuple[str, str], ...]
    product: ProductCard | None


def _draft(
    *,
    brand: Any,
    step: FollowUpPlanStep,
    values: Mapping[str, str],
    language: str,
    product: ProductCard | None,
) -> _Draft:
    look = _brand_look(brand)
    return _Draft(
        subject=localized_text(step.subject, language),
        body=localized_text(step.body, language),
        values=tuple(sorted((k, v) for k, v in values.items() if k != "first_name")),
        kind=step.kind,
        language=language,
        brand_name=brand.name,
        logo_url=look.logo_url,
        theme=look.theme,
        product=product,
    )


def _draft_render(
    draft: _Draft, *, first_name: str, page_url: str, preferences_url: str, unsubscribe_url: str
) -> FollowupEmail:
    values = {**dict(draft.values), "first_name": first_name}
    subject = " ".join(_fill(draft.subject, values).split())
    body = _fill(draft.body, values)
    context = {
        "brand_name": draft.brand_name,
        "subject": subject,
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "kind": draft.kind,
        "page_url": page_url,
        "preferences_url": preferences_url,
        "unsubscribe_url": unsubscribe_url,
        "language": draft.language,
        "theme": dict(draft.theme),
        "logo_url": draft.logo_url,
        "product": draft.product,
    }
    with translation.override(draft.language):
        text = render_to_string("assessments/followups/email.txt", context)
        html = render_to_string("assessments/followups/email.html", context)
    return FollowupEmail(subject=subject, text=text, html=html)


_MARK = "\ue000"  # a private-use character: no template filter, escaping or `_fill` touches it
_PERSONAL = ("first_name", "page_url", "preferences_url", "unsubscribe_url")


class _RenderedOnce:
    """Each distinct follow-up e-mail rendered once, each customer's name and links put in after.

    Rendering the two templates was most of the cost of a message, and a batch sends the same
    step in the same language about the same product to many customers: only their first names
    and links differ. So a draft is rendered once with a stand-in for each of those (wrapped in
    a private-use character, which neither `_fill` nor any template filter changes), and each
    customer's value replaces its stand-in: as it is in the subject and the text, HTML-escaped
    in the HTML, exactly what the templates would have done, as escaping works character by
    character. A name `_fill` treats differently from a stand-in (spaces at its ends or in a
    row, a line break, punctuation after a space, which close a gap) and a value holding the
    private-use character are rendered the plain way. An empty name is no stand-in: it closes
    the gap before the comma, so it is a draft of its own.
    """

    MARK = _MARK
    STAND_INS = {key: f"{_MARK}{key}{_MARK}" for key in _PERSONAL}
    _GAP_CLOSER = re.compile(r"(?:^|\s)[,.!?;:]")

    def __init__(self, *, size: int = 256) -> None:
        self._shape = functools.lru_cache(maxsize=size)(self._render_shape)

    def render(self, draft: _Draft, **personal: str) -> FollowupEmail:
        """The e-mail `_draft_render(draft, **personal)` renders, rendering it only when new."""
        name = personal["first_name"]
        plain = name == " ".join(name.split()) and not self._GAP_CLOSER.search(name)
        shape = None
        if plain and not any(self.MARK in value for value in personal.values()):
            shape = self._shape(draft, named=bool(name))
        if shape is None:
            return _draft_render(draft, **personal)
        subject, text, html = shape.subject, shape.text, shape.html
        for key, value in personal.items():
            stand_in = self.STAND_INS[key]
            subject = subject.replace(stand_in, value)
            text = text.replace(stand_in, value)
            html = html.replace(stand_in, escape(value))
        return FollowupEmail(subject=subject, text=text, html=html)

    def _render_shape(self, draft: _Draft, *, named: bool) -> FollowupEmail | None:
        # A draft holding the mark itself (an author typed it) is rendered plainly, and so is
        # one whose rendering has the mark anywhere but in a stand-in.
        product = draft.product
        texts = [draft.subject, draft.body, draft.brand_name, draft.logo_url]
        texts += [v for _, v in (*draft.values, *draft.theme)]
        texts += [product.name, product.url, product.image_url] if product else []
        if any(self.MARK in text for text in texts):
            return None
        stand_ins = dict(self.STAND_INS, first_name=self.STAND_INS["first_name"] if named else "")
        shape = _draft_render(draft, **stand_ins)
        for rendered in (shape.subject, shape.text, shape.html):
            found = sum(rendered.count(stand_in) for stand_in in self.STAND_INS.values())
            if rendered.count(self.MARK) != 2 * found:
                return None
        return shape


_rendered_once = _RenderedOnce()


def _token_path(name: str, token: str) -> str:
    """`reverse(name, args=[token])` for a page whose path holds a `<token:…>`, without
    resolving the route for every message: the path around a token is the same for every token
    the converter accepts, and such a token goes in as it is (its characters need no quoting)."""
    before, after, accepted = _token_path_around(name, get_script_prefix(), get_urlconf())
    if not accepted.fullmatch(token):
        return reverse(name, args=[token])  # raises NoReverseMatch as it always did
    return f"{before}{token}{after}"


@functools.lru_cache(maxsize=32)
def _token_path_around(
    name: str, script_prefix: str, urlconf: Any
) -> tuple[str, str, re.Pattern[str]]:
    stand_in = "T" * 43  # as long as `new_token()`'s tokens
    before, found, after = reverse(name, args=[stand_in], urlconf=urlconf).partition(stand_in)
    assert found, f"{name} does not put its token in the path"
    return before, after, re.compile(get_converters()["token"].regex)


def followup_message(
    row: FollowUp, preference: ContactPreference, *, facts: ResponseFacts | None = None
) -> EmailMultiAlternatives:
    """The e-mail for a follow-up: plain text and HTML, the brand's look, one-click unsubscribe."""
    language = followup_language(row)
    brand = row.brand
    unsubscribe = absolute(_token_path("followups:unsubscribe", preference.token))
    values = followup_values(row, language, facts=facts)
    product = followup_product_card(followup_product(row), language, absolute_urls=True)
    email = _rendered_once.render(
        _draft(brand=brand, step=row.step, values=values, language=language, product=product),
        first_name=values["first_name"],
        page_url=absolute(_token_path("followups:page", row.token)),
        preferences_url=absolute(_token_path("followups:preferences", preference.token)),
        unsubscribe_url=unsubscribe,
    )
    subject, text, html = email.subject, email.text, email.html
    from_email = _brand_look(brand).sender
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    message = FollowupEmailMessage(
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
