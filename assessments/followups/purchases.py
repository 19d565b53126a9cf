"""Recording purchases and refunds, and the consent that lets follow-ups go out.

A purchase, its items and its follow-up rows are written in one transaction: if anything fails,
nothing is left behind and nothing was queued (queuing happens later, from the rows).

Consent is double opt-in where the address is not vouched for. A store's checkout and staff
vouch for the address they send, so their consent counts at once and the follow-ups are
scheduled with the purchase. An address typed on the results page could be anyone's: its
consent waits, unconfirmed, while one e-mail asks the address's owner to confirm
(`confirmation.py`); confirming schedules the purchase's follow-ups (`consent_confirm`).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments import engine
from assessments.brands.mail import email_clean
from assessments.events import event_announce
from assessments.models import (
    AssessmentVersion,
    Brand,
    Consent,
    ContactPreference,
    FollowUp,
    FollowUpPlan,
    Product,
    Purchase,
    PurchaseItem,
    Response,
    WebhookEvent,
)
from assessments.taking.results import catalogue_read, response_touch, result_read
from assessments.taking.services import response_definition

from .confirmation import consent_confirmation_send
from .selectors import purchase_attribution

# The wording of the consent checkbox on the results page; bump it whenever the text changes,
# so every consent records exactly what the customer agreed to.
RESULTS_CONSENT_VERSION = "results-2025-01"
# A purchase recorded late (a staff entry, a webhook retried for days) does not fire every
# step it missed at once: steps more than this far in the past are left out.
MISSED_STEP_GRACE = dt.timedelta(days=2)
# "I bought this" from one results page: a handful of products, not an open mail relay.
CUSTOMER_PURCHASES_PER_RESPONSE = 3
# What every database stores: PurchaseItem.quantity is a PositiveIntegerField, and
# PurchaseItem.price has 10 digits, 2 of them after the point.
QUANTITY_MAX = 2_147_483_647
PRICE_LIMIT = Decimal(10) ** 8


class PurchaseRejected(ValueError):
    """The purchase cannot be recorded as sent; the message says what to fix."""


class PurchaseLimitReached(PurchaseRejected):
    """A results page already reported as many purchases as one customer plausibly makes."""

    # For the customer, in their language (rendered where the page is).
    message = _("You have already told us about your purchases from these results.")


class PurchaseNotFound(LookupError):
    """No purchase with this order id for this brand."""


class ConsentNotFound(LookupError):
    """No such consent (it was erased, or never was)."""


# Sources that vouch for the address they send: the brand's store saw the customer check out,
# staff saw them in person, the demo is ours. Any other source (the results page, where anyone
# can type any address) must be confirmed by the address's owner before it counts.
CONFIRMED_WHEN_GIVEN = frozenset(
    {Consent.Source.CHECKOUT, Consent.Source.STAFF, Consent.Source.DEMO}
)


@dataclass(frozen=True, slots=True)
class ItemInput:
    sku: str
    quantity: int = 1
    price: Decimal | None = None
    ref: str = ""  # the product link's attribution reference, when the store kept it


@dataclass(frozen=True, slots=True)
class ConsentInput:
    wording_version: str
    source: str
    given_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class StoreOrder:
    """A purchase as a store reports it (the webhook's "purchase.completed")."""

    order_id: str
    items: tuple[ItemInput, ...]
    purchased_at: dt.datetime | None = None
    reference: str = ""  # a product link's ref for the whole order, or the response token
    email: str = ""
    first_name: str = ""
    language: str = ""
    consent: ConsentInput | None = None


@dataclass(frozen=True, slots=True)
class StoreRefund:
    """A refund as a store reports it (the webhook's "purchase.refunded")."""

    order_id: str
    refunded_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class StoreReceipt:
    """What became of a store's order."""

    purchase: Purchase
    created: bool
    followups_scheduled: int
    # The order named a reference that links no response of this brand: recorded, not linked.
    reference_unmatched: bool


def email_normalise(email: str) -> str:
    """An address as it is stored and looked up: `email_clean`'d and lower-cased; "" when it
    is missing or not an address at all."""
    cleaned = email_clean(email)
    return cleaned.lower() if cleaned else ""


def preference_ensure(*, brand_id: int, email: str, lock: bool = False) -> ContactPreference:
    """The customer's preferences (`email` as stored), created with every kind on if they have
    none; optionally locked until the transaction ends."""
    queryset = ContactPreference.objects.filter(brand_id=brand_id, email=email)
    if lock:
        queryset = queryset.select_for_update()
    found = queryset.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ContactPreference.objects.create(brand_id=brand_id, email=email)
    except IntegrityError:
        return queryset.get()


def consent_active(*, brand: Brand, email: str) -> bool:
    """Whether this customer has a consent to follow-ups from this brand that was confirmed
    and not withdrawn."""
    email = email_normalise(email)
    if not email:
        return False
    return Consent.objects.filter(
        brand=brand, email=email, confirmed_at__isnull=False, withdrawn_at__isnull=True
    ).exists()


@transaction.atomic
def consent_record(
    *,
    brand: Brand,
    email: str,
    wording_version: str,
    source: str,
    response: Response | None = None,
    purchase: Purchase | None = None,
    given_at: dt.datetime | None = None,
) -> Consent:
    """Record a customer's consent: what wording they saw, when and where.

    A consent from a source in CONFIRMED_WHEN_GIVEN is confirmed at once; any other waits for
    its address's owner (`consent_confirm`). Once confirmed, the customer has preferences with
    the brand: the page where they choose which follow-ups they get, or stop them all.
    """
    email = email_normalise(email)
    if not email:
        raise PurchaseRejected("Consent needs the customer's e-mail address.")
    if not (wording_version or "").strip():
        raise PurchaseRejected("Consent needs the version of the wording the customer saw.")
    given_at = given_at or timezone.now()
    confirmed = source in CONFIRMED_WHEN_GIVEN
    consent = Consent.objects.create(
        brand=brand,
        email=email,
        response=response,
        purchase=purchase,
        wording_version=wording_version.strip()[:40],
        source=source,
        given_at=given_at,
        confirmed_at=given_at if confirmed else None,
    )
    if confirmed:
        preference_ensure(brand_id=brand.pk, email=email)
    return consent


@dataclass(frozen=True, slots=True)
class ConsentConfirmed:
    """What confirming a consent did."""

    # "confirmed": now; "already": an earlier click did, nothing changed; "withdrawn": the
    # customer stopped follow-ups before confirming, so nothing starts.
    outcome: Literal["confirmed", "already", "withdrawn"]
    followups_scheduled: int


@transaction.atomic
def consent_confirm(*, consent_id: int, now: dt.datetime | None = None) -> ConsentConfirmed:
    """Confirm a consent with the link sent to its address, and schedule its purchase's
    follow-ups; confirming again changes nothing. Raises ConsentNotFound."""
    consent = (
        Consent.objects.select_for_update(of=("self",))
        .select_related("brand", "purchase__response")
        .filter(pk=consent_id)
        .first()
    )
    if consent is None:
        raise ConsentNotFound(f"No consent {consent_id}.")
    if consent.withdrawn_at is not None:
        return ConsentConfirmed("withdrawn", 0)
    if consent.confirmed_at is not None:
        return ConsentConfirmed("already", 0)
    # A store's clock may have stamped the consent a little ahead; confirmed never precedes it.
    consent.confirmed_at = max(now or timezone.now(), consent.given_at)
    consent.save(update_fields=["confirmed_at"])
    preference_ensure(brand_id=consent.brand_id, email=consent.email)
    purchase = consent.purchase
    if (
        purchase is None
        or purchase.email != consent.email
        or purchase.status != Purchase.Status.COMPLETED
        or purchase.followups.exists()
    ):
        return ConsentConfirmed("confirmed", 0)
    items = list(purchase.items.order_by("pk"))
    scheduled = followups_schedule(
        purchase=purchase, items=items, facts=response_facts(purchase.response)
    )
    return ConsentConfirmed("confirmed", len(scheduled))


# -- recommendation facts ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponseFacts:
    """What a completed response says about the customer, for matching plans and filling text."""

    outcome_key: str | None
    ranks: Mapping[str, int]  # sku → rank among the recommended products
    assessment: engine.Assessment | None
    scores: Mapping[str, engine.TraitScore]
    outcome: engine.Outcome | None


class _PlanFacts:
    """The engine's condition protocol over a finished response (answers, traits, fields)."""

    def __init__(
        self,
        counted: Mapping[str, Any],
        scores: Mapping[str, engine.TraitScore],
        fields: Mapping[str, Any],
    ) -> None:
        self.counted, self.scores, self.fields = counted, scores, fields

    def answer(self, key: str) -> Any:
        return self.counted.get(key)

    def trait(self, key: str) -> float:
        score = self.scores.get(key)
        return score.value if score else 0.0

    def band(self, key: str) -> str | None:
        score = self.scores.get(key)
        return score.band.key if score and score.band else None

    def field(self, key: str) -> str | None:
        value = self.fields.get(key)
        return value if isinstance(value, str) else None


@functools.lru_cache(maxsize=64)
def _compiled_version(version_id: int, content_hash: str) -> engine.Assessment:
    # Published versions never change, so the id and hash name one compiled assessment for
    # good; the (large) definition is read only the first time, not once per message.
    definition = AssessmentVersion.objects.values_list("definition", flat=True).get(pk=version_id)
    return engine.compile_cached(content_hash, definition)


def catalogue_for_facts(brand_id: int) -> Sequence[engine.Product]:
    """The brand's active products as `response_facts` evaluates a response against them: as
    results rank them, with their tags, variants and priorities."""
    return catalogue_read(brand_id).products


def response_facts(
    response: Response | None, *, products: Sequence[engine.Product] | None = None
) -> ResponseFacts:
    """Evaluate a completed response against the brand's current catalogue (`products`, when
    the caller already read it: a batch of follow-ups reads each brand's once)."""
    if response is None or response.status != Response.Status.COMPLETED:
        return ResponseFacts(None, {}, None, {}, None)
    if response.version_id is not None and not response.is_preview:
        version = (
            response.version
            if Response.version.is_cached(response)
            else AssessmentVersion.objects.only("content_hash").get(pk=response.version_id)
        )
        assessment = _compiled_version(response.version_id, version.content_hash)
    else:
        assessment = response_definition(response)
    walk = assessment.walk(response.answers, response.fields)
    frozen = result_read(response)
    if frozen is not None:
        # What the customer was shown when they finished, not a re-ranking against today's
        # catalogue: "we recommended it at rank 2" must stay true when products change. So
        # the products are not ranked again; scores and outcome never depend on them.
        scores, outcome, ranks = walk.scores(), walk.outcome(), frozen.ranks
    else:
        if products is None:
            products = catalogue_for_facts(response.brand_id)
        result = walk.evaluate(list(products))
        scores, outcome = result.scores, result.outcome
        ranks = {item.sku: item.rank for item in result.recommendation.recommended}
    return ResponseFacts(outcome.key if outcome else None, ranks, assessment, scores, outcome)


def _plan_matches(
    plan: FollowUpPlan, facts: ResponseFacts, response: Response, skus: set[str]
) -> bool:
    if plan.outcome_key and plan.outcome_key != facts.outcome_key:
        return False
    if plan.product_sku and plan.product_sku not in skus:
        return False
    if plan.condition:
        from assessments.engine.conditions import compile_condition

        assert facts.assessment is not None
        counted = facts.assessment.counted_answers(response.answers, response.fields)
        try:
            condition = compile_condition(plan.condition)
            return bool(condition and condition(_PlanFacts(counted, facts.scores, response.fields)))
        except (ValueError, KeyError, TypeError, AttributeError):
            # A condition the engine cannot read matches nobody rather than everybody.
            return False
    return True


def plan_for(*, response: Response, facts: ResponseFacts, skus: set[str]) -> FollowUpPlan | None:
    """The one plan a purchase follows: the highest-priority active plan that matches.

    One plan per purchase, never the union of all matching plans: a customer gets a few
    considered messages, not every message every author wrote.
    """
    if response.version_id is None or response.is_preview:
        return None
    plans = FollowUpPlan.objects.filter(
        assessment_id=response.version.assessment_id, active=True
    ).prefetch_related("steps")
    for plan in plans.order_by("-priority", "key"):
        if _plan_matches(plan, facts, response, skus):
            return plan
    return None


# -- purchases ---------------------------------------------------------------------------


def _items_checked(brand: Brand, items: Sequence[ItemInput]) -> list[tuple[ItemInput, Product]]:
    if not items:
        raise PurchaseRejected("A purchase needs at least one item (sku, quantity, price).")
    skus = [item.sku for item in items]
    catalogue = {p.sku: p for p in Product.objects.filter(brand=brand, sku__in=skus)}
    unknown = [sku for sku in skus if sku not in catalogue]
    if unknown:
        raise PurchaseRejected(
            f"Unknown sku(s) for {brand.name}: {', '.join(sorted(set(unknown)))}. "
            "Use the SKUs of the products in the catalogue."
        )
    for item in items:
        if not isinstance(item.quantity, int) or not 1 <= item.quantity <= QUANTITY_MAX:
            raise PurchaseRejected(
                f"Item {item.sku}: quantity must be a whole number from 1 to {QUANTITY_MAX}."
            )
        if item.price is not None and item.price < 0:
            raise PurchaseRejected(f"Item {item.sku}: price cannot be negative.")
        if item.price is not None and item.price >= PRICE_LIMIT:
            raise PurchaseRejected(f"Item {item.sku}: price must be below {PRICE_LIMIT:,}.")
    return [(item, catalogue[item.sku]) for item in items]


def purchase_record(
    *,
    brand: Brand,
    order_id: str,
    items: Sequence[ItemInput],
    source: str,
    purchased_at: dt.datetime | None = None,
    response: Response | None = None,
    email: str = "",
    first_name: str = "",
    language: str = "",
    consent: ConsentInput | None = None,
) -> tuple[Purchase, bool]:
    """Record a purchase with its items and its follow-ups; (purchase, created).

    Idempotent on (brand, order id): the same order sent again returns the stored purchase
    and changes nothing.
    """
    order_id = (order_id or "").strip()
    if not order_id or len(order_id) > 200:
        raise PurchaseRejected("Give the store's order id (1 to 200 characters).")
    address = email_normalise(email)
    if (email or "").strip() and not address:
        raise PurchaseRejected(f"{email!r} is not an e-mail address.")
    existing = Purchase.objects.filter(brand=brand, order_id=order_id).first()
    if existing is not None:
        return existing, False
    if response is not None and response.brand_id != brand.pk:
        raise PurchaseRejected("That response belongs to another brand.")
    checked = _items_checked(brand, items)
    try:
        with transaction.atomic():
            purchase = _purchase_write(
                brand=brand,
                order_id=order_id,
                checked=checked,
                source=source,
                purchased_at=purchased_at or timezone.now(),
                response=response,
                email=address,
                first_name=(first_name or "").strip()[:100],
                language=language,
                consent=consent,
            )
    except IntegrityError:
        # The same order arrived twice at the same moment: the other request stored it.
        existing = Purchase.objects.filter(brand=brand, order_id=order_id).first()
        if existing is None:
            raise
        return existing, False
    return purchase, True


def store_purchase_record(
    *, brand: Brand, order: StoreOrder, source: str = Purchase.Source.WEBHOOK
) -> StoreReceipt:
    """Record a store's order, linked to the response it came from when a reference says so.

    Idempotent on the order id, like `purchase_record`; `source` names the door it came in by.
    """
    response = purchase_attribution(
        brand=brand, reference=order.reference, item_refs=[item.ref for item in order.items]
    )
    purchase, created = purchase_record(
        brand=brand,
        order_id=order.order_id,
        items=order.items,
        source=source,
        purchased_at=order.purchased_at,
        response=response,
        email=order.email,
        first_name=order.first_name,
        language=order.language,
        consent=order.consent,
    )
    return StoreReceipt(
        purchase=purchase,
        created=created,
        followups_scheduled=purchase.followups.count(),
        reference_unmatched=bool(order.reference) and response is None,
    )


@transaction.atomic
def customer_purchase_record(
    *,
    response: Response,
    sku: str,
    email: str = "",
    submission_id: str = "",
) -> Purchase:
    """Record a product a customer says they bought, from their results page.

    `email` is given only when the customer ticked the box asking for follow-ups: it comes
    with that consent, which is unconfirmed until the address's owner follows the link in the
    one e-mail sent to it once this transaction commits; nothing is scheduled before. The
    same submission id records once (a double click); a results page reports at most
    CUSTOMER_PURCHASES_PER_RESPONSE purchases, else PurchaseLimitReached, because a results
    link must not become a way to have us e-mail strangers.

    Nothing the visitor typed but the address is kept: no name, which would go into subjects.
    """
    order_id = f"customer-{response.pk}-{submission_id or secrets.token_urlsafe(12)}"
    # Locking the response makes concurrent reports from one page take turns (PostgreSQL), so
    # the limit holds for them too; SQLite serialises writers anyway.
    list(Response.objects.select_for_update().filter(pk=response.pk).values_list("pk"))
    existing = Purchase.objects.filter(brand_id=response.brand_id, order_id=order_id).first()
    if existing is not None:
        return existing
    reported = Purchase.objects.filter(response=response, source=Purchase.Source.CUSTOMER)
    if reported.count() >= CUSTOMER_PURCHASES_PER_RESPONSE:
        raise PurchaseLimitReached("This results page already reported its purchases.")
    purchase, created = purchase_record(
        brand=response.brand,
        order_id=order_id,
        items=[ItemInput(sku=sku)],
        source=Purchase.Source.CUSTOMER,
        response=response,
        email=email,
        language=response.language,
        consent=ConsentInput(RESULTS_CONSENT_VERSION, Consent.Source.RESULTS_PAGE)
        if email
        else None,
    )
    if created:
        waiting = purchase.consents.filter(confirmed_at__isnull=True).values_list("pk", flat=True)
        for consent_id in waiting:
            # After commit: no mail for a purchase that was rolled back.
            transaction.on_commit(
                functools.partial(consent_confirmation_send, consent_id=consent_id)
            )
    return purchase


def _purchase_write(
    *,
    brand: Brand,
    order_id: str,
    checked: list[tuple[ItemInput, Product]],
    source: str,
    purchased_at: dt.datetime,
    response: Response | None,
    email: str,
    first_name: str,
    language: str,
    consent: ConsentInput | None,
) -> Purchase:
    languages = list(brand.languages or ["en"])
    if language not in languages:
        language = response.language if response is not None else languages[0]
    purchase = Purchase.objects.create(
        brand=brand,
        order_id=order_id,
        response=response,
        email=email,
        first_name=first_name,
        language=language,
        purchased_at=purchased_at,
        source=source,
    )
    if response is not None:
        response_touch(response_id=response.pk)
    facts = response_facts(response)
    items = PurchaseItem.objects.bulk_create(
        [
            PurchaseItem(
                purchase=purchase,
                product=product,
                sku=product.sku,
                quantity=item.quantity,
                price=item.price if item.price is not None else product.price,
                recommended=product.sku in facts.ranks,
                rank=facts.ranks.get(product.sku),
            )
            for item, product in checked
        ]
    )
    given = None
    if consent is not None and email:
        given = consent_record(
            brand=brand,
            email=email,
            wording_version=consent.wording_version,
            source=consent.source,
            response=response,
            purchase=purchase,
            given_at=consent.given_at,
        )
    # A consent waiting for its address's owner schedules nothing, even when the address
    # confirmed an earlier one: whoever typed it may not be who bought. Confirming this one
    # schedules the follow-ups (`consent_confirm`).
    if given is None or given.confirmed_at is not None:
        followups_schedule(purchase=purchase, items=items, facts=facts)
    event_announce(event=WebhookEvent.PURCHASE_RECORDED, brand_id=brand.pk, subject_id=purchase.pk)
    return purchase


def followups_schedule(
    *, purchase: Purchase, items: Sequence[PurchaseItem], facts: ResponseFacts
) -> list[FollowUp]:
    """Insert the follow-up rows of the plan this purchase follows, if the customer consented."""
    response = purchase.response
    if response is None or not purchase.email:
        return []
    if not consent_active(brand=purchase.brand, email=purchase.email):
        return []
    if ContactPreference.objects.filter(
        brand=purchase.brand, email=purchase.email, unsubscribed_at__isnull=False
    ).exists():
        return []
    skus = {item.sku for item in items}
    plan = plan_for(response=response, facts=facts, skus=skus)
    if plan is None:
        return []
    # The product a follow-up talks about: the one the plan is about, else the best-ranked
    # recommended item bought, else the first item.
    about = next((i for i in items if plan.product_sku and i.sku == plan.product_sku), None)
    if about is None:
        recommended = sorted((i for i in items if i.recommended), key=lambda i: i.rank or 0)
        about = recommended[0] if recommended else items[0]
    cutoff = timezone.now() - MISSED_STEP_GRACE
    rows = []
    for step in plan.steps.all():
        when = purchase.purchased_at + dt.timedelta(days=step.delay_days)
        if when < cutoff:
            continue
        rows.append(
            FollowUp(
                brand=purchase.brand,
                purchase=purchase,
                step=step,
                item=about,
                email=purchase.email,
                scheduled_for=when,
            )
        )
    return FollowUp.objects.bulk_create(rows)


@transaction.atomic
def purchase_refund(
    *, brand: Brand, order_id: str, refunded_at: dt.datetime | None = None
) -> Purchase:
    """Mark a purchase refunded and cancel every follow-up not yet on its way."""
    purchase = (
        Purchase.objects.select_for_update().filter(brand=brand, order_id=order_id.strip()).first()
    )
    if purchase is None:
        raise PurchaseNotFound(f"No purchase with order id {order_id!r} for {brand.name}.")
    if purchase.status != Purchase.Status.REFUNDED:
        purchase.status = Purchase.Status.REFUNDED
        purchase.refunded_at = refunded_at or timezone.now()
        purchase.save(update_fields=["status", "refunded_at"])
        response_touch(response_id=purchase.response_id)
    FollowUp.objects.filter(purchase=purchase, state__in=FollowUp.PENDING).update(
        state=FollowUp.State.CANCELLED, reason="The purchase was refunded.", claimed_by=""
    )
    return purchase
