"""Question kinds live in one registry; a new kind is one module (see rating.py) and a template."""

from __future__ import annotations

import json

import pytest

from assessments import engine
from assessments.engine import (
    KINDS,
    AnswerRequired,
    NotAWholeNumber,
    OutOfRange,
    Product,
    answer_phrase,
    compile_definition,
    fill_answers,
    validate_definition,
)
from assessments.engine.kinds import BUILT_IN, SingleKind, definition_schema
from assessments.engine.structure import SCHEMA_PATH
from tests.engine.builders import definition, single, step, t, trait


def rating(key: str = "comfort", **options) -> dict:
    return {
        "key": key,
        "kind": "rating",
        "prompt": t("How comfortable were your last shoes?"),
        "rating": {"stars": 5, **options},
    }


def rated(**options) -> dict:
    """Comfort rated in stars, each giving a point of support; a step only the comfortable see."""
    return definition(
        step("feel", rating(**{"points": {"support": 1}, **options})),
        step(
            "fit",
            single("width", "narrow", "wide"),
            why=t("Since {answer:comfort}, let us check the fit."),
            condition={"answer": "comfort", "range": {"min": 4}},
        ),
        step("last", single("done", "yes")),
        traits=[trait("support", ("low", None, 2), ("high", 3, None))],
        recommendation={"trait_fit": [{"trait": "support", "attribute": "support", "weight": 1}]},
    )


def test_the_built_in_kinds_are_registered_in_the_order_the_schema_lists_them():
    listed = json.loads(SCHEMA_PATH.read_text())["$defs"]["question"]["properties"]["kind"]
    assert list(KINDS) == listed["enum"] == [kind.name for kind in BUILT_IN]


def test_the_schema_file_is_what_the_built_in_kinds_make_of_it():
    # The file in the repository is canonical: regenerating it from the registry changes nothing.
    on_file = json.loads(SCHEMA_PATH.read_text())
    assert definition_schema(on_file) == on_file


def test_a_kind_name_is_registered_only_once():
    with pytest.raises(ValueError, match="already registered"):
        engine.register(SingleKind())


def test_a_kind_nobody_registered_is_refused_with_the_kinds_there_are():
    found = {p.path: p.message for p in validate_definition(rated())}
    assert (
        '"single", "multiple", "image", "scale", "number", "text", "info"'
        in (found["$.steps[0].questions[0].kind"])
    )
    assert found["$.steps[0].questions[0].rating"].endswith("has an unknown member 'rating'.")


def test_a_registered_kind_is_in_the_published_schema_with_its_members(rating_kind):
    question = engine.schema()["$defs"]["question"]
    assert question["properties"]["kind"]["enum"][-1] == "rating"
    assert question["properties"]["rating"] == rating_kind.member_schemas["rating"]
    assert validate_definition(rated()) == []


def test_a_registered_kind_refuses_members_of_other_kinds(rating_kind):
    data = rated()
    data["steps"][0]["questions"][0]["choices"] = [{"key": "x", "label": t("X")}]
    (problem,) = validate_definition(data)
    assert problem.message.endswith(
        "only these members are allowed on a rating question: key, kind, prompt, help, "
        "required, condition, rating."
    )


def test_a_new_kind_compiles_into_questions_that_know_their_kind(rating_kind):
    question = compile_definition(rated()).question("comfort")
    assert question.kind == "rating"
    assert question.behaviour is rating_kind
    assert question.answerable and not question.has_choices
    assert (question.min, question.max, question.required) == (1, 5, True)


def test_a_new_kind_cleans_answers_with_the_usual_errors(rating_kind):
    clean = compile_definition(rated()).clean_answer
    assert clean("comfort", " 4 ") == 4
    with pytest.raises(AnswerRequired):
        clean("comfort", "")
    with pytest.raises(OutOfRange) as caught:
        clean("comfort", "9")
    assert caught.value.message == "Please enter a value between 1 and 5."
    for wrong in ("three", "2.5", ["1", "2"], True):
        with pytest.raises(NotAWholeNumber):
            clean("comfort", wrong)


