"""Which brands a staff user may read or edit. Every admin queryset goes through here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from assessments.models import BrandMembership

EDIT_ROLES = frozenset({BrandMembership.Role.OWNER, BrandMembership.Role.EDITOR})
OWNER_ROLES = frozenset({BrandMembership.Role.OWNER})
# Store staff see no admin page: only the store's lookup, a customer's results and the sale.
ADMIN_ROLES = frozenset(
    {BrandMembership.Role.OWNER, BrandMembership.Role.EDITOR, BrandMembership.Role.ANALYST}
)
STORE_ROLES = frozenset(
    {BrandMembership.Role.OWNER, BrandMembership.Role.EDITOR, BrandMembership.Role.STORE}
)


def _roles(user: AbstractBaseUser | AnonymousUser) -> dict[int, str]:
    if not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, "_brand_roles", None)
    if cached is None:
        cached = dict(BrandMembership.objects.filter(user=user).values_list("brand_id", "role"))
        user._brand_roles = cached  # type: ignore[union-attr]
    return cached


def readable_brand_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    return {brand for brand, role in _roles(user).items() if role in ADMIN_ROLES}


def editable_brand_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    return {brand for brand, role in _roles(user).items() if role in EDIT_ROLES}


def owned_brand_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    return {brand for brand, role in _roles(user).items() if role in OWNER_ROLES}


def store_brand_ids(user: AbstractBaseUser | AnonymousUser) -> set[int]:
    """The brands whose customers this user may assist in a store."""
    return {brand for brand, role in _roles(user).items() if role in STORE_ROLES}


def is_superuser(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)
