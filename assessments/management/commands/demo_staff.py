"""Create (or reset) the demo staff login and print it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from assessments.models import Assessment, Brand, BrandMembership, Kiosk
from assessments.store.services import kiosk_create

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
        kiosk = self._demo_kiosk(user)
        if kiosk is not None:
            base = options["base"].rstrip("/")
            self.stdout.write(
                f"Demo kiosk (shoe finder, a tablet by the shoe wall): {base}/k/{kiosk.token}/"
            )
            self.stdout.write(
                f"Store staff look up a kiosk customer's code at: {base}/store/stride-lab/"
            )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", default="http://127.0.0.1:8000", help="The site's address.")

    def _demo_kiosk(self, user: Any) -> Kiosk | None:
        """The demo brand's kiosk, created once: its link stays the same across demos."""
        assessment = Assessment.objects.filter(brand__slug="stride-lab", key="shoe-finder").first()
        if assessment is None:
            return None
        existing = Kiosk.objects.filter(assessment=assessment, revoked_at__isnull=True).first()
        return existing or kiosk_create(
            assessment=assessment, name="Demo tablet by the shoe wall", created_by=user
        )
