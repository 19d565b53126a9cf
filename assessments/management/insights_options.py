"""What the `insights` and `export_responses` commands share: BRAND/KEY and the filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from assessments.insights.figures import Filters
from assessments.models import Assessment


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"“{value}” is not a date; write it as YYYY-MM-DD.") from error


def add_target(parser: CommandParser) -> None:
    parser.add_argument("target", help="brand-slug/assessment-key, e.g. stride-lab/shoe-finder")


def add_filters(parser: CommandParser) -> None:
    parser.add_argument("--since", type=_day, help="first day (UTC), YYYY-MM-DD")
    parser.add_argument("--until", type=_day, help="last day (UTC, included), YYYY-MM-DD")
    parser.add_argument("--version", type=int, dest="version_number", help="a version number")
    parser.add_argument("--channel", default="", choices=["", "direct", "embedded", "kiosk"])
    parser.add_argument("--origin", default="", help="the partner page's origin")
    parser.add_argument("--language", default="")
    parser.add_argument("--utm-source", default="", dest="utm_source")
    parser.add_argument("--utm-campaign", default="", dest="utm_campaign")
    parser.add_argument("--outcome", default="", help="an outcome's key")


def filters_from(options: dict[str, Any]) -> Filters:
    since, until = options.get("since"), options.get("until")
    if since and until and since > until:
        raise CommandError(f"--since {since} is after --until {until}.")
    return Filters(
        since=since,
        until=until,
        version=options.get("version_number"),
        channel=options.get("channel") or "",
        origin=options.get("origin") or "",
        language=options.get("language") or "",
        utm_source=options.get("utm_source") or "",
        utm_campaign=options.get("utm_campaign") or "",
        outcome=options.get("outcome") or "",
    )


def assessment_named(target: str) -> Assessment:
    """The assessment named BRAND/KEY, or a CommandError saying what was not found."""
    brand_slug, _sep, key = target.partition("/")
    if not brand_slug or not key:
        raise CommandError(f"Name the assessment as BRAND/KEY, not “{target}”.")
    try:
        return Assessment.objects.select_related("brand").get(brand__slug=brand_slug, key=key)
    except Assessment.DoesNotExist as error:
        raise CommandError(f"No assessment “{key}” in brand “{brand_slug}”.") from error
