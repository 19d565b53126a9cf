"""Validation tells an author every problem, where it is, in words naming the culprit."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.engine import DefinitionInvalid, compile_definition, validate_definition
from assessments.engine.problems import json_path
from assessments.engine.structure import schema, structural_problems
from tests.engine.builders import (
    definition,
    info,
    multiple,
    number,
    scale,
    single,
    step,
    t,
    trait,
)
from tests.engine.shoe_finder import shoe_finder


def problems_of(data):
    return [(p.path, p.code, p.message) for p in validate_definition(data)]


def only_problem(data):
    found = validate_definition(data)
    assert len(found) == 1, found
    return found[0]


def test_the_shoe_finder_is_valid():
    assert validate_definition(shoe_finder()) == []


# -- structure ---------------------------------------------------------------------------


def test_a_missing_member_is_named_with_its_owner():
    data = definition(step("about", single("gender", "women", "men")))
    del data["steps"][0]["questions"][0]["prompt"]
    problem = only_problem(data)
    assert problem.path == "$.steps[0].questions[0].prompt"
    assert problem.message == "Question 'gender' in step 'about' is missing 'prompt'."


def test_a_wrong_type_says_what_was_expected():
    data = definition(step("about", scale("effort")))
    data["steps"][0]["questions"][0]["scale"]["min"] = "one"
    problem = only_problem(data)
    assert problem.path == "$.steps[0].questions[0].scale.min"
    assert "must be a whole number, not a text string" in problem.message
    assert "'effort'" in problem.message


def test_a_bad_key_is_explained():
    data = definition(step("About You", single("gender", "women")))
    problem = only_problem(data)
    assert problem.path == "$.steps[0].key"
    assert "'About You'" in problem.message and "lowercase" in problem.message


def test_an_unknown_member_is_named():
    data = definition(step("about", single("gender", "women", colour="red")))
    problem = only_problem(data)
    assert problem.path == "$.steps[0].questions[0].colour"
    assert "colour" in problem.message


def test_members_of_another_kind_are_refused():
    data = definition(step("about", scale("effort", choices=[{"key": "a", "label": t("A")}])))
    problem = only_problem(data)
    assert "only these members are allowed on a scale question" in problem.message


def test_a_malformed_condition_is_explained():
    data = definition(
        step("a", single("q", "x")), step("b", single("r", "y"), condition={"answer": "q"})
    )
    problem = only_problem(data)
    assert problem.path == "$.steps[1].condition"
    assert problem.message == (
        "Step 'b': 'condition' must be a condition on 'answer' with exactly one of: equals, in, "
        "contains, range."
    )


def test_steps_must_not_be_empty():
    problem = only_problem(definition())
    assert problem.path == "$.steps" and "must not be empty" in problem.message
    data = definition(step("empty"))
    assert only_problem(data).path == "$.steps[0].questions"


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "format",
                        "key",
                        "steps",
                        "questions",
                        "kind",
                        "languages",
                        "title",
                        "choices",
                        "en",
                        "outcomes",
                        "all",
                        "answer",
                        "x",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_validation_never_raises_on_any_json(data):
    problems = validate_definition(data)
    assert isinstance(problems, list)
    assert all(p.path.startswith("$") and p.message for p in problems)


# -- references --------------------------------------------------------------------------


def test_duplicate_keys_are_reported_for_every_kind():
    data = definition(
        step("about", single("gender", "women", "women"), single("gender", "a")),
        step("about", single("other", "b")),
        traits=[trait("support"), trait("support", ("low", None, 1), ("low", 2, None))],
        hidden_fields=[{"key": "partner", "label": t("P")}, {"key": "partner", "label": t("P")}],
        products=[
            {"sku": "ghost", "name": t("Ghost"), "url": "/g", "image": "g.png"},
            {"sku": "ghost", "name": t("Ghost"), "url": "/g", "image": "g.png"},
        ],
    )
    data["outcomes"].append(copy.deepcopy(data["outcomes"][0]))
    duplicates = {p.path: p.message for p in validate_definition(data) if p.code == "duplicate"}
    assert set(duplicates) == {
        "$.steps[1].key",
        "$.steps[0].questions[1].key",
        "$.steps[0].questions[0].choices[1].key",
        "$.traits[1].key",
        "$.traits[1].bands[1].key",
        "$.outcomes[1].key",
        "$.hidden_fields[1].key",
        "$.products[1].sku",
    }
    assert "'gender'" in duplicates["$.steps[0].questions[1].key"]
    assert "'women'" in duplicates["$.steps[0].questions[0].choices[1].key"]


def test_a_condition_naming_an_unknown_choice_names_both_questions():
    data = definition(
        step("training", single("distance", "near", "mid")),
        step("more", single("mileage", "x", condition={"answer": "distance", "equals": "far"})),
    )
    problem = only_problem(data)
    assert problem.path == "$.steps[1].questions[0].condition.equals"
    assert problem.code == "unknown_choice"
    assert problem.message == (
        "Question 'mileage' in step 'more' refers to choice 'far' which question 'distance' "
        "does not have."
    )


def test_conditions_naming_unknown_questions_traits_bands_and_fields_are_reported():
    data = definition(
        step(
            "a",
            single("q", "x", "y"),
            next=[{"when": {"answer": "ghost", "equals": "x"}, "goto": "c"}],
        ),
        step("b", single("r", "x"), condition={"trait": "speed", "gt": 1}),
        step("c", single("s", "x"), condition={"field": "partner", "equals": "shop"}),
        traits=[trait("support", ("all", None, None))],
        outcomes=[
            {
                "key": "o",
                "title": t("O"),
                "description": t("O"),
                "rule": {"trait": "support", "band": "sky"},
            },
            {"key": "p", "title": t("P"), "description": t("P")},
        ],
    )
    found = {(p.path, p.code) for p in validate_definition(data)}
    assert ("$.steps[0].next[0].when.answer", "unknown_question") in found
    assert ("$.steps[1].condition.trait", "unknown_trait") in found
    assert ("$.steps[2].condition.field", "unknown_field") in found
    assert ("$.outcomes[0].rule.band", "unknown_band") in found


def test_a_condition_may_only_use_questions_asked_before_it():
    data = definition(
        step("a", single("q", "x", "y"), condition={"answer": "q", "equals": "x"}),
        step("b", single("r", "x", condition={"answer": "s", "equals": "x"}), single("s", "x")),
    )
    found = {p.path: p for p in validate_definition(data) if p.code == "question_order"}
    assert set(found) == {"$.steps[0].condition.answer", "$.steps[1].questions[0].condition.answer"}
    assert "'q'" in found["$.steps[0].condition.answer"].message


def test_a_next_rule_may_use_the_questions_of_its_own_step():
    data = definition(
        step(
            "a", single("q", "x", "y"), next=[{"when": {"answer": "q", "equals": "x"}, "goto": "c"}]
        ),
        step("b", single("r", "x")),
        step("c", single("s", "x")),
    )
    assert validate_definition(data) == []


def test_operators_must_suit_the_question_kind():
    data = definition(
        step("a", single("pace", "x"), multiple("terrain", "road"), scale("effort"), info("note")),
        step(
            "b",
            single("r", "x"),
            condition={
                "any": [
                    {"answer": "pace", "contains": "x"},
                    {"answer": "pace", "range": {"min": 1}},
                    {"answer": "terrain", "equals": "road"},
                    {"answer": "effort", "equals": "high"},
                    {"answered": "note"},
                ]
            },
        ),
    )
    found = [p for p in validate_definition(data) if p.code == "operator_kind"]
    assert [p.path for p in found] == [
        "$.steps[1].condition.any[0].contains",
        "$.steps[1].condition.any[1].range",
        "$.steps[1].condition.any[2].equals",
        "$.steps[1].condition.any[3].equals",
        "$.steps[1].condition.any[4].answered",
    ]
    assert "contains" in found[0].message and "'pace'" in found[0].message


def test_a_jump_backwards_is_a_loop():
    data = definition(
        step("a", single("q", "x")),
        step("b", single("r", "x"), next=[{"goto": "a"}]),
    )
    problem = only_problem(data)
    assert problem.path == "$.steps[1].next[0].goto"
    assert problem.code == "loop"
    assert problem.message == (
        "Step 'b' jumps back to 'a': a flow must only move forward so that it always ends."
    )


def test_a_jump_to_an_unknown_step_is_reported():
    data = definition(step("a", single("q", "x"), next=[{"goto": "nowhere"}]))
    assert only_problem(data).code == "unknown_step"


# -- reachability ------------------------------------------------------------------------


def test_an_unconditional_jump_makes_the_steps_it_passes_unreachable():
    data = definition(
        step("a", single("q", "x"), next=[{"goto": "c"}]),
        step("b", single("r", "x")),
        step("c", single("s", "x")),
    )
    problem = only_problem(data)
    assert problem.path == "$.steps[1]"
    assert problem.code == "unreachable_step"
    assert "Step 'b' can never be reached" in problem.message


def test_a_step_whose_condition_contradicts_itself_is_unreachable():
    data = definition(
        step("a", single("q", "x", "y")),
        step(
            "b",
            single("r", "x"),
            condition={"all": [{"answer": "q", "equals": "x"}, {"answer": "q", "equals": "y"}]},
        ),
    )
    problem = only_problem(data)
    assert problem.path == "$.steps[1]" and "its condition can never hold" in problem.message


def test_a_trait_condition_outside_the_achievable_scores_is_unreachable():
    data = definition(
        step("a", single("q", "x", "y", points={"y": {"speed": 3}})),
        step("b", single("r", "x"), condition={"trait": "speed", "gt": 3}),
        step("c", single("s", "x"), condition={"not": {"trait": "speed", "gte": 0}}),
        traits=[trait("speed")],
    )
    assert [p.path for p in validate_definition(data)] == ["$.steps[1]", "$.steps[2]"]


def test_a_step_is_reachable_when_a_condition_might_hold():
    data = definition(
        step("a", single("q", "x", "y", points={"y": {"speed": 3}})),
        step("b", single("r", "x"), condition={"trait": "speed", "gte": 3}),
        traits=[trait("speed")],
    )
    assert validate_definition(data) == []


def test_an_outcome_after_a_catch_all_is_unreachable():
    data = definition(step("a", single("q", "x", "y")))
    data["outcomes"] = [
        {"key": "everyone", "title": t("E"), "description": t("E")},
        {
            "key": "fast",
            "title": t("F"),
            "description": t("F"),
            "rule": {"answer": "q", "equals": "x"},
        },
    ]
    problem = only_problem(data)
    assert problem.path == "$.outcomes[1]" and problem.code == "unreachable_outcome"
    assert "'fast'" in problem.message and "'everyone'" in problem.message


def test_a_higher_priority_outcome_comes_first():
    data = definition(step("a", single("q", "x", "y")))
    data["outcomes"] = [
        {"key": "everyone", "title": t("E"), "description": t("E")},
        {
            "key": "fast",
            "title": t("F"),
            "description": t("F"),
            "priority": 1,
            "rule": {"answer": "q", "equals": "x"},
        },
    ]
    assert validate_definition(data) == []


def test_an_outcome_whose_rule_cannot_hold_is_unreachable():
    data = definition(
        step("a", single("q", "x", points={"x": {"speed": 1}})), traits=[trait("speed")]
    )
    data["outcomes"].insert(
        0,
        {
            "key": "rocket",
            "title": t("R"),
            "description": t("R"),
            "rule": {"trait": "speed", "gte": 5},
        },
    )
    problem = only_problem(data)
    assert problem.path == "$.outcomes[0].rule" and "'rocket'" in problem.message


def test_at_least_one_outcome_is_required():
    data = definition(step("a", single("q", "x")))
    del data["outcomes"]
    assert only_problem(data).code == "no_outcome"


# -- kinds, bands, translations, products ------------------------------------------------


def test_image_choices_need_an_image():
    question = single("look", "a", "b")
    question["kind"] = "image"
    question["choices"][0]["image"] = "a.png"
    problem = only_problem(definition(step("s", question)))
    assert problem.path == "$.steps[0].questions[0].choices[1].image"
    assert "'b'" in problem.message


def test_scale_number_and_pick_limits_must_make_sense():
    data = definition(
        step(
            "s",
            scale("effort", 5, 5),
            number("age", min=10, max=1),
            multiple("m", "a", "b", min_picks=3),
            multiple("n", "a", "b", "c", min_picks=2, max_picks=1),
        )
    )
    found = [(p.path, p.code) for p in validate_definition(data)]
    assert found == [
        ("$.steps[0].questions[0].scale", "scale_range"),
        ("$.steps[0].questions[1].number", "number_range"),
        ("$.steps[0].questions[2].min_picks", "picks"),
        ("$.steps[0].questions[3].min_picks", "picks"),
    ]


def test_bands_that_overlap_or_leave_gaps_are_reported():
    points = {"a": {"speed": 0}, "b": {"speed": 5}, "c": {"speed": 10}}
    data = definition(
        step("s", single("q", "a", "b", "c", points=points)),
        traits=[trait("speed", ("slow", None, 5), ("mid", 5, 6), ("fast", 11, None))],
    )
    found = {p.code: p for p in validate_definition(data)}
    assert found["band_overlap"].path == "$.traits[0].bands[1]"
    assert "'slow'" in found["band_overlap"].message and "5" in found["band_overlap"].message
    assert found["band_gap"].path == "$.traits[0].bands"
    assert "a score of 10" in found["band_gap"].message


def test_bands_need_only_cover_scores_the_answers_can_give():
    data = definition(
        step("s", single("q", "a", "b", points={"a": {"speed": 1}, "b": {"speed": 3}})),
        traits=[trait("speed", ("slow", 0, 1), ("fast", 3, 3))],
    )
    assert validate_definition(data) == []


def test_every_text_needs_every_language():
    data = definition(step("about", single("gender", "women")))
    data["languages"] = ["en", "es"]
    data["title"]["es"] = "Prueba"
    data["steps"][0]["title"]["es"] = "Sobre ti"
    data["steps"][0]["questions"][0]["prompt"]["es"] = "¿Qué horma?"
    data["outcomes"][0]["title"]["es"] = "Todos"
    data["outcomes"][0]["description"]["es"] = "Todos."
    problem = only_problem(data)
    assert problem.path == "$.steps[0].questions[0].choices[0].label"
    assert problem.code == "translation"
    assert "Spanish ('es')" in problem.message and "'women'" in problem.message


def test_products_need_an_image_a_link_and_a_price_and_fallbacks_must_exist():
    data = definition(
        step("s", single("q", "x")),
        products=[{"sku": "ghost", "name": t("Ghost")}],
        recommendation={"fallback": {"skus": ["ghost", "nope"]}},
    )
    # The schema requires them, as the validator did before it: one message each.
    found = sorted((p.path, p.code) for p in validate_definition(data))
    assert found == [
        ("$.products[0].image", "schema.required"),
        ("$.products[0].price", "schema.required"),
        ("$.products[0].url", "schema.required"),
        ("$.recommendation.fallback.skus[1]", "unknown_sku"),
    ]


def test_the_recommendation_must_name_existing_traits_and_questions():
    data = definition(
        step("s", single("q", "x"), scale("effort")),
        recommendation={
            "filters": [{"attribute": "gender", "answer": "gender"}],
            "trait_fit": [{"trait": "support", "attribute": "support", "weight": 1}],
            "preferences": [{"answer": "effort", "attribute": "feel", "weight": 1}],
        },
    )
    found = [(p.path, p.code) for p in validate_definition(data)]
    assert found == [
        ("$.recommendation.filters[0].answer", "unknown_question"),
        ("$.recommendation.preferences[0].answer", "operator_kind"),
        ("$.recommendation.trait_fit[0].trait", "unknown_trait"),
    ]


def test_a_broken_definition_lists_every_problem_not_just_the_first():
    data = shoe_finder()
    data["steps"][1]["questions"][1]["choices"][0]["key"] = "mid"  # duplicate choice
    data["steps"][3]["next"] = [{"goto": "about"}]  # loop
    data["steps"][0]["next"][0]["when"]["equals"] = "hike"  # unknown choice
    data["traits"][0]["bands"][1]["min"] = 5  # gap at 4
    data["recommendation"]["trait_fit"][0]["trait"] = "cushion"  # unknown trait
    codes = sorted(p.code for p in validate_definition(data))
    assert codes == ["band_gap", "duplicate", "loop", "unknown_choice", "unknown_trait"]
    with pytest.raises(DefinitionInvalid) as caught:
        compile_definition(data)
    assert len(caught.value.problems) == 5


def test_structural_and_semantic_problems_are_listed_together():
    data = shoe_finder()
    data["estimated_minutes"] = 0
    data["steps"][3]["next"] = [{"goto": "about"}]
    codes = {p.code for p in validate_definition(data)}
    assert codes == {"schema.minimum", "loop"}


# -- hostile definitions -------------------------------------------------------------------


def _nots(depth):
    condition = {"answered": "gender"}
    for _ in range(depth):
        condition = {"not": condition}
    return condition


def test_a_condition_nested_50000_deep_is_one_clear_problem_not_a_crash():
    data = shoe_finder()
    data["steps"][1]["condition"] = _nots(50_000)
    problem = only_problem(data)
    assert (problem.path, problem.code) == ("$.steps[1].condition", "depth")
    assert problem.message == "Step 'training': 'condition' is nested more than 100 levels deep."
    with pytest.raises(DefinitionInvalid):
        compile_definition(data)


def test_nesting_up_to_the_limit_is_checked_as_usual():
    # The definition, its steps list and the step hold the condition: 4 + 96 levels is 100.
    data = shoe_finder()
    data["steps"][1]["condition"] = _nots(96)
    assert validate_definition(data) == []
    compile_definition(data)
    data["steps"][1]["condition"] = _nots(97)
    assert only_problem(data).code == "depth"


def _deep_list(depth):
    node = []
    for _ in range(depth):
        node = [node]
    return node


@pytest.mark.parametrize(
    ("where", "path", "named"),
    [
        (("intro",), "$.intro", "The assessment: 'intro'"),
        (
            ("steps", 0, "questions", 0, "choices", 0, "label"),
            "$.steps[0].questions[0].choices[0].label",
            "Choice 'women' in question 'gender' in step 'about': 'label'",
        ),
        (("outcomes", 0, "colour"), "$.outcomes[0].colour", "Outcome 'stability': 'colour'"),
    ],
)
def test_deep_nesting_anywhere_names_the_member_it_starts_in(where, path, named):
    data = shoe_finder()
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = _deep_list(50_000)
    problem = only_problem(data)
    assert (problem.path, problem.code) == (path, "depth")
    assert problem.message == f"{named} is nested more than 100 levels deep."


def test_a_definition_that_contains_itself_is_refused():
    data = shoe_finder()
    data["outcomes"][0]["rule"] = loop = {"all": []}
    loop["all"].append(loop)
    assert only_problem(data).path == "$.outcomes[0].rule"


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_where_a_number_belongs(token):
    # Python's json reads these tokens, but they are not JSON numbers and cannot be scored, so
    # they are the only problems listed: band checks over nan scores would only add noise.
    data = shoe_finder()
    data["steps"][0]["questions"][0]["choices"][0]["points"] = json.loads(f'{{"support": {token}}}')
    data["estimated_minutes"] = json.loads(token)
    found = [(p.path, p.code, p.message) for p in validate_definition(data)]
    assert found == [
        (
            "$.estimated_minutes",
            "json",
            f"The assessment: 'estimated_minutes' must be a whole number, not {token}.",
        ),
        (
            "$.steps[0].questions[0].choices[0].points.support",
            "json",
            "Choice 'women' in question 'gender' in step 'about': 'points.support' must be a "
            f"number, not {token}.",
        ),
    ]


@pytest.mark.parametrize("big", [1e30, 10**30, 1.7e308])
def test_very_large_numbers_are_refused_with_the_range_they_must_keep(big):
    # They are numbers, but no column holds them and no score needs them (FORMAT.md's ranges).
    data = shoe_finder()
    data["estimated_minutes"] = big
    data["steps"][0]["questions"][0]["choices"][0]["points"] = {"support": -big}
    found = [(p.path, p.code, p.message) for p in validate_definition(data)]
    shown = json.dumps(big)
    assert found == [
        (
            "$.estimated_minutes",
            "schema.maximum",
            f"The assessment: 'estimated_minutes' must be at most 240 (it is {shown}).",
        ),
        (
            "$.steps[0].questions[0].choices[0].points.support",
            "schema.minimum",
            "Choice 'women' in question 'gender' in step 'about': 'points.support' must be at "
            f"least -1000 (it is -{shown}).",
        ),
    ]


def test_a_megabyte_key_is_shown_by_its_start():
    data = shoe_finder()
    data["steps"][0]["key"] = "a" * 1_000_000
    data["steps"][0]["questions"][0]["b" * 1_000_000] = True
    problems = validate_definition(data)
    assert {p.code for p in problems} == {"schema.maxLength", "schema.additionalProperties"}
    assert all(len(p.message) < 300 for p in problems)
    assert any("has an unknown member 'bbbbbbbbbb" in p.message for p in problems)


def test_a_member_name_that_is_not_unicode_text_is_named():
    data = shoe_finder()
    data["title"] = json.loads('{"\\ud800": "x"}')  # a lone surrogate, which json.loads lets in
    problem = only_problem(data)
    assert (problem.path, problem.code) == ("$.title", "json")
    assert problem.message == (
        "The assessment: 'title' has a member name that is not valid text: '\\ud800'."
    )


# -- every structural problem points at a place in the definition -------------------------


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _member_names(node):
    if isinstance(node, dict):
        yield from node.get("properties", {})
        yield from node.get("required", [])
        for value in node.values():
            yield from _member_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from _member_names(value)


MEMBER_NAMES = set(_member_names(schema()))
SHOE_PATHS = list(_paths(shoe_finder()))[1:]
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(-2, 2),
    st.sampled_from(["", "x", "Bad Key", "en", "equals", "single", "1.50", "EUR"]),
    st.just([]),
    st.just({}),
    st.just({"en": "x"}),
    st.just(["x"]),
)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(SHOE_PATHS), st.sampled_from(["set", "delete", "add"]), junk),
        min_size=1,
        max_size=3,
    )
)
def test_every_structural_problem_points_at_a_member_that_is_there_or_missing(edits):
    data = shoe_finder()
    for path, action, shared in edits:
        value = copy.deepcopy(shared)
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            if action == "set":
                parent[last] = value
            elif action == "delete":
                del parent[last]
            elif isinstance(parent[last], dict):
                parent[last]["surprise"] = value
            elif isinstance(parent[last], list):
                parent[last].append(value)
        except (KeyError, IndexError, TypeError):
            continue
    present = list(_paths(data))
    places = {json_path(p) for p in present} | {
        json_path((*p, name))
        for p in present
        if isinstance(_at(data, p), dict)
        for name in MEMBER_NAMES
    }
    for problem in structural_problems(data):
        assert problem.path in places, problem
        assert problem.message.endswith("."), problem


def _at(data, parts):
    for part in parts:
        data = data[part]
    return data
