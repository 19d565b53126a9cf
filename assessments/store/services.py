"""Writes in the store: kiosks and their visits, the hand-off to a phone, store codes, and a
sale staff record for a customer they helped."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.followups.purchases import ConsentInput, ItemInput, purchase_record
from assessments.models import (
    Assessment,
    Consent,
    HandoffClaim,
    Kiosk,
    KioskVisit,
    Purchase,
    Response,
    StoreCode,
)
from assessments.taking.services import response_start

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read out loud or typed from a glance is read right.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
CODE_LIFE = dt.timedelta(minutes=30)
HANDOFF_LIFE = dt.timedelta(minutes=10)
# The wording staff confirm with the customer before ticking "agreed to follow-ups".
STORE_FOLLOWUPS_CONSENT_VERSION = "store-followups/1"


class KioskUnavailable(ValueError):
    """The kiosk's assessment has no published version to take."""


def kiosk_create(
    *, assessment: Assessment, name: str, idle_seconds: int = 60, created_by=None
) -> Kiosk:
    """A new kiosk link for one device running `assessment`."""
    return Kiosk.objects.create(
        brand_id=assessment.brand_id,
        assessment=assessment,
        name=name,
        idle_seconds=idle_seconds,
        created_by=created_by,
    )


@transaction.atomic
def kiosk_revoke(*, kiosk: Kiosk) -> bool:
    """Stop the device's link working, and end whatever visit is open on it."""
    revoked = bool(
        Kiosk.objects.filter(pk=kiosk.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )
    kiosk_reset(kiosk=kiosk)
    return revoked


def kiosk_reset(*, kiosk: Kiosk) -> int:
    """Start over for the next customer: every open visit on the kiosk ends, so nothing of
    the last customer can be reached from the device again. How many ended."""
    return KioskVisit.objects.filter(kiosk=kiosk, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )


@transaction.atomic
def kiosk_visit_start(*, kiosk: Kiosk, language: str) -> KioskVisit:
    """A new customer at the kiosk: the last one's visit ends, a kiosk response starts."""
    version = kiosk.assessment.live_version
    if version is None:
        raise KioskUnavailable("This kiosk's assessment is not published.")
    kiosk_reset(kiosk=kiosk)
    response = response_start(
        version=version, brand=kiosk.brand, language=language, channel=Response.Channel.KIOSK
    )
    return KioskVisit.objects.create(kiosk=kiosk, response=response, active_at=timezone.now())


def kiosk_visit_touch(*, visit: KioskVisit) -> None:
    """The customer did something: the server's own expiry starts again."""
    KioskVisit.objects.filter(pk=visit.pk).update(active_at=timezone.now())


@dataclass(frozen=True, slots=True)
class Finished:
    """What a finished kiosk visit shows: the hand-off link and the staff code."""

    handoff: HandoffClaim
    code: StoreCode


@transaction.atomic
def kiosk_visit_finish(*, visit: KioskVisit) -> Finished:
    """Issue the phone hand-off link and the store code for a visit that reached its results
    (each anew, the old ones ended, so a re-finished visit shows fresh ones)."""
    response = visit.response
    now = timezone.now()
    HandoffClaim.objects.filter(response=response, claimed_at__isnull=True).update(expires_at=now)
    handoff = HandoffClaim.objects.create(response=response, expires_at=now + HANDOFF_LIFE)
    return Finished(handoff, store_code_issue(response=response))


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def store_code_issue(*, response: Response) -> StoreCode:
    """A fresh six-character code for staff to open this response's results with."""
    now = timezone.now()
    StoreCode.objects.filter(response=response, expires_at__gt=now).update(expires_at=now)
    # Expired codes give their letters back, so the brand's codes stay unique among the live.
    StoreCode.objects.filter(brand_id=response.brand_id, expires_at__lte=now).delete()
    for _attempt in range(8):
        try:
            with transaction.atomic():
                return StoreCode.objects.create(
                    brand_id=response.brand_id,
                    response=response,
                    code=_new_code(),
                    expires_at=now + CODE_LIFE,
                )
        except IntegrityError:
            continue
    raise RuntimeError("Could not find a free store code; too many are live for this brand.")


@dataclass(frozen=True, slots=True)
class Claimed:
    """The customer's own response link, under a token the kiosk never saw."""

    response: Response
    token: str


@transaction.atomic
def handoff_claim(*, claim: HandoffClaim) -> Claimed | None:
    """Hand the response to whoever opened the QR link: once, before it expires.

    The response gets a new token, so any copy of its old one stops working, and the kiosk's
    visit ends. None when the link was already used or has expired.
    """
    now = timezone.now()
    taken = HandoffClaim.objects.filter(
        pk=claim.pk, claimed_at__isnull=True, expires_at__gt=now
    ).update(claimed_at=now)
    if not taken:
        return None
    token = secrets.token_urlsafe(32)
    Response.objects.filter(pk=claim.response_id).update(token=token, updated_at=now)
    KioskVisit.objects.filter(response_id=claim.response_id, ended_at__isnull=True).update(
        ended_at=now
    )
    response = Response.objects.get(pk=claim.response_id)
    return Claimed(response, token)


def assisted_purchase_record(
    *,
    code: StoreCode,
    sku: str,
    quantity: int,
    order_id: str,
    email: str = "",
    followups_agreed: bool = False,
) -> tuple[Purchase, bool]:
    """Record a sale made in the store to the customer whose results staff opened; it starts
    follow-ups as any purchase does when the customer agreed to them. (purchase, created)."""
    consent = (
        ConsentInput(wording_version=STORE_FOLLOWUPS_CONSENT_VERSION, source=Consent.Source.STAFF)
        if followups_agreed and email
        else None
    )
    return purchase_record(
        brand=code.brand,
        order_id=order_id,
        items=[ItemInput(sku=sku, quantity=quantity)],
        source=Purchase.Source.STORE,
        response=code.response,
        email=email,
        language=code.response.language,
        consent=consent,
    )


def kiosk_settings_change(*, kiosk: Kiosk, name: str, idle_seconds: int) -> None:
    """Rename a kiosk or change its idle timeout; its link stays the same."""
    Kiosk.objects.filter(pk=kiosk.pk).update(name=name, idle_seconds=idle_seconds)
