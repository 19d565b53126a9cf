"""The demo brands, their two assessments and the drawn demo images.

No database: these check the content itself, against FORMAT.md and the real engine.
"""

from __future__ import annotations

import json
import pathlib
import re

import pytest
from PIL import Image

from assessments.demo.images import draw_demo_images, referenced_images, size_for
from assessments.engine import (
    Product,
    Variant,
    compile_definition,
    definition_warnings,
    validate_definition,
)

DEMO = pathlib.Path(__file__).resolve().parents[2] / "assessments" / "demo"
SHOE = "shoe-finder.json"
SKIN = "skincare-finder.json"
HEX = re.compile(r"^#[0-9a-f]{6}$")
PRICE = re.compile(r"^\d+\.\d{2}$")


def load(name: str) -> dict:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def brands() -> list[dict]:
    return load("brands.json")["brands"]


def questions(definition: dict) -> list[dict]:
    return [q for step in definition["steps"] for q in step["questions"]]


def image_paths(node) -> set[str]:
    """Every `image` member anywhere in a JSON document."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("image"), str):
            found.add(node["image"])
        for value in node.values():
            found |= image_paths(value)
    elif isinstance(node, list):
        for value in node:
            found |= image_paths(value)
    return found


def localised_texts(node, languages: set[str]):
    """Objects whose keys are all language codes of the definition: its localised texts."""
    if isinstance(node, dict):
        if (
            node
            and set(node) <= languages | {"en", "es"}
            and all(isinstance(v, str) for v in node.values())
        ):
            yield node
            return
        for value in node.values():
            yield from localised_texts(value, languages)
    elif isinstance(node, list):
        for value in node:
            yield from localised_texts(value, languages)


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    darker, lighter = sorted((luminance(a), luminance(b)))
    return (lighter + 0.05) / (darker + 0.05)


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("name", ["brands.json", SHOE, SKIN])
def test_files_are_in_canonical_form(name):
    text = (DEMO / name).read_text(encoding="utf-8")
    data = json.loads(text)
    assert json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text


def test_brands_are_complete_and_accessible():
    by_slug = {b["slug"]: b for b in brands()}
    assert set(by_slug) == {"stride-lab", "botica-clara"}
    assert by_slug["stride-lab"]["languages"] == ["en", "es"]
    assert by_slug["botica-clara"]["languages"] == ["es", "en"]
    for brand in by_slug.values():
        theme = brand["theme"]
        for member in ("primary_color", "accent_color", "text_color", "background_color"):
            assert HEX.match(theme[member]), (brand["slug"], member)
        assert contrast(theme["text_color"], theme["background_color"]) >= 4.5
        assert contrast(theme["primary_color"], "#ffffff") >= 4.5
        assert theme["font_family"].strip()
        assert brand["sender"]["from_name"]
        assert brand["sender"]["from_email"].endswith(".example")
        assert brand["allowed_origins"] == ["http://localhost:8001"]
        assert brand["logo"] == f"demo/{brand['slug']}/logo.png"
        for name in brand["assessments"]:
            definition = load(name)
            assert definition["languages"] == brand["languages"]
            for product in definition["products"]:
                assert product["url"].startswith(f"https://{brand['slug']}.example/")
                assert product["image"] == f"demo/{brand['slug']}/products/{product['sku']}.png"


@pytest.mark.parametrize("name", [SHOE, SKIN])
def test_every_text_has_every_language(name):
    definition = load(name)
    languages = set(definition["languages"])
    texts = list(localised_texts(definition, languages))
    assert len(texts) > 100
    for text in texts:
        assert set(text) == languages, text
        assert all(value.strip() for value in text.values()), text


@pytest.mark.parametrize("name", [SHOE, SKIN])
def test_products_are_well_formed(name):
    products = load(name)["products"]
    skus = [p["sku"] for p in products]
    assert len(skus) == len(set(skus))
    for product in products:
        assert PRICE.match(product["price"])
        assert product["currency"] == "EUR"
        assert product["active"] is True
        assert set(product["name"]) == set(product["description"])


@pytest.mark.parametrize("name", [SHOE, SKIN])
def test_choices_can_be_cited_and_explained(name):
    choices = [c for q in questions(load(name)) for c in q.get("choices", [])]
    assert all("recall" in c for c in choices)
    assert sum("insight" in c for c in choices) >= len(choices) * 2 / 3
    for q in questions(load(name)):
        for entry in q.get("scoring", []):
            assert "recall" in entry, q["key"]


# --------------------------------------------------------------------------- shoe finder


def test_shoe_finder_shape():
    shoe = load(SHOE)
    qs = questions(shoe)
    kinds = {q["kind"] for q in qs}
    assert len(qs) >= 12
    assert len(shoe["steps"]) >= 7
    assert len(shoe["traits"]) == 4
    assert len(shoe["outcomes"]) == 4
    assert len(shoe["products"]) == 24
    assert {"info", "image", "scale", "number", "multiple", "single"} <= kinds
    assert sum(1 for s in shoe["steps"] if "why" in s) >= len(shoe["steps"]) - 1
    assert all("section" in s for s in shoe["steps"])
    assert [o for o in shoe["outcomes"] if "rule" not in o] == [shoe["outcomes"][-1]]
    for trait in shoe["traits"]:
        assert all(band["insight"] for band in trait["bands"])
    rec = shoe["recommendation"]
    assert rec["count"] == 3 and rec["alternatives"] == 3
    # Support category first (a hard rule), then the model by feel and features.
    assert rec["filters"] == [
        {"answer": "gender", "attribute": "gender"},
        {"attribute": "support", "trait": "support"},
    ]
    assert rec["catalogue"] == {"tags": ["running-shoes"]}
    assert all(p["tags"] == ["running-shoes"] for p in shoe["products"])
    assert {p["answer"] for p in rec["preferences"]} >= {"feel", "features"}
    assert set(rec["fallback"]["skus"]) <= {p["sku"] for p in shoe["products"]}


def test_shoe_feel_questions_add_no_points():
    by_key = {q["key"]: q for q in questions(load(SHOE))}
    for key in ("feel", "features", "gender"):
        assert all("points" not in c for c in by_key[key]["choices"]), key


def test_shoe_support_comes_from_the_agreed_answers():
    by_key = {q["key"]: q for q in questions(load(SHOE))}

    def gives_support(q):
        entries = q.get("choices", []) + q.get("scoring", [])
        return any(e.get("points", {}).get("support") for e in entries)

    for key in ("weekly_km", "years", "injuries", "balance", "knee_bend"):
        assert gives_support(by_key[key]), key


def genders(product: dict) -> list[str]:
    """A shoe's fits: its variants' where it comes in both, else its own attribute's."""
    variants = product.get("variants")
    if variants:
        return [v["attributes"]["gender"] for v in variants]
    return product["attributes"]["gender"]


