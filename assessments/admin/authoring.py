"""Authoring in the admin: assessments with their steps, questions, choices, traits and outcomes."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.authoring.bundles import assessment_import_archive, is_archive
from assessments.authoring.definitions import definition_from_draft
from assessments.authoring.outcomes import outcome_rules_save
from assessments.authoring.scenarios import DraftCheck
from assessments.authoring.services import (
    DefinitionRejected,
    assessment_duplicate,
    assessment_export,
    assessment_import,
    assessment_publish,
    draft_check,
    draft_problems,
    version_make_live,
)
from assessments.authoring.steps import StepSaved, step_contents_save
from assessments.brands.tenancy import editable_brand_ids, is_superuser
from assessments.engine.text import localized
from assessments.models import (
    Assessment,
    AssessmentVersion,
    AuditEntry,
    Brand,
    Choice,
    Outcome,
    Question,
    RecommendationSettings,
    Step,
    Trait,
    TraitBand,
)
from assessments.taking.services import response_start

from .base import ScopedModelAdmin, ScopedStackedInline, ScopedTabularInline
from .flow import FlowMapViews
from .forms import (
    ChoiceForm,
    ImportForm,
    OutcomeForm,
    QuestionForm,
    RecommendationForm,
    StableKeyForm,
    assessment_of,
)
from .insights import insights_urls
from .outcome_page import OutcomeRules
from .privacy import audit_admin_action
from .problems import problem_links
from .step_page import StepPage

REORDER_MEDIA = {"js": ["assessments/admin/reorder.js"]}
ADMIN_CSS = {"all": ["assessments/admin/authoring.css"]}


def _label(text: dict[str, str] | None) -> str:
    """An author text in the staff member's language (the admin's active one), else any."""
    return localized(text, get_language() or "")


def _edit_link(obj: Any, text: str) -> str:
    if obj is None or obj.pk is None:
        return "—"
    url = reverse(f"admin:assessments_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


class KeysLockedOncePublished:
    """Keys name answers in published versions and stored responses; freeze them once used."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        assessment = assessment_of(obj)
        if assessment is not None and assessment.versions.exists():
            fields.append("key")
        return fields


class PartOfAssessment:
    """Step, question and trait pages: breadcrumbs and a link back through what they belong to,
    and Save returns there (their own lists are hidden from the index)."""

    change_form_template = "admin/assessments/part_change_form.html"

    def part_chain(self, obj: Any) -> list[tuple[str, str]]:
        """(label, url) of the rows above `obj`, from its assessment down."""
        chain: list[tuple[str, str]] = []
        parent = getattr(obj, "step", None) or getattr(obj, "trait", None)
        assessment = assessment_of(obj)
        if assessment is not None:
            chain.append((str(assessment), _change_url(assessment)))
        if parent is not None and not isinstance(obj, Step | Trait):
            chain.append((f"{parent._meta.verbose_name} “{parent.key}”", _change_url(parent)))
        return chain

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        context = {**(extra_context or {}), "part_chain": self.part_chain(obj) if obj else []}
        if isinstance(obj, Step):
            context["step_page_url"] = reverse("admin:assessments_step_page", args=[obj.pk])
        elif isinstance(obj, Question):
            # The step page shows this question's choices without a table wider than the screen.
            order = list(obj.step.questions.values_list("pk", flat=True))
            url = reverse("admin:assessments_step_page", args=[obj.step_id])
            context["step_page_url"] = f"{url}#questions-{order.index(obj.pk)}"
        return super().change_view(request, object_id, form_url, context)  # type: ignore[misc]

    def response_post_save_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        chain = self.part_chain(obj)
        if chain:
            return HttpResponseRedirect(chain[-1][1])
        return super().response_post_save_change(request, obj)  # type: ignore[misc]


def _saved_words(saved: StepSaved) -> str:
    words = [str(_("Saved the step, its questions and choices."))]
    for count, text in (
        (saved.questions_added, _("%(n)d question(s) added")),
        (saved.questions_removed, _("%(n)d question(s) removed")),
        (saved.choices_added, _("%(n)d choice(s) added")),
        (saved.choices_removed, _("%(n)d choice(s) removed")),
    ):
        if count:
            words.append(str(text % {"n": count}) + ".")
    return " ".join(words)


