"""Print an assessment's Insights figures: the same ones the page shows, from the same module."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.insights.figures import MIN_N, Estimate, Insights
from assessments.insights.selectors import insights_for
from assessments.management.insights_options import (
    add_filters,
    add_target,
    assessment_named,
    filters_from,
)


def jsonable(value: Any) -> Any:
    """Dataclasses as objects, dates as ISO 8601, mappings with text keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _figure(estimate: Estimate) -> str:
    if estimate.value is None:
        return f"too few answers (n={estimate.n})"
    if estimate.kind == "share":
        low, high = 100 * (estimate.low or 0), 100 * (estimate.high or 0)
        return f"{100 * estimate.value:.1f}% [{low:.1f} to {high:.1f}] (n={estimate.n})"
    return f"{estimate.value:.2f} [{estimate.low:.2f} to {estimate.high:.2f}] (n={estimate.n})"


def as_text(insights: Insights) -> str:
    lines = [f"Started {insights.started}, completed {insights.completed}", "", "Funnel"]
    lines += [f"  {s.label}: {s.count} ({_figure(s.of_started)})" for s in insights.funnel]
    lines += ["", "Steps"]
    for step in insights.steps:
        median = "—" if step.median_seconds is None else f"{step.median_seconds:g} s"
        lines.append(
            f"  {step.label}: reached {step.reached}, dropped {step.dropped}, median {median}"
        )
    experience = insights.experience
    lines += ["", "Experience"]
    for name in ("learned", "purchase_if_learned", "purchase_if_not", "learned_lift"):
        lines.append(f"  {name}: {_figure(getattr(experience, name))}")
    for name in ("csat", "ces", "nps", "promise_gap"):
        lines.append(f"  {name}: {_figure(getattr(experience, name))}")
    lines += ["", "Outcomes"]
    lines += [f"  {bar.label}: {bar.count}" for bar in insights.outcomes.bars]
    lines += ["", "Products"]
    lines += [
        f"  {p.name}: shown {p.shown}, clicked {_figure(p.clicked)}, bought {_figure(p.purchased)}"
        for p in insights.products
    ]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print BRAND/KEY's Insights figures (--json: every figure, as the page has them)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` names a published version here, not Django's own version flag.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        add_target(parser)
        add_filters(parser)
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--min-n", type=int, default=MIN_N, dest="min_n")

    def handle(self, *args: Any, target: str, as_json: bool, min_n: int, **options: Any) -> None:
        insights = insights_for(assessment_named(target), filters_from(options), min_n=min_n)
        if as_json:
            self.stdout.write(json.dumps(jsonable(insights), indent=2))
        else:
            self.stdout.write(as_text(insights), ending="")
