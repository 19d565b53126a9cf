"""The rule builder for a step's condition: valid references only, the format's JSON, the JSON
still editable as an advanced view, and both checked as Validate checks them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from assessments.admin.rules import ALL, ANY, condition_rows, rows_condition, step_references
from assessments.authoring.services import assessment_import, draft_problems
from assessments.models import Step
from tests.admin.pages import errors, form_data
from tests.factories import BrandFactory, definition, member, products

FORM = r'<form method="post" enctype="multipart/form-data" class="sp-form"'

# -- rows and JSON, without a database --------------------------------------------------------

keys = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
numbers = st.one_of(st.none(), st.integers(-100, 100), st.floats(-100, 100).map(lambda x: x + 0.5))
simple = st.one_of(
    st.builds(lambda q: {"answered": q}, keys),
    st.builds(lambda q, c: {"answer": q, "equals": c}, keys, keys),
    st.builds(lambda q, c: {"answer": q, "contains": c}, keys, keys),
    st.builds(lambda t, b: {"trait": t, "band": b}, keys, keys),
    st.builds(lambda f, v: {"field": f, "equals": v}, keys, st.text(min_size=1, max_size=10)),
    st.builds(
        lambda kind, k, low, high: {
            kind: k,
            "range": {n: v for n, v in (("min", low), ("max", high)) if v is not None},
        },
        st.sampled_from(["answer", "trait"]),
        keys,
        numbers,
        numbers,
    ),
)
row_shaped = st.one_of(simple, st.builds(lambda c: {"not": c}, simple))


@given(st.lists(row_shaped, min_size=2, max_size=5), st.sampled_from([ALL, ANY]))
def test_conditions_the_rows_can_say_come_back_as_the_same_json(parts, combine):
    condition = {combine: parts}
    shown = condition_rows(condition)
    assert shown is not None
    assert rows_condition(*shown) == condition


@given(row_shaped)
def test_a_single_condition_is_one_row_and_comes_back_unwrapped(condition):
    assert rows_condition(*condition_rows(condition)) == condition


@pytest.mark.parametrize(
    "condition",
    [
        {"answer": "use", "in": ["run", "walk"]},
        {"trait": "support", "gt": 1},
        {"all": [{"any": [{"answered": "use"}]}]},
        {"not": {"not": {"answered": "use"}}},
        {"answer": "km", "equals": 3},
    ],
)
def test_what_the_rows_cannot_say_is_left_to_the_json(condition):
    assert condition_rows(condition) is None


def test_no_condition_is_always():
    assert condition_rows(None) == ("always", [])
    assert rows_condition("always", []) is None


# -- the step page ----------------------------------------------------------------------------


@pytest.fixture
def draft():
    brand = BrandFactory(slug="acme")
    data = definition(
        products=products("acme"),
        hidden_fields=[{"key": "partner", "label": {"en": "Partner", "es": "Socio"}}],
    )
    return assessment_import(brand=brand, source=data)


@pytest.fixture
def editor(client, draft):
    user = member(draft.brand, "editor")
    client.force_login(user)
    return user


def page_url(step) -> str:
    return reverse("admin:assessments_step_page", args=[step.pk])


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"', select)


@pytest.mark.django_db
def test_the_builder_offers_only_earlier_questions_traits_bands_and_fields(client, editor, draft):
    distance = draft.steps.get(key="distance")
    offered = options(client.get(page_url(distance)).text, "step-rule-rows-0-code")
    assert "answer|use|equals|run" in offered and "answered|use" in offered
    assert "trait|support|band|high" in offered and "trait|support|range" in offered
    assert "field|partner|equals" in offered
    assert not [code for code in offered if "|km|" in code or "|knees" in code]  # not earlier
    first = draft.steps.get(key="use")
    assert not [
        c
        for c in options(client.get(page_url(first)).text, "step-rule-rows-0-code")
        if c.startswith("answer")
    ]


@pytest.mark.django_db
def test_rows_save_as_the_formats_json_and_pass_validation(client, editor, draft):
    knees = draft.steps.get(key="knees")
    data = form_data(client.get(page_url(knees)).text, FORM)
    data.update(
        {
            "step-rule-combine": "all",
            "step-rule-rows-0-code": "answer|use|equals|run",
            "step-rule-rows-1-code": "answer|km|range",
            "step-rule-rows-1-low": "30",
            "step-rule-rows-1-negate": "on",
        }
    )
    response = client.post(page_url(knees), data)
    assert response.status_code == 302, errors(response.text)
    knees.refresh_from_db()
    assert knees.condition == {
        "all": [
            {"answer": "use", "equals": "run"},
            {"not": {"answer": "km", "range": {"min": 30}}},
        ]
    }
    assert draft_problems(draft) == []
    # Shown again as rows, in the order given.
    page = client.get(page_url(knees)).text
    assert re.search(r'<option value="answer\|use\|equals\|run" selected>', page)


@pytest.mark.django_db
def test_a_row_missing_its_numbers_is_an_error_and_nothing_is_saved(client, editor, draft):
    knees = draft.steps.get(key="knees")
    data = form_data(client.get(page_url(knees)).text, FORM)
    data.update({"step-rule-combine": "any", "step-rule-rows-0-code": "trait|support|range"})
    response = client.post(page_url(knees), data)
    assert response.status_code == 400
    assert "Give a low number, a high number, or both." in errors(response.text)
    knees.refresh_from_db()
    assert knees.condition is None


@pytest.mark.django_db
def test_the_advanced_json_is_checked_as_validate_checks_it(client, editor, draft):
    knees = draft.steps.get(key="knees")
    data = form_data(client.get(page_url(knees)).text, FORM)
    data["step-rule-mode"] = "json"
    data["step-condition"] = '{"answer": "phantom", "equals": "x"}'
    response = client.post(page_url(knees), data)
    assert response.status_code == 400
    assert any("question 'phantom', which does not exist" in e for e in errors(response.text))
    assert '{"answer": "phantom", "equals": "x"}' in response.text.replace("&quot;", '"')
    knees.refresh_from_db()
    assert knees.condition is None

    data["step-condition"] = '{"answer": "use", "in": ["run", "walk"]}'
    assert client.post(page_url(knees), data).status_code == 302
    knees.refresh_from_db()
    assert knees.condition == {"answer": "use", "in": ["run", "walk"]}
    # The rows cannot say "in": the page says so and opens the JSON.
    page = client.get(page_url(knees)).text
    assert "edit it as JSON below" in page


@pytest.mark.django_db
def test_a_stored_condition_left_alone_is_kept_as_it_was(client, editor, draft):
    Step.objects.filter(pk=draft.steps.get(key="knees").pk).update(
        condition={"all": [{"answered": "use"}]}
    )
    knees = draft.steps.get(key="knees")
    response = client.post(page_url(knees), form_data(client.get(page_url(knees)).text, FORM))
    assert response.status_code == 302, errors(response.text)
    knees.refresh_from_db()
    assert knees.condition == {"all": [{"answered": "use"}]}


@pytest.mark.django_db
def test_step_references_list_multiple_choice_as_includes(draft):
    use = draft.steps.get(key="use").questions.get()
    use.kind = "multiple"
    use.save()
    codes = {
        r.code for _g, refs in step_references(draft.steps.get(key="knees")).groups for r in refs
    }
    assert "answer|use|contains|run" in codes and "answer|use|equals|run" not in codes


@pytest.mark.django_db
def test_editing_only_the_json_saves_the_json_without_switching_anything(client, editor, draft):
    knees = draft.steps.get(key="knees")
    data = form_data(client.get(page_url(knees)).text, FORM)
    data["step-condition"] = '{"answered": "use"}'
    assert client.post(page_url(knees), data).status_code == 302
    knees.refresh_from_db()
    assert knees.condition == {"answered": "use"}


@pytest.mark.django_db
def test_changing_rows_and_json_keeps_what_the_author_chose(client, editor, draft):
    knees = draft.steps.get(key="knees")
    data = form_data(client.get(page_url(knees)).text, FORM)
    data.update(
        {
            "step-condition": '{"answered": "use"}',
            "step-rule-combine": "any",
            "step-rule-rows-0-code": "trait|support|band|low",
        }
    )
    assert client.post(page_url(knees), data).status_code == 302
    knees.refresh_from_db()
    assert knees.condition == {"trait": "support", "band": "low"}  # the rows, by default

    data = form_data(client.get(page_url(knees)).text, FORM)
    data.update(
        {
            "step-condition": '{"answered": "use"}',
            "step-rule-rows-0-code": "trait|support|band|high",
            "step-rule-mode": "json",
        }
    )
    assert client.post(page_url(knees), data).status_code == 302
    knees.refresh_from_db()
    assert knees.condition == {"answered": "use"}


@pytest.mark.django_db
def test_a_json_only_condition_is_not_shown_as_always(client, editor, draft):
    knees = draft.steps.get(key="knees")
    Step.objects.filter(pk=knees.pk).update(condition={"answer": "use", "in": ["run", "walk"]})
    page = client.get(page_url(knees)).text
    assert not re.search(r'name="step-rule-combine" value="always"[^>]*checked', page)
    response = client.post(page_url(knees), form_data(page, FORM))
    assert response.status_code == 302, errors(response.text)
    knees.refresh_from_db()
    assert knees.condition == {"answer": "use", "in": ["run", "walk"]}


# -- next rules, question conditions and outcome rules use the same builder --------------------


@pytest.mark.django_db
def test_next_rules_show_as_rows_and_offer_this_steps_answers_and_later_steps(
    client, editor, draft
):
    use = draft.steps.get(key="use")
    page = client.get(page_url(use)).text
    assert options(page, "step-next-0-goto") == ["distance", "knees"]  # later steps only
    assert re.search(r'<option value="knees" selected>', page)
    # A next rule may name the step's own question; the step's condition may not.
    assert "answer|use|equals|walk" in options(page, "step-next-0-rule-rows-0-code")
    assert not [c for c in options(page, "step-rule-rows-0-code") if "|use|" in c]
    assert re.search(r'<option value="answer\|use\|equals\|walk" selected>', page)


@pytest.mark.django_db
def test_a_next_rule_added_with_rows_saves_as_json_and_validates(client, editor, draft):
    use = draft.steps.get(key="use")
    data = form_data(client.get(page_url(use)).text, FORM)
    data.update(
        {
            "step-next-1-goto": "distance",
            "step-next-1-rule-combine": "all",
            "step-next-1-rule-rows-0-code": "answer|use|equals|run",
        }
    )
    response = client.post(page_url(use), data)
    assert response.status_code == 302, errors(response.text)
    use.refresh_from_db()
    assert use.next_rules == [
        {"when": {"answer": "use", "equals": "walk"}, "goto": "knees"},
        {"when": {"answer": "use", "equals": "run"}, "goto": "distance"},
    ]
    assert draft_problems(draft) == []

    data = form_data(client.get(page_url(use)).text, FORM)
    data.update({"step-next-0-goto": "", "step-next-0-rule-combine": "always"})
    data.update({f"step-next-0-rule-rows-{i}-code": "" for i in range(2)})
    assert client.post(page_url(use), data).status_code == 302
    use.refresh_from_db()
    assert use.next_rules == [{"when": {"answer": "use", "equals": "run"}, "goto": "distance"}]


@pytest.mark.django_db
def test_a_next_rule_with_rows_but_no_step_to_go_to_is_refused(client, editor, draft):
    use = draft.steps.get(key="use")
    data = form_data(client.get(page_url(use)).text, FORM)
    data.update({"step-next-1-rule-combine": "any", "step-next-1-rule-rows-0-code": "answered|use"})
    response = client.post(page_url(use), data)
    assert response.status_code == 400
    assert "Choose the step this rule goes to, or clear its rows." in errors(response.text)


@pytest.mark.django_db
def test_next_rules_as_json_are_checked_as_validate_checks_them(client, editor, draft):
    use = draft.steps.get(key="use")
    data = form_data(client.get(page_url(use)).text, FORM)
    data["step-next_rules"] = '[{"goto": "nowhere"}]'
    response = client.post(page_url(use), data)
    assert response.status_code == 400
    assert any("nowhere" in e for e in errors(response.text))
    use.refresh_from_db()
    assert use.next_rules[0]["goto"] == "knees"


@pytest.mark.django_db
def test_a_question_condition_is_built_from_rows_naming_only_earlier_answers(client, editor, draft):
    knees = draft.steps.get(key="knees")
    page = client.get(page_url(knees)).text
    offered = options(page, "questions-0-rule-rows-0-code")
    assert "answer|use|equals|run" in offered and "answer|km|range" in offered
    assert not [c for c in offered if "|knees|" in c]  # not itself
    data = form_data(page, FORM)
    data.update(
        {
            "questions-0-rule-combine": "any",
            "questions-0-rule-rows-0-code": "answer|km|range",
            "questions-0-rule-rows-0-low": "10",
            "questions-0-rule-rows-1-code": "field|partner|equals",
            "questions-0-rule-rows-1-text": "acme",
        }
    )
    response = client.post(page_url(knees), data)
    assert response.status_code == 302, errors(response.text)
    question = knees.questions.get()
    assert question.condition == {
        "any": [{"answer": "km", "range": {"min": 10}}, {"field": "partner", "equals": "acme"}]
    }
    assert draft_problems(draft) == []


def outcomes_url(assessment) -> str:
    return reverse("admin:assessments_assessment_outcomes", args=[assessment.pk])


OUTCOMES_FORM = r'<form method="post" class="sp-form"'


@pytest.mark.django_db
def test_outcome_rules_are_chosen_from_rows_on_one_page(client, editor, draft):
    supported, neutral = draft.outcomes.order_by("position")
    page = client.get(outcomes_url(draft)).text
    assert re.search(r'<option value="trait\|support\|band\|high" selected>', page)
    assert "answer|knees|equals|yes" in options(page, f"outcome-{supported.pk}-rule-rows-0-code")
    assert re.search(rf'name="outcome-{neutral.pk}-rule-combine" value="always"[^>]*checked', page)
    data = form_data(page, OUTCOMES_FORM)
    data.update(
        {
            f"outcome-{supported.pk}-rule-combine": "any",
            f"outcome-{supported.pk}-rule-rows-1-code": "answer|knees|equals|yes",
            f"outcome-{supported.pk}-priority": "5",
        }
    )
    response = client.post(outcomes_url(draft), data)
    assert response.status_code == 302, errors(response.text)
    supported.refresh_from_db()
    neutral.refresh_from_db()
    assert supported.rule == {
        "any": [{"trait": "support", "band": "high"}, {"answer": "knees", "equals": "yes"}]
    }
    assert supported.priority == 5
    assert neutral.rule is None
    assert draft_problems(draft) == []


@pytest.mark.django_db
def test_an_outcome_rule_as_json_is_checked_and_nothing_is_saved_on_error(client, editor, draft):
    supported = draft.outcomes.get(key="supported")
    data = form_data(client.get(outcomes_url(draft)).text, OUTCOMES_FORM)
    data[f"outcome-{supported.pk}-rule"] = '{"trait": "support", "band": "sky-high"}'
    response = client.post(outcomes_url(draft), data)
    assert response.status_code == 400
    assert any("sky-high" in e for e in errors(response.text))
    supported.refresh_from_db()
    assert supported.rule == {"trait": "support", "band": "high"}


@pytest.mark.django_db
def test_outcome_rules_of_another_brand_are_not_found(client, draft):
    client.force_login(member(BrandFactory(slug="other"), "editor"))
    assert client.get(outcomes_url(draft)).status_code == 404
