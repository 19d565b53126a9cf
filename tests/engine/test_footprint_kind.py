"""The photo question: a measured footprint answers with an arch band, or the drawings do."""

from __future__ import annotations

import copy

import pytest

from assessments.engine import (
    KINDS,
    Product,
    answer_phrase,
    compile_definition,
    schema,
    validate_definition,
)
from assessments.engine.kinds.footprint import NotAPhoto, band_of
from tests.engine.builders import definition, single, step, t, trait

NO_PHOTO = {"not": {"answered": "arch_photo"}}


def photo_question(**extra) -> dict:
    return {
        "key": "arch_photo",
        "kind": "footprint",
        "prompt": t("Photograph your wet footprint"),
        "fallback": "arch",
        "bands": {
            "high": {
                "label": t("High arch"),
                "points": {"cushion": 2},
                "recall": t("your print shows a high arch"),
            },
            "normal": {"label": t("Normal arch"), "recall": t("your print shows a normal arch")},
            "flat": {"label": t("Flat foot"), "points": {"support": 2}},
        },
        **extra,
    }


def finder(photo: dict | None = None, *, arch: dict | None = None, **extra) -> dict:
    """A photo step, then the drawings (asked only without a photo), then one more question."""
    drawings = arch or single(
        "arch",
        "low",
        "medium",
        "high",
        points={"low": {"support": 2}, "high": {"cushion": 2}},
        condition=NO_PHOTO,
    )
    return definition(
        step("photo", photo or photo_question()),
        step("feet", drawings),
        step("last", single("done", "yes")),
        traits=[
            trait("support", ("neutral", None, 1), ("firm", 2, None)),
            trait("cushion", ("light", None, 1), ("plush", 2, None)),
        ],
        recommendation={"trait_fit": [{"trait": "cushion", "attribute": "cushion", "weight": 1}]},
        **extra,
    )


def problems(data: dict) -> dict[str, str]:
    return {p.path: p.message for p in validate_definition(data)}


def test_the_kind_is_registered_and_in_the_published_schema():
    assert "footprint" in KINDS
    question = schema()["$defs"]["question"]
    assert "footprint" in question["properties"]["kind"]["enum"]
    assert set(question["properties"]["bands"]["required"]) == {"high", "normal", "flat"}
    assert validate_definition(finder()) == []


def test_a_measured_index_is_stored_as_index_and_band_and_scores_its_band():
    assessment = compile_definition(finder())
    stored = assessment.clean_answer("arch_photo", {"index": 0.1934})
    assert stored == {"band": "high", "index": 0.193}
    scores = assessment.scores({"arch_photo": stored, "done": "yes"})
    assert scores["cushion"].value == 2 and scores["cushion"].band.key == "plush"
    assert scores["support"].value == 0 and scores["support"].assessed
    flat = assessment.clean_answer("arch_photo", {"index": 0.3})
    assert assessment.scores({"arch_photo": flat})["support"].value == 2


def test_no_photo_is_no_answer_and_never_an_error():
    assessment = compile_definition(finder(photo_question(required=False)))
    question = assessment.question("arch_photo")
    assert question.required is False
    for nothing in (None, "", [], [""]):
        assert assessment.clean_answer("arch_photo", nothing) is None


@pytest.mark.parametrize("sent", ["high", ["0.2"], {"index": "0.2"}, {"index": 1.5}, {}])
def test_anything_but_a_measured_index_is_refused(sent):
    with pytest.raises(NotAPhoto):
        compile_definition(finder()).clean_answer("arch_photo", sent)


def test_the_drawings_are_asked_only_when_no_photo_was_measured():
    assessment = compile_definition(finder())
    measured = {"arch_photo": {"band": "flat", "index": 0.28}}
    assert assessment.path(measured) == ("photo", "last")
    assert assessment.path({}) == ("photo", "feet", "last")
    # A picked drawing left from before the photo counts no more.
    both = assessment.scores({**measured, "arch": "low"})
    assert both["support"].value == 2


def test_conditions_compare_the_band():
    data = finder()
    data["steps"][2]["condition"] = {"answer": "arch_photo", "in": ["flat", "normal"]}
    assessment = compile_definition(data)
    assert assessment.path({"arch_photo": {"band": "flat", "index": 0.3}}) == ("photo", "last")
    assert assessment.path({"arch_photo": {"band": "high", "index": 0.1}}) == ("photo",)
    data["steps"][2]["condition"] = {"answer": "arch_photo", "equals": "low"}
    assert problems(data)["$.steps[2].condition.equals"].endswith(
        "with 'low', which is not an arch band: use high, normal or flat."
    )


def test_the_band_is_recalled_in_the_customers_words_and_in_reasons():
    assessment = compile_definition(finder())
    high = {"band": "high", "index": 0.15}
    assert answer_phrase(assessment, "arch_photo", high, "en") == "your print shows a high arch"
    # A band without a recall phrase is cited by its label.
    flat = {"band": "flat", "index": 0.3}
    assert answer_phrase(assessment, "arch_photo", flat, "en") == "Flat foot"
    result = assessment.evaluate([Product("cushy", {"cushion": "plush"})], {"arch_photo": high})
    (reason,) = result.recommendation.recommended[0].reasons
    assert reason.text(assessment, "en") == (
        "Your cushion is Plush: your print shows a high arch. This product is made for that."
    )


