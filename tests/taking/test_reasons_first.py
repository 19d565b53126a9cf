"""A product card shows its first reason: it should be one that tells it apart."""

from __future__ import annotations

from assessments.taking.display import ProductResult, apart


def card(sku: str, *reasons: str) -> ProductResult:
    return ProductResult(
        sku=sku,
        name=sku.title(),
        description="",
        url="",
        price="€100.00",
        thumbnail=None,
        image=None,
        reasons=list(reasons),
    )


SUPPORT = "Your support need is Neutral. This product is made for that."


def test_a_reason_every_recommended_product_shares_goes_behind_the_ones_it_alone_has():
    shown = [
        card("loam", SUPPORT, "Your terrain is trails. This product is made for that."),
        card("boulevard", SUPPORT, "It suits your profile: Neutral cruiser."),
    ]
    first = [product.reasons[0] for product in apart(shown, shown)]
    assert first == [
        "Your terrain is trails. This product is made for that.",
        "It suits your profile: Neutral cruiser.",
    ]
    # Nothing is dropped: the shared reason is still there, after.
    assert [product.reasons[-1] for product in apart(shown, shown)] == [SUPPORT, SUPPORT]


def test_alone_or_without_a_shared_reason_the_order_stays_the_engines():
    only = [card("loam", SUPPORT, "Trails.")]
    assert apart(only, only)[0].reasons == [SUPPORT, "Trails."]
    different = [card("loam", SUPPORT, "Trails."), card("road", "Road.", "Soft.")]
    assert [p.reasons for p in apart(different, different)] == [
        [SUPPORT, "Trails."],
        ["Road.", "Soft."],
    ]


def test_alternatives_are_told_apart_from_the_recommended_ones():
    recommended = [card("loam", SUPPORT, "Trails."), card("road", SUPPORT, "Road.")]
    alternative = [card("daybreak", SUPPORT, "Walking.")]
    assert apart(alternative, recommended)[0].reasons == ["Walking.", SUPPORT]
