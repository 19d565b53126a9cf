"""The flow map: every step in order, where each goes and when, in the author's words."""

from __future__ import annotations

from assessments.engine.flowmap import condition_words, flow_map
from tests.engine.builders import definition, multiple, number, single, step, t, trait
from tests.engine.shoe_finder import shoe_finder


def branching(**extra):
    return definition(
        step(
            "use",
            single("use", "run", "walk"),
            next=[{"when": {"answer": "use", "equals": "walk"}, "goto": "fit"}],
        ),
        step("training", number("km", min=0, max=200)),
        step(
            "trail",
            single("grip", "yes", "no"),
            condition={"answer": "km", "range": {"min": 20}},
        ),
        step("fit", single("width", "narrow", "wide")),
        **extra,
    )


def test_every_step_is_listed_in_order_with_its_ways_on():
    flow = flow_map(branching())
    assert [s.key for s in flow.steps] == ["use", "training", "trail", "fit"]
    use = flow.step("use")
    assert [(e.target, e.words, e.jump) for e in use.edges] == [
        ("fit", "if “use” is Walk", True),
        ("training", "otherwise", False),
    ]
    assert [(e.target, e.words) for e in flow.step("fit").edges] == [(None, "then")]


def test_a_step_condition_is_written_out():
    assert flow_map(branching()).step("trail").condition == "“km” is at least 20"


def test_a_rule_without_a_condition_always_jumps_and_the_skipped_step_is_flagged():
    data = branching()
    data["steps"][0]["next"] = [{"goto": "fit"}]
    flow = flow_map(data)
    assert [(e.target, e.words) for e in flow.step("use").edges] == [("fit", "always")]
    unreachable = {s.key: s.unreachable for s in flow.steps if s.unreachable}
    assert set(unreachable) == {"training", "trail"}
    assert "can never be reached" in unreachable["training"]


def test_conditions_name_traits_bands_fields_and_picks_in_words():
    data = definition(
        step("s", multiple("goals", "speed", "comfort")),
        traits=[trait("support", ("low", None, 1), ("high", 2, None))],
        hidden_fields=[{"key": "partner", "label": t("Partner")}],
    )
    said = condition_words(
        {
            "all": [
                {"answer": "goals", "contains": "speed"},
                {"any": [{"trait": "support", "band": "high"}, {"trait": "support", "gt": 3}]},
                {"not": {"field": "partner", "in": ["club", "shop"]}},
            ]
        },
        data,
    )
    assert said == (
        "“goals” includes Speed and (Support is High or Support is above 3) "
        "and not Partner is “club” or “shop”"
    )


def test_a_broken_draft_still_maps_without_raising():
    data = branching()
    data["steps"][0]["next"] = [{"when": {"answer": "nowhere"}, "goto": "missing"}]
    data["steps"][2]["condition"] = {"weird": True}
    flow = flow_map(data)
    assert [(e.target, e.words) for e in flow.step("use").edges] == [("training", "then")]
    assert flow.step("trail").condition == "an unreadable condition"


def test_the_shoe_finder_maps_its_walking_shortcut():
    flow = flow_map(shoe_finder())
    jumps = [(s.key, e.target) for s in flow.steps for e in s.edges if e.jump]
    assert jumps == [("about", "injuries")]
    assert not [s for s in flow.steps if s.unreachable]
