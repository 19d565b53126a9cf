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


def test_publishing_refuses_a_recall_of_an_unknown_or_later_question():
    from assessments.engine import validate_definition
    from tests.factories import definition

    data = definition()
    data["steps"][0]["why"] = {"en": "You said {answer:knees}.", "es": "Dijiste {answer:knees}."}
    data["steps"][2]["questions"][0]["help"] = {
        "en": "Earlier: {answer:use}; and {answer:ghost}.",
        "es": "Antes: {answer:use}; y {answer:ghost}.",
    }
    problems = validate_definition(data)
    by_path = {p.path: p for p in problems}
    assert set(by_path) == {"$.steps[0].why", "$.steps[2].questions[0].help"}
    assert "only asked on this step or later" in by_path["$.steps[0].why"].message
    assert "no question 'ghost'" in by_path["$.steps[2].questions[0].help"].message
