"""Scenario tests in the admin: personas whose answers are picked from the assessment's own
questions and choices, and the results the author expects from them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.brands.tenancy import editable_brand_ids, is_superuser
from assessments.engine.text import localized
from assessments.models import Assessment, Product, Question, Scenario

from .base import ScopedModelAdmin

NOT_ANSWERED = ("", _("— not answered —"))
NOT_CHECKED = ("", _("— not checked —"))
TOP_PLACES = 3


def _words(text: dict[str, str] | None, fallback: str = "") -> str:
    return localized(text, get_language() or "") or fallback


class ScenarioForm(forms.ModelForm):
    """The plain form: answers and expectations as JSON (used before an assessment is chosen)."""

    class Meta:
        model = Scenario
        fields = [
            "assessment",
            "name",
            "position",
            "answers",
            "fields",
            "expect_outcome",
            "expect_bands",
            "expect_top_products",
            "top_in_order",
            "expect_never_products",
        ]


class ScenarioPickerForm(forms.ModelForm):
    """Answers and expectations chosen from the assessment's questions, traits and catalogue.

    Built per assessment by `picker_form_for`; the picked values are written back into the
    model's JSON members on save, in the definition's own shapes (FORMAT.md, "Scenarios").
    """

    assessment_row: Assessment
    answer_fields: dict[str, Question]
    hidden_keys: list[str]
    trait_keys: list[str]

    class Meta:
        model = Scenario
        fields = ["name", "position", "expect_outcome", "top_in_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scenario = self.instance
        scenario.assessment = self.assessment_row
        answers = scenario.answers if isinstance(scenario.answers, dict) else {}
        for name, question in self.answer_fields.items():
            value = answers.get(question.key)
            if value is not None:
                self.initial.setdefault(name, value)
        hidden = scenario.fields if isinstance(scenario.fields, dict) else {}
        for key in self.hidden_keys:
            self.initial.setdefault(f"field__{key}", hidden.get(key, ""))
        bands = scenario.expect_bands if isinstance(scenario.expect_bands, dict) else {}
        for key in self.trait_keys:
            self.initial.setdefault(f"band__{key}", bands.get(key, ""))
        top = scenario.expect_top_products if isinstance(scenario.expect_top_products, list) else []
        for place in range(TOP_PLACES):
            self.initial.setdefault(f"top_{place + 1}", top[place] if place < len(top) else "")
        never = scenario.expect_never_products
        self.initial.setdefault("never", never if isinstance(never, list) else [])

    def clean_name(self) -> str:
        # The assessment is not a field of this form, so Django would not check the constraint.
        name = self.cleaned_data["name"]
        taken = Scenario.objects.filter(assessment=self.assessment_row, name=name)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This assessment already has a scenario with this name."))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        top = [data.get(f"top_{p + 1}") for p in range(TOP_PLACES)]
        picked = [sku for sku in top if sku]
        if len(set(picked)) != len(picked):
            raise forms.ValidationError(_("Each product may be expected only once at the top."))
        if picked and top[: len(picked)] != picked:
            raise forms.ValidationError(
                _("Fill the expected top products from the first place on, without gaps.")
            )
        if set(picked) & set(data.get("never") or []):
            raise forms.ValidationError(
                _("A product cannot be both expected at the top and never shown.")
            )
        return data

    def save(self, commit: bool = True) -> Scenario:
        data = self.cleaned_data
        scenario = self.instance
        scenario.assessment = self.assessment_row
        answers: dict[str, Any] = {}
        for name, question in self.answer_fields.items():
            value = data.get(name)
            if value in (None, "", []):
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            answers[question.key] = value
        scenario.answers = answers
        scenario.fields = {
            key: data[f"field__{key}"] for key in self.hidden_keys if data.get(f"field__{key}")
        }
        scenario.expect_bands = {
            key: data[f"band__{key}"] for key in self.trait_keys if data.get(f"band__{key}")
        }
        scenario.expect_top_products = [
            data[f"top_{p + 1}"] for p in range(TOP_PLACES) if data.get(f"top_{p + 1}")
        ]
        scenario.expect_never_products = list(data.get("never") or [])
        return super().save(commit)


def _answer_field(question: Question) -> forms.Field | None:
    """The picker for one question's answer, by its kind; None for information checkpoints."""
    label = f"{_words(question.step.title, question.step.key)} · {_words(question.prompt)}"
    options = {"label": label, "required": False, "help_text": question.key}
    choices = [(c.key, _words(c.label, c.key)) for c in question.choices.all()]
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.IMAGE):
        return forms.ChoiceField(choices=[NOT_ANSWERED, *choices], **options)
    if kind == Question.Kind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **options
        )
    if kind == Question.Kind.SCALE:
        return forms.IntegerField(
            min_value=question.scale_min, max_value=question.scale_max, **options
        )
    if kind == Question.Kind.NUMBER:
        if question.number_integer:
            return forms.IntegerField(**options)
        return forms.FloatField(**options)
    if kind == Question.Kind.TEXT:
        return forms.CharField(max_length=question.text_max_length or 500, **options)
    return None


