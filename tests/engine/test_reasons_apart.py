"""Reasons that tell products apart: the customer's words, strongest first, no points, and why
the top pick comes before the next one."""

from __future__ import annotations

from assessments.engine import Product, compile_definition
from tests.engine.builders import definition, multiple, single, step, t, trait


def _said(key: str, recalls: dict[str, str], points: dict[str, dict[str, float]] | None = None):
    question = single(key, *recalls, points=points)
    for choice in question["choices"]:
        choice["recall"] = t(recalls[choice["key"]])
    return question


def finder(**recommendation):
    return compile_definition(
        definition(
            step(
                "run",
                _said(
                    "miles",
                    {"few": "you run a little", "many": "you run most days"},
                    points={"few": {"support": 1}, "many": {"support": 1}},
                ),
                _said(
                    "knees",
                    {"in": "your knees drift in", "out": "your knees track straight"},
                    points={"in": {"support": 3}, "out": {"support": -1}},
                ),
                _said(
                    "feel",
                    {"soft": "you like a soft feel", "firm": "you like a firm feel"},
                ),
            ),
            traits=[trait("support", ("low", None, 0), ("some", 1, 2), ("high", 3, None))],
            recommendation={
                "count": 1,
                "alternatives": 2,
                "trait_fit": [{"trait": "support", "attribute": "support", "weight": 2}],
                "preferences": [{"answer": "feel", "attribute": "feel", "weight": 1}],
                **recommendation,
            },
        )
    )


RUNNER = {"miles": "many", "knees": "in", "feel": "soft"}


def texts(assessment, product, language="en"):
    return [reason.text(assessment, language) for reason in product.reasons]


def test_the_strongest_answer_is_cited_first_and_no_points_are_shown():
    assessment = finder()
    top = assessment.recommend([Product("guide", {"support": "high"})], RUNNER).recommended[0]
    assert texts(assessment, top) == [
        "Your support is High: your knees drift in, and you run most days. "
        "This product is made for that."
    ]


def test_a_low_band_cites_what_held_it_down_not_what_pulled_the_other_way():
    assessment = finder()
    answers = {"miles": "many", "knees": "out", "feel": "soft"}  # 1 - 1: the low band
    top = assessment.recommend([Product("light", {"support": "low"})], answers).recommended[0]
    assert texts(assessment, top)[0] == (
        "Your support is Low: your knees track straight. This product is made for that."
    )


def test_each_product_says_what_makes_it_fit_and_the_top_pick_why_it_beats_the_second():
    assessment = finder()
    shoes = [
        Product("guide", {"support": "high", "feel": "soft"}),
        Product("brace", {"support": "high", "feel": "firm"}),
    ]
    result = assessment.recommend(shoes, RUNNER)
    (top,), (second,) = result.recommended, result.alternatives
    assert texts(assessment, top)[1] == "You said you like a soft feel; this one has it."
    assert len(texts(assessment, second)) == 1  # its support fit, and no claim about feel
    assert top.edge.text(assessment, "en", "Brace") == (
        "It comes before Brace because it matches what you said: you like a soft feel."
    )
    assert second.edge is None


def test_a_closer_fit_is_the_edge_when_preferences_are_equal():
    assessment = finder()
    shoes = [
        Product("guide", {"support": "high", "feel": "soft"}),
        Product("middle", {"support": "some", "feel": "soft"}),
    ]
    top = assessment.recommend(shoes, RUNNER).recommended[0]
    assert top.edge.text(assessment, "en", "Middle") == (
        "It comes before Middle because it is made for your support."
    )
    assert top.edge.text(assessment, "es", "Middle") == (
        "Va antes que Middle porque está hecho para tu support."
    )


def test_an_equal_fit_says_so_and_credits_the_brand_when_its_priority_decided():
    assessment = finder()
    twins = [Product("aaa", {"support": "high"}), Product("zzz", {"support": "high"})]
    top = assessment.recommend(twins, RUNNER).recommended[0]
    assert top.edge.text(assessment, "en", "Zzz") == "Zzz fits you just as well."

    twins[1] = Product("zzz", {"support": "high"}, priority=2)
    top = assessment.recommend(twins, RUNNER).recommended[0]
    assert top.sku == "zzz"
    assert top.edge.text(assessment, "en", "Aaa") == (
        "Aaa fits you just as well; this one is the brand's first choice."
    )
    assert top.edge.text(assessment, "en") == (
        "The next one fits you just as well; this one is the brand's first choice."
    )


def test_only_the_picks_the_runner_up_lacks_are_cited_as_the_edge():
    assessment = compile_definition(
        definition(
            step("s", multiple("terrain", "road", "trail", "track")),
            recommendation={
                "count": 2,
                "alternatives": 0,
                "preferences": [{"answer": "terrain", "attribute": "terrain", "weight": 1}],
            },
        )
    )
    shoes = [
        Product("all", {"terrain": ["road", "trail"]}),
        Product("road", {"terrain": ["road"]}),
    ]
    top = assessment.recommend(shoes, {"terrain": ["road", "trail"]}).recommended[0]
    assert top.edge.text(assessment, "en", "Road") == (
        "It comes before Road because it matches what you said: you chose “Trail”."
    )
