"""Ranking: filters, weights, deterministic order, fallback, and the reasons given."""

from __future__ import annotations

import random

import pytest

from assessments.engine import Product, compile_definition
from tests.engine.builders import definition, multiple, single, step, t, trait
from tests.engine.shoe_finder import RUNNER, catalogue, shoe_finder


@pytest.fixture(scope="module")
def finder():
    return compile_definition(shoe_finder())


def simple(count=3, alternatives=3, **recommendation):
    return compile_definition(
        definition(
            step("s", single("feel", "soft", "firm"), multiple("tags", "a", "b", required=False)),
            recommendation={"count": count, "alternatives": alternatives, **recommendation},
        )
    )


def test_equal_scores_are_ordered_by_sku():
    assessment = simple(preferences=[{"answer": "feel", "attribute": "feel", "weight": 1}])
    products = [Product(sku, {"feel": "soft"}) for sku in ("c", "a", "b")]
    ranked = assessment.recommend(products, {"feel": "soft"}).recommended
    assert [p.sku for p in ranked] == ["a", "b", "c"]
    assert [p.rank for p in ranked] == [1, 2, 3]


def test_count_and_alternatives_split_the_ranking():
    assessment = simple(count=2, alternatives=1)
    products = [Product(f"p{i}", {}) for i in range(5)]
    result = assessment.recommend(products, {})
    assert [p.sku for p in result.recommended] == ["p0", "p1"]
    assert [p.sku for p in result.alternatives] == ["p2"]
    assert result.alternatives[0].rank == 3


def test_a_preference_scores_the_share_of_picks_the_product_has():
    assessment = simple(preferences=[{"answer": "tags", "attribute": "tags", "weight": 2}])
    products = [
        Product("both", {"tags": ["a", "b"]}),
        Product("one", {"tags": ["b"]}),
        Product("none", {"tags": []}),
    ]
    ranked = assessment.recommend(products, {"tags": ["a", "b"]}).recommended
    # "none" has neither tag: it matches nothing the customer picked, so it is left out.
    assert [(p.sku, p.score) for p in ranked] == [("both", 2.0), ("one", 1.0)]


def test_an_unanswered_filter_lets_everything_through():
    assessment = simple(filters=[{"attribute": "feel", "answer": "feel"}])
    products = [
        Product("a", {"feel": "soft"}),
        Product("b", {"feel": ["firm", "soft"]}),
        Product("c", {"feel": "firm"}),
    ]
    assert len(assessment.recommend(products, {}).recommended) == 3
    kept = assessment.recommend(products, {"feel": "soft"}).recommended
    assert [p.sku for p in kept] == ["a", "b"]


def test_trait_fit_falls_linearly_with_the_distance_between_bands():
    assessment = compile_definition(
        definition(
            step(
                "s",
                single(
                    "q", "lo", "mid", "hi", points={"mid": {"support": 1}, "hi": {"support": 2}}
                ),
            ),
            traits=[trait("support", ("low", None, 0), ("medium", 1, 1), ("high", 2, None))],
            recommendation={
                "trait_fit": [{"trait": "support", "attribute": "support", "weight": 4}]
            },
        )
    )
    products = [Product(sku, {"support": sku}) for sku in ("low", "medium", "high")]
    scores = {p.sku: p.score for p in assessment.recommend(products, {"q": "hi"}).recommended}
    # The far end fits 0: it matches nothing the customer said, so it is not recommended.
    assert scores == {"high": 4.0, "medium": 2.0}


def test_when_filters_leave_nothing_the_fallback_is_shown_with_its_message(finder):
    men_only = [p for p in catalogue() if p.sku.endswith("-m")] + [
        Product("ghost-w", {"gender": "unisex"})
    ]
    result = finder.recommend(men_only, RUNNER)
    assert result.fallback_used
    assert [p.sku for p in result.recommended] == ["ghost-w"]
    assert result.fallback_message == {"en": "Our most loved shoe."}
    assert result.recommended[0].reasons[0].kind == "fallback"


def test_without_a_fallback_an_empty_result_says_so():
    assessment = simple(filters=[{"attribute": "feel", "answer": "feel"}])
    result = assessment.recommend([Product("a", {"feel": "firm"})], {"feel": "soft"})
    assert result.recommended == () and not result.fallback_used


def test_the_ranking_is_the_same_whatever_the_catalogue_order(finder):
    products = catalogue()
    expected = finder.recommend(products, RUNNER)
    for seed in range(5):
        shuffled = products[:]
        random.Random(seed).shuffle(shuffled)
        assert finder.recommend(shuffled, RUNNER) == expected


def test_odd_attribute_values_are_ignored_not_fatal(finder):
    odd = [
        Product(
            "odd",
            {"gender": ["women", {"x": 1}], "support": [["high"]], "feel": None, "outcomes": 3},
        )
    ]
    result = finder.recommend(odd, RUNNER)
    # Nothing readable matches the runner's answers: not recommended, and no error either.
    assert [p.sku for p in result.recommended] == []


def test_reasons_are_written_in_spanish_too():
    # The fixture is English only, so the cited phrases stay English inside Spanish sentences.
    finder = compile_definition(shoe_finder())
    top = finder.recommend(catalogue(), RUNNER).recommended[0]
    spanish = [r.text(finder, "es") for r in top.reasons]
    assert spanish[0].startswith("Tu support need es High: ")
    assert spanish[0].endswith("y your knees drift in. Este producto está hecho para eso.")
    assert "Dijiste que you like a soft, cushioned feel; este lo tiene." in spanish
    assert top.reasons[0].text(finder, "de") == top.reasons[0].text(finder, "en")


def test_a_reason_without_recall_phrases_cites_labels_and_values():
    assessment = compile_definition(
        definition(
            step(
                "s",
                single("feel", "soft", "firm"),
                {
                    "key": "km",
                    "kind": "number",
                    "prompt": t("km"),
                    "number": {"min": 0, "unit": {"en": "km"}},
                    "scoring": [{"min": 30, "points": {"support": 2}}],
                },
            ),
            traits=[trait("support", ("low", None, 1), ("high", 2, None))],
            recommendation={
                "trait_fit": [{"trait": "support", "attribute": "support", "weight": 1}],
                "preferences": [{"answer": "feel", "attribute": "feel", "weight": 1}],
            },
        )
    )
    top = assessment.recommend(
        [Product("p", {"support": "high", "feel": "soft"})], {"feel": "soft", "km": 42}
    ).recommended[0]
    texts = [r.text(assessment, "en") for r in top.reasons]
    assert texts == [
        "Your support is High: you answered 42 km. This product is made for that.",
        "You chose “Soft”; this one has it.",
    ]


def test_a_trait_reason_without_contributing_answers_quotes_no_score():
    assessment = compile_definition(
        definition(
            step("s", single("q", "a", "b", points={"b": {"support": 1}})),
            traits=[trait("support", ("low", None, 0), ("high", 1, None))],
            recommendation={
                "trait_fit": [{"trait": "support", "attribute": "support", "weight": 1}]
            },
        )
    )
    top = assessment.recommend([Product("p", {"support": "low"})], {"q": "a"}).recommended[0]
    assert top.reasons[0].text(assessment, "en") == (
        "Your support is Low. This product is made for that."
    )
