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
