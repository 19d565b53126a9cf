"""The link that proves a customer controls an e-mail address: signed, short-lived, stateless.

The link carries the brand, the address and the customer's language, signed with the site's
secret key and stamped with the time it was made (`TimestampSigner`). Nothing is stored: a
link is good until it is older than PRIVACY_LINK_MAX_AGE, and it only ever shows what is tied
to that address at the moment it is opened (nothing, once the customer erased it).

The payload is signed, not encrypted: whoever holds the link can read the address in it, as
they could by opening it. It travels only in the e-mail sent to that very address.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "assessments.privacy.data-link"


class LinkExpired(Exception):
    """The link was genuine but is older than its lifetime."""


class LinkInvalid(Exception):
    """The link was not made by this site (tampered with, truncated, or another brand's)."""


@dataclass(frozen=True, slots=True)
class DataLink:
    brand_id: int
    email: str
    language: str


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def data_link_token(*, brand_id: int, email: str, language: str) -> str:
    """The signed token for a link to this address's data at this brand."""
    return _signer().sign_object({"b": brand_id, "e": email, "l": language}, compress=True)


def data_link_read(token: str, *, brand_id: int) -> DataLink:
    """What a link's token says, if this site made it for this brand within its lifetime.

    Raises LinkExpired or LinkInvalid.
    """
    try:
        payload = _signer().unsign_object(token, max_age=settings.PRIVACY_LINK_MAX_AGE)
    except signing.SignatureExpired as expired:
        raise LinkExpired(str(expired)) from expired
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as bad:
        raise LinkInvalid(str(bad)) from bad
    if not (
        isinstance(payload, dict)
        and payload.get("b") == brand_id
        and isinstance(payload.get("e"), str)
        and isinstance(payload.get("l"), str)
    ):
        raise LinkInvalid("The link names another brand or lacks its address.")
    return DataLink(brand_id=brand_id, email=payload["e"], language=payload["l"])