def _json(*, content: bytes, **kwargs: Any) -> Assessment:
    return assessment_import(source=content, **kwargs)


def _change_url(obj: Any) -> str:
    return reverse(f"admin:assessments_{obj._meta.model_name}_change", args=[obj.pk])


class StepInline(ScopedStackedInline):
    model = Step
    form = StableKeyForm
    brand_path = "assessment__brand"
    extra = 0
    fields = ["position", "key", "title", "section", "edit_questions"]
    readonly_fields = ["edit_questions"]
    show_change_link = True
    classes = ["reorderable"]

    @admin.display(description=_("Questions"))
    def edit_questions(self, obj: Step) -> str:
        if obj is None or obj.pk is None:
            return "—"
        count = obj.questions.count()
        return format_html(
            '<a href="{}" class="step-page-link">{}</a> · <a href="{}">{}</a>',
            reverse("admin:assessments_step_page", args=[obj.pk]),
            _("%(n)d question(s): edit the step, its questions and choices") % {"n": count},
            _change_url(obj),
            _("conditions and next rules"),
        )


class TraitInline(ScopedTabularInline):
    model = Trait
    form = StableKeyForm
    brand_path = "assessment__brand"
    extra = 0
    fields = ["position", "key", "label", "edit_bands"]
    readonly_fields = ["edit_bands"]
    classes = ["reorderable"]

    @admin.display(description=_("Score bands"))
    def edit_bands(self, obj: Trait) -> str:
        count = obj.bands.count() if obj.pk else 0
        return _edit_link(obj, f"{count} band(s)")


class OutcomeInline(ScopedStackedInline):
    model = Outcome
    form = OutcomeForm
    brand_path = "assessment__brand"
    extra = 0
    fields = ["position", "key", "title", "description", "image", "priority", "edit_rule"]
    readonly_fields = ["edit_rule"]
    classes = ["reorderable", "collapse"]

    @admin.display(description=_("Rule and priority"))
    def edit_rule(self, obj: Outcome) -> str:
        if obj is None or obj.pk is None:
            return _("Save the outcome first, then choose when it applies.")
        words = (
            _("a fallback: always applies")
            if obj.rule is None
            else _("applies when its rule holds")
        )
        return format_html(
            '{} · <a href="{}#outcome-{}" class="outcome-rules-link">{}</a>',
            words,
            reverse("admin:assessments_assessment_outcomes", args=[obj.assessment_id]),
            obj.pk,
            _("edit the outcome rules"),
        )


class RecommendationInline(ScopedStackedInline):
    model = RecommendationSettings
    form = RecommendationForm
    brand_path = "assessment__brand"
    can_delete = False
    max_num = 1
    min_num = 1
    verbose_name_plural = _("Recommendation settings")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)

        class WithAssessment(formset):  # type: ignore[misc, valid-type]
            # The rows offer the assessment's questions and traits, also before the settings
            # row exists (an assessment saved without touching them).
            def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
                kwargs = super().get_form_kwargs(index)
                if self.instance is not None and self.instance.pk is not None:
                    kwargs["assessment"] = self.instance
                return kwargs

        return WithAssessment


class VersionInline(ScopedTabularInline):
    """Who published what when, how many customers took it, and which one is live."""

    model = AssessmentVersion
    brand_path = "assessment__brand"
    extra = 0
    can_delete = False
    fields = ["number", "published_at", "published_by", "responses", "live", "actions"]
    readonly_fields = fields
    ordering = ["-number"]
    verbose_name_plural = _("Published versions")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssessmentVersion]:
        return (
            super()
            .get_queryset(request)
            .select_related("published_by", "assessment")
            .annotate(
                counted=Count("responses", filter=Q(responses__is_preview=False), distinct=True)
            )
        )

    @admin.display(description=_("Responses"))
    def responses(self, obj: AssessmentVersion) -> int:
        return getattr(obj, "counted", 0)

    @admin.display(description=_("Live"), boolean=True)
    def live(self, obj: AssessmentVersion) -> bool:
        return obj.assessment.live_version_id == obj.pk

    @admin.display(description=_("Actions"))
    def actions(self, obj: AssessmentVersion) -> str:
        export = reverse("admin:assessments_assessment_export", args=[obj.assessment_id])
        return format_html('<a href="{}?version={}">{}</a>', export, obj.number, _("Export"))

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Editors get a "Make live" column; analysts read the list as it is.
        if obj is not None and self._can_edit(request, obj):
            return [*self.fields, "make_live"]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.fields, "make_live"]

    @admin.display(description=_("Roll back"))
    def make_live(self, obj: AssessmentVersion) -> str:
        if obj.assessment.live_version_id == obj.pk:
            return "—"
        url = reverse(
            "admin:assessments_assessment_make_live", args=[obj.assessment_id, obj.number]
        )
        return format_html(
            '<a href="{}" class="button make-live">{}</a>',
            url,
            _("Make v%(n)d live…") % {"n": obj.number},
        )


