"""Later prompts recall earlier answers through `{answer:question_key}`."""

from __future__ import annotations

from assessments.engine import answer_phrase, compile_definition, fill_answers
from tests.factories import definition

ASSESSMENT = compile_definition(definition())


def test_a_choice_is_recalled_by_its_recall_phrase_in_the_language_asked():
    assert answer_phrase(ASSESSMENT, "use", "run", "en") == "you run"
    assert answer_phrase(ASSESSMENT, "use", "run", "es") == "you run (es)"


def test_a_choice_without_a_recall_phrase_is_recalled_by_its_label():
    assert answer_phrase(ASSESSMENT, "knees", "no", "en") == "No"


def test_a_number_is_recalled_with_its_unit():
    assert answer_phrase(ASSESSMENT, "km", 42, "en") == "42 km"


def test_placeholders_are_filled_from_counted_answers_and_unknown_ones_vanish():
    text = "Since {answer:use} about {answer:km}, and {answer:knees}{answer:nope}."
    filled = fill_answers(text, ASSESSMENT, {"use": "run", "km": 12.5}, "en")
    assert filled == "Since you run about 12.5 km, and ."


def test_text_without_placeholders_is_returned_as_is():
    text = "No {braces:here}"
    assert fill_answers(text, ASSESSMENT, {"use": "run"}, "en") is text