def test_a_model_made_in_both_fits_is_one_product_with_a_variant_for_each():
    for product in load(SHOE)["products"]:
        variants = product.get("variants", [])
        assert len(variants) in (0, 2), product["sku"]
        if variants:
            assert "gender" not in product["attributes"]
            assert [v["sku"] for v in variants] == [
                f"{product['sku']}-women",
                f"{product['sku']}-men",
            ]
            assert [v["name"]["en"] for v in variants] == ["Women's", "Men's"]
            assert all(v["url"].startswith(product["url"]) for v in variants)
        else:
            assert len(product["attributes"]["gender"]) == 1


def test_every_shoe_outcome_has_matches_for_both_genders():
    shoe = load(SHOE)
    for outcome in shoe["outcomes"]:
        for gender in ("women", "men"):
            fitting = [
                p
                for p in shoe["products"]
                if outcome["key"] in p["attributes"]["outcomes"] and gender in genders(p)
            ]
            assert len(fitting) >= 3, (outcome["key"], gender)


def test_a_park_runner_is_told_road_and_path_not_road():
    """A recall must not contradict the band it is cited for: parks and gravel paths are the
    "Road and path" band's, never "Road"'s."""
    _, result, _ = evaluate(SHOE, {**SHOE_RUNS["stability-woman"][0], "surface": "park"})
    assert result.scores["terrain"].band.key == "mixed"
    _, result, _ = evaluate(SHOE, {**SHOE_RUNS["stability-woman"][0], "surface": "pavement"})
    assert result.scores["terrain"].band.key == "road"


# --------------------------------------------------------------------------- skincare


def test_skincare_finder_shape():
    skin = load(SKIN)
    qs = questions(skin)
    kinds = {q["kind"] for q in qs}
    assert skin["languages"][0] == "es"
    assert 8 <= len(qs) <= 12
    assert 5 <= len(skin["steps"]) <= 6
    assert 3 <= len(skin["traits"]) <= 4
    assert 3 <= len(skin["outcomes"]) <= 4
    assert 12 <= len(skin["products"]) <= 16
    assert {"info", "image"} <= kinds
    assert any("next" in s for s in skin["steps"])


def test_skincare_wording_points_to_a_dermatologist_and_never_promises_a_cure():
    text = (DEMO / SKIN).read_text(encoding="utf-8").lower()
    assert "dermatólogo" in text and "dermatologist" in text
    for word in ("cura ", "curar", "cure", "diagnose", "diagnostica", "elimina el acné"):
        assert (word not in text) or f"not {word}" in text or f"no {word}" in text, word


