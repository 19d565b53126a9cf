"""A step on one page: the step, its questions and their choices edited together.

Django has no nested inlines, so the page is built from plain formsets: one for the questions
and, inside each question, one for its choices (prefixed by the question's form). Each choice's
trait points are one number field per trait of the assessment. Everything is validated by the
same forms the admin's own pages use; nothing is written unless every form is valid.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.forms.models import inlineformset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.authoring.steps import QuestionEdit
from assessments.engine.bounds import bounds
from assessments.engine.text import localized
from assessments.models import Choice, Question, Step, Trait
from assessments.models.fields import LocalizedTextField

from .forms import (
    ChoiceForm,
    DefinitionJSONField,
    QuestionForm,
    StableKeyForm,
    bounded_formfield,
    form_in_languages,
)
from .rules import (
    ConditionBuilder,
    NextRules,
    question_condition_problems,
    question_references,
    step_condition_problems,
    step_references,
)

QUESTION_FIELDS = [
    "position",
    "key",
    "kind",
    "prompt",
    "help",
    "required",
    "min_picks",
    "max_picks",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "number_min",
    "number_max",
    "number_unit",
    "number_integer",
    "text_max_length",
    "scoring",
    "kind_settings",
    "condition",
]
# Shown in the question's "More settings", by kind; the rest of the form is always in view.
SETTINGS_BY_KIND = {
    "multiple": ["min_picks", "max_picks"],
    "scale": ["scale_min", "scale_max", "scale_min_label", "scale_max_label", "scoring"],
    "number": ["number_min", "number_max", "number_unit", "number_integer", "scoring"],
    "text": ["text_max_length"],
    "footprint": ["kind_settings"],
}
CHOICE_FIELDS = ["position", "key", "label", "insight", "recall", "description", "image"]
POINTS_PREFIX = "points__"


def _formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Fields as the admin gives them: JSON checked for storability, numbers bounded."""
    if isinstance(db_field, models.JSONField) and not isinstance(db_field, LocalizedTextField):
        kwargs["form_class"] = DefinitionJSONField
        kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "class": "json"})
    if db_field.name == "position":
        kwargs["widget"] = forms.NumberInput(attrs={"class": "sp-position", "min": 0})
    return bounded_formfield(db_field, db_field.formfield(**kwargs))


class StepPageForm(StableKeyForm):
    class Meta:
        model = Step
        fields = ["key", "title", "section", "why", "condition", "next_rules"]
        formfield_callback = _formfield


class QuestionPageForm(QuestionForm):
    class Meta:
        model = Question
        fields = QUESTION_FIELDS
        formfield_callback = _formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The kind as saved decides what the page shows; a kind changed in a form that comes
        # back with errors must not hide what the author typed.
        self.saved_kind = self.instance.kind if self.instance.pk else None

    def saved_kind_label(self) -> str:
        return str(Question.Kind(self.saved_kind).label) if self.saved_kind else ""

    def settings_fields(self) -> list[forms.BoundField]:
        """The kind's own settings (all of them while the kind is not chosen yet)."""
        kind = self.saved_kind
        names = (
            SETTINGS_BY_KIND.get(kind, [])
            if kind
            else [n for names in SETTINGS_BY_KIND.values() for n in names if n != "scoring"]
            + ["scoring"]
        )
        return [self[name] for name in dict.fromkeys(names)]

    def takes_choices(self) -> bool:
        return self.saved_kind is None or self.saved_kind in Question.CHOICE_KINDS


class ChoicePageForm(ChoiceForm):
    """A choice whose points are one number per trait rather than a JSON object."""

    traits: list[Trait] = []

    class Meta:
        model = Choice
        fields = CHOICE_FIELDS
        formfield_callback = _formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = bounds("points")
        stored = self.instance.points if isinstance(self.instance.points, dict) else {}
        for trait in self.traits:
            name = f"{POINTS_PREFIX}{trait.key}"
            self.fields[name] = forms.FloatField(
                label=localized(trait.label, get_language() or "") or trait.key,
                required=False,
                min_value=allowed.low,
                max_value=allowed.high,
                widget=forms.NumberInput(attrs={"step": "any", "class": "sp-points"}),
                initial=stored.get(trait.key),
            )

    def points_fields(self) -> list[forms.BoundField]:
        return [self[f"{POINTS_PREFIX}{trait.key}"] for trait in self.traits]

    def kept_points(self) -> dict[str, Any]:
        """Points for keys that are no trait of the assessment: kept, and shown as a warning."""
        keys = {trait.key for trait in self.traits}
        stored = self.instance.points if isinstance(self.instance.points, dict) else {}
        return {key: value for key, value in stored.items() if key not in keys}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        points = self.kept_points()
        for trait in self.traits:
            value = cleaned.get(f"{POINTS_PREFIX}{trait.key}")
            if value is not None:
                points[trait.key] = int(value) if float(value).is_integer() else value
        self.instance.points = points
        return cleaned


def _in_order(formset: Any, start: int) -> None:
    """New rows start after the existing ones, so an author who types nothing gets them last."""
    for offset, form in enumerate(formset.extra_forms):
        form.initial["position"] = start + offset


