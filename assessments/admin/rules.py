"""A rule builder for every condition: a step's, a question's, a next rule's, an outcome's.

Rows are picked from what the condition may name (FORMAT.md, "Conditions": a step's condition
names earlier steps' questions; a next rule, also its own step's; a question's, those above it;
an outcome's rule, any question).

Each row is one select whose options are only valid references (a choice of a question on an
earlier step, a trait's band, a hidden field...) with, where the reference needs one, a low and
high number or a text. The rows and "all"/"any" become the same declarative JSON the format
uses (FORMAT.md, "Conditions"). A condition the rows cannot express stays editable as JSON; both
ways are checked by the engine's validation before anything is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.authoring.definitions import definition_from_draft
from assessments.authoring.services import draft_problems
from assessments.engine import Problem
from assessments.engine.text import localized
from assessments.models import Assessment, Question, Step

ALWAYS, ALL, ANY = "always", "all", "any"
SHOW_STEP, ALWAYS_LABEL = _("Show this step"), _("always")
SEP = "|"


@dataclass(frozen=True)
class Reference:
    """One option of a row's select: what it names, how staff read it, what it asks for."""

    code: str
    label: str
    needs: str = ""  # "" (nothing more), "range" (low/high numbers) or "text"


@dataclass
class References:
    """What a step's condition may name, grouped as the select shows it."""

    groups: list[tuple[str, list[Reference]]] = field(default_factory=list)

    def by_code(self) -> dict[str, Reference]:
        return {ref.code: ref for _group, refs in self.groups for ref in refs}


def _text(value: Any, key: str) -> str:
    return localized(value, get_language() or "") or key


def _steps(assessment: Assessment) -> list[Step]:
    return list(assessment.steps.prefetch_related("questions__choices"))


def step_references(step: Step) -> References:
    """A step's condition: questions on earlier steps, traits and bands, hidden fields."""
    steps = _steps(step.assessment)
    index = next((i for i, s in enumerate(steps) if s.pk == step.pk), len(steps))
    questions = [q for before in steps[:index] for q in before.questions.all()]
    return _references(step.assessment, questions, _("Answers on earlier steps"))


def next_references(step: Step) -> References:
    """A next rule: questions on earlier steps and on the step itself."""
    steps = _steps(step.assessment)
    index = next((i for i, s in enumerate(steps) if s.pk == step.pk), len(steps) - 1)
    questions = [q for before in steps[: index + 1] for q in before.questions.all()]
    return _references(step.assessment, questions, _("Answers on this and earlier steps"))


def question_references(step: Step, question: Question | None) -> References:
    """A question's condition: questions on earlier steps and above it on its step."""
    steps = _steps(step.assessment)
    index = next((i for i, s in enumerate(steps) if s.pk == step.pk), len(steps))
    questions = [q for before in steps[:index] for q in before.questions.all()]
    if index < len(steps):
        for other in steps[index].questions.all():
            if question is not None and question.pk is not None and other.pk == question.pk:
                break
            questions.append(other)
    return _references(step.assessment, questions, _("Answers asked before this question"))


def outcome_references(assessment: Assessment) -> References:
    """An outcome's rule: every question, trait and hidden field."""
    questions = [q for step in _steps(assessment) for q in step.questions.all()]
    return _references(assessment, questions, _("Answers"), traits_label=_("Traits (final scores)"))


