"""What publishing checks beyond the format: catalogue values against the keys rules compare
them with, filters that leave no product, `next` rules that never fire, grammar, translations."""

from __future__ import annotations

import re

from assessments.engine import definition_warnings, validate_definition
from tests.engine.builders import definition, info, single, step, t, trait


def product(sku: str, **attributes) -> dict:
    return {
        "sku": sku,
        "name": t(sku.title()),
        "url": f"https://shop.example/{sku}",
        "price": "99.00",
        "image": f"products/{sku}.png",
        "attributes": attributes,
    }


def shop(*products: dict, **recommendation) -> dict:
    return definition(
        step("fit", single("gender", "women", "men")),
        step("gait", single("gait", "flat", "neutral", points={"flat": {"support": 2}})),
        step("feel", single("feel", "soft", "plush", "firm")),
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
            "filters": [{"attribute": "gender", "answer": "gender"}],
            "trait_fit": [{"trait": "support", "attribute": "support", "weight": 2}],
            "preferences": [{"answer": "feel", "attribute": "feel", "weight": 1}],
            "outcome_attribute": "fits",
            "outcome_weight": 1,
            **recommendation,
        },
        products=list(products),
    )


def messages(data: dict, code: str) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate_definition(data) if p.code == code]


def warnings(data: dict, code: str) -> list[tuple[str, str]]:
    found = definition_warnings(data)
    assert all(p.warning for p in found)
    return [(p.path, p.message) for p in found if p.code == code]


SOUND = [
    product("guide", gender=["women", "men"], support=["stability"], feel="soft", fits=["stable"]),
    product("ghost", gender=["women", "men"], support="neutral", feel="firm", fits=["free"]),
]


def test_a_sound_catalogue_has_no_problems_and_no_warnings():
    assert validate_definition(shop(*SOUND)) == []
    assert definition_warnings(shop(*SOUND)) == []


# -- attribute values against answer, band and outcome keys ---------------------------------


def test_a_value_in_another_case_is_refused_with_the_key_meant():
    data = shop(*SOUND, product("cloud", gender=["women"], support="neutral", feel="Plush"))
    assert messages(data, "attribute_value") == [
        (
            "$.products[2].attributes.feel",
            "Product 'cloud' gives attribute 'feel' the value 'Plush', which is none of the "
            "choices of question 'feel' (soft, plush, firm), so the preference on 'feel' never "
            "matches it. Did you mean 'plush'?",
        )
    ]


def test_other_words_for_the_answers_keys_are_refused_naming_the_products_and_the_keys():
    data = shop(
        *(product(f"p{i}", gender=["female", "woman"], support="neutral") for i in range(5)),
        *SOUND,
    )
    assert [m for _path, m in messages(data, "attribute_value")] == [
        "Products 'p0', 'p1', 'p2' and 2 more give attribute 'gender' the value 'female', "
        "which is none of the choices of question 'gender' (women, men), so the filter on "
        "'gender' never matches it.",
        "Products 'p0', 'p1', 'p2' and 2 more give attribute 'gender' the value 'woman', "
        "which is none of the choices of question 'gender' (women, men), so the filter on "
        "'gender' never matches it. Did you mean 'women'?",
    ]


def test_band_keys_outcome_keys_and_variants_are_checked_too():
    data = shop(
        *SOUND,
        {
            **product("brace", support="Support", feel="firm", fits=["stability"]),
            "variants": [
                {"sku": "brace-w", "name": t("Women's"), "attributes": {"gender": "Women"}},
            ],
        },
    )
    found = dict(messages(data, "attribute_value"))
    assert found["$.products[2].variants[0].attributes.support"].startswith(
        "Product 'brace' gives attribute 'support' the value 'Support', which is none of the "
        "bands of trait 'support' (neutral, stability), so the trait fit on 'support'"
    )
    assert found["$.products[2].variants[0].attributes.gender"].endswith("Did you mean 'women'?")
    assert (
        "none of the outcomes (stable, free)" in found["$.products[2].variants[0].attributes.fits"]
    )


def test_products_outside_the_assessments_catalogue_are_not_its_to_fix():
    socks = {**product("sock", gender="female", feel="Plush"), "tags": ["socks"]}
    shoes = [{**p, "tags": ["shoes"]} for p in SOUND]
    data = shop(*shoes, socks, catalogue={"tags": ["shoes"]})
    assert validate_definition(data) == []


def test_a_variant_sku_may_not_repeat_a_product_sku():
    data = shop(
        *SOUND,
        {**product("haven"), "variants": [{"sku": "guide", "name": t("Guide")}]},
    )
    assert [p for p, _ in messages(data, "duplicate")] == ["$.products[2].variants[0].sku"]


def test_the_format_and_the_validator_agree_that_a_product_needs_its_image_link_and_price():
    bare = {"sku": "ghost", "name": t("Ghost")}
    found = {(p.path, p.message) for p in validate_definition(shop(bare))}
    assert found >= {
        ("$.products[0].image", "Product 'ghost' is missing 'image'."),
        ("$.products[0].url", "Product 'ghost' is missing 'url'."),
        ("$.products[0].price", "Product 'ghost' is missing 'price'."),
    }


# -- warnings: filters that leave nothing, rules that never fire ----------------------------


