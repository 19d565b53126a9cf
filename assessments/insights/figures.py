"""The figures on the Insights page and what they are made of: pure maths and plain types.

No Django here, so the maths can be property-tested and the same code serves the page, the
`insights --json` command and the test that recomputes the page from the CSV export.

Every figure is an `Estimate`: a value with the number of answers behind it and a 95% interval.
Below `min_n` answers the value is None and the page says "too few answers" instead of a number
that would mislead.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

Z95 = 1.959963984540054
MIN_N = 30  # answers below which a figure is "too few answers"


# -- estimates ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """A figure with its base and 95% interval; `value` is None when there are too few answers.

    `kind` says how to read it: "share" (0-1, shown as a percentage), "ratio" (times), "nps"
    (-100 to 100) or "mean" (on the question's own scale). `hits` is the numerator of a share.
    """

    kind: str
    n: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    hits: int | None = None

    @property
    def enough(self) -> bool:
        return self.value is not None


def share(hits: int, n: int, *, min_n: int = MIN_N) -> Estimate:
    """A proportion with its Wilson score interval (sound near 0 and 1, unlike the normal one)."""
    if n <= 0 or n < min_n:
        return Estimate("share", n, hits=hits)
    p = hits / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # Clamped to contain p: at 0 or 1 hits rounding would leave it a hair outside.
    low, high = max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))
    return Estimate("share", n, p, low, high, hits)


def ratio(a_hits: int, a_n: int, b_hits: int, b_n: int, *, min_n: int = MIN_N) -> Estimate:
    """How many times group a's rate is group b's (a risk ratio), with the log-method interval.

    `n` is both groups together. Undefined (None) when either group is below `min_n` or has
    no hits: a ratio over zero says nothing.
    """
    n = a_n + b_n
    if a_n < min_n or b_n < min_n or a_hits <= 0 or b_hits <= 0:
        return Estimate("ratio", n)
    value = (a_hits / a_n) / (b_hits / b_n)
    se = math.sqrt(1 / a_hits - 1 / a_n + 1 / b_hits - 1 / b_n)
    log = math.log(value)
    return Estimate("ratio", n, value, math.exp(log - Z95 * se), math.exp(log + Z95 * se))


def nps(promoters: int, detractors: int, n: int, *, min_n: int = MIN_N) -> Estimate:
    """Net Promoter Score over those who answered: % promoters (9-10) - % detractors (0-6).

    Interval from SE = √((p₊ + p₋ - (p₊ - p₋)²) / n), in points.
    """
    if n <= 0 or n < min_n:
        return Estimate("nps", n)
    plus, minus = promoters / n, detractors / n
    score = plus - minus
    se = math.sqrt(max(0.0, plus + minus - score * score) / n)
    return Estimate(
        "nps",
        n,
        100 * score,
        max(-100.0, 100 * (score - Z95 * se)),
        min(100.0, 100 * (score + Z95 * se)),
    )


def mean(counts: Mapping[int, int], *, min_n: int = MIN_N) -> Estimate:
    """The mean of answers on a scale given as {value: how many}, with its normal interval."""
    n = sum(counts.values())
    if n <= 0 or n < min_n:
        return Estimate("mean", n)
    average = sum(value * k for value, k in counts.items()) / n
    variance = sum(k * (value - average) ** 2 for value, k in counts.items()) / max(1, n - 1)
    half = Z95 * math.sqrt(variance / n)
    return Estimate("mean", n, average, average - half, average + half)


@dataclass(frozen=True, slots=True)
class Difference:
    """Version b against version a for one share: b - a and a two-proportion z-test.

    `p_value` and `significant` are None when either side has too few answers ("not enough
    data yet"), or when the pooled rate is 0 or 1 (nothing to test).
    """

    a: Estimate
    b: Estimate
    diff: float | None = None
    z: float | None = None
    p_value: float | None = None

    @property
    def significant(self) -> bool | None:
        return None if self.p_value is None else self.p_value < 0.05


def compare(a: Estimate, b: Estimate) -> Difference:
    """Test whether two shares differ (pooled two-proportion z-test, two-sided, at 5%)."""
    if not (a.enough and b.enough) or a.hits is None or b.hits is None:
        return Difference(a, b)
    diff = b.value - a.value  # type: ignore[operator]
    pooled = (a.hits + b.hits) / (a.n + b.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    if se == 0:
        return Difference(a, b, diff)
    z = diff / se
    return Difference(a, b, diff, z, math.erfc(abs(z) / math.sqrt(2)))


# -- time spent --------------------------------------------------------------------------


def seconds_bucket(seconds: float) -> int:
    """Seconds rounded to what a median of time spent needs: to the second under a minute,
    to 10 s under ten minutes, to the minute up to an hour; an hour or more counts as an hour.

    Rollups count these buckets, and the CSV recompute uses the same rounding, so both agree.
    """
    s = max(0, int(seconds))
    if s < 60:
        return s
    if s < 600:
        return s - s % 10
    return min(3600, s - s % 60)


def median(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when there are none."""
    n = sum(counts.values())
    if n <= 0:
        return None
    ordered = sorted(counts.items())
    lower_index, upper_index = (n - 1) // 2, n // 2
    seen, lower, upper = 0, None, None
    for value, k in ordered:
        if lower is None and seen + k > lower_index:
            lower = value
        if seen + k > upper_index:
            upper = value
            break
        seen += k
    assert lower is not None and upper is not None
    return (lower + upper) / 2


# -- the page ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    """What every figure on the page is restricted to; "" or None means any."""

    since: date | None = None
    until: date | None = None  # inclusive
    version: int | None = None  # the version's number, not its pk
    channel: str = ""  # "direct", "embedded" or "kiosk"
    origin: str = ""  # the partner page's origin for embedded journeys
    language: str = ""
    utm_source: str = ""
    utm_campaign: str = ""
    outcome: str = ""  # an outcome's key


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the funnel: how many got there, as a share of those who started."""

    key: str  # "started", "step:<key>", "completed", "emailed", "clicked", "purchased", "engaged"
    label: str
    count: int
    of_started: Estimate


@dataclass(frozen=True, slots=True)
class StepFigures:
    """One step: reached (its path included it and they got to it), dropped there (it was the
    last step they reached and they did not finish), the drop-off rate and the median time."""

    key: str
    label: str
    reached: int
    dropped: int
    drop_off: Estimate
    median_seconds: float | None


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a distribution: a choice, a histogram bin, an outcome or a band."""

    key: str
    label: str
    count: int
    share: Estimate  # of the distribution's base


@dataclass(frozen=True, slots=True)
class Distribution:
    """How answers to one question (or outcomes, or one trait's bands) fell, over those who saw
    it (`seen`); `answered` ≤ `seen` (optional questions may be skipped)."""

    key: str
    label: str
    kind: str  # the question kind, or "outcome" / "band"
    seen: int
    answered: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True, slots=True)
class ProductFigures:
    """A product the assessment recommended: how often shown, clicked and bought, and at which
    rank it was when bought ({rank: purchases})."""

    sku: str
    name: str
    shown: int
    clicked: Estimate  # of shown
    purchased: Estimate  # of shown
    ranks_bought: Mapping[int, int] = field(default_factory=dict)
    promise_gap: Estimate | None = None  # share of its check-ins saying "no" or "partly"


@dataclass(frozen=True, slots=True)
class Experience:
    """The north star and the CX metrics."""

    learned: Estimate  # share answering "yes" or "a little", of those who answered
    purchase_if_learned: Estimate
    purchase_if_not: Estimate
    learned_lift: Estimate  # purchase_if_learned / purchase_if_not
    csat: Estimate  # share of 4-5 on the 5-point scale
    ces: Estimate  # mean on the 7-point scale
    nps: Estimate
    promise_gap: Estimate  # share who found less than promised ("no" or "partly")
    gap_by_outcome: Mapping[str, Estimate] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One day (or week, starting that day) of the trend series."""

    period: date
    started: int
    completion: Estimate
    learned: Estimate
    csat: Estimate
    nps: Estimate


@dataclass(frozen=True, slots=True)
class Insights:
    """Everything the Insights page shows for one assessment under one set of filters."""

    filters: Filters
    started: int
    completed: int
    funnel: tuple[Stage, ...]
    steps: tuple[StepFigures, ...]
    median_complete_seconds: float | None
    questions: tuple[Distribution, ...]
    outcomes: Distribution
    traits: tuple[Distribution, ...]
    products: tuple[ProductFigures, ...]
    experience: Experience
    trend: tuple[TrendPoint, ...]
    trend_unit: str  # "day" or "week"
