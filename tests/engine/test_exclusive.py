"""Exclusive choices ("none of these"): picked alone or not at all."""

from __future__ import annotations

import pytest

from assessments.engine import ExclusiveCombined, compile_definition, validate_definition
from tests.engine.builders import definition, multiple, single, step


def injuries(**extra):
    question = multiple("injuries", "ankle", "knee", "none", **extra)
    question["choices"][2]["exclusive"] = True
    return question


ASSESSMENT = compile_definition(definition(step("only", injuries())))


def test_none_of_these_with_another_injury_is_refused_naming_the_choice():
    with pytest.raises(ExclusiveCombined) as caught:
        ASSESSMENT.clean_answer("injuries", ["ankle", "none"])
    assert caught.value.params["choice"] == "none"
    assert caught.value.params["label"] == {"en": "None"}


def test_none_of_these_alone_is_accepted():
    assert ASSESSMENT.clean_answer("injuries", ["none"]) == ["none"]


def test_several_ordinary_choices_are_still_accepted():
    assert ASSESSMENT.clean_answer("injuries", ["knee", "ankle"]) == ["ankle", "knee"]


def test_the_page_is_told_which_choice_is_exclusive():
    question = ASSESSMENT.question("injuries")
    widget = question.behaviour.widget(question, None)
    assert [o.key for o in widget.options if o.exclusive] == ["none"]


def test_an_exclusive_choice_on_a_single_choice_question_is_refused():
    question = single("pace", "easy", "fast")
    question["choices"][0]["exclusive"] = True
    found = validate_definition(definition(step("only", question)))
    assert [p.code for p in found] == ["exclusive_misplaced"]
    assert "only a multiple-choice question's choices can be" in found[0].message


def test_an_exclusive_choice_that_could_never_be_picked_is_refused():
    found = validate_definition(definition(step("only", injuries(min_picks=2))))
    assert [p.code for p in found] == ["picks"]
    assert "could never be chosen" in found[0].message


def test_a_choice_that_is_not_exclusive_keeps_the_definition_valid():
    assert validate_definition(definition(step("only", injuries()))) == []