# --------------------------------------------------------------------------- images


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    return root, draw_demo_images(root)


def test_every_referenced_image_is_drawn_at_its_size(drawn):
    root, written = drawn
    expected = {f"demo/{b['slug']}/logo.png" for b in brands()}
    for name in (SHOE, SKIN):
        expected |= image_paths(load(name))
    assert set(written) == expected
    assert set(referenced_images()) == expected
    for rel in expected:
        with Image.open(root / rel) as image:
            assert image.format == "PNG"
            assert image.size == size_for(rel), rel
    assert size_for("demo/stride-lab/products/drift-6.png") == (600, 600)
    assert size_for("demo/stride-lab/choices/arch-low.png") == (400, 300)


def test_drawing_is_deterministic_and_idempotent(drawn, tmp_path):
    root, written = drawn
    again = draw_demo_images(tmp_path)
    assert sorted(again) == sorted(written)
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (root / rel).read_bytes(), rel
    assert draw_demo_images(tmp_path) == []  # nothing changed, nothing rewritten


# --------------------------------------------------------------------------- the engine


@pytest.mark.parametrize("name", [SHOE, SKIN])
def test_definitions_validate_with_the_engine_and_publish_without_warnings(name):
    assert validate_definition(load(name)) == []
    assert definition_warnings(load(name)) == []


def engine_product(p: dict) -> Product:
    return Product(
        p["sku"],
        p["attributes"],
        tags=frozenset(p.get("tags", ())),
        variants=tuple(Variant(v["sku"], v["attributes"]) for v in p.get("variants", ())),
    )


def evaluate(name: str, answers: dict):
    definition = load(name)
    assessment = compile_definition(definition)
    products = [engine_product(p) for p in definition["products"]]
    return assessment, assessment.evaluate(products, answers), definition


SHOE_RUNS = {
    "marathon-woman": (
        {
            "gender": "women",
            "use": "road",
            "goal": "long-distance",
            "years": "over-3",
            "race_plan": "soon",
            "weekly_km": 60,
            "legs_after": 3,
            "injuries": ["none"],
            "arch": "medium",
            "balance": "over-30",
            "knee_bend": "straight",
            "surface": "pavement",
            "feel": "soft",
            "features": [],
        },
        "neutral-cushioned",
        {"cloudbank-3", "lumen"},
    ),
    "overpronating-man": (
        {
            "gender": "men",
            "use": "road",
            "goal": "health",
            "years": "under-1",
            "weekly_km": 20,
            "legs_after": 4,
            "injuries": ["knee", "arch-heel"],
            "arch": "low",
            "balance": "under-10",
            "knee_bend": "caves-in",
            "surface": "pavement",
            "feel": "balanced",
            "features": ["wide"],
        },
        "max-support",
        {"bulwark-2", "granite", "anchor-8"},
    ),
    "stability-woman": (
        {
            "gender": "women",
            "use": "road",
            "goal": "first-race",
            "years": "1-3",
            "race_plan": "later",
            "weekly_km": 25,
            "legs_after": 3,
            "injuries": ["shin"],
            "arch": "medium",
            "balance": "10-30",
            "knee_bend": "bit-in",
            "surface": "park",
            "feel": "soft",
        },
        "stability",
        {"meridian", "harbor-3", "keel-5"},
    ),
    "mountain-man": (
        {
            "gender": "men",
            "use": "trail",
            "goal": "faster",
            "years": "over-3",
            "race_plan": "later",
            "weekly_km": 40,
            "legs_after": 2,
            "injuries": ["none"],
            "arch": "medium",
            "balance": "10-30",
            "knee_bend": "bit-in",
            "surface": "mountain",
            "feel": "firm",
            "features": ["lightweight"],
        },
        "trail",
        {"talus", "ridgeback-4"},
    ),
    "walker-woman": (
        {
            "gender": "women",
            "use": "walk",
            "injuries": ["arch-heel"],
            "arch": "low",
            "balance": "10-30",
            "knee_bend": "bit-in",
            "surface": "park",
            "feel": "soft",
            "features": ["waterproof"],
        },
        "max-support",
        {"anchor-walk"},
    ),
}


