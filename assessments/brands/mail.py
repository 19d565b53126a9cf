"""Mail in a brand's name: who it is from, and which addresses are addresses at all."""

from __future__ import annotations

from email.errors import HeaderParseError
from email.headerregistry import Address

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from assessments.limits import limit_reached, limit_take
from assessments.models import Brand

# RFC 5321's limit on a forward path; longer is not an address anyone can receive mail at.
EMAIL_MAX_LENGTH = 254


def brand_sender(brand: Brand) -> str:
    """The From header for mail sent for `brand`: its name and address, or the site's.

    Built by `email.headerregistry.Address`, which quotes the display name, so a name with
    commas, quotes or line breaks can never become a second header.
    """
    if not brand.sender_email:
        return settings.DEFAULT_FROM_EMAIL
    name = " ".join((brand.sender_name or brand.name or "").split())
    try:
        return str(Address(display_name=name, addr_spec=brand.sender_email))
    except (ValueError, IndexError, HeaderParseError):
        return settings.DEFAULT_FROM_EMAIL


def email_clean(value: object) -> str | None:
    """The address, trimmed, if it is one a customer could receive mail at; else None."""
    if not isinstance(value, str):
        return None
    email = value.strip()
    if not email or len(email) > EMAIL_MAX_LENGTH or "\x00" in email:
        return None
    try:
        validate_email(email)
    except ValidationError:
        return None
    return email


def visitor_mail_allow(*, brand: Brand, address: str) -> None:
    """Count one e-mail a visitor asked for, to `address` in `brand`'s name; raise
    `limits.Exceeded` when the address has had its share today, or the brand its daily ceiling.

    A visitor can type any address, so these caps, not the visitor's good faith, decide how
    much mail a stranger can receive because of us: a few a day per address, whatever the
    response, page or client; and a ceiling per brand that an owner sees in the admin.
    """
    limit_take("email_address", address.strip().lower())
    limit_take("email_brand", str(brand.pk))


def mail_can_go(*, brand: Brand, address: str) -> bool:
    """Whether `visitor_mail_allow` would let one more e-mail go to `address` now (a blank
    address: no e-mail, nothing to hold back). Counts nothing."""
    if not address:
        return True
    return not (
        limit_reached("email_address", address.strip().lower())
        or limit_reached("email_brand", str(brand.pk))
    )
