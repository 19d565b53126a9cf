"""The flow: which steps a customer visits, where they are, and what they see."""

from __future__ import annotations

import pytest

from assessments.engine import compile_cached, compile_definition, schema
from tests.engine.builders import definition, info, single, step, t
from tests.engine.shoe_finder import RUNNER, shoe_finder


@pytest.fixture(scope="module")
def finder():
    return compile_definition(shoe_finder())


def test_the_flow_starts_at_the_first_step(finder):
    assert finder.first_step() == "about"


def test_next_and_previous_follow_the_current_path(finder):
    walker = {"gender": "men", "use": "walk"}
    assert finder.next_step("about", walker) == "injuries"
    assert finder.previous_step("injuries", walker) == "about"
    assert finder.previous_step("about", walker) is None
    assert finder.next_step("preferences", walker) is None


def test_previous_from_a_step_left_behind_returns_to_the_path(finder):
    # The customer was on training, went back and chose "walk": training is off the path.
    walker = {"gender": "men", "use": "walk"}
    assert finder.previous_step("training", walker) == "about"
    assert finder.next_step("training", walker) == "injuries"


def test_progress_is_honest_under_branching(finder):
    runner = finder.progress("injuries", RUNNER)
    walker = finder.progress("injuries", {"gender": "men", "use": "walk"})
    assert (runner.index, runner.total) == (2, 5)
    assert (walker.index, walker.total) == (1, 4)
    assert walker.number == 2 and walker.percent == 25


def test_progress_names_the_sections_on_the_path_and_the_current_one(finder):
    walker = finder.progress("tests", {"gender": "men", "use": "walk"})
    assert [s.key for s in walker.sections] == ["You", "Body", "Feel"]
    assert [s.key for s in walker.sections if s.current] == ["Body"]
    assert [s.key for s in walker.sections if s.done] == ["You"]


def test_a_step_whose_questions_are_all_hidden_is_passed_over():
    assessment = compile_definition(
        definition(
            step("a", single("q", "x", "y")),
            step("b", single("r", "x", condition={"answer": "q", "equals": "x"})),
            step("c", single("s", "x")),
        )
    )
    assert assessment.path({"q": "y"}) == ("a", "c")
    assert assessment.path({"q": "x"}) == ("a", "b", "c")


def test_an_information_step_is_visited():
    assessment = compile_definition(
        definition(step("a", single("q", "x")), step("b", info("shoes-off")))
    )
    assert assessment.path({}) == ("a", "b")


def test_hidden_fields_can_route_the_flow():
    assessment = compile_definition(
        definition(
            step("a", single("q", "x")),
            step(
                "partner-offer",
                single("r", "x"),
                condition={"field": "partner", "equals": "runshop"},
            ),
            hidden_fields=[{"key": "partner", "label": t("Partner")}],
        )
    )
    assert assessment.path({}, {"partner": "runshop"}) == ("a", "partner-offer")
    assert assessment.path({}, {}) == ("a",)
    assert assessment.first_step({"partner": "runshop"}) == "a"


def test_invalid_stored_answers_are_ignored_not_trusted(finder):
    counted = finder.counted_answers({"gender": "robot", "use": "walk", "injury": "knee"})
    assert counted == {"use": "walk"}


def test_texts_fall_back_to_the_default_language_then_nothing(finder):
    assert finder.text({"en": "Hello", "es": "Hola"}, "es") == "Hola"
    assert finder.text({"en": "Hello", "es": "Hola"}, "es-MX") == "Hola"
    assert finder.text({"en": "Hello"}, "fr") == "Hello"
    assert finder.text(None, "en") == ""


def test_a_compiled_assessment_cannot_be_changed(finder):
    with pytest.raises(AttributeError):
        finder.key = "other"
    with pytest.raises(TypeError):
        finder.steps[0].questions[0].prompt["en"] = "changed"


def test_lookups_by_key(finder):
    assert finder.step("tests").questions[1].key == "balance"
    assert finder.question("balance").kind == "scale"
    assert finder.question("nope") is None
    assert [t.key for t in finder.traits] == ["support"]
    assert finder.languages == ("en",) and finder.default_language == "en"


def test_compile_cached_compiles_once_per_content_hash():
    first = compile_cached("hash-1", shoe_finder())
    assert compile_cached("hash-1", {"not": "even valid"}) is first
    assert compile_cached("hash-2", shoe_finder()) is not first


def test_the_schema_is_published_with_the_engine():
    assert schema()["$schema"].endswith("2020-12/schema")