def _references(
    assessment: Assessment,
    in_reach: list[Question],
    answers: Any,
    *,
    traits_label: Any = None,
) -> References:
    """The select's options for conditions that may name the questions `in_reach`."""
    questions: list[Reference] = []
    for question in in_reach:
        if question.kind == Question.Kind.INFO:
            continue
        prompt = f"“{_text(question.prompt, question.key)}” ({question.key})"
        questions.append(Reference(f"answered{SEP}{question.key}", f"{prompt} is answered"))
        if question.kind in Question.CHOICE_KINDS:
            op = "contains" if question.kind == Question.Kind.MULTIPLE else "equals"
            verb = _("includes") if op == "contains" else _("is")
            for choice in question.choices.all():
                questions.append(
                    Reference(
                        SEP.join(("answer", question.key, op, choice.key)),
                        f"{prompt} {verb} “{_text(choice.label, choice.key)}”",
                    )
                )
        elif question.kind in (Question.Kind.NUMBER, Question.Kind.SCALE):
            questions.append(
                Reference(
                    SEP.join(("answer", question.key, "range")),
                    f"{prompt} {_('is between (low, high)')}",
                    "range",
                )
            )
    traits: list[Reference] = []
    for trait in assessment.traits.prefetch_related("bands"):
        name = f"{_('Trait')} “{_text(trait.label, trait.key)}”"
        for band in trait.bands.all():
            traits.append(
                Reference(
                    SEP.join(("trait", trait.key, "band", band.key)),
                    f"{name} {_('is in band')} “{_text(band.label, band.key)}”",
                )
            )
        traits.append(
            Reference(
                SEP.join(("trait", trait.key, "range")),
                f"{name} {_('scores between (low, high)')}",
                "range",
            )
        )
    fields: list[Reference] = []
    for hidden in assessment.hidden_fields or []:
        key = hidden.get("key") if isinstance(hidden, dict) else None
        if isinstance(key, str) and key:
            fields.append(
                Reference(
                    SEP.join(("field", key, "equals")),
                    f"{_('Hidden field')} “{_text(hidden.get('label'), key)}” {_('is (text)')}",
                    "text",
                )
            )
    groups = [
        (str(answers), questions),
        (str(traits_label or _("Traits (scores so far)")), traits),
        (str(_("Hidden fields of the start link")), fields),
    ]
    return References([(name, refs) for name, refs in groups if refs])


# -- rows <-> JSON --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    code: str
    negate: bool = False
    low: float | None = None
    high: float | None = None
    text: str = ""


def _number(value: float | None) -> float | int | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _bounds(low: float | None, high: float | None) -> dict[str, Any]:
    return {
        name: _number(value) for name, value in (("min", low), ("max", high)) if value is not None
    }


def row_condition(row: Row) -> dict[str, Any]:
    """The format's condition for one row."""
    parts = row.code.split(SEP)
    kind = parts[0]
    if kind == "answered":
        condition: dict[str, Any] = {"answered": parts[1]}
    elif kind == "answer" and parts[2] in ("equals", "contains"):
        condition = {"answer": parts[1], parts[2]: parts[3]}
    elif kind == "answer":
        condition = {"answer": parts[1], "range": _bounds(row.low, row.high)}
    elif kind == "trait" and parts[2] == "band":
        condition = {"trait": parts[1], "band": parts[3]}
    elif kind == "trait":
        condition = {"trait": parts[1], "range": _bounds(row.low, row.high)}
    else:
        condition = {"field": parts[1], "equals": row.text}
    return {"not": condition} if row.negate else condition


def rows_condition(combine: str, rows: list[Row]) -> dict[str, Any] | None:
    """The whole condition: None for always, one row as itself, else all/any of the rows."""
    if combine == ALWAYS or not rows:
        return None
    if len(rows) == 1:
        return row_condition(rows[0])
    return {combine: [row_condition(row) for row in rows]}


def _row(condition: Any) -> Row | None:
    """The row for one simple condition, or None when a row cannot say it."""
    if not isinstance(condition, dict):
        return None
    if set(condition) == {"not"}:
        inner = _row(condition["not"])
        return None if inner is None or inner.negate else Row(inner.code, True, *_rest(inner))
    keys = set(condition)

    def is_key(value: Any) -> bool:
        return isinstance(value, str) and value != "" and SEP not in value

    if keys == {"answered"} and is_key(condition["answered"]):
        return Row(SEP.join(("answered", condition["answered"])))
    if keys in ({"answer", "equals"}, {"answer", "contains"}) and is_key(condition["answer"]):
        op = "equals" if "equals" in keys else "contains"
        if is_key(condition[op]):
            return Row(SEP.join(("answer", condition["answer"], op, condition[op])))
    if keys == {"trait", "band"} and is_key(condition["trait"]) and is_key(condition["band"]):
        return Row(SEP.join(("trait", condition["trait"], "band", condition["band"])))
    if keys in ({"answer", "range"}, {"trait", "range"}):
        kind = "answer" if "answer" in keys else "trait"
        bounds = condition["range"]
        if is_key(condition[kind]) and isinstance(bounds, dict) and set(bounds) <= {"min", "max"}:
            numbers = [bounds.get("min"), bounds.get("max")]
            if all(n is None or _is_number(n) for n in numbers):
                return Row(SEP.join((kind, condition[kind], "range")), False, *numbers)
    field_equals = keys == {"field", "equals"} and is_key(condition["field"])
    if field_equals and isinstance(condition["equals"], str):
        return Row(SEP.join(("field", condition["field"], "equals")), text=condition["equals"])
    return None


