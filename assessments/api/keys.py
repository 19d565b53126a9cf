"""API keys: made and revoked by a brand's owners, shown once, stored as a prefix and a digest.

A key reads `ask_<prefix>_<secret>`. The prefix finds the row; the secret is kept only as its
SHA-256 and compared in constant time. A plain hash (not a slow password hash) is right here:
the secret is 256 random bits, so there is nothing to guess, and every request checks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from assessments.models import ApiKey, Brand

KEY_START = "ask"
# last_used_at is written at most this often per key, so reading does not mean a write each time.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class KeyMade:
    """A new key's row, and the full key: shown to its owner now and never again."""

    key: ApiKey
    plaintext: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, brand: Brand, name: str, scope: str, created_by: AbstractBaseUser | None = None
) -> KeyMade:
    """Make a key for `brand`; the plaintext is in the result and nowhere else."""
    if scope not in ApiKey.Scope.values:
        raise ValueError(f"Unknown scope {scope!r}: use one of {', '.join(ApiKey.Scope.values)}.")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        brand=brand,
        name=name.strip()[:100] or "API key",
        prefix=prefix,
        secret_hash=_digest(secret),
        scope=scope,
        created_by=created_by,
    )
    return KeyMade(key=key, plaintext=f"{KEY_START}_{prefix}_{secret}")


@transaction.atomic
def api_key_revoke(*, key: ApiKey) -> bool:
    """Revoke a key from now on; False if it already was."""
    return bool(
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )


def api_key_authenticate(presented: str) -> ApiKey | None:
    """The active key `presented` is, with its brand; None for anything else.

    Notes the time of use (at most once a minute per key).
    """
    start, _sep, rest = (presented or "").strip().partition("_")
    prefix, _sep, secret = rest.partition("_")
    if start != KEY_START or not prefix or not secret or len(presented) > 200:
        return None
    key = ApiKey.objects.select_related("brand").filter(prefix=prefix).first()
    # Compare even when there is no row, so a wrong prefix costs the same as a wrong secret.
    expected = key.secret_hash if key is not None else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or key is None:
        return None
    if key.revoked_at is not None:
        return None
    now = timezone.now()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
