"""Property tests of the figures' maths and of the histogram bins (no database)."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import assume, given
from hypothesis import strategies as st

from assessments import engine
from assessments.insights import figures
from assessments.insights.build import trend_unit
from assessments.insights.figures import Filters
from assessments.insights.histogram import bin_key, bins
from tests.factories import definition

counts = st.integers(min_value=1, max_value=100_000)


@st.composite
def hits_of(draw):
    n = draw(counts)
    return draw(st.integers(min_value=0, max_value=n)), n


@given(hits_of())
def test_a_wilson_interval_lies_in_0_1_and_contains_the_share(drawn):
    hits, n = drawn
    estimate = figures.share(hits, n, min_n=1)
    assert 0.0 <= estimate.low <= estimate.value <= estimate.high <= 1.0
    assert estimate.value == hits / n


@given(hits_of(), st.integers(min_value=1, max_value=1000))
def test_below_the_threshold_a_share_is_too_few_answers(drawn, min_n):
    hits, n = drawn
    estimate = figures.share(hits, n, min_n=min_n)
    assert estimate.enough == (n >= min_n)
    assert estimate.n == n and estimate.hits == hits


@given(hits_of())
def test_more_answers_at_the_same_share_narrow_the_interval(drawn):
    hits, n = drawn
    small, large = figures.share(hits, n, min_n=1), figures.share(4 * hits, 4 * n, min_n=1)
    assert large.high - large.low <= small.high - small.low + 1e-12


@given(st.integers(0, 5000), st.integers(0, 5000), st.integers(0, 5000))
def test_nps_is_promoters_minus_detractors_with_its_interval(promoters, detractors, passives):
    n = promoters + detractors + passives
    assume(n > 0)
    estimate = figures.nps(promoters, detractors, n, min_n=1)
    assert math.isclose(estimate.value, 100 * (promoters - detractors) / n)
    assert -100.0 <= estimate.low <= estimate.value + 1e-9
    assert estimate.value - 1e-9 <= estimate.high <= 100.0


@given(hits_of(), hits_of())
def test_a_risk_ratio_interval_contains_the_ratio(a, b):
    assume(a[0] > 0 and b[0] > 0)
    estimate = figures.ratio(a[0], a[1], b[0], b[1], min_n=1)
    assert estimate.low <= estimate.value <= estimate.high
    assert math.isclose(estimate.value, (a[0] / a[1]) / (b[0] / b[1]))


@given(hits_of(), hits_of())
def test_comparing_b_with_a_is_the_mirror_of_comparing_a_with_b(a, b):
    first, second = figures.share(*a, min_n=1), figures.share(*b, min_n=1)
    forward, backward = figures.compare(first, second), figures.compare(second, first)
    if forward.diff is not None:
        assert math.isclose(forward.diff, -backward.diff, abs_tol=1e-12)
    assert forward.p_value == backward.p_value
    if forward.p_value is not None:
        assert 0.0 <= forward.p_value <= 1.0


@given(st.dictionaries(st.integers(0, 3600), st.integers(1, 50), min_size=1))
def test_a_median_lies_between_the_smallest_and_largest_value(values):
    middle = figures.median(values)
    assert min(values) <= middle <= max(values)


@given(st.floats(min_value=0, max_value=10**6, allow_nan=False))
def test_seconds_buckets_never_exceed_the_time_or_an_hour(seconds):
    bucket = figures.seconds_bucket(seconds)
    assert 0 <= bucket <= min(3600, seconds)
    assert figures.seconds_bucket(bucket) == bucket  # a bucket is its own bucket


def _number_question(low: float, high: float, integer: bool) -> engine.Question:
    data = definition()
    data["steps"][1]["questions"][0]["number"] = {"min": low, "max": high, "integer": integer}
    data["steps"][1]["questions"][0]["scoring"] = []
    return engine.compile_definition(data).question("km")


@given(
    st.integers(-1000, 1000),
    st.integers(1, 5000),
    st.booleans(),
    st.floats(min_value=0, max_value=1),
)
def test_every_number_in_bounds_falls_in_one_of_the_questions_bins(low, span, integer, at):
    question = _number_question(low, low + span, integer)
    value = low + at * span
    if integer:
        value = round(value)
    keys = [key for key, _label in bins(question)]
    assert bin_key(question, value) in keys
    assert len(keys) <= 12


def _days(starts_per_day: int, days: int) -> dict:
    first = dt.date(2026, 11, 1)
    return {
        first + dt.timedelta(days=i): {("started", "", ""): starts_per_day} for i in range(days)
    }


def test_the_trend_is_daily_only_when_a_day_holds_enough_starts_for_its_rates():
    assert trend_unit(Filters(), _days(40, 20)) == "day"
    # Twelve starts a day: every daily rate would read "too few answers".
    assert trend_unit(Filters(), _days(12, 20)) == "week"
    # Over two months it is weekly whatever the volume.
    assert trend_unit(Filters(), _days(400, 90)) == "week"
