"""A trait none of whose questions was answered is "not assessed": no band claims, no advice."""

from __future__ import annotations

from assessments.engine import Product, compile_definition
from tests.engine.builders import definition, number, single, step, trait

ASSESSMENT = compile_definition(
    definition(
        step("use", single("use", "run", "walk")),
        step(
            "running",
            number(
                "km",
                min=0,
                max=300,
                scoring=[{"min": 30, "points": {"experience": 2}}],
            ),
            condition={"answer": "use", "equals": "run"},
        ),
        step("feel", single("feel", "soft", "firm", points={"soft": {"comfort": 1}})),
        traits=[
            trait("experience", ("building", None, 1), ("seasoned", 2, None)),
            trait("comfort", ("any", None, 0), ("plush", 1, None)),
        ],
        recommendation={
            "count": 2,
            "alternatives": 0,
            "trait_fit": [
                {"trait": "experience", "attribute": "level", "weight": 3},
                {"trait": "comfort", "attribute": "cushion", "weight": 1},
            ],
        },
    )
)
PRODUCTS = [
    Product("beginner", {"level": "building", "cushion": "any"}),
    Product("racer", {"level": "seasoned", "cushion": "any"}),
]


def test_a_walker_whose_running_questions_were_skipped_is_not_assessed_on_running():
    scores = ASSESSMENT.scores({"use": "walk", "feel": "firm"})
    assert not scores["experience"].assessed
    # Picking "firm" gives comfort no points, but the question was about comfort.
    assert scores["comfort"].assessed


def test_a_runner_who_answered_is_assessed_even_with_no_points():
    scores = ASSESSMENT.scores({"use": "run", "km": 10, "feel": "firm"})
    assert scores["experience"].assessed
    assert scores["experience"].band.key == "building"


def test_a_walker_gets_no_reason_about_running_experience():
    ranked = ASSESSMENT.recommend(PRODUCTS, {"use": "walk", "feel": "firm"}).recommended
    reasons = [r for product in ranked for r in product.reasons]
    assert {r.key for r in reasons} == {"comfort"}
    texts = [r.text(ASSESSMENT, "en") for r in reasons]
    assert not any("experience" in text.lower() for text in texts)