def picker_form_for(assessment: Assessment) -> type[ScenarioPickerForm]:
    """A form whose answer, band and product pickers offer only what this assessment has."""
    declared: dict[str, Any] = {}
    answer_fields: dict[str, Question] = {}
    questions = Question.objects.filter(step__assessment=assessment).select_related("step")
    for question in questions.order_by("step__position", "step__id", "position", "id"):
        field = _answer_field(question)
        if field is not None:
            answer_fields[f"answer__{question.key}"] = question
            declared[f"answer__{question.key}"] = field
    hidden_keys = []
    for hidden in assessment.hidden_fields or []:
        if isinstance(hidden, dict) and isinstance(hidden.get("key"), str):
            hidden_keys.append(hidden["key"])
            declared[f"field__{hidden['key']}"] = forms.CharField(
                label=_words(hidden.get("label"), hidden["key"]), required=False, max_length=200
            )
    declared["expect_outcome"] = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            NOT_CHECKED,
            *((o.key, _words(o.title, o.key)) for o in assessment.outcomes.all()),
        ],
    )
    trait_keys = []
    for trait in assessment.traits.prefetch_related("bands"):
        trait_keys.append(trait.key)
        declared[f"band__{trait.key}"] = forms.ChoiceField(
            label=_("Band of %(trait)s") % {"trait": _words(trait.label, trait.key)},
            required=False,
            choices=[NOT_CHECKED, *((b.key, _words(b.label, b.key)) for b in trait.bands.all())],
        )
    products = [
        (p.sku, f"{_words(p.name, p.sku)} ({p.sku})")
        for p in Product.objects.filter(brand_id=assessment.brand_id, active=True).order_by("sku")
    ]
    places = [_("First product"), _("Second product"), _("Third product")]
    for place in range(TOP_PLACES):
        declared[f"top_{place + 1}"] = forms.ChoiceField(
            label=places[place], required=False, choices=[NOT_CHECKED, *products]
        )
    declared["never"] = forms.MultipleChoiceField(
        label=_("Never show"),
        required=False,
        choices=products,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Neither recommended nor shown as an alternative."),
    )
    attrs = {
        **declared,
        "assessment_row": assessment,
        "answer_fields": answer_fields,
        "hidden_keys": hidden_keys,
        "trait_keys": trait_keys,
    }
    return type("ScenarioPickerForm", (ScenarioPickerForm,), attrs)


@admin.register(Scenario)
class ScenarioAdmin(ScopedModelAdmin):
    brand_path = "assessment__brand"
    form = ScenarioForm
    list_display = ["name", "assessment", "position", "checks"]
    list_filter = ["assessment"]
    search_fields = ["name"]
    change_list_template = "admin/assessments/scenario/change_list.html"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # reached from its assessment

    @admin.display(description=_("Expects"))
    def checks(self, obj: Scenario) -> str:
        parts = []
        if obj.expect_outcome:
            parts.append(_("outcome"))
        if obj.expect_bands:
            parts.append(_("bands"))
        if obj.expect_top_products:
            parts.append(_("top products"))
        if obj.expect_never_products:
            parts.append(_("never products"))
        return ", ".join(str(p) for p in parts) or "—"

    def _assessment(self, request: HttpRequest, obj: Scenario | None) -> Assessment | None:
        """The scenario's assessment, or on adding the one named in ?assessment= if editable."""
        if obj is not None and obj.assessment_id:
            return obj.assessment
        pk = request.GET.get("assessment", "")
        if not pk.isdigit():
            return None
        found = Assessment.objects.filter(pk=int(pk))
        if not is_superuser(request):
            found = found.filter(brand__in=editable_brand_ids(request.user))
        return found.first()

    def get_form(
        self, request: HttpRequest, obj: Scenario | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        assessment = self._assessment(request, obj)
        if assessment is not None:
            kwargs["form"] = picker_form_for(assessment)
            kwargs["fields"] = None
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Scenario | None = None) -> Any:
        assessment = self._assessment(request, obj)
        if assessment is None:
            return super().get_fieldsets(request, obj)
        form = picker_form_for(assessment)
        names = list(form.base_fields)
        answers = [n for n in names if n.startswith("answer__")]
        hidden = [n for n in names if n.startswith("field__")]
        bands = [n for n in names if n.startswith("band__")]
        tops = [f"top_{p + 1}" for p in range(TOP_PLACES)]
        sets: list[Any] = [
            (
                _("Persona, tested on %(assessment)s") % {"assessment": assessment},
                {"fields": ["name", "position"]},
            ),
            (
                _("Answers"),
                {
                    "fields": answers,
                    "description": _(
                        "What this persona answers. Leave a question unanswered when the "
                        "persona would not see it."
                    ),
                },
            ),
        ]
        if hidden:
            sets.append((_("Hidden fields"), {"fields": hidden}))
        sets.append(
            (
                _("Expected results"),
                {
                    "fields": ["expect_outcome", *bands, *tops, "top_in_order", "never"],
                    "description": _(
                        "Only what you choose is checked. Validate runs every scenario; "
                        "Publish refuses while one fails."
                    ),
                },
            )
        )
        return sets

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        assessment = self._assessment(request, None)
        if assessment is not None:
            initial["position"] = assessment.scenarios.count()
        return initial

    def _back_to_list(self, obj: Scenario) -> HttpResponseRedirect:
        # Back to this assessment's scenarios, where Validate runs them.
        url = reverse("admin:assessments_scenario_changelist")
        return HttpResponseRedirect(f"{url}?assessment__id__exact={obj.assessment_id}")

    def response_post_save_add(self, request: HttpRequest, obj: Scenario) -> HttpResponseRedirect:
        return self._back_to_list(obj)

    def response_post_save_change(
        self, request: HttpRequest, obj: Scenario
    ) -> HttpResponseRedirect:
        return self._back_to_list(obj)
