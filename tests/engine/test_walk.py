"""One walk of the flow answers every question a page asks about where the customer is."""

from __future__ import annotations

import dataclasses

import pytest

from assessments.engine import Product, Walk, compile_definition
from tests.engine.builders import definition, single, step, t
from tests.engine.shoe_finder import RUNNER, shoe_finder


@pytest.fixture(scope="module")
def finder():
    return compile_definition(shoe_finder())


WALKER = {"gender": "men", "use": "walk"}


def test_the_walk_agrees_with_the_assessments_own_questions(finder):
    for answers in (RUNNER, WALKER, {}):
        walk = finder.walk(answers)
        assert walk.path == finder.path(answers)
        assert dict(walk.counted) == finder.counted_answers(answers)
        for key in (s.key for s in finder.steps):
            assert walk.next_step(key) == finder.next_step(key, answers)
            assert walk.previous_step(key) == finder.previous_step(key, answers)
            assert walk.progress(key) == finder.progress(key, answers)
            assert walk.questions(key) == finder.visible_questions(key, answers)
        assert walk.outcome() == finder.outcome(answers)
        assert walk.scores() == finder.scores(answers)


def test_a_walk_cannot_be_changed_and_does_not_follow_later_changes_to_the_answers(finder):
    answers = dict(WALKER)
    walk = finder.walk(answers)
    answers["use"] = "running"
    assert "training" not in walk.path
    with pytest.raises(dataclasses.FrozenInstanceError):
        walk.path = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        walk.counted["use"] = "running"  # type: ignore[index]
    assert isinstance(walk, Walk)


def test_first_and_last_are_the_ends_of_the_path(finder):
    walk = finder.walk(WALKER)
    assert (walk.first, walk.last) == (walk.path[0], walk.path[-1])
    assert finder.first_step() == finder.walk({}).first


def test_a_step_is_passed_when_the_customer_is_later_on_the_path_or_finished(finder):
    walk = finder.walk(WALKER)
    first, second = walk.path[0], walk.path[1]
    assert walk.passed(first, second)
    assert not walk.passed(second, first)  # ahead of the customer
    assert not walk.passed(first, first)  # where the customer is
    assert walk.passed(second, None)  # finished: every step on the path is behind
    assert not walk.passed("training", None)  # off the path
    assert walk.passed(first, "training")  # the customer is on a step left off the path


def test_evaluating_a_walk_is_evaluating_its_answers(finder):
    products = [Product("a", {"support": ["high"]}), Product("b", {"support": ["neutral"]})]
    assert finder.walk(RUNNER).evaluate(products) == finder.evaluate(products, RUNNER)


def test_insights_are_those_of_the_counted_picks_of_a_step_or_of_the_whole_path():
    data = definition(
        step("a", single("q", "x", "y")),
        step("b", single("r", "x", "y", condition={"answer": "q", "equals": "x"})),
    )
    data["steps"][0]["questions"][0]["choices"][0]["insight"] = t("X means this.")
    data["steps"][1]["questions"][0]["choices"][1]["insight"] = t("Y means that.")
    assessment = compile_definition(data)

    walk = assessment.walk({"q": "x", "r": "y"})
    assert [(i.question, i.choice, i.insight) for i in walk.insights("en")] == [
        ("q", "x", "X means this."),
        ("r", "y", "Y means that."),
    ]
    assert [i.question for i in walk.insights("en", "b")] == ["r"]
    # Once "b" is off the path its answer is kept but no longer counted, so it says nothing.
    assert [i.question for i in assessment.walk({"q": "y", "r": "y"}).insights("en")] == []
