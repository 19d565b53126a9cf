"""Kiosk links: one per device in a store, created and revoked by the brand's editors."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.models import Kiosk
from assessments.store.services import kiosk_create, kiosk_revoke, kiosk_settings_change

from .base import ScopedModelAdmin


@admin.register(Kiosk)
class KioskAdmin(ScopedModelAdmin):
    list_display = ["name", "assessment", "idle_seconds", "state", "created_at"]
    list_filter = ["assessment"]
    fields = ["assessment", "name", "idle_seconds", "link", "revoked_at"]
    readonly_fields = ["link", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Kiosk | None = None) -> Any:
        # A kiosk keeps its assessment: a new assessment is a new link for the device.
        return [*self.readonly_fields, "assessment"] if obj is not None else self.readonly_fields

    @admin.display(description=_("state"))
    def state(self, obj: Kiosk) -> str:
        return str(_("Revoked") if obj.revoked_at else _("Active"))

    @admin.display(description=_("device link"))
    def link(self, obj: Kiosk) -> str:
        if obj.pk is None:
            return str(_("Saved kiosks get their link here. Open it on the device; no login."))
        if obj.revoked_at:
            return str(_("Revoked: the link no longer opens."))
        url = self.request_uri(reverse("store:kiosk", args=[obj.token]))
        return format_html('<a href="{0}" target="_blank" rel="noopener">{0}</a>', url)

    def request_uri(self, path: str) -> str:
        request = getattr(self, "_request", None)
        return request.build_absolute_uri(path) if request is not None else path

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        self._request = request
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request: HttpRequest, obj: Kiosk, form: Any, change: bool) -> None:
        if change:
            kiosk_settings_change(kiosk=obj, name=obj.name, idle_seconds=obj.idle_seconds)
            return
        created = kiosk_create(
            assessment=obj.assessment,
            name=obj.name,
            idle_seconds=obj.idle_seconds,
            created_by=request.user,
        )
        obj.pk, obj.token, obj.brand_id = created.pk, created.token, created.brand_id

    @admin.action(description=_("Revoke the selected kiosks' links"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Kiosk]) -> None:
        allowed = [kiosk for kiosk in queryset if self.has_change_permission(request, kiosk)]
        count = sum(kiosk_revoke(kiosk=kiosk) for kiosk in allowed)
        self.message_user(
            request, _("%(n)d kiosk link(s) revoked.") % {"n": count}, messages.SUCCESS
        )
