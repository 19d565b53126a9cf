"""The filtered responses as CSV, one row each, streamed: never all rows in memory.

Columns: when it started and finished (ISO 8601, UTC), version, status, channel, language,
partner origin, utm source/medium/campaign, the step it is on, the steps it reached and the
seconds spent on each, the questions it saw, then one column per question (`q:<key>`: the
counted answer, choice keys joined by "|", numbers as typed), the outcome, one column per trait
(`band:<key>`), the products shown, clicked and bought (`sku:rank`), the learned answer,
whether the results were e-mailed and a follow-up engaged with, and the check-in answers
(several check-ins joined by "|", in the same order in each check-in column).

Everything the Insights page shows can be recomputed from these rows (a test does it).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from assessments import engine
from assessments.engine.text import number
from assessments.insights.facts import Loaded, reached_steps, responses_loaded
from assessments.insights.figures import Filters
from assessments.insights.selectors import assessment_meta, responses_filtered
from assessments.models import Assessment, Response
from assessments.taking.results import result_read

JOIN = "|"
# A cell starting with one of these is a formula to a spreadsheet: a customer's typed answer
# must not run as one on the analyst's machine (CSV injection), so it gets a leading quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FIXED_BEFORE = [
    "created",
    "completed",
    "version",
    "status",
    "channel",
    "language",
    "origin",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "current_step",
    "steps_reached",
    "step_seconds",
    "questions_seen",
]
FIXED_AFTER = [
    "products_shown",
    "clicked_skus",
    "purchased",
    "purchased_skus",
    "learned",
    "emailed",
    "engaged",
    "checkin_csat",
    "checkin_ces",
    "checkin_nps",
    "checkin_delivered",
    "checkin_sku",
]


def cell_safe(value: str) -> str:
    """`value`, with a leading quote when a spreadsheet would read it as a formula (numbers,
    such as -3, stay as they are)."""
    if value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _iso(at: dt.datetime | None) -> str:
    return at.astimezone(dt.UTC).isoformat() if at is not None else ""


def _answer(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list):
        return JOIN.join(str(v) for v in value)
    if isinstance(value, (int, float)):
        return number(float(value))
    return str(value)


def _columns(definitions: tuple[engine.Assessment, ...]) -> tuple[list[str], list[str]]:
    """Question keys and trait keys, latest version's order first, then older versions'."""
    questions: dict[str, None] = {}
    traits: dict[str, None] = {}
    for definition in definitions:
        for step in definition.steps:
            for question in step.questions:
                if question.answerable:
                    questions.setdefault(question.key)
        for trait in definition.traits:
            traits.setdefault(trait.key)
    return list(questions), list(traits)


def _row(loaded: Loaded, questions: list[str], traits: list[str]) -> list[str]:
    response = loaded.response
    walk = loaded.assessment.walk(response.answers or {}, response.fields or {})
    reached = reached_steps(walk, response)
    seen = [q.key for step in reached for q in walk.questions(step) if q.answerable]
    attribution = response.attribution if isinstance(response.attribution, Mapping) else {}
    seconds = response.step_seconds if isinstance(response.step_seconds, Mapping) else {}
    completed = response.status == Response.Status.COMPLETED
    result = result_read(response) if completed else None
    bands = {t.key: t.band for t in result.traits} if result is not None else {}
    seen_set = set(seen)
    checkins = loaded.checkins

    def joined(values: list[Any]) -> str:
        return JOIN.join("" if v is None else str(v) for v in values)

    def text(name: str) -> str:
        value = attribution.get(name)
        return value if isinstance(value, str) else ""

    row = [
        _iso(response.created_at),
        _iso(response.completed_at),
        str(getattr(response, "version_number", "") or response.version.number),
        response.status,
        response.channel,
        response.language,
        text("embed_origin"),
        text("utm_source"),
        text("utm_medium"),
        text("utm_campaign"),
        response.current_step if not completed else "",
        JOIN.join(reached),
        JOIN.join(
            f"{key}={number(float(seconds[key]))}"
            for key in reached
            if isinstance(seconds.get(key), (int, float)) and not isinstance(seconds[key], bool)
        ),
        JOIN.join(seen),
        *(_answer(walk.counted.get(key)) if key in seen_set else "" for key in questions),
        result.outcome.key if result is not None and result.outcome is not None else "",
        *(bands.get(key, "") for key in traits),
        JOIN.join(dict.fromkeys(result.skus)) if result is not None else "",
        JOIN.join(sku for sku, at in loaded.references if at is not None),
        "yes" if loaded.purchased else "",
        JOIN.join(f"{i.sku}:{i.rank if i.rank is not None else ''}" for i in loaded.items),
        response.learned,
        "yes" if response.results_emailed_at is not None else "",
        "yes" if loaded.engaged else "",
        joined([c.csat for c in checkins]),
        joined([c.ces for c in checkins]),
        joined([c.nps for c in checkins]),
        joined([c.delivered for c in checkins]),
        joined([c.sku for c in checkins]),
    ]
    return [cell_safe(value) for value in row]


def export_rows(assessment: Assessment, filters: Filters) -> Iterator[list[str]]:
    """The header, then one row per response `filters` keep, oldest first, read in chunks."""
    meta = assessment_meta(assessment, filters)
    questions, traits = _columns((meta.definition, *meta.older))
    yield [
        *FIXED_BEFORE,
        *(f"q:{key}" for key in questions),
        "outcome",
        *(f"band:{key}" for key in traits),
        *FIXED_AFTER,
    ]
    for loaded in responses_loaded(responses_filtered(assessment, filters)):
        yield _row(loaded, questions, traits)


class _Line:
    """A file-like object whose `write` returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def export_csv(assessment: Assessment, filters: Filters) -> Iterator[str]:
    """`export_rows` as CSV text, one line at a time (for a StreamingHttpResponse)."""
    writer = csv.writer(_Line())
    for row in export_rows(assessment, filters):
        yield writer.writerow(row)


def export_filename(assessment: Assessment, filters: Filters) -> str:
    """e.g. acme-fit-check-responses-2025-01-01-to-2025-01-31.csv"""
    since = filters.since.isoformat() if filters.since else "start"
    until = filters.until.isoformat() if filters.until else dt.datetime.now(dt.UTC).date()
    return f"{assessment.brand.slug}-{assessment.key}-responses-{since}-to-{until}.csv"
