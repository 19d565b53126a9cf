"""Cleaning what a form sends: normalised values, and typed errors a view can word."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.engine import (
    AnswerError,
    AnswerRequired,
    NotAnswerable,
    NotANumber,
    OutOfRange,
    TooFewPicks,
    TooLong,
    TooManyPicks,
    UnknownChoice,
    UnknownQuestion,
    compile_definition,
)
from tests.engine.builders import definition, info, multiple, number, scale, single, step, text

ASSESSMENT = compile_definition(
    definition(
        step(
            "only",
            single("pace", "easy", "fast"),
            single("maybe", "yes", "no", required=False),
            multiple("terrain", "road", "trail", "track", min_picks=1, max_picks=2),
            multiple("extras", "socks", "laces", required=False),
            scale("effort", 1, 10),
            number("weight", min=30, max=200, unit={"en": "kg"}),
            number("years", min=0, max=80, integer=True, required=False),
            text("note", required=False, text={"max_length": 10}),
            info("shoes-off"),
        )
    )
)
clean = ASSESSMENT.clean_answer


def test_a_single_choice_is_stored_as_its_key():
    assert clean("pace", " fast ") == "fast"


def test_a_required_question_left_blank_asks_for_an_answer():
    with pytest.raises(AnswerRequired) as caught:
        clean("pace", "")
    assert caught.value.code == "required"
    assert caught.value.question_key == "pace"
    assert caught.value.message == "Please answer this question."


def test_an_optional_question_left_blank_is_none():
    assert clean("maybe", "") is None
    assert clean("extras", []) is None
    assert clean("years", "  ") is None
    assert clean("note", "") is None


def test_a_choice_that_is_not_offered_is_refused():
    with pytest.raises(UnknownChoice) as caught:
        clean("pace", "sideways")
    assert caught.value.params["choice"] == "sideways"


def test_multiple_picks_come_back_in_choice_order_without_repeats():
    assert clean("terrain", ["trail", "road", "trail"]) == ["road", "trail"]


def test_multiple_accepts_a_lone_string():
    assert clean("terrain", "track") == ["track"]


def test_too_many_and_too_few_picks_are_refused():
    with pytest.raises(TooManyPicks) as caught:
        clean("terrain", ["road", "trail", "track"])
    assert caught.value.params["max_picks"] == 2
    strict = compile_definition(definition(step("s", multiple("m", "a", "b", "c", min_picks=2))))
    with pytest.raises(TooFewPicks):
        strict.clean_answer("m", ["a"])


def test_a_scale_answer_is_a_whole_number_within_its_ends():
    assert clean("effort", "7") == 7
    assert clean("effort", "7.0") == 7
    with pytest.raises(OutOfRange) as caught:
        clean("effort", "11")
    assert caught.value.params == {"min": "1", "max": "10", "value": 11}
    with pytest.raises(NotANumber):
        clean("effort", "7.5")


def test_a_number_answer_accepts_decimals_and_a_decimal_comma():
    assert clean("weight", "72.5") == 72.5
    assert clean("weight", "72,5") == 72.5
    assert clean("weight", "72") == 72
    assert isinstance(clean("weight", "72"), int)


def test_an_integer_number_refuses_fractions():
    with pytest.raises(NotANumber) as caught:
        clean("years", "2.5")
    assert caught.value.code == "not_a_whole_number"


@pytest.mark.parametrize(
    "raw", ["abc", "NaN", "inf", "-Infinity", "1e999", "1_000", "0x10", "9" * 5000]
)
def test_things_that_are_not_numbers_are_refused(raw):
    with pytest.raises(NotANumber):
        clean("weight", raw)


def test_numbers_written_in_other_scripts_are_understood():
    assert clean("effort", "\u0667") == 7  # Arabic-Indic seven


def test_text_is_stripped_and_limited():
    assert clean("note", "  hello  ") == "hello"
    with pytest.raises(TooLong) as caught:
        clean("note", "x" * 11)
    assert caught.value.params["max_length"] == 10


def test_an_information_step_has_nothing_to_answer():
    with pytest.raises(NotAnswerable):
        clean("shoes-off", "")


def test_an_unknown_question_is_refused():
    with pytest.raises(UnknownQuestion):
        clean("nope", "x")


def test_clean_step_collects_values_and_errors_by_question():
    values, errors = ASSESSMENT.clean_step(
        "only",
        {"pace": "fast", "terrain": ["road"], "effort": "99", "weight": "80"},
        {},
    )
    assert values["pace"] == "fast"
    assert values["maybe"] is None
    assert set(errors) == {"effort"}
    assert isinstance(errors["effort"], OutOfRange)
    assert "shoes-off" not in values


def test_clean_step_uses_fresh_answers_for_questions_shown_on_the_same_step():
    follow_up = compile_definition(
        definition(
            step(
                "s",
                single("hurt", "yes", "no"),
                text("where", condition={"answer": "hurt", "equals": "yes"}),
            )
        )
    )
    _, errors = follow_up.clean_step("s", {"hurt": "yes", "where": ""}, {})
    assert set(errors) == {"where"}
    values, errors = follow_up.clean_step("s", {"hurt": "no", "where": ""}, {})
    assert errors == {} and "where" not in values


raw_values = st.one_of(
    st.text(max_size=50),
    st.text(alphabet="0123456789.,eE+- ", max_size=30),
    st.sampled_from(
        [
            "NaN",
            "nan",
            "inf",
            "-inf",
            "1e999",
            "-1e999",
            "1e-999",
            "",
            " ",
            "\u0661\u0662",
            "\uff11\uff12",
            "7",
            "7.0",
            "1,5",
            "x" * 100_000,
            "9" * 100_000,
        ]
    ),
    st.lists(
        st.one_of(st.text(max_size=10), st.sampled_from(["road", "trail", "track", "fast", "a"])),
        max_size=6,
    ),
    st.none(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=400, deadline=None)
@given(
    key=st.sampled_from([q.key for q in ASSESSMENT.steps[0].questions] + ["nope"]), raw=raw_values
)
def test_cleaning_never_raises_anything_but_an_answer_error(key, raw):
    try:
        value = clean(key, raw)
    except AnswerError as error:
        assert error.code and error.message and error.question_key == key
        return
    question = ASSESSMENT.question(key)
    if value is None:
        assert not question.required
    elif question.kind in ("scale", "number"):
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        assert question.min is None or value >= question.min
        assert question.max is None or value <= question.max
    elif question.kind == "multiple":
        assert value == sorted(set(value), key=list(question.choice_index).index)
    elif question.kind == "single":
        assert value in question.choice_index
