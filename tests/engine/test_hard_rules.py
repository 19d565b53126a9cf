"""Hard rules by band or outcome, no filler, and the brand's priority before the sku."""

from __future__ import annotations

from assessments.engine import Product, compile_definition, validate_definition
from tests.engine.builders import definition, single, step, t, trait


def finder(**recommendation):
    return definition(
        step("gait", single("gait", "flat", "neutral", points={"flat": {"support": 2}})),
        step("feel", single("feel", "soft", "firm")),
        traits=[trait("support", ("neutral", None, 1), ("stability", 2, None))],
        outcomes=[
            {
                "key": "stable",
                "title": t("Stable"),
                "description": t("."),
                "rule": {"trait": "support", "band": "stability"},
                "priority": 1,
            },
            {"key": "free", "title": t("Free"), "description": t(".")},
        ],
        recommendation={
            "count": 3,
            "alternatives": 0,
            "preferences": [{"answer": "feel", "attribute": "feel", "weight": 1}],
            **recommendation,
        },
    )


SHOES = [
    Product("guide", {"category": "stability", "feel": "soft", "fits": ["stable"]}),
    Product("ghost", {"category": "neutral", "feel": "soft", "fits": ["free"]}),
    Product("glide", {"category": "neutral", "feel": "firm", "fits": ["free"]}),
]


def test_support_runners_see_only_support_shoes():
    assessment = compile_definition(finder(filters=[{"attribute": "category", "trait": "support"}]))
    ranked = assessment.recommend(SHOES, {"gait": "flat", "feel": "soft"}).recommended
    assert [p.sku for p in ranked] == ["guide"]


def test_a_filter_on_the_outcome_keeps_only_products_for_it():
    assessment = compile_definition(finder(filters=[{"attribute": "fits", "outcome": True}]))
    ranked = assessment.recommend(SHOES, {"gait": "neutral", "feel": "soft"}).recommended
    assert [p.sku for p in ranked] == ["ghost"]


def test_a_product_that_matches_nothing_said_is_not_recommended_and_fewer_are_shown():
    assessment = compile_definition(finder())
    result = assessment.recommend(SHOES, {"gait": "neutral", "feel": "firm"})
    assert [p.sku for p in result.recommended] == ["glide"]
    assert result.fewer and not result.fallback_used


def test_the_brands_priority_breaks_a_tie_before_the_sku():
    assessment = compile_definition(finder())
    shoes = [
        Product("aaa", {"feel": "soft"}),
        Product("zzz", {"feel": "soft"}, priority=5),
    ]
    ranked = assessment.recommend(shoes, {"gait": "neutral", "feel": "soft"}).recommended
    assert [p.sku for p in ranked] == ["zzz", "aaa"]


def test_a_filter_on_an_unknown_trait_or_naming_nothing_is_refused():
    found = validate_definition(
        finder(filters=[{"attribute": "category", "trait": "arch"}, {"attribute": "category"}])
    )
    messages = [p.message for p in found]
    assert any("filter on trait 'arch', which does not exist" in m for m in messages)
    assert any("Filter 2 of the recommendation must name exactly one" in m for m in messages)