@pytest.mark.parametrize("run", sorted(SHOE_RUNS))
def test_shoe_finder_walk_through(run):
    answers, outcome, sensible_top = SHOE_RUNS[run]
    _, result, definition = evaluate(SHOE, answers)
    assert result.outcome.key == outcome
    rec = result.recommendation
    assert not rec.fallback_used
    # Support category first: a high-support runner sees only the five high-support models.
    assert len(rec.recommended) == 3 and len(rec.alternatives) in (2, 3)
    assert rec.recommended[0].sku in sensible_top
    by_sku = {p["sku"]: p for p in definition["products"]}
    band = result.scores["support"].band.key
    for ranked in rec.recommended + rec.alternatives:
        product = by_sku[ranked.sku]
        # Each model once, as the variant of the customer's fit where it has variants.
        assert answers["gender"] in genders(product)
        assert ranked.variant == (
            f"{ranked.sku}-{answers['gender']}" if "variants" in product else None
        )
        assert band in product["attributes"]["support"]  # support category first
    top = by_sku[rec.recommended[0].sku]["attributes"]
    assert outcome in top["outcomes"]
    assert rec.recommended[0].reasons


def test_walking_goes_straight_to_injuries():
    assessment = compile_definition(load(SHOE))
    path = assessment.path(SHOE_RUNS["walker-woman"][0])
    assert path[:2] == ("use", "injuries")
    assert not {"goals", "training", "mileage"} & set(path)


def test_race_plan_is_skipped_for_health_and_fitness():
    assessment = compile_definition(load(SHOE))
    answers = {"gender": "men", "use": "road", "goal": "health", "race_plan": "soon"}
    assert "race_plan" not in [q.key for q in assessment.visible_questions("training", answers)]
    assert "race_plan" not in assessment.counted_answers(answers)
    answers["goal"] = "first-race"
    assert "race_plan" in [q.key for q in assessment.visible_questions("training", answers)]


def test_support_reason_cites_answers_with_recall_phrases():
    _, result, definition = evaluate(SHOE, SHOE_RUNS["overpronating-man"][0])
    by_key = {q["key"]: q for q in questions(definition)}
    support = [r for r in result.recommendation.recommended[0].reasons if r.key == "support"]
    assert support and support[0].band == "high"
    assert support[0].answers
    for question_key, value in support[0].answers:
        values = value if isinstance(value, list | tuple) else [value]
        for choice in by_key[question_key]["choices"]:
            if choice["key"] in values:
                assert choice["recall"]["en"].startswith("you")


SKIN_RUNS = {
    "oily": (
        {
            "goal": "shine",
            "routine_now": "few",
            "tzone": "all-shine",
            "reactions": "never",
            "flush": 2,
            "outdoors": "some",
            "sun_reaction": "burns-then-tans",
            "minutes": 6,
            "texture": "gel",
        },
        "balance-shine",
    ),
    "sensitive": (
        {
            "goal": "redness",
            "routine_now": "basic",
            "tzone": "comfortable",
            "reactions": "often",
            "flush": 4,
            "triggers": ["fragrance", "acids"],
            "outdoors": "indoors",
            "sun_reaction": "burns",
            "minutes": 3,
            "texture": "cream",
        },
        "calm-barrier",
    ),
    "dry": (
        {
            "goal": "comfort",
            "routine_now": "many",
            "tzone": "tight",
            "reactions": "never",
            "flush": 1,
            "outdoors": "lots",
            "sun_reaction": "tans",
            "minutes": 15,
            "texture": "cream",
        },
        "deep-hydration",
    ),
    "balanced": (
        {
            "goal": "simple",
            "routine_now": "nothing",
            "tzone": "comfortable",
            "reactions": "sometimes",
            "flush": 2,
            "triggers": ["unsure"],
            "outdoors": "indoors",
            "sun_reaction": "tans",
            "minutes": 2,
            "texture": "lotion",
        },
        "simple-essentials",
    ),
}


@pytest.mark.parametrize("run", sorted(SKIN_RUNS))
def test_skincare_finder_walk_through(run):
    answers, outcome = SKIN_RUNS[run]
    _, result, definition = evaluate(SKIN, answers)
    assert result.outcome.key == outcome
    rec = result.recommendation
    assert len(rec.recommended) == 3
    by_sku = {p["sku"]: p for p in definition["products"]}
    for ranked in rec.recommended:
        assert outcome in by_sku[ranked.sku]["attributes"]["outcomes"]


def test_skincare_fragrance_sensitive_skin_gets_fragrance_free_products():
    _, result, definition = evaluate(SKIN, SKIN_RUNS["sensitive"][0])
    by_sku = {p["sku"]: p for p in definition["products"]}
    for ranked in result.recommendation.recommended:
        assert "fragrance" in by_sku[ranked.sku]["attributes"]["gentle_on"]


def test_skincare_skips_triggers_when_nothing_irritates():
    assessment = compile_definition(load(SKIN))
    path = assessment.path(SKIN_RUNS["oily"][0])
    assert "triggers" not in path
    assert "triggers" in assessment.path(SKIN_RUNS["sensitive"][0])
