"""Double opt-in: the link that confirms a consent given on the results page, and its e-mail.

Anyone can type any address into "I bought this", so a consent given there is only a request
until the address's owner confirms it. One e-mail goes to the address, with a link; the link's
page asks, and its button (a POST: link scanners follow GETs) confirms the consent and starts
the purchase's follow-ups (`purchases.consent_confirm`).

The link is signed, not stored (`TimestampSigner` with its own salt): it names the consent and
the customer's language, and is good for CONFIRMATION_MAX_AGE. So there is no token column to
keep, index or clean up, a copy of the database holds no working link, and the consent's own
`confirmed_at` is what makes confirming happen once. An erased consent leaves a link that
leads nowhere.

The e-mail holds nothing the visitor typed: the brand's and the product's names come from the
brand's own catalogue, and the address is only where it goes.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assessments.brands.mail import brand_sender, visitor_mail_allow
from assessments.engine.text import localized as localized_text
from assessments.limits import Exceeded
from assessments.models import Brand, Consent

log = logging.getLogger(__name__)

SALT = "assessments.followups.consent-confirmation"
CONFIRMATION_MAX_AGE = dt.timedelta(days=7)
# A signed {"c": id, "l": language} is well under 100 characters; anything much longer was
# not made here and is not worth decoding.
TOKEN_MAX_LENGTH = 300


class LinkInvalid(Exception):
    """The link was not made by this site: changed, cut short or made up."""


class LinkExpired(Exception):
    """The link was made by this site but is older than CONFIRMATION_MAX_AGE."""

    def __init__(self, link: ConfirmationLink) -> None:
        super().__init__(f"The confirmation link for consent {link.consent_id} has expired.")
        self.link = link


@dataclass(frozen=True, slots=True)
class ConfirmationLink:
    consent_id: int
    language: str


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def confirmation_token(*, consent_id: int, language: str) -> str:
    """The signed token of the link that confirms this consent."""
    return _signer().sign_object({"c": consent_id, "l": language}, compress=True)


def _link(payload: object) -> ConfirmationLink:
    if not (
        isinstance(payload, dict)
        and isinstance(payload.get("c"), int)
        and isinstance(payload.get("l"), str)
    ):
        raise LinkInvalid("The link does not name a consent.")
    return ConfirmationLink(consent_id=payload["c"], language=payload["l"])


def confirmation_read(token: str) -> ConfirmationLink:
    """What a confirmation link says, if this site made it within CONFIRMATION_MAX_AGE.

    Raises LinkInvalid, or LinkExpired (which still carries what the genuine link said, so the
    page explaining it can speak the customer's language).
    """
    if not isinstance(token, str) or len(token) > TOKEN_MAX_LENGTH:
        raise LinkInvalid("Not a confirmation link.")
    signer = _signer()
    try:
        return _link(signer.unsign_object(token, max_age=CONFIRMATION_MAX_AGE))
    except signing.SignatureExpired:
        # The signature is good, only old: what the link says can be trusted, not acted on.
        raise LinkExpired(_link(signer.unsign_object(token))) from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as bad:
        raise LinkInvalid(str(bad)) from bad


def confirmation_language(consent: Consent) -> str:
    """The language to ask in: the purchase's (the results page's), if the brand speaks it."""
    languages = list(consent.brand.languages or ["en"])
    purchase = consent.purchase
    for candidate in (
        purchase.language if purchase is not None else "",
        consent.response.language if consent.response is not None else "",
    ):
        if candidate in languages:
            return candidate
    return languages[0]


def confirmation_product(consent: Consent, language: str) -> str:
    """The name of what the customer said they bought, from the brand's catalogue; "" if none."""
    if consent.purchase is None:
        return ""
    item = consent.purchase.items.select_related("product").order_by("pk").first()
    if item is None:
        return ""
    name = localized_text(item.product.name, language) if item.product else item.sku
    return " ".join(name.split())


def _mail_allowed(*, brand: Brand, email: str) -> bool:
    """Whether the confirmation e-mail may go to this address now: the cap per address and
    the brand's daily ceiling on mail visitors ask for (`brands.mail.visitor_mail_allow`)."""
    try:
        visitor_mail_allow(brand=brand, address=email)
    except Exceeded:
        return False
    return True


def consent_confirmation_send(*, consent_id: int) -> bool:
    """E-mail the address of an unconfirmed consent the one link that confirms it.

    True when the message went out. Called once the consent is committed; a consent already
    confirmed or withdrawn (or erased) gets nothing. A mail server's refusal is logged, not
    raised: the purchase is recorded either way, and follow-ups simply never start.
    """
    consent = (
        Consent.objects.select_related("brand", "purchase", "response")
        .filter(pk=consent_id, confirmed_at__isnull=True, withdrawn_at__isnull=True)
        .first()
    )
    if consent is None or not _mail_allowed(brand=consent.brand, email=consent.email):
        return False
    brand = consent.brand
    language = confirmation_language(consent)
    token = confirmation_token(consent_id=consent.pk, language=language)
    context = {
        "brand_name": " ".join((brand.name or "").split()),
        "product": confirmation_product(consent, language),
        "link": f"{settings.SITE_URL}{reverse('followups:confirm', args=[token])}",
        "days": CONFIRMATION_MAX_AGE.days,
    }
    with translation.override(language):
        if context["product"]:
            subject = _("Confirm follow-ups about %(product)s from %(brand)s") % {
                "product": context["product"],
                "brand": context["brand_name"],
            }
        else:
            subject = _("Confirm follow-ups from %(brand)s") % {"brand": context["brand_name"]}
        body = render_to_string("assessments/followups/confirm_email.txt", context)
    message = EmailMessage(
        subject,
        body,
        brand_sender(brand),
        [consent.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        log.warning("The confirmation for consent %s could not be sent: %s", consent.pk, error)
        return False
    return True
