"""After the purchase: follow-up plans, purchases (with staff entry), follow-ups and settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.brands.mail import email_clean
from assessments.brands.tenancy import editable_brand_ids, is_superuser, owned_brand_ids
from assessments.followups import selectors
from assessments.followups.previews import followup_previews
from assessments.followups.purchases import (
    QUANTITY_MAX,
    ConsentInput,
    ItemInput,
    purchase_record,
    purchase_refund,
)
from assessments.followups.services import followup_settings_ensure, webhook_secret_rotate
from assessments.followups.webhook import EARLIEST, LATEST
from assessments.models import (
    Brand,
    BrandFollowUpSettings,
    CheckIn,
    Consent,
    FollowUp,
    FollowUpPlan,
    FollowUpPlanStep,
    Purchase,
    PurchaseItem,
)

from .base import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline
from .privacy import AuditedChanges, audit_admin_action


class ReadOnlyMixin:
    """Rows written only by services: staff read them, nobody edits them here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# -- plans -------------------------------------------------------------------------------


class FollowUpPlanStepInline(ScopedStackedInline, admin.StackedInline):
    model = FollowUpPlanStep
    brand_path = "plan__assessment__brand"
    parent_brand_path = "assessment__brand"
    extra = 0
    fields = [("delay_days", "kind", "position"), "subject", "body", "preview"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview"))
    def preview(self, obj: FollowUpPlanStep) -> str:
        if obj is None or obj.pk is None:
            return _("Save the step to preview its e-mail.")
        return format_html(
            '<a href="{}" class="followup-preview-link">{}</a>',
            reverse("admin:assessments_followupplan_preview", args=[obj.plan_id, obj.pk]),
            _("Preview the e-mail in each language (with sample values)"),
        )


@admin.register(FollowUpPlan)
class FollowUpPlanAdmin(ScopedModelAdmin):
    brand_path = "assessment__brand"
    list_display = ["name", "assessment", "outcome_key", "product_sku", "priority", "active"]
    list_filter = ["active", "assessment__brand"]
    search_fields = ["name", "key"]
    fields = [
        "assessment",
        ("key", "name"),
        ("active", "priority"),
        ("outcome_key", "product_sku"),
        "condition",
    ]
    inlines = [FollowUpPlanStepInline]

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/steps/<int:step>/preview/",
                view(self.preview_view),
                name="assessments_followupplan_preview",
            ),
            path(
                "<int:pk>/steps/<int:step>/preview/<str:language>/email.html",
                view(self.preview_html_view),
                name="assessments_followupplan_preview_html",
            ),
            *super().get_urls(),
        ]

    def _step(self, request: HttpRequest, pk: int, step: int) -> FollowUpPlanStep:
        plan = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, plan):
            raise Http404
        return get_object_or_404(plan.steps.select_related("plan__assessment__brand"), pk=step)

    def preview_view(self, request: HttpRequest, pk: int, step: int) -> HttpResponse:
        """The step's e-mail in each of the brand's languages: subject, HTML and plain text."""
        row = self._step(request, pk, step)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": row.plan,
            "step": row,
            "previews": followup_previews(row),
            "title": _("Preview of “%(plan)s”, day %(day)d")
            % {"plan": row.plan.name, "day": row.delay_days},
        }
        return TemplateResponse(request, "admin/assessments/followupplan/preview.html", context)

    def preview_html_view(
        self, request: HttpRequest, pk: int, step: int, language: str
    ) -> HttpResponse:
        """One language's HTML e-mail, for the preview's frame: inline styles as mail needs."""
        row = self._step(request, pk, step)
        emails = dict(followup_previews(row))
        if language not in emails:
            raise Http404
        return _email_frame(HttpResponse(emails[language].html))


