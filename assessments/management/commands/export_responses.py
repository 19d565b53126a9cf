"""Stream an assessment's responses as CSV, one row each, to stdout or a file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.insights.export import export_csv
from assessments.management.insights_options import (
    add_filters,
    add_target,
    assessment_named,
    filters_from,
)


class Command(BaseCommand):
    help = "Write BRAND/KEY's responses as CSV (the Insights page's export), streamed."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` names a published version here, not Django's own version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        add_target(parser)
        add_filters(parser)
        parser.add_argument("--output", help="a file to write (default: stdout)")

    def handle(self, *args: Any, target: str, output: str | None, **options: Any) -> None:
        assessment = assessment_named(target)
        lines = export_csv(assessment, filters_from(options))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(lines)
            return
        for line in lines:
            self.stdout.write(line, ending="")