class StepPage:
    """The step's form, its questions' formset, and each question's choices' formset."""

    def __init__(
        self,
        step: Step,
        *,
        languages: list[str],
        data: Any = None,
        files: Any = None,
        keys_locked: bool = False,
    ) -> None:
        self.step = step
        traits = list(step.assessment.traits.all())
        step_form = form_in_languages(StepPageForm, languages)
        question_form = form_in_languages(QuestionPageForm, languages)
        choice_form = form_in_languages(
            type("ChoicePageForm", (ChoicePageForm,), {"traits": traits}), languages
        )
        self.traits = traits
        self.form = step_form(data, files, instance=step, prefix="step")
        self.rule = ConditionBuilder(
            condition=step.condition,
            references=step_references(step),
            prefix="step-rule",
            data=data,
        )
        self.next = NextRules(step, data=data)
        questions = inlineformset_factory(
            Step, Question, form=question_form, fields=QUESTION_FIELDS, extra=1, can_delete=True
        )
        choices = inlineformset_factory(
            Question, Choice, form=choice_form, fields=CHOICE_FIELDS, extra=1, can_delete=True
        )
        self.questions = questions(data, files, instance=step, prefix="questions")
        _in_order(self.questions, len(self.questions.initial_forms))
        self.choices: dict[str, Any] = {}
        self.checked: list[Any] = []  # the formsets is_valid() validated
        # A question without choices yet gets three empty ones: a new question is usually
        # written with its choices in one go.
        first_choices = inlineformset_factory(
            Question, Choice, form=choice_form, fields=CHOICE_FIELDS, extra=3, can_delete=True
        )
        for form in self.questions.forms:
            empty = form.instance.pk is None or not form.instance.choices.exists()
            formset = (first_choices if empty else choices)(
                data, files, instance=form.instance, prefix=f"{form.prefix}-choices"
            )
            _in_order(formset, len(formset.initial_forms))
            self.choices[form.prefix] = formset
            form.choice_formset = formset
            form.rule = ConditionBuilder(
                condition=form.instance.condition,
                references=question_references(step, form.instance),
                prefix=f"{form.prefix}-rule",
                data=data,
                subject=_("Show this question"),
            )
        if keys_locked:
            # Keys name answers in published versions: shown, not editable (as on other pages).
            for form in self._all_forms():
                if form.instance.pk is not None:
                    form.fields["key"].disabled = True

    def _all_forms(self) -> list[forms.BaseForm]:
        found: list[forms.BaseForm] = [self.form, *self.questions.forms]
        for formset in self.choices.values():
            found.extend(formset.forms)
        return found

    def _choices_in_use(self, form: Any) -> bool:
        """Choices are saved for a question that is kept and takes them."""
        if self.questions.can_delete and self.questions._should_delete_form(form):
            return False
        if form.instance.pk is None and not form.has_changed():
            return False
        return form.takes_choices()

    def _conditions_valid(self) -> bool:
        """The step's condition, its next rules and each kept question's condition: from the
        rows or the JSON, whichever the author changed, checked as Validate checks them."""
        valid = self.rule.is_valid() & self.next.is_valid() & self.form.is_valid()
        if valid:
            valid = self.rule.settle(
                self.form, "condition", lambda c: step_condition_problems(self.step, c)
            )
            valid = self.next.settle(self.form) & valid
        for form in self.questions.forms:
            form_ok = form.is_valid()  # cleans it, so a removal can be told
            if self.questions._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed() and not form.rule.changed():
                continue
            if not (form.rule.is_valid() & form_ok):
                valid = False
                continue
            key = form.initial.get("key") if form.instance.pk else None
            valid = (
                form.rule.settle(
                    form,
                    "condition",
                    # A new question is not in the draft yet; its rows name only valid references.
                    lambda c, key=key: (
                        question_condition_problems(self.step, key, c) if key else []
                    ),
                )
                & valid
            )
        return valid

    def is_valid(self) -> bool:
        valid = self._conditions_valid()
        valid = self.form.is_valid() & self.questions.is_valid() & valid
        for form in self.questions.forms:
            formset = self.choices[form.prefix]
            new_and_blank = form.instance.pk is None and not form.has_changed()
            if new_and_blank and formset.is_bound and formset.has_changed():
                form.add_error(None, _("Give the new question a key and a prompt first."))
                valid = False
            elif self._choices_in_use(form):
                self.checked.append(formset)
                valid = formset.is_valid() & valid
        return valid

    def edits(self) -> dict[str, Any]:
        """What the service saves: the step, each kept question with its choices, removals."""
        questions: list[QuestionEdit] = []
        removed: list[Question] = []
        for form in self.questions.forms:
            if self.questions._should_delete_form(form):
                if form.instance.pk is not None:
                    removed.append(form.instance)
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            edit = QuestionEdit(question=form.save(commit=False))
            if self._choices_in_use(form):
                formset = self.choices[form.prefix]
                for choice_form in formset.forms:
                    if formset._should_delete_form(choice_form):
                        if choice_form.instance.pk is not None:
                            edit.removed_choices.append(choice_form.instance)
                    elif choice_form.instance.pk is not None or choice_form.has_changed():
                        edit.choices.append(choice_form.save(commit=False))
            questions.append(edit)
        return {
            "step": self.form.save(commit=False),
            "questions": questions,
            "removed_questions": removed,
        }

    def error_count(self) -> int:
        """How many fields (and rows) need fixing, once is_valid() has run."""
        formsets = [self.questions, *self.checked]
        count = len(self.form.errors) + self.rule.errors() + self.next.errors()
        count += len(self.next.mode.errors)
        count += sum(form.rule.errors() for form in self.questions.forms)
        for formset in formsets:
            count += len(formset.non_form_errors())
            count += sum(len(form.errors) for form in formset.forms)
        return count
