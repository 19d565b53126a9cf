"""Each condition operator holds exactly when FORMAT.md says it does."""

from __future__ import annotations

import pytest

from assessments.engine import compile_definition
from tests.engine.builders import definition, multiple, number, scale, single, step, t, text, trait


def guarded(condition):
    """An assessment whose last step is shown only when `condition` holds."""
    return compile_definition(
        definition(
            step(
                "first",
                single(
                    "pace",
                    "easy",
                    "fast",
                    "sprint",
                    points={"fast": {"speed": 2}, "sprint": {"speed": 4}},
                ),
                multiple("terrain", "road", "trail", "track", required=False),
                scale("effort", 1, 10),
                number("age", min=0, max=120, integer=True),
                text("note", required=False),
            ),
            step("guarded", single("shown", "yes"), condition=condition),
            traits=[trait("speed", ("slow", None, 1), ("quick", 2, None))],
            hidden_fields=[{"key": "partner", "label": t("Partner")}],
        )
    )


def shown(condition, answers, fields=None):
    return "guarded" in guarded(condition).path(answers, fields)


def test_equals_holds_for_that_choice_only():
    assert shown({"answer": "pace", "equals": "fast"}, {"pace": "fast"})
    assert not shown({"answer": "pace", "equals": "fast"}, {"pace": "easy"})


def test_equals_never_holds_without_an_answer():
    assert not shown({"answer": "pace", "equals": "fast"}, {})


def test_equals_compares_numbers_by_value():
    assert shown({"answer": "effort", "equals": 7}, {"effort": 7})
    assert not shown({"answer": "effort", "equals": 7}, {"effort": 8})


def test_equals_compares_text_answers():
    assert shown({"answer": "note", "equals": "hi"}, {"note": "hi"})


def test_in_holds_for_any_listed_value():
    assert shown({"answer": "pace", "in": ["easy", "fast"]}, {"pace": "easy"})
    assert not shown({"answer": "effort", "in": [1, 2]}, {"effort": 3})


def test_in_on_a_multiple_answer_holds_when_any_pick_is_listed():
    assert shown({"answer": "terrain", "in": ["trail", "track"]}, {"terrain": ["road", "trail"]})
    assert not shown({"answer": "terrain", "in": ["track"]}, {"terrain": ["road"]})


def test_contains_holds_when_the_pick_is_among_the_answers():
    assert shown({"answer": "terrain", "contains": "trail"}, {"terrain": ["road", "trail"]})
    assert not shown({"answer": "terrain", "contains": "trail"}, {"terrain": ["road"]})


@pytest.mark.parametrize(
    ("bounds", "age", "holds"),
    [
        ({"min": 18}, 18, True),
        ({"min": 18}, 17, False),
        ({"max": 40}, 40, True),
        ({"min": 18, "max": 40}, 41, False),
        ({}, 5, True),
    ],
)
def test_range_is_inclusive_and_open_where_a_bound_is_missing(bounds, age, holds):
    assert shown({"answer": "age", "range": bounds}, {"age": age}) is holds


def test_answered_holds_once_a_counted_answer_exists():
    assert shown({"answered": "note"}, {"note": "something"})
    assert not shown({"answered": "note"}, {})


@pytest.mark.parametrize(
    ("op", "value", "holds_for_fast"),
    [
        ("gt", 1, True),
        ("gt", 2, False),
        ("gte", 2, True),
        ("lt", 2, False),
        ("lte", 2, True),
        ("equals", 2, True),
        ("equals", 1, False),
    ],
)
def test_trait_comparisons_use_the_score_so_far(op, value, holds_for_fast):
    assert shown({"trait": "speed", op: value}, {"pace": "fast"}) is holds_for_fast


def test_trait_range_and_band():
    assert shown({"trait": "speed", "range": {"min": 1, "max": 3}}, {"pace": "fast"})
    assert shown({"trait": "speed", "band": "quick"}, {"pace": "fast"})
    assert not shown({"trait": "speed", "band": "quick"}, {"pace": "easy"})


def test_field_equals_and_in_read_the_hidden_fields():
    assert shown({"field": "partner", "equals": "runshop"}, {}, {"partner": "runshop"})
    assert not shown({"field": "partner", "equals": "runshop"}, {}, {})
    assert shown({"field": "partner", "in": ["a", "b"]}, {}, {"partner": "b"})


def test_all_any_and_not_combine():
    fast_road = {
        "all": [{"answer": "pace", "equals": "fast"}, {"answer": "terrain", "contains": "road"}]
    }
    assert shown(fast_road, {"pace": "fast", "terrain": ["road"]})
    assert not shown(fast_road, {"pace": "fast", "terrain": ["trail"]})
    either = {"any": [{"answer": "pace", "equals": "easy"}, {"answered": "note"}]}
    assert shown(either, {"pace": "fast", "note": "x"})
    assert not shown(either, {"pace": "fast"})
    assert shown({"not": {"answer": "pace", "equals": "easy"}}, {"pace": "fast"})
    assert shown({"not": {"answer": "pace", "equals": "easy"}}, {})
