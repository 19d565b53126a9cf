"""The brand-scoped base every admin class builds on.

Brand staff never see another brand's rows: querysets, foreign-key choices and object
permissions are all filtered through the user's memberships. Analysts read, editors and owners
write; superusers see everything.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from assessments.brands.tenancy import editable_brand_ids, is_superuser, readable_brand_ids
from assessments.models import Assessment, Brand, Question, Step, Trait

from .forms import DefinitionJSONField, bounded_formfield, form_in_languages, languages_of
from .rows import languages_widget

# Foreign keys an author may pick, each scoped by its own path to the brand.
SCOPED_CHOICES: dict[type[models.Model], str] = {
    Brand: "pk",
    Assessment: "brand",
    Step: "assessment__brand",
    Question: "step__assessment__brand",
    Trait: "assessment__brand",
}


# How a picked row is named in a select, so staff of several brands (or assessments) can tell
# "use" of the shoe finder from "use" of the skincare finder: the rows it is part of, and its key.
PART_LABELS: dict[type[models.Model], tuple[str, Any]] = {
    Step: ("assessment__brand", lambda step: f"{step.assessment} / {step.key}"),
    Trait: ("assessment__brand", lambda trait: f"{trait.assessment} / {trait.key}"),
    Question: (
        "step__assessment__brand",
        lambda question: f"{question.step.assessment} / {question.step.key} / {question.key}",
    ),
}


class BrandScoped:
    """Mixin for ModelAdmin and inlines. `brand_path` leads from the model to its Brand."""

    brand_path: str = "brand"
    # Rules, lists and attributes are short JSON; a compact monospace box suits them. What they
    # hold must be storable on every database (see DefinitionJSONField).
    formfield_overrides = {
        models.JSONField: {
            "form_class": DefinitionJSONField,
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 70, "class": "json"}),
        },
    }

    def _brand_of(self, obj: models.Model) -> int | None:
        target: Any = obj
        for part in self.brand_path.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
        return target.pk if isinstance(target, models.Model) else target

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if is_superuser(request):
            return queryset
        return queryset.filter(**{f"{self.brand_path}__in": readable_brand_ids(request.user)})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request) or bool(readable_brand_ids(request.user))

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Filters on a related row list only the rows the user's own lines point to.

        Django's default lists every brand and assessment in the database, drafts included;
        staff of one brand must not learn another's names from a sidebar.
        """
        filters = super().get_list_filter(request)  # type: ignore[misc]
        if is_superuser(request):
            return filters
        return [_related_only(self.model, entry) for entry in filters]

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if is_superuser(request):
            return True
        brands = readable_brand_ids(request.user)
        return bool(brands) if obj is None else self._brand_of(obj) in brands

    def _can_edit(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if is_superuser(request):
            return True
        brands = editable_brand_ids(request.user)
        return bool(brands) if obj is None else self._brand_of(obj) in brands

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._can_edit(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._can_edit(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._can_edit(request, obj)

    def formfield_for_dbfield(
        self, db_field: models.Field, request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if db_field.name == "languages" and field is not None:
            # Picked from the site's languages, in order (the first is the default), not typed.
            field.widget = languages_widget()
            field.help_text = _("The first is the default language.")
        return bounded_formfield(db_field, field)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        path = SCOPED_CHOICES.get(db_field.related_model)
        if path is not None and not is_superuser(request):
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                **{f"{path}__in": editable_brand_ids(request.user)}
            )
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        part = PART_LABELS.get(db_field.related_model)
        if field is not None and part is not None:
            related, label = part
            field.queryset = field.queryset.select_related(related)
            field.label_from_instance = label
        if field is not None and db_field.related_model is Brand and not is_superuser(request):
            # Staff of one brand have nothing to choose: their brand is filled in.
            only = list(field.queryset.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                field.initial = only[0]
        return field


def _related_only(model: type[models.Model], entry: Any) -> Any:
    if not isinstance(entry, str):
        return entry
    if get_fields_from_path(model, entry)[-1].is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


class ScopedModelAdmin(BrandScoped, admin.ModelAdmin):
    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        # Texts are asked for in the assessment's (or the brand's) languages only.
        form = super().get_form(request, obj, change=change, **kwargs)
        return form_in_languages(form, languages_of(obj))


class ScopedInline(BrandScoped):
    """Inlines are asked about the *parent* object; `parent_brand_path` leads from it."""

    parent_brand_path: str = "brand"

    def _parent_brand_allowed(
        self, request: HttpRequest, obj: models.Model | None, brands: set[int]
    ) -> bool:
        if is_superuser(request):
            return True
        if obj is None:
            return bool(brands)
        target: Any = obj
        for part in self.parent_brand_path.split("__"):
            target = getattr(target, part, None)
        return target is not None and target.pk in brands

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return self._parent_brand_allowed(request, obj, readable_brand_ids(request.user))

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)  # type: ignore[misc]
        formset.form = form_in_languages(formset.form, languages_of(obj))
        return formset

    def _can_edit(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return self._parent_brand_allowed(request, obj, editable_brand_ids(request.user))


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass
