"""Customers' data rights, the retention period, and the audit log.

Erasure: what "everything tied to an address" becomes
-----------------------------------------------------
A customer (through a link sent to their address) or an owner (for a request that came another
way) erases everything a brand holds about one e-mail address, in one transaction:

- purchases (with their items), consents, contact preferences and follow-ups are **deleted**,
  and with the follow-ups the check-ins answered on them and what the customer did with them;
- responses reached through the address (the response a purchase came from, a consent was
  given on, a check-in was about, a re-assessment a follow-up started) are **anonymised** when
  finished and **deleted** when not; either way a footprint photo kept with one is deleted.

"Only anonymous counts" means concretely: a finished response stays, so the brand's figures
(how many finished, which outcome, the answer mix, whether people learned something) keep
their n. What stays of it is only what the customer *picked*: choices and numbers. Everything
that could lead back to a person goes: free-text answers (and any answer kind that is not a
choice or a number), the hidden fields and attribution from the link they came by, the
consent to e-mail the results, the product links' references a store sends back with an
order, every link from a purchase, consent, check-in or follow-up activity to it, and its
tokens (the results link and the share link stop working: the token becomes a value no URL
can carry). Its times are cut to the day, so a store's order times cannot be matched against
them. The satisfaction scores and revenue of the erased purchases and check-ins are gone from
the figures, as the customer asked; the audit entry keeps how many rows of each kind went.

Why anonymise instead of delete with a counter: every figure staff read (funnel, answer mix,
outcomes, learned rate) is computed from responses; a separate counter would have to be added
into each of them, and would still lose the answer mix. A response with only choices, no
tokens, no links and day-precision times says nothing about who gave it.

Retention
---------
Each brand sets `retention_days` (730 by default, 30 to 3650). Once a day, and whenever
`manage.py retention_apply` is run, responses untouched for longer are handled the same way:
unfinished ones (and staff previews) deleted, finished ones anonymised as above. A finished
response whose purchase still has follow-ups waiting to go out is left until they have gone
(or are cancelled), so a plan's last message still knows what it is about.

Kept footprint photos
---------------------
A photo of a wet footprint is kept only when the customer ticked the box on the photo step,
for the days its question sets (never longer than the brand's retention period); beat deletes
it on the day (`kept_photos_expire`), and anonymising or deleting its response deletes it too.

The audit log
-------------
`audit_record` writes one entry; the admin views and these services call it inside the
transaction of the action they record. An entry about a customer's data never holds the
address: only a keyed digest of it (`address_digest`), enough to tell whether two entries
were about the same address, and the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import smtplib
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from assessments import engine
from assessments.brands.mail import brand_sender, visitor_mail_allow
from assessments.limits import Exceeded
from assessments.models import (
    AuditEntry,
    Brand,
    CheckIn,
    Consent,
    Engagement,
    FollowUp,
    KeptPhoto,
    ProductReference,
    Purchase,
    Response,
)
from assessments.privacy.links import data_link_token
from assessments.privacy.selectors import (
    customer_data_exists,
    customer_rows,
    email_normalise,
)

log = logging.getLogger(__name__)

# An audit entry's details are a few facts, not a copy of what changed.
DETAILS_MAX_CHARS = 4000
# A token no URL converter accepts (see assessments.web.TokenConverter): an anonymised
# response cannot be opened by any link, old or guessed.
ANONYMOUS_TOKEN_PREFIX = "anon:"
BATCH = 500


# -- the audit log -----------------------------------------------------------------------


def address_digest(email: str) -> str:
    """A keyed digest of an address: the same for the same address, useless without the key."""
    return salted_hmac(
        "assessments.privacy.address", email_normalise(email), algorithm="sha256"
    ).hexdigest()[:24]


def _json_safe(details: Mapping[str, Any] | None) -> dict[str, Any]:
    if not details:
        return {}
    text = json.dumps(dict(details), cls=DjangoJSONEncoder, default=str)
    if len(text) > DETAILS_MAX_CHARS:
        return {"note": "The details were too long to keep.", "keys": sorted(details)[:20]}
    return json.loads(text)


def audit_record(
    *,
    brand: Brand,
    user: AbstractBaseUser | AnonymousUser | None,
    action: str,
    description: str,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; `user` None (or anonymous) for what no staff member did."""
    staff = user if user is not None and user.is_authenticated else None
    return AuditEntry.objects.create(
        brand=brand,
        user=staff,
        actor=staff.get_username()[:150] if staff is not None else "",
        action=action,
        description=(description or "—")[:200],
        details=_json_safe(details),
    )


# -- the link to one's data --------------------------------------------------------------