@admin.register(Assessment)
class AssessmentAdmin(FlowMapViews, KeysLockedOncePublished, ScopedModelAdmin):
    list_display = ["key", "title_label", "brand", "live", "version_count", "updated_at"]
    list_filter = ["brand"]
    search_fields = ["key", "title"]
    fieldsets = [
        (None, {"fields": ["brand", "key", "title", "languages", "estimated_minutes"]}),
        (_("Landing page"), {"fields": ["intro", "learn"]}),
        (_("Hidden fields"), {"fields": ["hidden_fields"], "classes": ["collapse"]}),
    ]
    inlines = [StepInline, TraitInline, OutcomeInline, RecommendationInline, VersionInline]
    change_form_template = "admin/assessments/assessment/change_form.html"
    change_list_template = "admin/assessments/assessment/change_list.html"

    class Media:
        js = REORDER_MEDIA["js"]
        css = ADMIN_CSS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        return (
            super()
            .get_queryset(request)
            .select_related("brand", "live_version")
            .annotate(n_versions=Count("versions"))
        )

    @admin.display(description=_("Title"))
    def title_label(self, obj: Assessment) -> str:
        return _label(obj.title)

    @admin.display(description=_("Live version"))
    def live(self, obj: Assessment) -> str:
        return f"v{obj.live_version.number}" if obj.live_version else "—"

    @admin.display(description=_("Versions"), ordering="n_versions")
    def version_count(self, obj: Assessment) -> int:
        return getattr(obj, "n_versions", 0)

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="assessments_assessment_import"),
            path(
                "<int:pk>/validate/",
                view(self.validate_view),
                name="assessments_assessment_validate",
            ),
            path(
                "<int:pk>/publish/",
                view(require_POST(self.publish_view)),
                name="assessments_assessment_publish",
            ),
            path("<int:pk>/export/", view(self.export_view), name="assessments_assessment_export"),
            path(
                "<int:pk>/preview/",
                view(require_POST(self.preview_view)),
                name="assessments_assessment_preview",
            ),
            path(
                "<int:pk>/duplicate/",
                view(require_POST(self.duplicate_view)),
                name="assessments_assessment_duplicate",
            ),
            path(
                "<int:pk>/versions/<int:number>/make-live/",
                view(require_http_methods(["GET", "POST"])(self.make_live_view)),
                name="assessments_assessment_make_live",
            ),
            path(
                "<int:pk>/outcomes/",
                view(require_http_methods(["GET", "POST"])(self.outcomes_view)),
                name="assessments_assessment_outcomes",
            ),
            *insights_urls(self),
            *super().get_urls(),
        ]

    def outcomes_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Every outcome's rule and priority on one page, with a rule builder each."""
        posted = request.method == "POST"
        assessment = self._get(request, pk, edit=posted)
        page = OutcomeRules(assessment, data=request.POST if posted else None)
        if posted and page.is_valid():
            changed = page.changed()
            outcome_rules_save(outcomes=changed)
            words = _("Outcome rules saved (%(n)d changed).") % {"n": len(changed)}
            self.log_change(request, assessment, words)
            self.message_user(request, words, messages.SUCCESS)
            if "_return" in request.POST:
                return HttpResponseRedirect(self._change_url(assessment))
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": assessment,
            "assessment": assessment,
            "page": page,
            "can_edit": self.has_change_permission(request, assessment),
            "errors": page.error_count() if posted else 0,
            "title": _("Outcome rules of %(name)s") % {"name": assessment},
        }
        return TemplateResponse(
            request,
            "admin/assessments/assessment/outcomes.html",
            context,
            status=400 if posted else 200,
        )

    def _get(self, request: HttpRequest, pk: int, *, edit: bool) -> Assessment:
        assessment = get_object_or_404(self.get_queryset(request), pk=pk)
        allowed = (
            self.has_change_permission(request, assessment)
            if edit
            else self.has_view_permission(request, assessment)
        )
        if not allowed:
            raise Http404
        return assessment

    def _change_url(self, assessment: Assessment) -> str:
        return reverse("admin:assessments_assessment_change", args=[assessment.pk])

    def _problems_page(
        self,
        request: HttpRequest,
        assessment: Assessment,
        problems: list[Any],
        *,
        status: int,
        title: str,
        check: DraftCheck | None = None,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": assessment,
            "title": title,
            "problems": problem_links(assessment, problems),
            "warnings": problem_links(assessment, check.warnings) if check else [],
            "can_publish": not problems
            and not (check and check.failing)
            and self.has_change_permission(request, assessment),
            "check": check,
        }
        return TemplateResponse(
            request, "admin/assessments/assessment/problems.html", context, status=status
        )

    def validate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = self._get(request, pk, edit=False)
        # Definition problems first; a sound draft also runs its scenario tests.
        check = draft_check(assessment)
        blocking = len(check.blocking)
        title = (
            _("The draft is ready to publish")
            if not blocking
            else _("%(n)d problem(s) to fix before publishing") % {"n": blocking}
        )
        return self._problems_page(
            request, assessment, check.problems, status=200, title=title, check=check
        )

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = self._get(request, pk, edit=True)
        try:
            with transaction.atomic():
                result = assessment_publish(assessment=assessment, user=request.user)
                if result.created:
                    audit_admin_action(request, AuditEntry.Action.PUBLISHED, result.version)
        except DefinitionRejected as rejected:
            return self._problems_page(
                request,
                assessment,
                rejected.problems,
                status=400,
                title=_("Not published: %(n)d problem(s) to fix") % {"n": len(rejected.problems)},
            )
        if result.created:
            self.message_user(
                request,
                _("Published version %(n)d. New customers get it from now on.")
                % {"n": result.version.number},
                messages.SUCCESS,
            )
        for warning in result.warnings:
            self.message_user(request, warning.message, messages.WARNING)
        else:
            self.message_user(
                request,
                _("Nothing changed since version %(n)d; it is live.")
                % {"n": result.version.number},
                messages.INFO,
            )
        return HttpResponseRedirect(self._change_url(assessment))

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Take the draft as a customer would, in a response marked as a preview (never counted)."""
        assessment = self._get(request, pk, edit=False)
        problems = draft_problems(assessment)
        if problems:
            return self._problems_page(
                request,
                assessment,
                problems,
                status=400,
                title=_("Cannot preview: %(n)d problem(s) to fix") % {"n": len(problems)},
            )
        wanted = getattr(request, "LANGUAGE_CODE", "")
        response = response_start(
            preview_definition=definition_from_draft(assessment),
            brand=assessment.brand,
            language=wanted if wanted in assessment.languages else assessment.default_language,
        )
        if response.current_step:
            url = reverse("taking:step", args=[response.token, response.current_step])
        else:
            url = reverse("taking:results", args=[response.token])
        return HttpResponseRedirect(url)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = self._get(request, pk, edit=False)
        number = request.GET.get("version", "")
        version_number = None
        if number:
            if not re.fullmatch(r"[0-9]{1,9}", number):
                raise Http404("No such version")
            version_number = int(number)
            if not assessment.versions.filter(number=version_number).exists():
                raise Http404("No such version")
        body = assessment_export(assessment=assessment, version_number=version_number)
        # A read, logged: who took a copy of which version is what owners audit.
        audit_admin_action(
            request, AuditEntry.Action.EXPORTED, assessment, {"version": version_number or "draft"}
        )
        suffix = f"-v{version_number}" if version_number else "-draft"
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"{assessment.brand.slug}-{assessment.key}{suffix}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def duplicate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assessment = self._get(request, pk, edit=True)
        with transaction.atomic():
            copy = assessment_duplicate(assessment=assessment)
            audit_admin_action(
                request, AuditEntry.Action.DUPLICATED, copy, {"from": assessment.key}
            )
        self.message_user(
            request,
            _("Duplicated as “%(key)s”, an unpublished draft.") % {"key": copy.key},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._change_url(copy))

    def make_live_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        """GET asks to confirm, saying what changes for customers; POST makes it live."""
        assessment = self._get(request, pk, edit=True)
        version = get_object_or_404(
            assessment.versions.select_related("published_by").annotate(
                counted=Count("responses", filter=Q(responses__is_preview=False))
            ),
            number=number,
        )
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "original": assessment,
                "version": version,
                "live": assessment.live_version,
                "title": _("Make version %(n)d live?") % {"n": number},
            }
            return TemplateResponse(request, "admin/assessments/assessment/make_live.html", context)
        with transaction.atomic():
            version_make_live(version=version)
            audit_admin_action(request, AuditEntry.Action.MADE_LIVE, version, {"version": number})
        self.message_user(
            request, _("Version %(n)d is live again.") % {"n": number}, messages.SUCCESS
        )
        return HttpResponseRedirect(self._change_url(assessment))

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise Http404
        brands = Brand.objects.all()
        if not is_superuser(request):
            brands = brands.filter(pk__in=editable_brand_ids(request.user))
        form = ImportForm(request.POST or None, request.FILES or None, brands=brands)
        problems: list[Any] = []
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    content = form.cleaned_data["file"]
                    assessment = (assessment_import_archive if is_archive(content) else _json)(
                        brand=form.cleaned_data["brand"],
                        content=content,
                        publish=form.cleaned_data["publish"],
                        user=request.user,
                    )
                    audit_admin_action(
                        request,
                        AuditEntry.Action.IMPORTED,
                        assessment,
                        {"published": bool(form.cleaned_data["publish"])},
                    )
            except DefinitionRejected as rejected:
                problems, status = rejected.problems, 400
            else:
                self.message_user(
                    request, _("Imported “%(key)s”.") % {"key": assessment.key}, messages.SUCCESS
                )
                return HttpResponseRedirect(self._change_url(assessment))
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import an assessment"),
            "form": form,
            "problems": problems,
        }
        return TemplateResponse(
            request, "admin/assessments/assessment/import.html", context, status=status
        )

    def save_model(self, request: HttpRequest, obj: Assessment, form: Any, change: bool) -> None:
        if not obj.key:
            obj.key = slugify(_label(obj.title))[:64]
        super().save_model(request, obj, form, change)


class QuestionInline(ScopedStackedInline):
    model = Question
    form = StableKeyForm
    brand_path = "step__assessment__brand"
    parent_brand_path = "assessment__brand"
    extra = 0
    fields = ["position", "key", "kind", "prompt", "required", "condition", "edit_choices"]
    readonly_fields = ["edit_choices"]
    show_change_link = True
    classes = ["reorderable"]

    @admin.display(description=_("Choices and settings"))
    def edit_choices(self, obj: Question) -> str:
        count = obj.choices.count() if obj.pk else 0
        return _edit_link(obj, f"{count} choice(s): edit the question's choices and settings")


@admin.register(Step)
class StepAdmin(PartOfAssessment, KeysLockedOncePublished, ScopedModelAdmin):
    brand_path = "assessment__brand"
    list_display = ["key", "assessment", "position", "title_label"]
    list_filter = ["assessment__brand", "assessment"]
    fields = ["assessment", "position", "key", "title", "section", "why", "condition", "next_rules"]
    inlines = [QuestionInline]

    class Media:
        js = REORDER_MEDIA["js"]
        css = ADMIN_CSS

    @admin.display(description=_("Title"))
    def title_label(self, obj: Step) -> str:
        return _label(obj.title)

    def get_urls(self) -> list[Any]:
        page = self.admin_site.admin_view(self.page_view)
        return [path("<int:pk>/page/", page, name="assessments_step_page"), *super().get_urls()]

    def page_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The step with its questions and choices on one page; saved all together or not at all."""
        step = get_object_or_404(self.get_queryset(request).select_related("assessment"), pk=pk)
        if not self.has_view_permission(request, step):
            raise Http404
        can_edit = self.has_change_permission(request, step)
        posted = request.method == "POST"
        if posted and not can_edit:
            raise PermissionDenied
        assessment = step.assessment
        page = StepPage(
            step,
            languages=list(assessment.languages),
            data=request.POST if posted else None,
            files=request.FILES if posted else None,
            keys_locked=assessment.versions.exists(),
        )
        if posted and page.is_valid():
            saved = step_contents_save(**page.edits())
            words = _saved_words(saved)
            self.log_change(request, step, words)  # the step's History, as other saves
            self.message_user(request, words, messages.SUCCESS)
            if "_return" in request.POST:
                return HttpResponseRedirect(_change_url(assessment))
            return HttpResponseRedirect(reverse("admin:assessments_step_page", args=[step.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": step,
            "assessment": assessment,
            "page": page,
            "can_edit": can_edit,
            "errors": page.error_count() if posted else 0,
            "media": page.form.media,
            "title": _("Step “%(key)s” on one page") % {"key": step.key},
            "part_chain": self.part_chain(step),
        }
        return TemplateResponse(
            request,
            "admin/assessments/step/page.html",
            context,
            status=400 if posted else 200,
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # reached from its assessment


class ChoiceInline(ScopedStackedInline):
    """Choices one under another (a table of eight translated fields overflows any screen);
    the step page edits them with one number per trait."""

    model = Choice
    form = ChoiceForm
    brand_path = "question__step__assessment__brand"
    parent_brand_path = "step__assessment__brand"
    extra = 0
    fields = ["position", "key", "label", "points", "image", "insight", "recall", "description"]
    classes = ["reorderable"]


@admin.register(Question)
class QuestionAdmin(PartOfAssessment, KeysLockedOncePublished, ScopedModelAdmin):
    form = QuestionForm
    brand_path = "step__assessment__brand"
    list_display = ["key", "kind", "step"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "step",
                    "position",
                    "key",
                    "kind",
                    "prompt",
                    "help",
                    "required",
                    "condition",
                ]
            },
        ),
        (_("Multiple choice"), {"fields": ["min_picks", "max_picks"], "classes": ["collapse"]}),
        (
            _("Scale"),
            {
                "fields": ["scale_min", "scale_max", "scale_min_label", "scale_max_label"],
                "classes": ["collapse"],
            },
        ),
        (
            _("Number"),
            {
                "fields": ["number_min", "number_max", "number_unit", "number_integer"],
                "classes": ["collapse"],
            },
        ),
        (_("Short text"), {"fields": ["text_max_length"], "classes": ["collapse"]}),
        (_("Scoring (scales and numbers)"), {"fields": ["scoring"], "classes": ["collapse"]}),
        (_("Footprint photo"), {"fields": ["kind_settings"], "classes": ["collapse"]}),
    ]
    inlines = [ChoiceInline]

    class Media:
        js = REORDER_MEDIA["js"]
        css = ADMIN_CSS

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        picker = form.base_fields.get("step")
        if obj is not None and picker is not None:
            # A question moves between the steps of its own assessment only.
            picker.queryset = picker.queryset.filter(assessment_id=obj.step.assessment_id)
        return form


