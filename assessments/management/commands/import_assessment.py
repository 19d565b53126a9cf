"""Read a definition file into a brand's draft (and publish it with --publish)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.authoring.bundles import assessment_import_archive, is_archive
from assessments.authoring.services import DefinitionRejected, assessment_import
from assessments.models import Brand


class Command(BaseCommand):
    help = (
        "Import an assessment definition (JSON, or a .zip holding it and its images) into BRAND. "
        "All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path to the JSON or .zip file, or - for standard input")
        parser.add_argument("--brand", required=True, help="the brand's slug")
        parser.add_argument(
            "--publish", action="store_true", help="publish the imported draft as a new version"
        )

    def handle(self, *args: Any, file: str, brand: str, publish: bool, **options: Any) -> None:
        try:
            brand_row = Brand.objects.get(slug=brand)
        except Brand.DoesNotExist as error:
            raise CommandError(f"No brand with slug “{brand}”.") from error
        try:
            text = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            if is_archive(text):
                assessment = assessment_import_archive(
                    brand=brand_row, content=text, publish=publish
                )
            else:
                assessment = assessment_import(brand=brand_row, source=text, publish=publish)
        except DefinitionRejected as rejected:
            lines = [f"{file}: {len(rejected.problems)} problem(s); nothing was imported."]
            lines += [f"  {p.path}: {p.message}" for p in rejected.problems]
            raise CommandError("\n".join(lines)) from rejected
        message = f"Imported {brand}/{assessment.key} as a draft"
        if publish and assessment.live_version:
            message += f" and published version {assessment.live_version.number}"
        self.stdout.write(self.style.SUCCESS(message + "."))