def data_link_send(*, brand: Brand, email: str, language: str) -> bool:
    """E-mail the address a link to its data at this brand, if the brand holds any.

    True when a message went out. Says nothing to the caller's page either way (the page must
    read the same whatever the address), and a mail server's refusal is logged, not raised,
    for the same reason.
    """
    email = email_normalise(email)
    if not customer_data_exists(brand=brand, email=email):
        return False
    try:
        visitor_mail_allow(brand=brand, address=email)
    except Exceeded:
        # The page reads the same either way; the address has had its share for today.
        return False
    token = data_link_token(brand_id=brand.pk, email=email, language=language)
    link = f"{settings.SITE_URL}{reverse('privacy:data', args=[brand.slug, token])}"
    hours = settings.PRIVACY_LINK_MAX_AGE // 3600
    name = " ".join((brand.name or "").split())
    with translation.override(language):
        subject = _("Your data at %(brand)s") % {"brand": name}
        body = render_to_string(
            "assessments/privacy/email.txt",
            {"brand_name": name, "link": link, "hours": hours, "language": language},
        )
    message = EmailMessage(
        subject,
        body,
        brand_sender(brand),
        [email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("The data link for brand %s could not be sent: %s", brand.slug, error)
        return False
    return True


# -- anonymising responses ---------------------------------------------------------------


def _day(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _kept_answers(response: Response) -> dict[str, Any]:
    """Only what was picked (choices) or counted (numbers); free text and the rest go."""
    version = response.version
    answers = response.answers if isinstance(response.answers, dict) else {}
    if version is None or not answers:
        return {}
    assessment = engine.compile_cached(version.content_hash, lambda: version.definition)
    kept = {}
    for key, value in answers.items():
        question = assessment.question(key)
        if question is not None and question.answerable and not question.behaviour.free_text:
            kept[key] = value
    return kept


def _anonymous_result(result: Any) -> Any:
    """The frozen result without the product links' references (a store sends them back
    with an order) and with its time cut to the day."""
    if not isinstance(result, dict):
        return result
    kept = {key: value for key, value in result.items() if key != "refs"}
    for group in ("recommended", "alternatives"):
        kept[group] = [
            {**product, "ref": ""} if isinstance(product, dict) else product
            for product in result.get(group) or []
        ]
    if isinstance(result.get("computed_at"), str):
        kept["computed_at"] = result["computed_at"][:10]
    return kept


def _unlink(response_ids: list[int]) -> None:
    """Cut every row that leads from a person to these responses."""
    Purchase.objects.filter(response_id__in=response_ids).update(response=None)
    Consent.objects.filter(response_id__in=response_ids).update(response=None)
    CheckIn.objects.filter(response_id__in=response_ids).update(response=None)
    Engagement.objects.filter(response_id__in=response_ids).update(response=None)
    ProductReference.objects.filter(response_id__in=response_ids).delete()
    # A photo of a foot is the customer's own: it goes with everything else that is.
    KeptPhoto.objects.filter(response_id__in=response_ids).delete()


@transaction.atomic
def responses_anonymise(*, response_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Anonymise these finished responses (see the module docstring); how many were."""
    now = now or timezone.now()
    rows = list(
        Response.objects.select_for_update(of=("self",))
        .select_related("version")
        .defer("version__definition")
        .filter(
            pk__in=list(response_ids),
            status=Response.Status.COMPLETED,
            is_preview=False,
            anonymised_at__isnull=True,
        )
    )
    if not rows:
        return 0
    _unlink([row.pk for row in rows])
    for row in rows:
        # An UPDATE, not save(): save() would stamp updated_at with the exact time again.
        # The revision moves, so a step submission that read the response before fails its
        # guarded write instead of restoring what was removed.
        Response.objects.filter(pk=row.pk).update(
            token=ANONYMOUS_TOKEN_PREFIX + secrets.token_urlsafe(24),
            share_token=None,
            answers=_kept_answers(row),
            fields={},
            attribution={},
            submissions=[],
            result=_anonymous_result(row.result),
            email_consent_version="",
            email_consent_at=None,
            created_at=_day(row.created_at),
            updated_at=_day(row.updated_at),
            completed_at=_day(row.completed_at),
            learned_at=_day(row.learned_at),
            revision=F("revision") + 1,
            anonymised_at=now,
        )
    return len(rows)


# -- erasure -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erasure:
    """What an erasure removed, and how many finished responses stay as anonymous counts."""

    purchases: int
    consents: int
    preferences: int
    followups: int
    checkins: int
    responses_deleted: int
    responses_anonymised: int

    @property
    def nothing(self) -> bool:
        return not any(astuple(self))

    def as_dict(self) -> dict[str, int]:
        return {
            "purchases": self.purchases,
            "consents": self.consents,
            "contact_preferences": self.preferences,
            "follow_ups": self.followups,
            "check_ins": self.checkins,
            "unfinished_responses_deleted": self.responses_deleted,
            "finished_responses_anonymised": self.responses_anonymised,
        }


@transaction.atomic
def customer_data_erase(
    *, brand: Brand, email: str, user: AbstractBaseUser | AnonymousUser | None = None
) -> Erasure:
    """Erase everything tied to `email` at `brand`, all or nothing, and log what went.

    `user` is the staff member acting on a request that came another way; None when the
    customer erased through their own link.
    """
    email = email_normalise(email)
    rows = customer_rows(brand=brand, email=email)
    # Read what reaches the responses before the rows that reach them are deleted. Locking
    # them keeps a step submitted at this moment from writing to a response being erased.
    response_ids = list(rows.responses.select_for_update().values_list("pk", flat=True))
    finished = list(
        Response.objects.filter(pk__in=response_ids, status=Response.Status.COMPLETED)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    checkins = rows.checkins.count()
    followup_ids = list(rows.followups.values_list("pk", flat=True))
    # Check-ins and follow-up activity go with their follow-ups, items with their purchases.
    followups = (
        FollowUp.objects.filter(pk__in=followup_ids).delete()[1].get(FollowUp._meta.label, 0)
    )
    purchases = rows.purchases.delete()[1].get(Purchase._meta.label, 0)
    consents = rows.consents.delete()[0]
    preferences = rows.preferences.delete()[0]
    anonymised = responses_anonymise(response_ids=finished)
    responses_deleted = (
        Response.objects.filter(pk__in=response_ids, anonymised_at__isnull=True)
        .exclude(pk__in=finished)
        .delete()[1]
        .get(Response._meta.label, 0)
    )
    erasure = Erasure(
        purchases=purchases,
        consents=consents,
        preferences=preferences,
        followups=followups,
        checkins=checkins,
        responses_deleted=responses_deleted,
        responses_anonymised=anonymised,
    )
    if erasure.nothing:
        return erasure  # a second click, or an old link: there is nothing to log
    audit_record(
        brand=brand,
        user=user,
        action=AuditEntry.Action.DATA_ERASED,
        description="Everything tied to one e-mail address",
        details={
            "requested_by": "staff" if user is not None else "the customer, through their link",
            "address_digest": address_digest(email),
            "removed": erasure.as_dict(),
        },
    )
    return erasure


def data_export_record(
    *,
    brand: Brand,
    email: str,
    counts: Mapping[str, int],
    user: AbstractBaseUser | AnonymousUser | None = None,
) -> AuditEntry:
    """Log that an address's data was handed out (by staff, or to the customer's link)."""
    return audit_record(
        brand=brand,
        user=user,
        action=AuditEntry.Action.DATA_EXPORTED,
        description="Everything tied to one e-mail address",
        details={
            "requested_by": "staff" if user is not None else "the customer, through their link",
            "address_digest": address_digest(email),
            "exported": dict(counts),
        },
    )


# -- retention ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Retention:
    """What one brand's retention pass did."""

    brand: str
    cutoff: dt.datetime
    deleted: int
    anonymised: int


def _batches(queryset: Any, size: int) -> Iterable[list[int]]:
    """The primary keys of `queryset` in ascending batches, read afresh for each batch."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def brand_retention_apply(
    *, brand: Brand, now: dt.datetime | None = None, batch: int = BATCH
) -> Retention:
    """Delete this brand's unfinished responses and anonymise its finished ones once they are
    older than its retention period; each batch is its own transaction."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=brand.retention_days)
    stale = Response.objects.filter(brand=brand, updated_at__lt=cutoff).filter(
        Q(status=Response.Status.IN_PROGRESS) | Q(is_preview=True)
    )
    deleted = 0
    for ids in _batches(stale, batch):
        with transaction.atomic():
            deleted += Response.objects.filter(pk__in=ids).delete()[1].get(Response._meta.label, 0)
    old = (
        Response.objects.filter(
            brand=brand,
            status=Response.Status.COMPLETED,
            is_preview=False,
            anonymised_at__isnull=True,
        )
        .filter(Q(completed_at__lt=cutoff) | Q(completed_at__isnull=True, updated_at__lt=cutoff))
        .exclude(purchases__followups__state__in=FollowUp.PENDING)
    )
    anonymised = 0
    for ids in _batches(old, batch):
        anonymised += responses_anonymise(response_ids=ids, now=now)
    if deleted or anonymised:
        audit_record(
            brand=brand,
            user=None,
            action=AuditEntry.Action.RETENTION_APPLIED,
            description=f"Responses older than {brand.retention_days} days",
            details={
                "cutoff": cutoff.isoformat(),
                "unfinished_deleted": deleted,
                "finished_anonymised": anonymised,
            },
        )
    return Retention(brand=brand.slug, cutoff=cutoff, deleted=deleted, anonymised=anonymised)


def kept_photos_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the footprint photos kept past their day (the customer's tick kept each one for
    a set number of days); how many went. Safe to re-run."""
    now = now or timezone.now()
    return KeptPhoto.objects.filter(delete_after__lte=now).delete()[1].get(KeptPhoto._meta.label, 0)


def retention_apply(*, now: dt.datetime | None = None, batch: int = BATCH) -> list[Retention]:
    """Apply every brand's retention period; what was done, brand by brand. Safe to re-run."""
    now = now or timezone.now()
    return [
        brand_retention_apply(brand=brand, now=now, batch=batch)
        for brand in Brand.objects.order_by("pk")
    ]
