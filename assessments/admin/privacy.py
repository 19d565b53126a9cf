"""The audit log owners read, the owners' export-or-erase page, and how admin views log actions.

Admin views that act on a brand call `audit_admin_action` (publish, make live, import,
export, duplicate, rotate the webhook secret); changes saved through a change form are logged
by the `AuditedChanges` mixin, inside the admin's own transaction for the save.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.contrib import admin, messages
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.brands.tenancy import is_superuser, owned_brand_ids
from assessments.models import (
    AssessmentVersion,
    AuditEntry,
    Brand,
    BrandFollowUpSettings,
)
from assessments.privacy.forms import CustomerDataForm
from assessments.privacy.selectors import customer_data_export, customer_data_summary
from assessments.privacy.services import (
    audit_record,
    customer_data_erase,
    data_export_record,
)

from .base import ScopedModelAdmin

# A changed value longer than this is logged as changed, without the value.
VALUE_MAX_CHARS = 200
# Fields whose values never go into the log, only the fact that they changed.
SECRET_FIELDS = frozenset({"webhook_secret", "shopify_secret", "woocommerce_secret"})
CHANGE_ACTIONS: dict[type[models.Model], str] = {
    Brand: AuditEntry.Action.BRAND_CHANGED,
    BrandFollowUpSettings: AuditEntry.Action.FOLLOWUP_SETTINGS_CHANGED,
}


def brand_of(obj: Any) -> Brand | None:
    """The brand an object belongs to: itself, its `brand`, or its assessment's."""
    if isinstance(obj, Brand):
        return obj
    if isinstance(obj, AssessmentVersion):
        return obj.assessment.brand
    brand = getattr(obj, "brand", None)
    return brand if isinstance(brand, Brand) else None


def audit_admin_action(
    request: HttpRequest, action: str, obj: Any, details: Mapping[str, Any] | None = None
) -> AuditEntry | None:
    """Log what the staff member behind `request` just did to `obj` (None if it has no brand)."""
    brand = brand_of(obj)
    if brand is None:
        return None
    return audit_record(
        brand=brand, user=request.user, action=action, description=str(obj), details=details
    )


def _shown(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, File):
        return value.name or ""  # a file: its name, not its content
    text = json.dumps(value, cls=DjangoJSONEncoder, default=str)
    return value if len(text) <= VALUE_MAX_CHARS else "(long value)"


class AuditedChanges:
    """Log each change saved through this ModelAdmin's form: fields before → after, inlines.

    Django calls `construct_change_message` after a successful save, inside the transaction
    `changeform_view` holds, so the entry is written with the change or not at all.
    """

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        message = super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]
        action = CHANGE_ACTIONS.get(type(form.instance))
        if action is None:
            return message
        changed = {}
        for name in form.changed_data:
            if name in SECRET_FIELDS:
                changed[name] = "(changed)"
            else:
                changed[name] = {
                    "from": _shown(form.initial.get(name)),
                    "to": _shown(form.cleaned_data.get(name)),
                }
        inlines = [
            {kind: {"what": str(entry[kind].get("name", "")), "which": entry[kind].get("object")}}
            for entry in message
            if isinstance(entry, dict)
            for kind in ("added", "changed", "deleted")
            if kind in entry and "object" in entry[kind]
        ]
        if changed or inlines or add:
            details: dict[str, Any] = {"fields": changed}
            if inlines:
                details["related"] = inlines
            if add:
                details["created"] = True
            audit_admin_action(request, action, form.instance, details)
        return message


def _owner(request: HttpRequest, brand_id: int | None = None) -> bool:
    if is_superuser(request):
        return True
    owned = owned_brand_ids(request.user)
    return bool(owned) if brand_id is None else brand_id in owned


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedModelAdmin):
    """Read-only, for the brand's owners: nobody edits or deletes the log here."""

    list_display = ["at", "action", "description", "by", "brand"]
    list_filter = ["action", "brand"]
    search_fields = ["description", "actor"]
    date_hierarchy = "at"
    list_select_related = ["brand"]
    fields = ["at", "brand", "by", "action", "description", "details_shown"]
    readonly_fields = fields
    change_list_template = "admin/assessments/auditentry/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEntry]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if is_superuser(request):
            return queryset
        return queryset.filter(brand__in=owned_brand_ids(request.user))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _owner(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _owner(request, None if obj is None else obj.brand_id)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("By"), ordering="actor")
    def by(self, obj: AuditEntry) -> str:
        if obj.actor:
            return obj.actor
        if obj.action in (AuditEntry.Action.DATA_EXPORTED, AuditEntry.Action.DATA_ERASED):
            return str(_("the customer (their e-mail link)"))
        return str(_("automatic"))

    @admin.display(description=_("Details"))
    def details_shown(self, obj: AuditEntry) -> str:
        text = json.dumps(obj.details, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    # -- an owner exports or erases one address's data --------------------------------

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "customer-data/",
                view(self.customer_data_view),
                name="assessments_auditentry_customer_data",
            ),
            *super().get_urls(),
        ]

    def customer_data_view(self, request: HttpRequest) -> HttpResponse:
        """Export or erase everything tied to an address, for a request that came another way."""
        brands = Brand.objects.order_by("name")
        if not is_superuser(request):
            brands = brands.filter(pk__in=owned_brand_ids(request.user))
        if not brands.exists():
            raise Http404
        form = CustomerDataForm(
            request.POST if request.method == "POST" else None,
            brands=brands,
            initial={"brand": request.GET.get("brand")},
        )
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                done = self._customer_data_act(request, form)
                if done is not None:
                    return done
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("A customer's data: export or erase"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/assessments/auditentry/customer_data.html", context, status=status
        )

    def _customer_data_act(
        self, request: HttpRequest, form: CustomerDataForm
    ) -> HttpResponse | None:
        brand, email = form.cleaned_data["brand"], form.cleaned_data["email"]
        summary = customer_data_summary(brand=brand, email=email)
        if summary.empty:
            form.add_error(
                "email", _("%(brand)s holds nothing tied to this address.") % {"brand": brand.name}
            )
            return None
        if form.cleaned_data["action"] == CustomerDataForm.ERASE:
            erasure = customer_data_erase(brand=brand, email=email, user=request.user)
            self.message_user(
                request,
                _(
                    "Erased: %(purchases)d purchase(s), %(consents)d consent(s), %(followups)d "
                    "follow-up(s), %(checkins)d check-in(s); %(anonymised)d finished response(s) "
                    "kept only as anonymous counts, %(deleted)d unfinished one(s) deleted."
                )
                % {
                    "purchases": erasure.purchases,
                    "consents": erasure.consents,
                    "followups": erasure.followups,
                    "checkins": erasure.checkins,
                    "anonymised": erasure.responses_anonymised,
                    "deleted": erasure.responses_deleted,
                },
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:assessments_auditentry_changelist"))
        export = customer_data_export(brand=brand, email=email)
        data_export_record(brand=brand, email=email, counts=summary.as_dict(), user=request.user)
        body = json.dumps(export, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{brand.slug}-customer-data.json"'
        return response


def customer_data_link(brand: Brand) -> str:
    """A link to the export-or-erase page with this brand chosen (for the brand's form)."""
    url = reverse("admin:assessments_auditentry_customer_data")
    return format_html(
        '<a href="{}?brand={}">{}</a>', url, brand.pk, _("Export or erase a customer's data")
    )
