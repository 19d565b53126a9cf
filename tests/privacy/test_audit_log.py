"""Owners read who published, rolled back, imported, exported, duplicated or changed settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.authoring.services import assessment_import
from assessments.models import AuditEntry, AuditEntryImmutable, BrandFollowUpSettings, Step
from tests.factories import BrandFactory, UserFactory, definition, member, products

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:assessments_{name}", args=args)


@pytest.fixture
def brand():
    return BrandFactory(slug="acme", name="Acme")


@pytest.fixture
def draft(brand):
    return assessment_import(brand=brand, source=definition(products=products("acme")))


@pytest.fixture
def owner(client, brand):
    user = member(brand, "owner", username="olga")
    client.force_login(user)
    return user


def entries(action: str | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.order_by("at", "pk")
    return list(found.filter(action=action) if action else found)


def change_form_data(page) -> dict[str, Any]:
    """What the admin change form on `page` would post back unchanged, inlines included."""
    data: dict[str, Any] = {}
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            if field.disabled:
                continue
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            key = form.add_prefix(name)
            widget_value = field.widget.format_value(value) if value is not None else None
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | dict):
                data[key] = json.dumps(value)
            elif hasattr(value, "pk"):
                data[key] = value.pk
            elif widget_value is not None:
                data[key] = widget_value
    return data


def test_publishing_rolling_back_exporting_and_duplicating_are_logged_with_who(
    client, owner, draft
):
    client.post(url("assessment_publish", draft.pk))
    Step.objects.filter(assessment=draft, key="use").update(title={"en": "New", "es": "Nuevo"})
    client.post(url("assessment_publish", draft.pk))
    client.post(url("assessment_publish", draft.pk))  # nothing changed: nothing published
    client.post(url("assessment_make_live", draft.pk, 1))
    client.get(url("assessment_export", draft.pk) + "?version=2")
    client.post(url("assessment_duplicate", draft.pk))

    logged = [(e.action, e.description, e.actor, e.user) for e in entries()]
    assert logged == [
        ("published", "acme/fit-check v1", "olga", owner),
        ("published", "acme/fit-check v2", "olga", owner),
        ("made_live", "acme/fit-check v1", "olga", owner),
        ("exported", str(draft), "olga", owner),
        ("duplicated", "Fit check (acme/fit-check-copy)", "olga", owner),
    ]
    assert entries("exported")[0].details == {"version": 2}
    assert entries("duplicated")[0].details == {"from": "fit-check"}
    assert {e.brand.slug for e in entries()} == {"acme"}


def test_an_import_is_logged_and_a_rejected_one_is_not(client, owner, brand):
    good = json.dumps(definition(key="uploaded", products=products("acme"))).encode()
    client.post(
        url("assessment_import"),
        {"brand": brand.pk, "file": SimpleUploadedFile("a.json", good), "publish": "on"},
    )
    bad = definition(key="broken", products=products("acme"))
    bad["outcomes"] = "none"
    client.post(
        url("assessment_import"),
        {"brand": brand.pk, "file": SimpleUploadedFile("b.json", json.dumps(bad).encode())},
    )
    [entry] = entries("imported")
    assert "uploaded" in entry.description
    assert entry.details == {"published": True}


def test_a_brand_settings_change_is_logged_with_what_it_was_and_became(client, owner, brand):
    page = client.get(url("brand_change", brand.pk))
    assert "Keep customers" in page.content.decode()
    data = change_form_data(page)
    data.update(retention_days="365", sender_name="Acme Running")
    saved = client.post(url("brand_change", brand.pk), data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    brand.refresh_from_db()
    assert brand.retention_days == 365
    [entry] = entries("brand_changed")
    assert entry.details["fields"]["retention_days"] == {"from": 730, "to": 365}
    assert entry.details["fields"]["sender_name"] == {"from": "", "to": "Acme Running"}
    assert entry.actor == "olga"


def test_a_retention_period_outside_30_to_3650_days_is_a_form_error(client, owner, brand):
    page = client.get(url("brand_change", brand.pk))
    data = change_form_data(page)
    data.update(retention_days="7")
    refused = client.post(url("brand_change", brand.pk), data)
    assert refused.status_code == 200
    assert "retention_days" in refused.context["adminform"].form.errors
    brand.refresh_from_db()
    assert brand.retention_days == 730
    assert not entries("brand_changed")


def test_follow_up_settings_and_a_rotated_secret_are_logged_without_the_secret(
    client, owner, brand
):
    row, _created = BrandFollowUpSettings.objects.get_or_create(brand=brand)
    old_secret = row.webhook_secret
    page = client.get(url("brandfollowupsettings_change", row.pk))
    data = change_form_data(page)
    data.update(weekly_cap="1")
    assert client.post(url("brandfollowupsettings_change", row.pk), data).status_code == 302
    client.post(
        url("brandfollowupsettings_changelist"),
        {"action": "rotate_secret", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.webhook_secret != old_secret
    [changed] = entries("followup_settings_changed")
    assert changed.details["fields"]["weekly_cap"] == {"from": 2, "to": 1}
    [rotated] = entries("webhook_secret_rotated")
    assert rotated.brand == brand and rotated.actor == "olga"
    logged = json.dumps([e.details for e in entries()]) + str([e.description for e in entries()])
    assert old_secret not in logged and row.webhook_secret not in logged


def test_owners_read_their_brands_log_and_nobody_edits_or_deletes_it(client, owner, draft):
    client.post(url("assessment_publish", draft.pk))
    [entry] = entries()
    listing = client.get(url("auditentry_changelist"))
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    html = listing.content.decode()
    assert "Published a version" in html and "olga" in html
    assert "Add audit log entry" not in html
    change = client.get(url("auditentry_change", entry.pk)).content.decode()
    assert "acme/fit-check v1" in change and 'name="_save"' not in change
    assert client.post(url("auditentry_delete", entry.pk), {"post": "yes"}).status_code == 403
    assert client.post(url("auditentry_change", entry.pk), {"description": "x"}).status_code == 403
    assert client.get(url("auditentry_add")).status_code == 403
    assert AuditEntry.objects.get().description == "acme/fit-check v1"


def test_editors_and_other_brands_owners_cannot_read_the_log(client, owner, draft):
    client.post(url("assessment_publish", draft.pk))
    entry = AuditEntry.objects.get()
    client.force_login(member(draft.brand, "editor"))
    assert client.get(url("auditentry_changelist")).status_code == 403
    assert client.get(url("auditentry_change", entry.pk)).status_code == 403
    other = BrandFactory(slug="other", name="Zebra Other")
    client.force_login(member(other, "owner"))
    listing = client.get(url("auditentry_changelist"))
    assert listing.status_code == 200 and listing.context["cl"].result_count == 0
    assert "Acme" not in listing.content.decode()
    assert client.get(url("auditentry_change", entry.pk)).status_code in (302, 403, 404)


def test_an_entry_cannot_be_changed_or_deleted_in_code_either(client, owner, draft):
    client.post(url("assessment_publish", draft.pk))
    entry = AuditEntry.objects.get()
    entry.description = "something else"
    with pytest.raises(AuditEntryImmutable):
        entry.save()
    with pytest.raises(AuditEntryImmutable):
        entry.delete()
    assert AuditEntry.objects.get().description == "acme/fit-check v1"


def test_giving_someone_a_role_in_the_brand_is_logged(client, owner, brand):
    newcomer = UserFactory(username="newcomer")
    page = client.get(url("brand_change", brand.pk))
    data = change_form_data(page)
    total = int(data["memberships-TOTAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": str(total + 1),
            f"memberships-{total}-user": str(newcomer.pk),
            f"memberships-{total}-role": "owner",
            f"memberships-{total}-brand": str(brand.pk),
        }
    )
    saved = client.post(url("brand_change", brand.pk), data)
    assert saved.status_code == 302, saved.context["inline_admin_formsets"][0].formset.errors
    [entry] = entries("brand_changed")
    assert entry.details["related"] == [
        {"added": {"what": "brand membership", "which": "newcomer · Acme (Owner)"}}
    ]
