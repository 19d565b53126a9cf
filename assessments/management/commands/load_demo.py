"""Load the two demo brands and their assessments, through the same import path as a user's file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.authoring.services import DefinitionRejected, assessment_import
from assessments.demo.images import draw_demo_images
from assessments.followups.services import followup_plans_load
from assessments.models import Brand

THEME_FIELDS = (
    "primary_color",
    "accent_color",
    "text_color",
    "background_color",
    "font_family",
    "corner_radius",
)


def demo_file(name: str) -> str:
    return resources.files("assessments.demo").joinpath(name).read_text(encoding="utf-8")


class Command(BaseCommand):
    help = "Load the demo brands, images and assessments, and publish them. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        written = draw_demo_images(Path(settings.MEDIA_ROOT))
        self.stdout.write(f"Drew {len(written)} demo images into {settings.MEDIA_ROOT}.")
        for brand_data in json.loads(demo_file("brands.json"))["brands"]:
            brand = self._brand(brand_data)
            for filename in brand_data["assessments"]:
                try:
                    assessment = assessment_import(
                        brand=brand, source=demo_file(filename), publish=True
                    )
                except DefinitionRejected as rejected:
                    raise CommandError(
                        f"Demo file {filename} does not validate:\n{rejected.report()}"
                    ) from rejected
                self.stdout.write(
                    f"{brand.slug}/{assessment.key}: live version {assessment.live_version.number}."
                )
        plans = followup_plans_load(json.loads(demo_file("followups.json")))
        self.stdout.write(f"Follow-up plans: {len(plans)} loaded.")

    def _brand(self, data: dict[str, Any]) -> Brand:
        theme = data.get("theme", {})
        sender = data.get("sender", {})
        defaults = {
            "name": data["name"],
            "languages": data["languages"],
            "allowed_origins": data.get("allowed_origins", []),
            "sender_name": sender.get("from_name", ""),
            "sender_email": sender.get("from_email", ""),
            "logo": data.get("logo", ""),
            **{field: theme[field] for field in THEME_FIELDS if field in theme},
        }
        brand, _created = Brand.objects.update_or_create(slug=data["slug"], defaults=defaults)
        return brand
