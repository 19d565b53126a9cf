"""Create (or reset) the demo staff login and print it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from assessments.models import Brand, BrandMembership

USERNAME = "demo"
PASSWORD = "demo-assessments"  # a local demo only; make demo prints it


class Command(BaseCommand):
    help = "Create the demo staff user, owner of every demo brand, and print the login."

    def handle(self, *args: Any, **options: Any) -> None:
        user, _created = get_user_model().objects.update_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_active": True}
        )
        user.set_password(PASSWORD)
        user.save()
        for brand in Brand.objects.filter(slug__in=["stride-lab", "botica-clara"]):
            BrandMembership.objects.update_or_create(
                user=user, brand=brand, defaults={"role": BrandMembership.Role.OWNER}
            )
        self.stdout.write(
            self.style.SUCCESS(f"Demo staff login: username “{USERNAME}”, password “{PASSWORD}”")
        )
