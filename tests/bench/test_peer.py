"""The peer the benchmark measures the product against asks what the product asks: the same
steps, questions, choices and limits of the demo shoe finder, and the same branching."""

from __future__ import annotations

from assessments.engine import compile_cached
from tests.bench.peer.forms import load, step_forms


def test_each_step_has_the_products_questions_and_choices():
    definition = load()
    forms = dict(step_forms(definition))
    assert list(forms) == [step["key"] for step in definition["steps"]]
    for step in definition["steps"]:
        fields = forms[step["key"]]().fields
        asked = [q for q in step["questions"] if q["kind"] != "info"]
        assert list(fields) == [q["key"] for q in asked]
        for question in asked:
            field = fields[question["key"]]
            # A footprint photo is never required: without one the drawings are asked.
            required = question.get("required", True) and question["kind"] != "footprint"
            assert field.required == required
            if question.get("choices"):
                assert [key for key, _label in field.choices] == [
                    c["key"] for c in question["choices"]
                ]


def test_the_peer_drops_a_conditional_question_where_the_product_does():
    definition = load()
    training = dict(step_forms(definition))["training"]
    assessment = compile_cached("peer-test", definition)
    for goal in ("health", "faster"):
        asked_by_product = [
            q.key for q in assessment.visible_questions("training", {"goal": goal}, {})
        ]
        assert list(training(answers={"goal": goal}).fields) == asked_by_product


def test_the_peer_refuses_what_the_product_refuses():
    forms = dict(step_forms(load()))
    too_many = forms["injuries"](
        data={"injuries-injuries": ["knee", "shin", "ankle", "achilles"]}, prefix="injuries"
    )
    assert not too_many.is_valid()
    too_far = forms["mileage"](
        data={"mileage-weekly_km": "900", "mileage-legs_after": "3"}, prefix="mileage"
    )
    assert not too_far.is_valid()
    fine = forms["mileage"](
        data={"mileage-weekly_km": "30", "mileage-legs_after": "3"}, prefix="mileage"
    )
    assert fine.is_valid()
