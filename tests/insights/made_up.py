"""Insights built by hand from the page's types, so the pages can be tested on known figures."""

from __future__ import annotations

import datetime as dt

from assessments.insights.figures import (
    MIN_N,
    Bar,
    Distribution,
    Experience,
    Filters,
    Insights,
    ProductFigures,
    Stage,
    StepFigures,
    TrendPoint,
    mean,
    nps,
    ratio,
    share,
)


def _bars(counts: dict[str, int], base: int) -> tuple[Bar, ...]:
    return tuple(Bar(key, key.title(), count, share(count, base)) for key, count in counts.items())


def made_up_insights(
    filters: Filters = Filters(),  # noqa: B008
    *,
    started: int = 400,
    scale: float = 1.0,
    min_n: int = MIN_N,
) -> Insights:
    """A plausible page: `started` customers, the later stages in fixed proportions of them.

    `scale` shrinks every answer count (not `started`), to push figures under `min_n`.
    """

    def n(x: float) -> int:
        return round(x * scale * started / 400)

    completed = int(started * 0.7)
    stages = [
        ("started", "Started", started),
        ("step:surface", "Step: Surface", int(started * 0.95)),
        ("step:knees", "Step: Knees", int(started * 0.8)),
        ("completed", "Completed", completed),
        ("emailed", "E-mailed or shared", int(started * 0.3)),
        ("clicked", "Clicked a product", int(started * 0.4)),
        ("purchased", "Purchased", int(started * 0.2)),
        ("engaged", "Follow-up engaged", int(started * 0.1)),
    ]
    # Knees is a branch: only those whose answers lead there have it on their path.
    on_path = {"step:surface": started, "step:knees": int(started * 0.85)}
    funnel = tuple(
        Stage(
            key,
            label,
            count,
            share(count, started, min_n=min_n),
            on_path.get(key),
            share(count, on_path[key], min_n=min_n) if key in on_path else None,
        )
        for key, label, count in stages
    )
    steps = (
        StepFigures("surface", "Surface", int(started * 0.95), 40, share(40, 380), 21.0),
        StepFigures("knees", "Knees", int(started * 0.8), 30, share(30, 320), 75.0),
    )
    answered = n(completed)
    surface = Distribution(
        "surface",
        "Where do you run?",
        "single",
        answered,
        answered,
        _bars({"road": n(150), "trail": n(100), "track": max(0, answered - n(250))}, answered),
    )
    distance = Distribution(
        "distance",
        "Weekly distance (km)",
        "number",
        answered,
        n(200),
        _bars({"0-10": n(60), "10-20": n(90), "20+": n(50)}, n(200)),
    )
    outcomes = Distribution(
        "outcome",
        "Outcome",
        "outcome",
        answered,
        answered,
        _bars({"cushioned": n(180), "stable": max(0, answered - n(180))}, answered),
    )
    support = Distribution(
        "support",
        "Support need",
        "band",
        answered,
        answered,
        _bars({"low": n(120), "high": max(0, answered - n(120))}, answered),
    )
    experience = Experience(
        learned=share(n(150), n(250), min_n=min_n),
        purchase_if_learned=share(n(45), n(150), min_n=min_n),
        purchase_if_not=share(n(17), n(100), min_n=min_n),
        learned_lift=ratio(n(45), n(150), n(17), n(100), min_n=min_n),
        csat=share(n(70), n(90), min_n=min_n),
        ces=mean({2: n(30), 3: n(40), 5: n(20)}, min_n=min_n),
        nps=nps(n(40), n(15), n(80), min_n=min_n),
        promise_gap=share(n(12), n(70), min_n=min_n),
        gap_by_outcome={
            "cushioned": share(n(7), n(40), min_n=min_n),
            "stable": share(n(5), n(30), min_n=min_n),
        },
    )
    products = (
        ProductFigures(
            "RUN-1",
            "Cloud Runner",
            n(300),
            share(n(120), n(300), min_n=min_n),
            share(n(60), n(300), min_n=min_n),
            {1: n(45), 2: n(15)},
            share(n(8), n(50), min_n=min_n),
        ),
    )
    start = dt.date(2025, 3, 3)
    trend = tuple(
        TrendPoint(
            start + dt.timedelta(days=7 * week),
            started // 4,
            share(n(70), n(100), min_n=min_n),
            share(n(60), n(100), min_n=min_n),
            share(n(20 + week), n(30), min_n=min_n),
            nps(n(12), n(5), n(30), min_n=min_n),
        )
        for week in range(4)
    )
    return Insights(
        filters=filters,
        started=started,
        completed=completed,
        funnel=funnel,
        steps=steps,
        median_complete_seconds=184.0,
        questions=(surface, distance),
        outcomes=outcomes,
        traits=(support,),
        products=products,
        experience=experience,
        trend=trend,
        trend_unit="week",
    )