def test_a_new_kind_scores_and_its_answers_steer_the_flow(rating_kind):
    assessment = compile_definition(rated())
    scores = assessment.scores({"comfort": 4})
    assert scores["support"].value == 4.0
    assert scores["support"].band.key == "high"
    assert assessment.path({"comfort": 4}) == ("feel", "fit", "last")
    assert assessment.path({"comfort": 2}) == ("feel", "last")
    # A stored value that no longer fits (here: more stars than there are) is ignored.
    assert assessment.scores({"comfort": 7})["support"].value == 0.0


def test_a_new_kind_words_its_answers_for_recalls_and_reasons(rating_kind):
    assessment = compile_definition(rated())
    assert answer_phrase(assessment, "comfort", 4, "en") == "4 of 5 stars"
    assert answer_phrase(assessment, "comfort", 4, "es") == "4 de 5 estrellas"
    why = assessment.text(assessment.step("fit").why, "en")
    assert fill_answers(why, assessment, {"comfort": 5}, "en") == (
        "Since 5 of 5 stars, let us check the fit."
    )

    recalled = compile_definition(rated(recall=t("you gave your last shoes {stars} stars")))
    assert answer_phrase(recalled, "comfort", 4, "en") == "you gave your last shoes 4 stars"
    result = recalled.evaluate([Product("cushy", {"support": "high"})], {"comfort": 4})
    (reason,) = result.recommendation.recommended[0].reasons
    assert reason.text(recalled, "en") == (
        "Your support is High: you gave your last shoes 4 stars. This product is made for that."
    )


def test_a_new_kind_reports_its_own_problems_and_the_usual_ones(rating_kind):
    data = rated(stars=12, points={"support": 1, "speed": 1}, recall={"de": "Sterne"})
    data["steps"][1]["condition"] = {
        "any": [
            {"answer": "comfort", "contains": "4"},
            {"answer": "comfort", "equals": "high"},
        ]
    }
    found = {(p.path, p.code): p.message for p in validate_definition(data)}
    assert found["$.steps[0].questions[0].rating.stars", "rating_stars"] == (
        "Question 'comfort' in step 'feel' has 12 stars; at most 10 can be told apart."
    )
    assert ("$.steps[0].questions[0].rating.points.speed", "unknown_trait") in found
    assert ("$.steps[0].questions[0].rating.recall", "translation") in found
    assert (
        "'contains' is only for multiple-choice questions"
        in (found["$.steps[1].condition.any[0].contains", "operator_kind"])
    )
    assert found["$.steps[1].condition.any[1].equals", "operator_kind"].endswith(
        "with 'high', which is not a number of stars."
    )


def test_a_new_kind_takes_part_in_the_static_checks(rating_kind):
    # Five stars give 1 to 5 points of support: 5 is reachable, more is not, and 5 needs a band.
    data = rated()
    data["traits"] = [trait("support", ("low", None, 2), ("high", 3, 4))]
    data["outcomes"][:0] = [
        {"key": key, "title": t(key), "description": t(key), "rule": rule}
        for key, rule in (
            ("all-stars", {"trait": "support", "gte": 5}),
            ("more-than-all", {"trait": "support", "gt": 5}),
        )
    ]
    found = [(p.path, p.code) for p in validate_definition(data)]
    assert found == [
        ("$.outcomes[1].rule", "unreachable_outcome"),
        ("$.traits[0].bands", "band_gap"),
    ]


def test_a_new_kind_lays_out_its_widget(rating_kind):
    question = compile_definition(rated()).question("comfort")
    widget = question.behaviour.widget(question, 3)
    assert widget.template == "tests/rating.html"
    assert widget.input_type == "radio"
    assert [(o.key, o.label, o.checked) for o in widget.options][2:4] == [
        ("3", "★★★", True),
        ("4", "★★★★", False),
    ]