def test_a_filter_that_no_product_passes_for_an_answer_is_a_warning_naming_it():
    womens = [p for p in SOUND if p["sku"] == "guide"]
    womens[0] = {**womens[0], "attributes": {**womens[0]["attributes"], "gender": ["women"]}}
    data = shop(*womens)
    assert validate_definition(data) == []
    assert warnings(data, "filter_empty") == [
        (
            "$.recommendation.filters[0]",
            "No product passes the filter on 'gender' when the answer to question 'gender' "
            "is 'men': customers who get there see the fallback products instead.",
        )
    ]


def test_a_filter_on_a_trait_warns_for_each_band_without_products():
    data = shop(SOUND[0], filters=[{"attribute": "support", "trait": "support"}])
    assert warnings(data, "filter_empty") == [
        (
            "$.recommendation.filters[0]",
            "No product passes the filter on 'support' when the customer's band of trait "
            "'support' is 'neutral': customers who get there see the fallback products "
            "instead.",
        )
    ]


def flow(*rules_on_first: dict, later: list | None = None) -> dict:
    return definition(
        step("use", single("use", "run", "walk"), next=list(rules_on_first)),
        step("mileage", single("km", "few", "many")),
        step("injuries", single("injury", "none", "knee"), **({"next": later} if later else {})),
        step("feel", single("feel", "soft", "firm")),
    )


def test_a_rule_after_one_that_always_jumps_never_fires():
    data = flow(
        {"goto": "injuries"},
        {"when": {"answer": "use", "equals": "walk"}, "goto": "feel"},
    )
    # Step "mileage" can never be reached: a problem; the shadowed rule: a warning.
    assert [p.code for p in validate_definition(data)] == ["unreachable_step"]
    data = flow({"goto": "mileage"}, {"when": {"answer": "use", "equals": "walk"}, "goto": "feel"})
    assert warnings(data, "next_never") == [
        (
            "$.steps[0].next[1]",
            "Step 'use': the rule to go to 'feel' can never fire, because rule 1 before it "
            "always jumps.",
        )
    ]


def test_a_rule_needing_an_answer_no_path_to_its_step_asks_never_fires():
    # Walkers jump from "use" to "walking"; runners answer "km" and then always jump past
    # "walking" to "feel": nobody who reaches "walking" has answered "km".
    data = definition(
        step(
            "use",
            single("use", "run", "walk"),
            next=[{"when": {"answer": "use", "equals": "walk"}, "goto": "walking"}],
        ),
        step("mileage", single("km", "few", "many"), next=[{"goto": "feel"}]),
        step(
            "walking",
            single("hours", "few", "many"),
            next=[{"when": {"answer": "km", "equals": "many"}, "goto": "feel"}],
        ),
        step("extra", single("extra", "a", "b")),
        step("feel", single("feel", "soft", "firm")),
    )
    assert validate_definition(data) == []
    assert warnings(data, "next_never") == [
        (
            "$.steps[2].next[0]",
            "Step 'walking': the rule to go to 'feel' can never fire: its condition needs the "
            "answer to 'km', which no path to this step asks.",
        )
    ]
    # Once runners can reach "walking" too, the rule can fire.
    data["steps"][1]["next"] = [{"when": {"answer": "km", "equals": "few"}, "goto": "feel"}]
    assert warnings(data, "next_never") == []


def test_a_rule_whose_condition_can_never_hold_is_a_warning():
    data = flow(
        {
            "when": {
                "all": [{"answer": "use", "equals": "walk"}, {"answer": "use", "equals": "run"}]
            },
            "goto": "feel",
        }
    )
    assert warnings(data, "next_never") == [
        (
            "$.steps[0].next[0]",
            "Step 'use': the rule to go to 'feel' can never fire: its condition can never hold.",
        )
    ]


# -- messages an author reads ---------------------------------------------------------------


def test_messages_use_an_before_a_vowel():
    data = definition(
        step("about", info("hello"), single("gait", "flat", "neutral")),
        step(
            "more",
            single("feel", "soft", "firm"),
            condition={"answer": "hello", "equals": "x"},
        ),
        recommendation={"preferences": [{"answer": "hello", "attribute": "x", "weight": 1}]},
    )
    data["steps"][0]["questions"].append(
        {
            "key": "pic",
            "kind": "image",
            "prompt": t("pic"),
            "choices": [{"key": "a", "label": t("A")}],
        }
    )
    data["steps"][1]["questions"][0]["condition"] = {"answer": "pic", "range": {"min": 1}}
    found = [p.message for p in validate_definition(data)]
    assert any("an info question" in m for m in found), found
    assert any("an image question" in m for m in found), found
    bad = re.compile(r"\ba (?=[aeiou])|\ban (?=[^aeiou\W])", re.IGNORECASE)
    assert [m for m in found if bad.search(m)] == []


def test_a_missing_language_is_one_message_listing_the_places():
    data = definition(
        step("about", single("gender", "women", "men")),
        step("feel", single("feel", "soft", "firm")),
    )
    data["languages"] = ["en", "es"]
    found = messages(data, "translation")
    assert len(found) == 1
    path, message = found[0]
    assert path == "$.title"
    assert message.startswith(
        "11 texts have no Spanish ('es') version: the title of the assessment;"
    )
    assert "the label of choice 'women' in question 'gender'" in message
    assert message.endswith("; and 3 more.")
