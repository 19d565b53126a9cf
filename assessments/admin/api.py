"""API keys and outgoing webhooks for a brand's owners: make and revoke keys, register
endpoints, and read (and resend) what was delivered to them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.api.delivery import DeliveryRefused, delivery_redeliver, endpoint_url_problem
from assessments.api.keys import api_key_create, api_key_revoke
from assessments.api.outbox import webhook_queue
from assessments.brands.tenancy import is_superuser, owned_brand_ids, readable_brand_ids
from assessments.models import ApiKey, Brand, WebhookDelivery, WebhookEndpoint, WebhookEvent

from .base import ScopedModelAdmin


class OwnersOnly:
    """Keys and endpoints reach all of a brand's data: only its owners see and manage them."""

    def _owned(self, request: HttpRequest) -> set[int]:
        return owned_brand_ids(request.user)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if is_superuser(request):
            return queryset
        return queryset.filter(brand__in=self._owned(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) or bool(self._owned(request))

    def _allowed(self, request: HttpRequest, obj: Any) -> bool:
        if is_superuser(request):
            return True
        owned = self._owned(request)
        return bool(owned) if obj is None else obj.brand_id in owned

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def brand_choices(self, request: HttpRequest) -> QuerySet[Brand]:
        if is_superuser(request):
            return Brand.objects.all()
        return Brand.objects.filter(pk__in=self._owned(request))


class KeyForm(forms.Form):
    brand = forms.ModelChoiceField(queryset=Brand.objects.none(), label=gettext_lazy("Brand"))
    name = forms.CharField(
        max_length=100,
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("What will use this key, e.g. “CRM sync”."),
    )
    scope = forms.ChoiceField(
        choices=ApiKey.Scope.choices, initial=ApiKey.Scope.READ, label=gettext_lazy("Scope")
    )


@admin.register(ApiKey)
class ApiKeyAdmin(OwnersOnly, ScopedModelAdmin):
    list_display = ["name", "brand", "prefix", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    readonly_fields = [
        "brand",
        "name",
        "prefix",
        "scope",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Make a key, and show it this once: only its digest is kept."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = KeyForm(request.POST or None)
        form.fields["brand"].queryset = self.brand_choices(request)
        made = None
        if request.method == "POST" and form.is_valid():
            made = api_key_create(
                brand=form.cleaned_data["brand"],
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                created_by=request.user,  # type: ignore[arg-type]
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Your new API key") if made else _("Make an API key"),
            "form": form,
            "made": made,
        }
        return TemplateResponse(request, "admin/assessments/apikey/add.html", context)

    def get_urls(self) -> list[Any]:
        revoke = self.admin_site.admin_view(self.revoke_view)
        return [
            path("<int:pk>/revoke/", revoke, name="assessments_apikey_revoke"),
            *super().get_urls(),
        ]

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        key = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, key):
            raise PermissionDenied
        if api_key_revoke(key=key):
            self.message_user(request, _("The key %(key)s was revoked.") % {"key": key})
        return HttpResponseRedirect(reverse("admin:assessments_apikey_changelist"))

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        revoked = sum(api_key_revoke(key=key) for key in queryset)
        self.message_user(request, _("%(n)d key(s) revoked.") % {"n": revoked})


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Events"),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["brand", "url", "description", "events", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        problem = endpoint_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OwnersOnly, ScopedModelAdmin):
    form = EndpointForm
    list_display = ["url", "brand", "active", "disabled_at", "created_at"]
    list_filter = ["active"]
    readonly_fields = ["secret", "disabled_at", "disabled_reason", "created_at"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["brand"].queryset = self.brand_choices(request)
        return form


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OwnersOnly, ScopedModelAdmin):
    list_display = [
        "created_at",
        "event",
        "endpoint",
        "state",
        "attempts",
        "response_code",
        "last_attempt_at",
        "next_attempt_at",
    ]
    list_filter = ["state", "event"]
    readonly_fields = [
        "brand",
        "endpoint",
        "event",
        "message_id",
        "state",
        "attempts",
        "response_code",
        "error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "retry_until",
        "delivered_at",
        "payload",
    ]
    actions = ["redeliver"]
    change_form_template = "admin/assessments/webhookdelivery/change_form.html"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) or bool(
            readable_brand_ids(request.user) & self._owned(request)
        )

    def get_urls(self) -> list[Any]:
        again = self.admin_site.admin_view(self.redeliver_view)
        return [
            path("<int:pk>/redeliver/", again, name="assessments_webhookdelivery_redeliver"),
            *super().get_urls(),
        ]

    def _redeliver(self, request: HttpRequest, delivery: WebhookDelivery) -> bool:
        try:
            delivery_redeliver(delivery_id=delivery.pk)
        except DeliveryRefused as refused:
            self.message_user(request, str(refused), messages.WARNING)
            return False
        webhook_queue(delivery.pk)
        return True

    def redeliver_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, delivery):
            raise PermissionDenied
        if self._redeliver(request, delivery):
            self.message_user(request, _("Sending it again now."))
        return HttpResponseRedirect(
            reverse("admin:assessments_webhookdelivery_change", args=[delivery.pk])
        )

    @admin.action(description=gettext_lazy("Send the selected deliveries again"))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        sent = sum(self._redeliver(request, delivery) for delivery in queryset)
        self.message_user(request, _("%(n)d delivery(ies) queued again.") % {"n": sent})
