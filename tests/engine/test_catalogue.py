"""Each assessment's own catalogue, and variants: filtered one by one, shown once per model."""

from __future__ import annotations

from assessments.engine import Product, Variant, compile_definition
from tests.engine.builders import definition, single, step, t, trait


def finder(**recommendation):
    return definition(
        step("fit", single("gender", "women", "men"), single("size", "s38", "s42")),
        step("gait", single("gait", "flat", "neutral", points={"flat": {"support": 2}})),
        step("feel", single("feel", "soft", "firm")),
        traits=[trait("support", ("neutral", None, 1), ("stability", 2, None))],
        recommendation={
            "count": 2,
            "alternatives": 1,
            "filters": [{"attribute": "gender", "answer": "gender"}],
            "trait_fit": [{"trait": "support", "attribute": "support", "weight": 2}],
            "preferences": [{"answer": "feel", "attribute": "feel", "weight": 1}],
            **recommendation,
        },
    )


WOMAN = {"gender": "women", "size": "s38", "gait": "flat", "feel": "soft"}
MAN = {**WOMAN, "gender": "men"}

# One brand's catalogue: shoes, and socks that share the shoes' attribute names.
GUIDE = Product(
    "guide",
    {"support": "stability", "feel": "soft"},
    tags=frozenset({"shoes"}),
    variants=(
        Variant("guide-women", {"gender": "women"}),
        Variant("guide-men", {"gender": "men"}),
    ),
)
GHOST = Product(
    "ghost",
    {"support": "neutral", "feel": "soft", "gender": ["women", "men"]},
    tags=frozenset({"shoes"}),
)
CUSHION_SOCK = Product(
    "cushion-sock",
    {"support": "stability", "feel": "firm", "gender": ["women", "men"]},
    tags=frozenset({"socks"}),
)
THIN_SOCK = Product(
    "thin-sock",
    {"support": "neutral", "feel": "soft", "gender": ["women", "men"]},
    tags=frozenset({"socks"}),
)
CATALOGUE = [GUIDE, GHOST, CUSHION_SOCK, THIN_SOCK]


def shown(recommendation) -> list[str]:
    return [p.sku for p in (*recommendation.recommended, *recommendation.alternatives)]


# -- the assessment's catalogue -------------------------------------------------------------


def test_a_socks_assessment_never_recommends_the_brands_shoes_even_when_attributes_match():
    socks = compile_definition(finder(catalogue={"tags": ["socks"]}))
    result = socks.recommend(CATALOGUE, WOMAN)
    assert shown(result) == ["cushion-sock", "thin-sock"]
    # The shoe fits this runner better than any sock does, and is still left out.
    everything = compile_definition(finder()).recommend(CATALOGUE, WOMAN)
    assert shown(everything)[0] == "guide"


def test_a_catalogue_lists_products_or_variants_by_sku_beside_its_tags():
    listed = compile_definition(finder(catalogue={"tags": ["socks"], "skus": ["guide-women"]}))
    assert shown(listed.recommend(CATALOGUE, WOMAN)) == ["guide", "cushion-sock", "thin-sock"]
    only = compile_definition(finder(catalogue={"skus": ["ghost"]}))
    assert shown(only.recommend(CATALOGUE, WOMAN)) == ["ghost"]


def test_an_assessment_without_a_catalogue_recommends_from_every_product():
    result = compile_definition(finder()).recommend(CATALOGUE, WOMAN)
    assert set(shown(result)) <= {p.sku for p in CATALOGUE}
    assert len(shown(result)) == 3


def test_the_fallback_stays_inside_the_catalogue():
    socks = compile_definition(
        finder(
            catalogue={"tags": ["socks"]},
            filters=[{"attribute": "size", "answer": "size"}],
            fallback={"skus": ["guide", "thin-sock"], "message": t("Try these.")},
        )
    )
    result = socks.recommend(CATALOGUE, WOMAN)
    assert result.fallback_used and shown(result) == ["thin-sock"]


# -- variants ----------------------------------------------------------------------------


def test_the_filter_picks_the_womens_variant_and_the_model_is_ranked_once():
    result = compile_definition(finder()).recommend(CATALOGUE, WOMAN)
    guide = [p for p in result.recommended if p.sku == "guide"]
    assert len(guide) == 1 and guide[0].variant == "guide-women"
    assert shown(result).count("guide") == 1
    men = compile_definition(finder()).recommend(CATALOGUE, MAN)
    assert [p.variant for p in men.recommended if p.sku == "guide"] == ["guide-men"]
    # A product without variants is ranked as itself.
    assert next(p for p in men.alternatives if p.sku == "ghost").variant is None


def test_a_model_none_of_whose_variants_passes_is_left_out():
    womens_only = Product(
        "haven",
        {"support": "stability", "feel": "soft"},
        variants=(Variant("haven-w", {"gender": "women"}),),
    )
    result = compile_definition(finder()).recommend([womens_only, GHOST], MAN)
    assert shown(result) == ["ghost"]


def test_two_filters_need_one_variant_that_passes_both():
    # A women's 42 and a men's 38: the union of the variants has women and 38, no variant has both.
    odd = Product(
        "odd",
        {"support": "stability", "feel": "soft"},
        variants=(
            Variant("odd-w42", {"gender": "women", "size": "s42"}),
            Variant("odd-m38", {"gender": "men", "size": "s38"}),
        ),
    )
    two = compile_definition(
        finder(
            filters=[
                {"attribute": "gender", "answer": "gender"},
                {"attribute": "size", "answer": "size"},
            ]
        )
    )
    assert shown(two.recommend([odd], WOMAN)) == []
    ranked = two.recommend([odd], {**WOMAN, "size": "s42"}).recommended
    assert [(p.sku, p.variant) for p in ranked] == [("odd", "odd-w42")]


def test_variants_that_differ_in_what_is_weighed_show_the_best_fitting_one():
    # Same model, a firm and a soft version: the runner who likes soft gets the soft one.
    trainer = Product(
        "trainer",
        {"support": "stability", "gender": ["women", "men"]},
        variants=(
            Variant("trainer-firm", {"feel": "firm"}),
            Variant("trainer-soft", {"feel": "soft"}),
        ),
    )
    top = compile_definition(finder()).recommend([trainer], WOMAN).recommended[0]
    assert top.variant == "trainer-soft"
    assert [r.kind for r in top.reasons] == ["trait", "preference"]  # the variant's own feel


def test_the_fallback_shows_each_model_once_as_the_variant_that_fits():
    spec = finder(
        filters=[
            {"attribute": "gender", "answer": "gender"},
            {"attribute": "size", "answer": "size"},
        ],
        fallback={"skus": ["guide-men", "guide-women", "ghost"], "message": t("Safe choices.")},
    )
    result = compile_definition(spec).recommend([GUIDE, GHOST], {**WOMAN, "size": "s42"})
    assert result.fallback_used
    assert [(p.sku, p.variant) for p in result.recommended] == [
        ("guide", "guide-women"),
        ("ghost", None),
    ]


def test_a_fallback_naming_the_model_shows_its_variant_for_the_customer():
    spec = finder(
        filters=[
            {"attribute": "gender", "answer": "gender"},
            {"attribute": "size", "answer": "size"},
        ],
        fallback={"skus": ["guide"], "message": t("Safe choices.")},
    )
    result = compile_definition(spec).recommend([GUIDE], {**MAN, "size": "s42"})
    assert [(p.sku, p.variant) for p in result.recommended] == [("guide", "guide-men")]
