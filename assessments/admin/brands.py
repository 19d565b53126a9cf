"""Brands, their staff and their catalogue."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessments.authoring.images import product_thumbnail_make
from assessments.brands.tenancy import is_superuser, owned_brand_ids
from assessments.limits import limit_reached
from assessments.models import Brand, BrandMembership, Product, ProductVariant

from .base import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline
from .forms import BrandForm, ProductForm, VariantForm
from .privacy import AuditedChanges, customer_data_link


class MembershipInline(ScopedTabularInline):
    model = BrandMembership
    brand_path = "brand"
    parent_brand_path = "pk"
    extra = 0
    autocomplete_fields = ["user"]

    def _can_edit(self, request: HttpRequest, obj: Any) -> bool:
        # Only owners decide who works for their brand.
        if is_superuser(request):
            return True
        return obj is not None and obj.pk in owned_brand_ids(request.user)

    def _parent_brand_allowed(self, request: HttpRequest, obj: Any, brands: set[int]) -> bool:
        if is_superuser(request):
            return True
        return obj is None or obj.pk in brands


@admin.register(Brand)
class BrandAdmin(AuditedChanges, ScopedModelAdmin):
    form = BrandForm
    brand_path = "pk"
    list_display = ["name", "slug", "languages_list", "logo_preview"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "languages", "logo"]}),
        (
            _("Theme"),
            {
                "fields": [
                    "primary_color",
                    "accent_color",
                    "text_color",
                    "background_color",
                    "font_family",
                    "corner_radius",
                ]
            },
        ),
        (_("Embedding"), {"fields": ["allowed_origins"]}),
        (_("Sender identity for e-mails"), {"fields": ["sender_name", "sender_email"]}),
        (_("Customers' data"), {"fields": ["retention_days", "customer_data"]}),
    ]
    readonly_fields = ["customer_data"]
    inlines = [MembershipInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_superuser(request)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        for brand in self.get_queryset(request):
            _warn_at_mail_ceiling(request, brand)
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        brand = self.get_object(request, object_id)
        if brand is not None and request.method == "GET":
            _warn_at_mail_ceiling(request, brand)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if is_superuser(request):
            return True
        owned = owned_brand_ids(request.user)
        return bool(owned) if obj is None else obj.pk in owned

    @admin.display(description=_("Requests by other means"))
    def customer_data(self, obj: Brand) -> str:
        return customer_data_link(obj) if obj.pk else "—"

    @admin.display(description=_("Languages"))
    def languages_list(self, obj: Brand) -> str:
        return ", ".join(obj.languages or [])

    @admin.display(description=_("Logo"))
    def logo_preview(self, obj: Brand) -> str:
        if not obj.logo:
            return "—"
        return format_html('<img src="{}" alt="" class="admin-thumb">', obj.logo.url)


class VariantInline(ScopedStackedInline):
    """Sizes, a gender's fit, colours: edited under their product, shown with it."""

    model = ProductVariant
    form = VariantForm
    brand_path = "product__brand"
    extra = 0
    verbose_name_plural = _("Variants (a size, a gender's fit, a colour)")


@admin.register(Product)
class ProductAdmin(ScopedModelAdmin):
    form = ProductForm
    inlines = [VariantInline]
    list_display = [
        "thumb",
        "sku",
        "product_name",
        "brand",
        "price",
        "currency",
        "priority",
        "active",
        "tag_list",
    ]
    list_display_links = ["sku", "product_name"]
    list_filter = ["brand", "active"]
    search_fields = ["sku", "name", "tags", "variants__sku"]
    list_editable = ["priority", "active"]
    fields = [
        "brand",
        "sku",
        "name",
        "description",
        "url",
        "price",
        "currency",
        "image",
        "thumb",
        "attributes",
        "tags",
        "priority",
        "active",
    ]
    readonly_fields = ["thumb"]

    class Media:
        css = {"all": ["assessments/admin/authoring.css"]}

    @admin.display(description=_("Name"))
    def product_name(self, obj: Product) -> str:
        return str(obj)

    @admin.display(description=_("Tags"))
    def tag_list(self, obj: Product) -> str:
        return ", ".join(obj.tags) if isinstance(obj.tags, list) else ""

    @admin.display(description=_("Image"))
    def thumb(self, obj: Product) -> str:
        image = obj.thumbnail or obj.image
        if not image:
            return "—"
        return format_html(
            '<img src="{}" alt="" class="admin-thumb" loading="lazy" width="64" height="64">',
            image.url,
        )

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data or not obj.thumbnail:
            product_thumbnail_make(product=obj)


def _warn_at_mail_ceiling(request: HttpRequest, brand: Brand) -> None:
    """Owners learn when visitors' requests for mail hit the brand's daily ceiling."""
    if limit_reached("email_brand", str(brand.pk)):
        messages.warning(
            request,
            _(
                "%(brand)s reached its daily ceiling of e-mails that visitors can ask for "
                "(results, links to continue, data links): more are refused until tomorrow. "
                "If this is real demand, raise MAIL_BRAND_DAILY_CEILING."
            )
            % {"brand": brand.name},
        )
