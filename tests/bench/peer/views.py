"""The shoe finder as a formtools SessionWizardView: each POST validates the step, keeps it in
the database session and renders the next step (no redirect)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.shortcuts import render
from formtools.wizard.views import SessionWizardView

from .forms import english, holds, load, step_forms

DEFINITION = load()
STEPS = {step["key"]: step for step in DEFINITION["steps"]}
ORDER = [step["key"] for step in DEFINITION["steps"]]


def _answers_before(wizard: SessionWizardView, step: str) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    shown = wizard.get_form_list()  # a step a `next` rule jumped over has no data
    for earlier in ORDER[: ORDER.index(step)]:
        if earlier in shown:
            answers.update(wizard.get_cleaned_data_for_step(earlier) or {})
    return answers


def _skipped_unless(jump_from: str, when: dict[str, Any]):
    """condition_dict entry for a step a `next` rule jumps over: shown unless the rule held."""

    def shown(wizard: SessionWizardView) -> bool:
        return not holds(when, wizard.get_cleaned_data_for_step(jump_from) or {})

    return shown


def _condition_dict() -> dict[str, Any]:
    conditions = {}
    for step in DEFINITION["steps"]:
        for rule in step.get("next", []):
            start, end = ORDER.index(step["key"]), ORDER.index(rule["goto"])
            for skipped in ORDER[start + 1 : end]:
                conditions[skipped] = _skipped_unless(step["key"], rule.get("when") or {})
    return conditions


class ShoeWizard(SessionWizardView):
    template_name = "peer/step.html"
    # A wizard with a file field must park uploads between steps (formtools' way).
    file_storage = FileSystemStorage(location=tempfile.mkdtemp(prefix="peer-wizard-"))

    def get_form_kwargs(self, step: str | None = None) -> dict[str, Any]:
        form = dict(step_forms_by_key)[step]
        if not form.conditions:
            return {}
        return {"answers": _answers_before(self, step)}

    def get_context_data(self, form: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        step = STEPS[self.steps.current]
        context.update(
            title=english(DEFINITION["title"]),
            step_title=english(step["title"]),
            why=english(step.get("why")),
            notes=[
                (english(q.get("prompt")), english(q.get("help")))
                for q in step["questions"]
                if q["kind"] == "info"
            ],
        )
        return context

    def done(self, form_list: Any, **kwargs: Any) -> Any:
        answers: dict[str, Any] = {}
        for form in form_list:
            answers.update(form.cleaned_data)
        return render(self.request, "peer/done.html", {"answers": answers})


step_forms_by_key = step_forms(DEFINITION)
shoe_finder = ShoeWizard.as_view(step_forms_by_key, condition_dict=_condition_dict())
