"""Authoring through the admin: validate, publish, duplicate, export, import, images."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import Assessment, Product, Step
from tests.factories import BrandFactory, definition, member, png_bytes, products

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


@pytest.fixture
def brand():
    return BrandFactory(slug="acme")


@pytest.fixture
def draft(brand):
    return assessment_import(brand=brand, source=definition(products=products("acme")))


@pytest.fixture
def editor(client, brand):
    user = member(brand, "editor")
    client.force_login(user)
    return user


def test_the_change_page_shows_the_draft_and_the_authoring_tools(client, editor, draft):
    page = client.get(url("assessment_change", draft.pk)).content.decode()
    for tool in ("Publish", "Validate", "Duplicate", "Export JSON"):
        assert tool in page
    # Steps are edited inline, each linking to its own questions and choices.
    assert page.count("edit the step, its questions and choices") == 3
    assert 'name="steps-0-position"' in page
    assert 'name="title_en"' in page and 'name="title_es"' in page
    assert 'value="support"' in page  # the trait, inline


def test_the_step_page_edits_its_questions_inline(client, editor, draft):
    step = draft.steps.get(key="knees")
    page = client.get(url("step_change", step.pk)).content.decode()
    assert 'name="questions-0-prompt_en"' in page
    assert "Do your knees drift in?" in page


def test_validate_says_the_draft_is_ready(client, editor, draft):
    page = client.get(url("assessment_validate", draft.pk)).content.decode()
    assert "ready to publish" in page


def test_validate_lists_every_problem_of_a_broken_draft(client, editor, draft):
    Step.objects.filter(assessment=draft, key="knees").update(
        condition={"answer": "phantom", "equals": "x"}
    )
    Step.objects.filter(assessment=draft, key="use").update(next_rules=[{"goto": "nowhere"}])
    response = client.get(url("assessment_validate", draft.pk))
    page = response.content.decode()
    assert "phantom" in page and "nowhere" in page
    assert "problem(s) to fix before publishing" in page


def test_publish_from_the_admin_creates_a_version_and_shows_it(client, editor, draft):
    response = client.post(url("assessment_publish", draft.pk), follow=True)
    page = response.content.decode()
    assert "Published version 1" in page
    draft.refresh_from_db()
    assert draft.live_version.published_by == editor
    assert editor.username in page  # the version list says who published


def test_publish_refuses_a_broken_draft_and_shows_why(client, editor, draft):
    Step.objects.filter(assessment=draft, key="use").update(next_rules=[{"goto": "use"}])
    response = client.post(url("assessment_publish", draft.pk))
    assert response.status_code == 400
    assert "Not published" in response.content.decode()
    assert draft.versions.count() == 0


def test_duplicate_makes_an_unpublished_copy(client, editor, draft):
    response = client.post(url("assessment_duplicate", draft.pk))
    copy = Assessment.objects.get(key="fit-check-copy")
    assert response["Location"] == url("assessment_change", copy.pk)
    assert copy.live_version is None
    assert list(copy.steps.values_list("key", flat=True)) == ["use", "distance", "knees"]


def test_export_downloads_the_definition(client, editor, draft):
    response = client.get(url("assessment_export", draft.pk))
    assert response["Content-Disposition"].endswith('fit-check-draft.json"')
    data = json.loads(response.content)
    assert data["key"] == "fit-check"
    assert {p["sku"] for p in data["products"]} == {"steady", "breeze", "trail"}


def test_import_from_the_admin_creates_the_draft(client, editor, brand):
    payload = json.dumps(definition(key="uploaded", products=products("acme"))).encode()
    response = client.post(
        url("assessment_import"),
        {"brand": brand.pk, "file": SimpleUploadedFile("a.json", payload), "publish": "on"},
    )
    imported = Assessment.objects.get(key="uploaded")
    assert response.status_code == 302
    assert imported.live_version.number == 1


def test_import_of_a_bad_file_lists_the_problems_and_writes_nothing(client, editor, brand):
    data = definition(key="broken", products=products("acme"))
    data["steps"][0]["questions"][0]["kind"] = "dropdown"
    data["outcomes"] = "none"
    response = client.post(
        url("assessment_import"),
        {"brand": brand.pk, "file": SimpleUploadedFile("b.json", json.dumps(data).encode())},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "nothing was imported" in page
    assert "$.steps[0].questions[0].kind" in page
    assert "$.outcomes" in page
    assert not Assessment.objects.filter(key="broken").exists()


def test_rolling_back_makes_the_older_version_live(client, editor, draft):
    client.post(url("assessment_publish", draft.pk))
    Step.objects.filter(assessment=draft, key="use").update(title={"en": "New", "es": "Nuevo"})
    client.post(url("assessment_publish", draft.pk))
    client.post(url("assessment_make_live", draft.pk, 1))
    draft.refresh_from_db()
    assert draft.live_version.number == 1


def test_keys_cannot_be_changed_once_a_version_is_published(client, editor, draft):
    client.post(url("assessment_publish", draft.pk))
    step = draft.steps.get(key="use")
    page = client.get(url("step_change", step.pk)).content.decode()
    assert 'name="key"' not in page


def _product_form(brand, image) -> dict:
    return {
        "brand": brand.pk,
        "sku": "trail-1",
        "name_en": "Trail One",
        "name_es": "Trail Uno",
        "description_en": "",
        "description_es": "",
        "url": "https://acme.example/trail-1",
        "price": "120.00",
        "currency": "EUR",
        "image": image,
        "attributes": '{"terrain": "trail"}',
        "priority": "0",
        "active": "on",
        # The variants inline's management form, as the page sends it with no variants.
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
    }


def test_a_product_image_upload_is_checked_and_gets_a_thumbnail(client, editor, brand):
    image = SimpleUploadedFile("trail.png", png_bytes((800, 600)), content_type="image/png")
    response = client.post(url("product_add"), _product_form(brand, image))
    assert response.status_code == 302, response.content.decode()[:2000]
    product = Product.objects.get(sku="trail-1")
    assert product.name == {"en": "Trail One", "es": "Trail Uno"}
    assert product.thumbnail.name.endswith(".webp")


def test_the_product_form_sets_the_brands_priority_within_its_range(client, editor, brand):
    image = SimpleUploadedFile("trail.png", png_bytes(), content_type="image/png")
    refused = client.post(url("product_add"), {**_product_form(brand, image), "priority": "5000"})
    assert "less than or equal to 1000" in refused.content.decode()
    image = SimpleUploadedFile("trail.png", png_bytes(), content_type="image/png")
    saved = client.post(url("product_add"), {**_product_form(brand, image), "priority": "7"})
    assert saved.status_code == 302
    assert Product.objects.get(sku="trail-1").priority == 7
    changelist = client.get(url("product_changelist")).content.decode()
    assert 'name="form-0-priority" value="7"' in changelist


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_message(client, editor, brand):
    fake = SimpleUploadedFile("trail.png", b"<?php echo 'hi'; ?>", content_type="image/png")
    response = client.post(url("product_add"), _product_form(brand, fake))
    assert response.status_code == 200
    assert not Product.objects.filter(sku="trail-1").exists()
    assert "image" in response.content.decode().lower()


def test_an_inline_key_cannot_be_renamed_after_publishing_but_new_rows_get_keys(draft):
    from django.forms import modelform_factory

    from assessments.admin.forms import StableKeyForm
    from assessments.authoring.services import assessment_publish

    assessment_publish(assessment=draft, user=None)
    StepForm = modelform_factory(Step, form=StableKeyForm, fields=["key", "title"])
    step = draft.steps.get(key="use")
    renamed = StepForm(
        {"key": "purpose", "title_en": "Use", "title_es": "Uso"},
        instance=step,
        initial={"key": "use"},
    )
    assert not renamed.is_valid()
    assert "cannot change once a version is published" in renamed.errors["key"][0]
    new = StepForm({"key": "extra", "title_en": "Extra", "title_es": "Extra"})
    assert new.is_valid(), new.errors