class BandInline(ScopedTabularInline):
    model = TraitBand
    form = StableKeyForm
    brand_path = "trait__assessment__brand"
    parent_brand_path = "assessment__brand"
    extra = 0
    fields = ["position", "key", "label", "min_score", "max_score", "insight"]
    classes = ["reorderable"]


@admin.register(Trait)
class TraitAdmin(PartOfAssessment, KeysLockedOncePublished, ScopedModelAdmin):
    brand_path = "assessment__brand"
    list_display = ["key", "assessment"]
    fields = ["assessment", "position", "key", "label", "description"]
    inlines = [BandInline]

    class Media:
        js = REORDER_MEDIA["js"]
        css = ADMIN_CSS

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AssessmentVersion)
class AssessmentVersionAdmin(ScopedModelAdmin):
    """Published versions are read-only: publish again to change what is live."""

    brand_path = "assessment__brand"
    list_display = ["__str__", "published_at", "published_by", "responses", "content_hash"]
    list_filter = ["assessment__brand"]
    fields = ["assessment", "number", "published_at", "published_by", "content_hash", "definition"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[AssessmentVersion]:
        return (
            super()
            .get_queryset(request)
            .select_related("assessment__brand", "published_by")
            .annotate(
                counted=Count("responses", filter=Q(responses__is_preview=False), distinct=True)
            )
        )

    @admin.display(description=_("Responses"), ordering="counted")
    def responses(self, obj: AssessmentVersion) -> int:
        return getattr(obj, "counted", 0)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
