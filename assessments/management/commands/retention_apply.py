"""Apply each brand's retention period now (the daily beat task does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Brand
from assessments.privacy.services import brand_retention_apply, retention_apply


class Command(BaseCommand):
    help = (
        "Delete unfinished responses and anonymise finished ones older than each brand's "
        "retention period. Safe to run again: what is done stays done."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--brand", help="Only this brand (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["brand"]:
            brand = Brand.objects.filter(slug=options["brand"]).first()
            if brand is None:
                raise CommandError(f"No brand with the slug {options['brand']!r}.")
            results = [brand_retention_apply(brand=brand)]
        else:
            results = retention_apply()
        for done in results:
            self.stdout.write(
                f"{done.brand}: {done.deleted} unfinished response(s) deleted, "
                f"{done.anonymised} finished response(s) anonymised "
                f"(older than {done.cutoff:%Y-%m-%d %H:%M} UTC)."
            )
        if not results:
            self.stdout.write("No brands.")