def _email_frame(response: HttpResponse) -> HttpResponse:
    """An e-mail's HTML shown in the admin's own frame: mail clients need inline styles, so this
    one response allows them, and scripts nowhere; only the admin's pages may frame it."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: https:; "
        "frame-ancestors 'self'"
    )
    # The site's middlewares keep headers a view set.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


# -- purchases ---------------------------------------------------------------------------


class PurchaseEntryForm(forms.ModelForm):
    """Staff record a purchase by hand; it goes through the same service as the webhook."""

    sku = forms.CharField(label=_("SKU bought"), max_length=64)
    quantity = forms.IntegerField(
        label=_("quantity"), min_value=1, max_value=QUANTITY_MAX, initial=1
    )
    response_token = forms.CharField(
        label=_("response link or token"),
        required=False,
        help_text=_("Paste the customer's results link to connect the purchase to their answers."),
    )
    consent_given = forms.BooleanField(
        label=_("the customer agreed to follow-up e-mails"), required=False
    )
    consent_wording = forms.CharField(
        label=_("wording they agreed to (version)"),
        required=False,
        initial="in-store-v1",
        max_length=Consent._meta.get_field("wording_version").max_length,
    )

    class Meta:
        model = Purchase
        fields = ["brand", "order_id", "purchased_at", "email", "first_name", "language"]

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if email and email_clean(email) is None:
            raise forms.ValidationError(_("Enter an address the customer receives mail at."))
        return email

    def clean_purchased_at(self) -> Any:
        # The webhook's window: follow-ups are scheduled days after it, which must be a date.
        when = self.cleaned_data.get("purchased_at")
        if when is not None and not EARLIEST <= when < LATEST:
            raise forms.ValidationError(_("Give a time between the years 2000 and 2100."))
        return when

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        brand = data.get("brand")
        token = (data.get("response_token") or "").strip().rstrip("/").split("/")
        token = next((part for part in reversed(token) if len(part) >= 32), "")
        data["response"] = None
        if brand and token:
            found = selectors.response_by_token(token)
            data["response"] = found if found and found.brand_id == brand.pk else None
            if data["response"] is None:
                self.add_error("response_token", _("No response of this brand has that link."))
        if (
            brand
            and data.get("sku")
            and not selectors.brand_products(brand).filter(sku=data["sku"]).exists()
        ):
            self.add_error("sku", _("This brand has no product with that SKU."))
        if data.get("consent_given") and not data.get("email"):
            self.add_error("email", _("Consent needs the customer's e-mail."))
        return data


class PurchaseItemInline(ScopedTabularInline, admin.TabularInline):
    model = PurchaseItem
    brand_path = "purchase__brand"
    parent_brand_path = "brand"
    extra = 0
    fields = ["sku", "product", "quantity", "price", "recommended", "rank"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FollowUpInline(ScopedTabularInline, admin.TabularInline):
    model = FollowUp
    brand_path = "brand"
    parent_brand_path = "brand"
    extra = 0
    fields = ["scheduled_for", "step", "state", "reason", "sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Purchase)
class PurchaseAdmin(ScopedModelAdmin):
    list_display = ["order_id", "brand", "purchased_at", "email", "status", "source", "linked"]
    list_filter = ["status", "source", "brand"]
    search_fields = ["order_id", "email"]
    date_hierarchy = "purchased_at"
    inlines = [PurchaseItemInline, FollowUpInline]
    actions = ["refund"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = PurchaseEntryForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return [
                "brand",
                "order_id",
                "purchased_at",
                ("sku", "quantity"),
                "response_token",
                ("email", "first_name", "language"),
                ("consent_given", "consent_wording"),
            ]
        return [
            "brand",
            "order_id",
            "purchased_at",
            "status",
            "refunded_at",
            "source",
            "response",
            "email",
            "first_name",
            "language",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else list(self.get_fields(request, obj))

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [] if obj is None else super().get_inline_instances(request, obj)

    @admin.display(boolean=True, description=_("From a response"))
    def linked(self, obj: Purchase) -> bool:
        return obj.response_id is not None

    def save_model(self, request: HttpRequest, obj: Purchase, form: Any, change: bool) -> None:
        if change:
            return  # purchases are not edited; refund them with the action
        data = form.cleaned_data
        # The form checks what the service checks, so PurchaseRejected here is a bug: a 500.
        purchase, created = purchase_record(
            brand=data["brand"],
            order_id=data["order_id"],
            items=[ItemInput(sku=data["sku"], quantity=data["quantity"])],
            source=Purchase.Source.STAFF,
            purchased_at=data["purchased_at"],
            response=data["response"],
            email=data.get("email") or "",
            first_name=data.get("first_name") or "",
            language=data.get("language") or "",
            consent=ConsentInput(data["consent_wording"] or "staff", "staff")
            if data.get("consent_given")
            else None,
        )
        if not created:
            messages.warning(request, _("That order was already recorded; nothing changed."))
        obj.pk = purchase.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # items and follow-ups are written by the service

    @admin.action(description=_("Mark refunded and cancel pending follow-ups"))
    def refund(self, request: HttpRequest, queryset: QuerySet[Purchase]) -> None:
        if not is_superuser(request):
            queryset = queryset.filter(brand__in=editable_brand_ids(request.user))
        for purchase in queryset.select_related("brand"):
            purchase_refund(brand=purchase.brand, order_id=purchase.order_id)
        messages.success(request, _("Refunded; their pending follow-ups are cancelled."))


# -- follow-ups, check-ins ---------------------------------------------------------------


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyMixin, ScopedModelAdmin):
    list_display = ["scheduled_for", "email", "kind", "state", "reason", "attempts", "sent_at"]
    list_filter = ["state", "step__kind", "brand"]
    search_fields = ["email", "purchase__order_id"]
    date_hierarchy = "scheduled_for"
    list_select_related = ["step"]

    @admin.display(description=_("Kind"))
    def kind(self, obj: FollowUp) -> str:
        return obj.step.get_kind_display()


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyMixin, ScopedModelAdmin):
    brand_path = "followup__brand"
    list_display = ["answered_at", "csat", "ces", "nps", "delivered", "product"]
    list_filter = ["delivered", "followup__brand"]
    list_select_related = ["followup__item"]

    @admin.display(description=_("Product"))
    def product(self, obj: CheckIn) -> str:
        return obj.followup.item.sku if obj.followup.item else "—"


# -- settings: webhook secret and weekly cap ---------------------------------------------


class FollowUpSettingsAddForm(forms.ModelForm):
    """Adding settings only picks the brand: the secret is made for it, the cap is the default."""

    class Meta:
        model = BrandFollowUpSettings
        fields = ["brand"]


@admin.register(BrandFollowUpSettings)
class BrandFollowUpSettingsAdmin(AuditedChanges, ScopedModelAdmin):
    """Owners only: the webhook secret is as sensitive as a password.

    A brand has no settings until an owner adds them here (a POST, like every write): that
    makes its webhook secret. Until then it follows the default weekly cap and its webhook
    answers 401.
    """

    list_display = ["brand", "weekly_cap"]
    actions = ["rotate_secret"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if is_superuser(request):
            return queryset
        return queryset.filter(brand__in=owned_brand_ids(request.user))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        if obj is None:
            kwargs["form"] = FollowUpSettingsAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["brand"]
        return [
            "brand",
            "weekly_cap",
            "webhook_url",
            "secret",
            "shopify_url",
            "shopify_secret",
            "woocommerce_url",
            "woocommerce_secret",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["brand", "webhook_url", "secret", "shopify_url", "woocommerce_url"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "brand":
            # The owner's brands that have no settings yet.
            brands = Brand.objects.filter(followup_settings__isnull=True)
            if not is_superuser(request):
                brands = brands.filter(pk__in=owned_brand_ids(request.user))
            kwargs["queryset"] = brands
        # Not BrandScoped's: it would widen the choice to every brand the user may edit.
        return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: BrandFollowUpSettings, form: Any, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = followup_settings_ensure(brand_id=form.cleaned_data["brand"].pk)
        obj.pk = created.pk
        obj._state.adding = False

    def _owner(self, request: HttpRequest, obj: Any) -> bool:
        if is_superuser(request):
            return True
        owned = owned_brand_ids(request.user)
        return bool(owned) if obj is None else obj.brand_id in owned

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._owner(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._owner(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._owner(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._owner(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Webhook URL"))
    def webhook_url(self, obj: BrandFollowUpSettings) -> str:
        return f"{settings.SITE_URL}{reverse('followups:store-webhook', args=[obj.brand.slug])}"

    @admin.display(description=_("Shopify webhook URL (orders/create, refunds/create)"))
    def shopify_url(self, obj: BrandFollowUpSettings) -> str:
        return f"{settings.SITE_URL}{reverse('followups:shopify', args=[obj.brand.slug])}"

    @admin.display(description=_("WooCommerce delivery URL (order created, order updated)"))
    def woocommerce_url(self, obj: BrandFollowUpSettings) -> str:
        return f"{settings.SITE_URL}{reverse('followups:woocommerce', args=[obj.brand.slug])}"

    @admin.display(description=_("Webhook signing secret"))
    def secret(self, obj: BrandFollowUpSettings) -> str:
        return format_html("<code>{}</code>", obj.webhook_secret)

    @admin.action(description=_("Rotate the webhook secret (the store must be updated)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        if not is_superuser(request):
            queryset = queryset.filter(brand__in=owned_brand_ids(request.user))
        for row in queryset:
            webhook_secret_rotate(settings_row=row)
            audit_admin_action(request, "webhook_secret_rotated", row)
        messages.success(request, _("New secret set. Give it to your store now."))
