"""A rule builder for a step's display condition: rows picked from what the step may name.

Each row is one select whose options are only valid references (a choice of a question on an
earlier step, a trait's band, a hidden field...) with, where the reference needs one, a low and
high number or a text. The rows and "all"/"any" become the same declarative JSON the format
uses (FORMAT.md, "Conditions"). A condition the rows cannot express stays editable as JSON; both
ways are checked by the engine's validation before anything is saved.
"""

from __future__ import annotations

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
from assessments.models import Question, Step

ALWAYS, ALL, ANY = "always", "all", "any"
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


def step_references(step: Step) -> References:
    """Questions on earlier steps (with their choices), traits and bands, hidden fields."""
    assessment = step.assessment
    steps = list(assessment.steps.prefetch_related("questions__choices"))
    earlier = steps[: next((i for i, s in enumerate(steps) if s.pk == step.pk), len(steps))]
    questions: list[Reference] = []
    for before in earlier:
        for question in before.questions.all():
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
        (str(_("Answers on earlier steps")), questions),
        (str(_("Traits (scores so far)")), traits),
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


class RuleHeadForm(forms.Form):
    combine = forms.ChoiceField(
        label=_("Show this step"),
        choices=[
            (ALWAYS, _("always")),
            (ALL, _("when all of these hold")),
            (ANY, _("when any of these holds")),
        ],
        widget=forms.RadioSelect,
        # Unset when the stored condition is JSON only: "always" would misstate it.
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("If you change both the rows and the JSON, keep"),
        choices=[("builder", _("the rows above")), ("json", _("the JSON below"))],
        widget=forms.RadioSelect,
        initial="builder",
    )


class ConditionBuilder:
    """The head (all/any, builder or JSON) and the rows, for one stored condition."""

    def __init__(
        self, *, condition: Any, references: References, prefix: str, data: Any = None
    ) -> None:
        self.references = references
        shown = condition_rows(condition)
        self.fits = shown is not None
        combine, rows = shown if shown is not None else (ALWAYS, [])
        known = references.by_code()
        if any(row.code not in known for row in rows):
            # It names something this step may not name: only the JSON can show it as it is.
            self.fits, combine, rows = False, ALWAYS, []
        self.head = RuleHeadForm(
            data,
            prefix=prefix,
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


def step_condition_problems(step: Step, condition: dict[str, Any] | None) -> list[Problem]:
    """What Validate would say about `condition` as this step's: the engine's own checks."""
    definition = definition_from_draft(step.assessment)
    keys = [s.get("key") for s in definition.get("steps", [])]
    if step.key not in keys:
        return []
    index = keys.index(step.key)
    target = definition["steps"][index]
    target.pop("condition", None)
    if condition is not None:
        target["condition"] = condition
    where = f"$.steps[{index}].condition"
    return [
        p
        for p in draft_problems(step.assessment, definition)
        if p.path == where or p.path.startswith((f"{where}.", f"{where}["))
    ]
