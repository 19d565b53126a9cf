"""Write an assessment's definition, with the brand's catalogue, to stdout."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments.authoring.services import assessment_export
from assessments.models import Assessment


class Command(BaseCommand):
    help = "Export BRAND/KEY as canonical JSON: the draft, or a published version with --version."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` names a published version here, not Django's own version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", help="brand-slug/assessment-key, e.g. stride-lab/shoe-finder")
        parser.add_argument(
            "--version",
            type=int,
            dest="version_number",
            help="a published version number (default: the current draft)",
        )

    def handle(self, *args: Any, target: str, version_number: int | None, **options: Any) -> None:
        brand_slug, _sep, key = target.partition("/")
        if not brand_slug or not key:
            raise CommandError(f"Name the assessment as BRAND/KEY, not “{target}”.")
        try:
            assessment = Assessment.objects.select_related("brand").get(
                brand__slug=brand_slug, key=key
            )
        except Assessment.DoesNotExist as error:
            raise CommandError(f"No assessment “{key}” in brand “{brand_slug}”.") from error
        if (
            version_number is not None
            and not assessment.versions.filter(number=version_number).exists()
        ):
            numbers = list(assessment.versions.values_list("number", flat=True))
            raise CommandError(
                f"{target} has no published version {version_number}; published: "
                f"{', '.join(map(str, sorted(numbers))) or 'none'}."
            )
        self.stdout.write(
            assessment_export(assessment=assessment, version_number=version_number), ending=""
        )
