"""Summed counts (see `facts`) into the typed `Insights` the page, the command and the CSV
check show.

No database here: the live selectors, the rollups (which sum the same counts from stored rows)
and the test that recomputes the page from the CSV export all hand their sums to
`insights_build`, so they cannot disagree on how a figure is made.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assessments import engine
from assessments.engine.text import localized
from assessments.insights import figures
from assessments.insights.figures import (
    Bar,
    Distribution,
    Experience,
    Filters,
    Insights,
    ProductFigures,
    Stage,
    StepFigures,
    TrendPoint,
)
from assessments.insights.histogram import bins

Key = tuple[str, str, str]

# Over this many days the trend is by ISO week (starting Monday) rather than by day.
DAILY_UP_TO_DAYS = 60
LEARNED = ("yes", "a_little")
PROMOTERS = frozenset(("9", "10"))
DETRACTORS = frozenset(str(n) for n in range(7))
SATISFIED = frozenset(("4", "5"))
GAP = ("no", "partly")  # found less than was promised

STAGE_LABELS = {
    "started": "Started",
    "completed": "Completed",
    "emailed": "Results e-mailed",
    "clicked": "Clicked a product",
    "purchased": "Purchased",
    "engaged": "Engaged with a follow-up",
}


@dataclass(frozen=True, slots=True)
class AssessmentMeta:
    """What labels and orders the figures: the compiled definition of the latest version in
    the filter (and of earlier ones, for steps and questions only they had), in the
    assessment's default language, and the products' names."""

    definition: engine.Assessment
    language: str
    product_names: Mapping[str, str] = field(default_factory=dict)
    older: tuple[engine.Assessment, ...] = ()


def _by(counts: Mapping[Key, int], metric: str) -> dict[str, dict[str, int]]:
    """{key: {value: count}} of one metric."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for (name, key, value), n in counts.items():
        if name == metric and n:
            found[key][value] = found[key].get(value, 0) + n
    return found


def _total(counts: Mapping[Key, int], metric: str, key: str = "") -> int:
    return sum(n for (name, k, _v), n in counts.items() if name == metric and k == key)