def _rest(row: Row) -> tuple[float | None, float | None, str]:
    return row.low, row.high, row.text


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def condition_rows(condition: Any) -> tuple[str, list[Row]] | None:
    """How the builder shows a stored condition, or None when only JSON can show it."""
    if condition is None:
        return ALWAYS, []
    if isinstance(condition, dict) and len(condition) == 1:
        ((combine, parts),) = condition.items()
        if combine in (ALL, ANY) and isinstance(parts, list):
            rows = [_row(part) for part in parts]
            if rows and all(row is not None for row in rows):
                return combine, [row for row in rows if row is not None]
            return None
    row = _row(condition)
    return (ALL, [row]) if row is not None else None


# -- the forms ------------------------------------------------------------------------------


class RuleRowForm(forms.Form):
    negate = forms.BooleanField(label=_("not"), required=False)
    code = forms.ChoiceField(label=_("Condition"), required=False)
    low = forms.FloatField(label=_("low"), required=False)
    high = forms.FloatField(label=_("high"), required=False)
    text = forms.CharField(label=_("text"), required=False, max_length=200, strip=True)

    def __init__(self, *args: Any, references: References, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.references = references.by_code()
        self.fields["code"].choices = [
            ("", _("— choose —")),
            *[(group, [(r.code, r.label) for r in refs]) for group, refs in references.groups],
        ]
        for name in ("low", "high"):
            self.fields[name].widget.attrs.update({"step": "any", "class": "rule-number"})
        self.fields["text"].widget.attrs.update({"class": "rule-text"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reference = self.references.get(cleaned.get("code") or "")
        if reference is None:
            return cleaned
        low, high = cleaned.get("low"), cleaned.get("high")
        if reference.needs == "range":
            if low is None and high is None:
                self.add_error("low", _("Give a low number, a high number, or both."))
            elif low is not None and high is not None and low > high:
                self.add_error("high", _("The high number cannot be below the low one."))
        if reference.needs == "text" and not cleaned.get("text"):
            self.add_error("text", _("Give the text the hidden field must equal."))
        return cleaned

    def row(self) -> Row | None:
        code = self.cleaned_data.get("code") or ""
        reference = self.references.get(code)
        if reference is None:
            return None
        ranged = reference.needs == "range"
        return Row(
            code=code,
            negate=bool(self.cleaned_data.get("negate")),
            low=self.cleaned_data.get("low") if ranged else None,
            high=self.cleaned_data.get("high") if ranged else None,
            text=self.cleaned_data.get("text", "") if reference.needs == "text" else "",
        )


RuleRows = formset_factory(RuleRowForm, extra=2)


class RuleModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("If you change both the rows and the JSON, keep"),
        choices=[("builder", _("the rows above")), ("json", _("the JSON below"))],
        widget=forms.RadioSelect,
        initial="builder",
        required=False,  # absent: the rows
    )


class RuleHeadForm(RuleModeForm):
    combine = forms.ChoiceField(
        choices=[
            (ALWAYS, _("always")),
            (ALL, _("when all of these hold")),
            (ANY, _("when any of these holds")),
        ],
        widget=forms.RadioSelect,
        # Unset when the stored condition is JSON only: "always" would misstate it.
        required=False,
    )
    field_order = ["combine", "mode"]

    def __init__(self, *args: Any, subject: Any, always: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["combine"].label = subject
        self.fields["combine"].choices = [
            (ALWAYS, always),
            (ALL, _("when all of these hold")),
            (ANY, _("when any of these holds")),
        ]


class ConditionBuilder:
    """The head (all/any, builder or JSON) and the rows, for one stored condition."""

    def __init__(
        self,
        *,
        condition: Any,
        references: References,
        prefix: str,
        data: Any = None,
        subject: Any = SHOW_STEP,
        always: Any = ALWAYS_LABEL,
    ) -> None:
        self.references = references
        shown = condition_rows(condition)
        self.fits = shown is not None
        combine, rows = shown if shown is not None else (ALWAYS, [])
        known = references.by_code()
        if any(row.code not in known for row in rows):
            # It names something this condition may not name: only the JSON shows it as it is.
            self.fits, combine, rows = False, ALWAYS, []
        self.head = RuleHeadForm(
            data,
            prefix=prefix,
            subject=subject,
            always=always,
            initial={
                "combine": combine if self.fits else None,
                "mode": "builder" if self.fits else "json",
            },
        )
        self.rows = RuleRows(
            data,
            prefix=f"{prefix}-rows",
            initial=[
                {"code": r.code, "negate": r.negate, "low": r.low, "high": r.high, "text": r.text}
                for r in rows
            ],
            form_kwargs={"references": references},
        )

    def is_valid(self) -> bool:
        valid = self.head.is_valid() & self.rows.is_valid()
        always = valid and self.head.cleaned_data["combine"] == ALWAYS
        if always and any(form.row() is not None for form in self.rows.forms):
            self.head.add_error(
                "combine", _("Choose “all” or “any” for the rows you filled in, or clear them.")
            )
            return False
        return valid

    def changed(self) -> bool:
        """Whether the author touched the rows or all/any (the "keep" choice does not count)."""
        return "combine" in self.head.changed_data or self.rows.has_changed()

    def uses_json(self) -> bool:
        return self.head.cleaned_data.get("mode") == "json"

    def condition(self) -> dict[str, Any] | None:
        """The JSON the rows say (once valid)."""
        rows = [row for form in self.rows.forms if (row := form.row()) is not None]
        combine = self.head.cleaned_data.get("combine") or (ALL if rows else ALWAYS)
        return rows_condition(combine, rows)

    def errors(self) -> int:
        return len(self.head.errors) + sum(len(form.errors) for form in self.rows.forms)

    def settle(
        self,
        form: forms.BaseForm,
        field: str,
        problems_for: Callable[[Any], list[Problem]],
    ) -> bool:
        """Put the rows' or the JSON field's condition on the form's instance, whichever the
        author changed (changed both: the "keep" choice decides), checked as Validate checks it.

        Call once this builder and the form are valid.
        """
        stored = form.initial.get(field)
        rows_changed = self.changed()
        json_changed = field in form.changed_data
        use_json = self.uses_json() if rows_changed and json_changed else json_changed
        where: tuple[forms.BaseForm, str | None]
        if use_json:
            condition = form.cleaned_data.get(field)
            where = (form, field)
        else:
            condition = self.condition() if rows_changed else stored
            where = (self.head, None)
        problems = problems_for(condition) if condition != stored else []
        for problem in problems:
            where[0].add_error(where[1], problem.message)
        setattr(form.instance, field, condition)
        return not problems


class NextRuleForm(forms.Form):
    goto = forms.ChoiceField(label=_("Go to step"), required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goto"].choices = [("", _("— no rule —")), *targets]


class NextRules:
    """A step's next rules as slots: each a later step to go to and a builder for its "when".

    The stored rules fill the first slots and one more is empty, for a new rule. Rules the rows
    cannot show leave no slots: only the JSON shows them.
    """

    def __init__(self, step: Step, *, data: Any = None, prefix: str = "step-next") -> None:
        self.step = step
        steps = list(step.assessment.steps.all())
        index = next((i for i, s in enumerate(steps) if s.pk == step.pk), len(steps))
        targets = [(s.key, f"{s.key}: {_text(s.title, s.key)}") for s in steps[index + 1 :]]
        references = next_references(step)
        known = references.by_code()
        stored = step.next_rules if isinstance(step.next_rules, list) else []
        shown: list[tuple[str, Any]] = []
        for rule in stored:
            ok = isinstance(rule, dict) and set(rule) <= {"goto", "when"}
            rows = condition_rows(rule.get("when")) if ok else None
            ok = ok and isinstance(rule.get("goto"), str) and rows is not None
            if not ok or any(r.code not in known for r in (rows or (ALWAYS, []))[1]):
                shown = []
                self.fits = False
                break
            shown.append((rule["goto"], rule.get("when")))
        else:
            self.fits = True
        self.targets = targets
        self.mode = RuleModeForm(
            data, prefix=prefix, initial={"mode": "builder" if self.fits else "json"}
        )
        self.slots: list[tuple[NextRuleForm, ConditionBuilder]] = []
        if not self.fits or not targets:
            return
        for i, (goto, when) in enumerate([*shown, ("", None)]):
            self.slots.append(
                (
                    NextRuleForm(
                        data, prefix=f"{prefix}-{i}", targets=targets, initial={"goto": goto}
                    ),
                    ConditionBuilder(
                        condition=when,
                        references=references,
                        prefix=f"{prefix}-{i}-rule",
                        data=data,
                        subject=_("Go there"),
                        always=_("always (when no rule above sends elsewhere)"),
                    ),
                )
            )

    def is_valid(self) -> bool:
        valid = self.mode.is_valid()
        for goto, builder in self.slots:
            valid = goto.is_valid() & builder.is_valid() & valid
            if valid and not goto.cleaned_data.get("goto") and builder.condition() is not None:
                goto.add_error("goto", _("Choose the step this rule goes to, or clear its rows."))
                valid = False
        return valid

    def changed(self) -> bool:
        return any(goto.has_changed() or builder.changed() for goto, builder in self.slots)

    def rules(self) -> list[dict[str, Any]]:
        """The JSON the slots say (once valid): a rule per slot with a step to go to."""
        rules = []
        for goto, builder in self.slots:
            target = goto.cleaned_data.get("goto")
            if target:
                when = builder.condition()
                rules.append({"goto": target, **({"when": when} if when is not None else {})})
        return rules

    def errors(self) -> int:
        return sum(len(goto.errors) + builder.errors() for goto, builder in self.slots)

    def settle(self, form: forms.BaseForm, field: str = "next_rules") -> bool:
        """As ConditionBuilder.settle, for the list of rules."""
        stored = form.initial.get(field) or []
        rows_changed = self.changed()
        json_changed = field in form.changed_data
        use_json = (
            self.mode.cleaned_data.get("mode") == "json"
            if rows_changed and json_changed
            else json_changed
        )
        if use_json:
            rules = form.cleaned_data.get(field) or []
            where: tuple[forms.BaseForm, str | None] = (form, field)
        else:
            rules = self.rules() if rows_changed else stored
            where = (self.mode, None)
        problems = next_rules_problems(self.step, rules) if rules != stored else []
        for problem in problems:
            where[0].add_error(where[1], problem.message)
        setattr(form.instance, field, rules)
        return not problems


# -- what Validate says about one condition -----------------------------------------------


def condition_problems(
    assessment: Assessment, place: Callable[[dict[str, Any]], str | None]
) -> list[Problem]:
    """The engine's problems at the place `place` put a condition into the draft's definition
    (it returns that place's JSON path, or None when the place is not in the draft yet)."""
    definition = definition_from_draft(assessment)
    where = place(definition)
    if where is None:
        return []
    return [
        p
        for p in draft_problems(assessment, definition)
        if p.path == where or p.path.startswith((f"{where}.", f"{where}["))
    ]


def _step_index(definition: dict[str, Any], step: Step) -> int | None:
    keys = [s.get("key") for s in definition.get("steps", [])]
    return keys.index(step.key) if step.key in keys else None


def _put(target: dict[str, Any], name: str, value: Any) -> None:
    target.pop(name, None)
    if value not in (None, []):
        target[name] = value


def step_condition_problems(step: Step, condition: dict[str, Any] | None) -> list[Problem]:
    """What Validate would say about `condition` as this step's."""

    def place(definition: dict[str, Any]) -> str | None:
        index = _step_index(definition, step)
        if index is None:
            return None
        _put(definition["steps"][index], "condition", condition)
        return f"$.steps[{index}].condition"

    return condition_problems(step.assessment, place)


def next_rules_problems(step: Step, rules: list[dict[str, Any]] | None) -> list[Problem]:
    """What Validate would say about `rules` as this step's next rules."""

    def place(definition: dict[str, Any]) -> str | None:
        index = _step_index(definition, step)
        if index is None:
            return None
        _put(definition["steps"][index], "next", rules)
        return f"$.steps[{index}].next"

    return condition_problems(step.assessment, place)


def question_condition_problems(
    step: Step, question_key: str, condition: dict[str, Any] | None
) -> list[Problem]:
    """What Validate would say about `condition` as the (saved) question's."""

    def place(definition: dict[str, Any]) -> str | None:
        index = _step_index(definition, step)
        if index is None:
            return None
        questions = definition["steps"][index].get("questions", [])
        keys = [q.get("key") for q in questions]
        if question_key not in keys:
            return None
        at = keys.index(question_key)
        _put(questions[at], "condition", condition)
        return f"$.steps[{index}].questions[{at}].condition"

    return condition_problems(step.assessment, place)


def outcome_rule_problems(
    assessment: Assessment, outcome_key: str, rule: dict[str, Any] | None
) -> list[Problem]:
    """What Validate would say about `rule` as the (saved) outcome's."""

    def place(definition: dict[str, Any]) -> str | None:
        keys = [o.get("key") for o in definition.get("outcomes", [])]
        if outcome_key not in keys:
            return None
        at = keys.index(outcome_key)
        _put(definition["outcomes"][at], "rule", rule)
        return f"$.outcomes[{at}].rule"

    return condition_problems(assessment, place)