def test_bands_are_cavanagh_and_rodgers():
    assert [band_of(v) for v in (0.0, 0.21, 0.2101, 0.259, 0.26, 1.0)] == [
        "high", "high", "normal", "normal", "flat", "flat"
    ]  # fmt: skip


def test_a_missing_fallback_is_named_for_the_author():
    found = problems(finder(photo_question(fallback="arch-drawing")))
    assert found["$.steps[0].questions[0].fallback"] == (
        "Question 'arch_photo' in step 'photo' falls back to question 'arch-drawing', which "
        "does not exist. Name the picture question (the drawings of a wet print) that customers "
        "answer when they take no photo or it cannot be read."
    )
    data = finder()
    del data["steps"][0]["questions"][0]["fallback"]
    assert problems(data)["$.steps[0].questions[0].fallback"].startswith(
        "Question 'arch_photo' in step 'photo' has no fallback. Name the picture question"
    )


def test_a_fallback_that_is_no_picture_question_is_refused():
    numeric = {"key": "arch", "kind": "number", "prompt": t("Arch"), "number": {}}
    found = problems(finder(arch={**numeric, "condition": NO_PHOTO}))
    assert (
        "a number question; the fallback must be a picture-choice question"
        in (found["$.steps[0].questions[0].fallback"])
    )


def test_a_fallback_before_the_photo_or_beside_it_is_refused():
    data = finder()
    drawings = data["steps"][1]["questions"].pop()
    drawings.pop("condition")
    data["steps"][1]["questions"].append(single("shoe", "a"))
    data["steps"][0]["questions"].insert(0, drawings)
    assert "which is not on a later step" in problems(data)["$.steps[0].questions[1].fallback"]


def test_a_fallback_asked_even_after_a_photo_is_refused():
    data = finder()
    del data["steps"][1]["questions"][0]["condition"]
    assert problems(data)["$.steps[1].questions[0].condition"] == (
        "Question 'arch' in step 'feet' is the fallback of photo question 'arch_photo', so it "
        "must be asked only when no photo was measured: give it (or its step) the condition "
        '{"not": {"answered": "arch_photo"}}, or a measured print and a picked drawing would '
        "both count."
    )
    # On the step, or beside another condition, it does the same.
    data["steps"][1]["condition"] = {"all": [{"trait": "support", "gte": 0}, NO_PHOTO]}
    assert validate_definition(data) == []


def test_a_photo_question_is_never_required():
    found = problems(finder(photo_question(required=True)))
    assert "which is always optional" in found["$.steps[0].questions[0].required"]


def test_bands_must_be_all_three_with_labels_and_known_traits():
    data = finder()
    bands = data["steps"][0]["questions"][0]["bands"]
    del bands["normal"]
    bands["flat"]["points"] = {"speed": 1}
    found = problems(data)
    assert found["$.steps[0].questions[0].bands.normal"].endswith("'bands' is missing 'normal'.")
    assert (
        "trait 'speed', which does not exist"
        in (found["$.steps[0].questions[0].bands.flat.points.speed"])
    )
    es = in_spanish_too(finder(languages=["en", "es"]))
    assert problems(es) == {}
    del es["steps"][0]["questions"][0]["bands"]["high"]["label"]["es"]
    (message,) = problems(es).values()
    assert message.startswith("1 text has no Spanish ('es') version")
    assert "high" in message


def in_spanish_too(value):
    """`value` with a Spanish text beside every English one."""
    if isinstance(value, dict):
        copied = {key: in_spanish_too(item) for key, item in value.items()}
        if "en" in copied and isinstance(copied["en"], str):
            copied.setdefault("es", "es: " + copied["en"])
        return copied
    if isinstance(value, list):
        return [in_spanish_too(item) for item in value]
    return value


def test_band_checks_know_a_photo_may_give_nothing():
    # Without a photo the drawing gives the points; both never count, but the bands must
    # still cover a score of 0 (no photo, and the drawing without points).
    data = finder()
    data["traits"][1]["bands"] = [
        {"key": "plush", "label": t("Plush"), "insight": t("x"), "min": 2}
    ]
    assert "no band for a score of 0" in problems(data)["$.traits[1].bands"]


def test_keep_photo_days_is_bounded():
    assert validate_definition(finder(photo_question(keep_photo_days=30))) == []
    found = problems(finder(photo_question(keep_photo_days=400)))
    assert "$.steps[0].questions[0].keep_photo_days" in found


def test_stored_answers_that_no_longer_fit_are_ignored():
    assessment = compile_definition(finder())
    for wrong in ("high", {"band": "steep", "index": 0.2}, {"band": "high"}, [0.2]):
        assert assessment.scores({"arch_photo": copy.deepcopy(wrong)})["cushion"].value == 0
