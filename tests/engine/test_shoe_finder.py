"""The shoe finder: the engine expresses a real Brooks-style assessment end to end."""

from __future__ import annotations

import pytest

from assessments.engine import compile_definition
from tests.engine.shoe_finder import RUNNER, catalogue, shoe_finder


@pytest.fixture(scope="module")
def finder():
    return compile_definition(shoe_finder())


def test_walk_or_everyday_wear_goes_straight_to_the_injuries_step(finder):
    answers = {"gender": "women", "use": "walk"}
    assert finder.next_step("about", answers) == "injuries"
    assert "training" not in finder.path(answers)


def test_running_goes_through_training_first(finder):
    assert finder.next_step("about", {"gender": "women", "use": "running"}) == "training"


def test_the_race_question_is_skipped_after_answering_health(finder):
    racing = [q.key for q in finder.visible_questions("training", {**RUNNER, "reason": "race"})]
    healthy = [q.key for q in finder.visible_questions("training", {**RUNNER, "reason": "health"})]
    assert "goal" in racing
    assert "goal" not in healthy


def test_a_hidden_answer_is_kept_by_the_caller_but_not_counted(finder):
    answers = {**RUNNER, "reason": "health", "goal": "marathon"}
    assert "goal" not in finder.counted_answers(answers)


def test_support_adds_up_distance_years_injuries_balance_and_knee_bend(finder):
    support = finder.scores(RUNNER)["support"]
    # far 2 + new runner 1 + knee 1 + wobbly 2 + knees drift in 2
    assert support.value == 8
    assert {c.question_key for c in support.contributions} == {
        "distance",
        "years",
        "injury",
        "balance",
        "knee-bend",
    }


def test_the_support_band_picks_the_category_outcome(finder):
    assert finder.scores(RUNNER)["support"].band.key == "high"
    assert finder.outcome(RUNNER).key == "stability"
    light = {**RUNNER, "balance": 5, "knee-bend": "straight"}  # 2 + 1 + 1 = 4
    assert finder.outcome(light).key == "light-support"
    easy = {**light, "distance": "short", "years": 10, "injury": None}
    assert finder.outcome(easy).key == "neutral"


def test_feel_adds_no_points_but_changes_which_model_ranks_first(finder):
    soft = finder.evaluate(catalogue(), {**RUNNER, "feel": "soft"})
    firm = finder.evaluate(catalogue(), {**RUNNER, "feel": "firm"})
    assert soft.scores["support"].value == firm.scores["support"].value
    assert soft.recommendation.recommended[0].sku == "adrenaline-w"
    assert firm.recommendation.recommended[0].sku == "glycerin-gts-w"


def test_a_feature_preference_can_lift_a_model(finder):
    neutral = {
        **RUNNER,
        "distance": "short",
        "years": 10,
        "injury": None,
        "balance": 5,
        "knee-bend": "straight",
        "feel": "firm",
    }
    plain = finder.recommend(catalogue(), neutral).recommended[0].sku
    rainy = finder.recommend(catalogue(), {**neutral, "features": ["waterproof"]})
    assert plain == "hyperion-w"
    assert rainy.recommended[0].sku == "hyperion-w"
    assert rainy.recommended[0].score > finder.recommend(catalogue(), neutral).recommended[0].score


def test_the_womens_or_mens_answer_hard_filters_products(finder):
    women = finder.recommend(catalogue(), RUNNER)
    men = finder.recommend(catalogue(), {**RUNNER, "gender": "men"})
    shown = women.recommended + women.alternatives
    assert shown and all(p.sku.endswith("-w") for p in shown)
    assert all(p.sku.endswith("-m") for p in men.recommended + men.alternatives)


def test_changing_an_earlier_answer_changes_the_path_and_the_recommendation(finder):
    walker = {**RUNNER, "use": "walk"}
    assert finder.path(RUNNER) != finder.path(walker)
    # Training answers no longer count, so support drops from High to Light.
    assert finder.scores(walker)["support"].value == 5
    assert (
        finder.recommend(catalogue(), RUNNER).recommended[0].sku
        != finder.recommend(catalogue(), walker).recommended[0].sku
    )


def test_reasons_cite_the_customers_answers(finder):
    top = finder.recommend(catalogue(), RUNNER).recommended[0]
    texts = [reason.text(finder, "en") for reason in top.reasons]
    assert texts[0] == (
        "Your support need is High: you run 30+ miles a week, you wobble on one "
        "foot, and your knees drift in. This product is made for that."
    )
    assert "You said you like a soft, cushioned feel; this one has it." in texts
    assert "It suits your profile: Stability." in texts
