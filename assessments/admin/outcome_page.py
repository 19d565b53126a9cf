"""An assessment's outcome rules on one page: a rule builder and a priority per outcome."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Outcome

from .rules import ConditionBuilder, outcome_references, outcome_rule_problems
from .step_page import _formfield


class OutcomeRuleForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["rule", "priority"]
        formfield_callback = _formfield


class OutcomeRules:
    """One form and one builder per outcome; saved all together or not at all."""

    def __init__(self, assessment: Assessment, *, data: Any = None) -> None:
        self.assessment = assessment
        references = outcome_references(assessment)
        self.entries: list[tuple[OutcomeRuleForm, ConditionBuilder]] = []
        for outcome in assessment.outcomes.all():
            prefix = f"outcome-{outcome.pk}"
            self.entries.append(
                (
                    OutcomeRuleForm(data, instance=outcome, prefix=prefix),
                    ConditionBuilder(
                        condition=outcome.rule,
                        references=references,
                        prefix=f"{prefix}-rule",
                        data=data,
                        subject=_("This outcome applies"),
                        always=_("always (the fallback when no other outcome applies)"),
                    ),
                )
            )

    def is_valid(self) -> bool:
        valid = True
        for form, builder in self.entries:
            if not (form.is_valid() & builder.is_valid()):
                valid = False
                continue
            key = form.instance.key
            valid = (
                builder.settle(
                    form,
                    "rule",
                    lambda rule, key=key: outcome_rule_problems(self.assessment, key, rule),
                )
                & valid
            )
        return valid

    def changed(self) -> list[Outcome]:
        """The outcomes whose rule or priority the author changed (once valid)."""
        return [
            form.instance
            for form, builder in self.entries
            if form.has_changed() or builder.changed()
        ]

    def error_count(self) -> int:
        return sum(len(form.errors) + builder.errors() for form, builder in self.entries)
