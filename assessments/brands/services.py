"""Writes about brands themselves: a new brand with its first owner."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import Brand, BrandMembership

from .mail import EMAIL_MAX_LENGTH


@dataclass(frozen=True)
class BrandCreated:
    """The new brand, its owner, and whether the owner's login is new (it has no password yet)."""

    brand: Brand
    owner: AbstractBaseUser
    owner_is_new: bool


@transaction.atomic
def brand_create(*, slug: str, name: str, languages: list[str], owner_email: str) -> BrandCreated:
    """Create a brand and make `owner_email` its owner, creating a staff login without a password.

    Raises ValidationError, in words for the operator, when the brand or address is not valid
    or the slug is taken; nothing is written then.
    """
    owner_email = owner_email.strip()
    if not owner_email or len(owner_email) > EMAIL_MAX_LENGTH:
        raise ValidationError("Give the owner's e-mail address.")
    if Brand.objects.filter(slug=slug).exists():
        raise ValidationError(f"A brand with the slug “{slug}” already exists.")
    brand = Brand(slug=slug, name=name, languages=languages)
    brand.full_clean()
    brand.save()

    users = get_user_model()
    owner = users.objects.filter(email__iexact=owner_email).order_by("pk").first()
    owner_is_new = owner is None
    if owner is None:
        owner = users(username=owner_email, email=owner_email, is_staff=True)
        # No password until the owner sets one through the one-time link.
        owner.set_unusable_password()
        owner.full_clean()
        owner.save()
    elif not owner.is_staff:
        owner.is_staff = True
        owner.save(update_fields=["is_staff"])
    BrandMembership.objects.create(user=owner, brand=brand, role=BrandMembership.Role.OWNER)
    return BrandCreated(brand=brand, owner=owner, owner_is_new=owner_is_new)