def _ints(values: Mapping[str, int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for value, n in values.items():
        try:
            found[int(value)] = found.get(int(value), 0) + n
        except ValueError:
            continue
    return found


def _ordered(known: Iterable[str], seen: Iterable[str]) -> list[str]:
    """`known` keys in their order, then any others `seen` (from older versions), sorted."""
    order = list(dict.fromkeys(known))
    extra = sorted(set(seen) - set(order))
    return order + extra


class _Labels:
    """Labels from the latest definition, falling back to older ones, then to the key."""

    def __init__(self, meta: AssessmentMeta) -> None:
        self.meta = meta
        self.definitions = (meta.definition, *meta.older)

    def text(self, value: object) -> str:
        return localized(value, self.meta.language, (self.meta.definition.default_language,))

    def step(self, key: str) -> str:
        for definition in self.definitions:
            step = definition.step(key)
            if step is not None:
                return self.text(step.title) or key
        return key

    def question(self, key: str) -> engine.Question | None:
        for definition in self.definitions:
            question = definition.question(key)
            if question is not None:
                return question
        return None

    def outcome(self, key: str) -> str:
        for definition in self.definitions:
            for outcome in definition.outcomes:
                if outcome.key == key:
                    return self.text(outcome.title) or key
        return key

    def trait(self, key: str) -> engine.Trait | None:
        for definition in self.definitions:
            trait = definition.trait(key)
            if trait is not None:
                return trait
        return None


def _bars(
    values: Mapping[str, int],
    order: list[tuple[str, str]],
    base: int,
    min_n: int,
) -> tuple[Bar, ...]:
    labels = dict(order)
    keys = _ordered((k for k, _ in order), values)
    return tuple(
        Bar(
            key,
            labels.get(key, key),
            values.get(key, 0),
            figures.share(values.get(key, 0), base, min_n=min_n),
        )
        for key in keys
    )


def _question_order(question: engine.Question, labels: _Labels) -> list[tuple[str, str]]:
    if question.has_choices:
        return [(c.key, labels.text(c.label) or c.key) for c in question.choices]
    if question.kind in ("scale", "number"):
        return bins(question)
    return [(key, labels.text(label) or key) for key, label in question.behaviour.tallies(question)]


def _numeric_sorted(keys: Iterable[str]) -> list[str]:
    def order(key: str) -> tuple[int, float, str]:
        try:
            return (0, float(key), key)
        except ValueError:
            return (1, 0.0, key)

    return sorted(keys, key=order)


def _distributions(
    counts: Mapping[Key, int], labels: _Labels, min_n: int
) -> tuple[Distribution, ...]:
    seen = _by(counts, "seen")
    answered = _by(counts, "answered")
    answers = _by(counts, "answer")
    definition_order = [q.key for s in labels.meta.definition.steps for q in s.questions]
    found = []
    for key in _ordered(definition_order, seen):
        question = labels.question(key)
        if question is None or not question.answerable:
            continue
        base = sum(seen.get(key, {}).values())
        values = answers.get(key, {})
        order = _question_order(question, labels)
        if not question.has_choices and not order:
            order = [(k, k) for k in _numeric_sorted(values)]
        found.append(
            Distribution(
                key=key,
                label=labels.text(question.prompt) or key,
                kind=question.kind,
                seen=base,
                answered=sum(answered.get(key, {}).values()),
                bars=_bars(values, order, base, min_n)
                if question.has_choices or question.kind in ("scale", "number") or order
                else (),
            )
        )
    return tuple(found)


def _steps(counts: Mapping[Key, int], labels: _Labels, min_n: int) -> tuple[StepFigures, ...]:
    reached = _by(counts, "reached")
    dropped = _by(counts, "dropped")
    seconds = _by(counts, "step_seconds")
    found = []
    for key in _ordered((s.key for s in labels.meta.definition.steps), reached):
        got_there = sum(reached.get(key, {}).values())
        left = sum(dropped.get(key, {}).values())
        found.append(
            StepFigures(
                key=key,
                label=labels.step(key),
                reached=got_there,
                dropped=left,
                drop_off=figures.share(left, got_there, min_n=min_n),
                median_seconds=figures.median(_ints(seconds.get(key, {}))),
            )
        )
    return tuple(found)


def _funnel(
    counts: Mapping[Key, int], steps: tuple[StepFigures, ...], min_n: int
) -> tuple[Stage, ...]:
    started = _total(counts, "started")

    def stage(key: str, label: str, count: int) -> Stage:
        return Stage(key, label, count, figures.share(count, started, min_n=min_n))

    on_path = {key: sum(v.values()) for key, v in _by(counts, "on_path").items()}

    def step_stage(step: StepFigures) -> Stage:
        eligible = max(on_path.get(step.key, 0), step.reached)
        return Stage(
            f"step:{step.key}",
            step.label,
            step.reached,
            figures.share(step.reached, started, min_n=min_n),
            eligible,
            figures.share(step.reached, eligible, min_n=min_n),
        )

    stages = [stage("started", STAGE_LABELS["started"], started)]
    stages += [step_stage(s) for s in steps]
    for key in ("completed", "emailed", "clicked", "purchased", "engaged"):
        stages.append(stage(key, STAGE_LABELS[key], _total(counts, key)))
    return tuple(stages)


def _outcomes(counts: Mapping[Key, int], labels: _Labels, min_n: int) -> Distribution:
    completed = _total(counts, "completed")
    outcomes = {key: sum(v.values()) for key, v in _by(counts, "outcome").items()}
    order = [(o.key, labels.text(o.title) or o.key) for o in labels.meta.definition.outcomes]
    order = [(key, labels.outcome(key)) for key in _ordered((k for k, _ in order), outcomes)]
    return Distribution(
        key="outcome",
        label="Outcome",
        kind="outcome",
        seen=completed,
        answered=sum(outcomes.values()),
        bars=_bars(outcomes, order, completed, min_n),
    )


def _traits(counts: Mapping[Key, int], labels: _Labels, min_n: int) -> tuple[Distribution, ...]:
    completed = _total(counts, "completed")
    bands = _by(counts, "band")
    found = []
    for key in _ordered((t.key for t in labels.meta.definition.traits), bands):
        trait = labels.trait(key)
        values = bands.get(key, {})
        order = [(b.key, labels.text(b.label) or b.key) for b in trait.bands] if trait else []
        found.append(
            Distribution(
                key=key,
                label=labels.text(trait.label) if trait else key,
                kind="band",
                seen=completed,
                answered=sum(values.values()),
                bars=_bars(values, order, completed, min_n),
            )
        )
    return tuple(found)


def _gap(values: Mapping[str, int], min_n: int) -> figures.Estimate:
    return figures.share(sum(values.get(v, 0) for v in GAP), sum(values.values()), min_n=min_n)


def _products(
    counts: Mapping[Key, int], meta: AssessmentMeta, min_n: int
) -> tuple[ProductFigures, ...]:
    shown = {k: sum(v.values()) for k, v in _by(counts, "shown").items()}
    clicked = {k: sum(v.values()) for k, v in _by(counts, "product_clicked").items()}
    bought = {k: sum(v.values()) for k, v in _by(counts, "product_purchased").items()}
    ranks = _by(counts, "rank_bought")
    gaps = _by(counts, "gap_product")
    skus = sorted(set(shown) | set(bought), key=lambda sku: (-shown.get(sku, 0), sku))
    return tuple(
        ProductFigures(
            sku=sku,
            name=meta.product_names.get(sku, sku),
            shown=shown.get(sku, 0),
            clicked=figures.share(clicked.get(sku, 0), shown.get(sku, 0), min_n=min_n),
            purchased=figures.share(bought.get(sku, 0), shown.get(sku, 0), min_n=min_n),
            ranks_bought=dict(sorted(_ints(ranks.get(sku, {})).items())),
            promise_gap=_gap(gaps[sku], min_n) if sku in gaps else None,
        )
        for sku in skus
    )


def _learned(values: Mapping[str, int], min_n: int) -> figures.Estimate:
    return figures.share(sum(values.get(v, 0) for v in LEARNED), sum(values.values()), min_n=min_n)


def _csat(values: Mapping[str, int], min_n: int) -> figures.Estimate:
    hits = sum(n for v, n in values.items() if v in SATISFIED)
    return figures.share(hits, sum(values.values()), min_n=min_n)


def _nps(values: Mapping[str, int], min_n: int) -> figures.Estimate:
    promoters = sum(n for v, n in values.items() if v in PROMOTERS)
    detractors = sum(n for v, n in values.items() if v in DETRACTORS)
    return figures.nps(promoters, detractors, sum(values.values()), min_n=min_n)


def _experience(counts: Mapping[Key, int], labels: _Labels, min_n: int) -> Experience:
    learned = _by(counts, "learned").get("", {})
    bought = _by(counts, "purchased_by_learned").get("", {})
    learned_n = sum(learned.get(v, 0) for v in LEARNED)
    learned_hits = sum(bought.get(v, 0) for v in LEARNED)
    not_n, not_hits = learned.get("no", 0), bought.get("no", 0)
    by_outcome = _by(counts, "gap_outcome")
    return Experience(
        learned=_learned(learned, min_n),
        purchase_if_learned=figures.share(learned_hits, learned_n, min_n=min_n),
        purchase_if_not=figures.share(not_hits, not_n, min_n=min_n),
        learned_lift=figures.ratio(learned_hits, learned_n, not_hits, not_n, min_n=min_n),
        csat=_csat(_by(counts, "csat").get("", {}), min_n),
        ces=figures.mean(_ints(_by(counts, "ces").get("", {})), min_n=min_n),
        nps=_nps(_by(counts, "nps").get("", {}), min_n),
        promise_gap=_gap(_by(counts, "delivered").get("", {}), min_n),
        gap_by_outcome={
            key: _gap(by_outcome[key], min_n)
            for key in _ordered((o.key for o in labels.meta.definition.outcomes), by_outcome)
            if key in by_outcome
        },
    )


def trend_unit(
    filters: Filters,
    trend_counts: Mapping[dt.date, Mapping[Key, int]],
    min_n: int = figures.MIN_N,
) -> str:
    """ "week" when the range (the filter's, else the data's) spans more than ~two months, or
    when a day has on average too few starts for its rates to be figures: a line of "too few
    answers" days says nothing, weekly points may."""
    days = sorted(trend_counts)
    first = filters.since or (days[0] if days else None)
    last = filters.until or (days[-1] if days else None)
    if first is None or last is None:
        return "day"
    span = (last - first).days + 1
    starts = sum(_total(counts, "started") for counts in trend_counts.values())
    if span > DAILY_UP_TO_DAYS or starts / span < min_n:
        return "week"
    return "day"


def _trend(
    trend_counts: Mapping[dt.date, Mapping[Key, int]], unit: str, min_n: int
) -> tuple[TrendPoint, ...]:
    periods: dict[dt.date, Counter[Key]] = defaultdict(Counter)
    for day, counts in trend_counts.items():
        period = day - dt.timedelta(days=day.weekday()) if unit == "week" else day
        periods[period].update(counts)
    points = []
    for period in sorted(periods):
        counts = periods[period]
        started = _total(counts, "started")
        points.append(
            TrendPoint(
                period=period,
                started=started,
                completion=figures.share(_total(counts, "completed"), started, min_n=min_n),
                learned=_learned(_by(counts, "learned").get("", {}), min_n),
                csat=_csat(_by(counts, "csat").get("", {}), min_n),
                nps=_nps(_by(counts, "nps").get("", {}), min_n),
            )
        )
    return tuple(points)


def insights_build(
    assessment_meta: AssessmentMeta,
    counts: Mapping[Key, int],
    trend_counts: Mapping[dt.date, Mapping[Key, int]],
    filters: Filters,
    *,
    min_n: int = figures.MIN_N,
) -> Insights:
    """The page's figures from counts summed over the filtered responses, and the trend
    metrics summed by day (`facts.counts_sum` makes both)."""
    labels = _Labels(assessment_meta)
    steps = _steps(counts, labels, min_n)
    unit = trend_unit(filters, trend_counts, min_n)
    return Insights(
        filters=filters,
        started=_total(counts, "started"),
        completed=_total(counts, "completed"),
        funnel=_funnel(counts, steps, min_n),
        steps=steps,
        median_complete_seconds=figures.median(_ints(_by(counts, "complete_seconds").get("", {}))),
        questions=_distributions(counts, labels, min_n),
        outcomes=_outcomes(counts, labels, min_n),
        traits=_traits(counts, labels, min_n),
        products=_products(counts, assessment_meta, min_n),
        experience=_experience(counts, labels, min_n),
        trend=_trend(trend_counts, unit, min_n),
        trend_unit=unit,
    )
