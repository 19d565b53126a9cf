"""The compiled assessment: the flow, answers, scores, outcome and recommendation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from . import answers as _answers
from .answers import AnswerError, UnknownQuestion
from .insights import Insight, choice_insights
from .model import (
    Contribution,
    HiddenField,
    Outcome,
    Progress,
    Question,
    RecommendationSpec,
    Section,
    Step,
    Text,
    Trait,
    TraitScore,
)
from .ranking import Product, Recommendation, rank
from .text import localized

NO_FIELDS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Result:
    scores: dict[str, TraitScore]
    outcome: Outcome | None
    recommendation: Recommendation


class _Facts:
    """What conditions see while the flow is walked: counted answers so far, fields, traits."""

    __slots__ = ("_assessment", "_totals", "_totals_size", "counted", "fields")

    def __init__(self, assessment: Assessment, fields: Mapping[str, str] | None) -> None:
        self._assessment = assessment
        self.counted: dict[str, Any] = {}
        self.fields = fields or NO_FIELDS
        self._totals: dict[str, float] = {}
        self._totals_size = -1

    def answer(self, key: str) -> Any:
        value = self.counted.get(key)
        # A kind that stores more than conditions compare (a measured photo: index and band).
        reshaped = self._assessment._compared.get(key)
        if reshaped is None or value is None:
            return value
        return reshaped.behaviour.compared(reshaped, value)

    def trait(self, key: str) -> float:
        # Counted answers only grow during a walk, so the size tells whether totals are stale.
        if self._totals_size != len(self.counted):
            self._totals = self._assessment._totals(self.counted)
            self._totals_size = len(self.counted)
        return self._totals.get(key, 0.0)

    def band(self, key: str) -> str | None:
        trait = self._assessment._trait_index.get(key)
        band = trait.band_for(self.trait(key)) if trait else None
        return band.key if band else None

    def field(self, key: str) -> str | None:
        value = self.fields.get(key)
        return value if isinstance(value, str) else None


class Assessment:
    """A compiled, immutable assessment version. Build it with `compile_definition`."""

    __slots__ = (
        "_compared",
        "_outcome_order",
        "_question_index",
        "_scored_traits",
        "_step_index",
        "_trait_index",
        "default_language",
        "hidden_fields",
        "key",
        "languages",
        "outcomes",
        "recommendation",
        "steps",
        "title",
        "traits",
    )

    def __init__(
        self,
        *,
        key: str,
        languages: tuple[str, ...],
        title: Text,
        steps: tuple[Step, ...],
        traits: tuple[Trait, ...],
        outcomes: tuple[Outcome, ...],
        hidden_fields: tuple[HiddenField, ...],
        recommendation: RecommendationSpec,
    ) -> None:
        values = {
            "key": key,
            "languages": languages,
            "default_language": languages[0],
            "title": title,
            "steps": steps,
            "traits": traits,
            "outcomes": outcomes,
            "hidden_fields": hidden_fields,
            "recommendation": recommendation,
            "_step_index": MappingProxyType({s.key: s for s in steps}),
            "_question_index": MappingProxyType({q.key: q for s in steps for q in s.questions}),
            "_trait_index": MappingProxyType({t.key: t for t in traits}),
            "_scored_traits": _scored_traits(steps),
            "_compared": MappingProxyType(
                {q.key: q for s in steps for q in s.questions if not q.behaviour.compares_stored}
            ),
            "_outcome_order": tuple(sorted(outcomes, key=lambda o: (-o.priority, o.index))),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a compiled assessment is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        return f"<Assessment {self.key!r}: {len(self.steps)} steps>"

    # -- lookups -------------------------------------------------------------------------

    def question(self, key: str) -> Question | None:
        return self._question_index.get(key)

    def step(self, key: str) -> Step | None:
        return self._step_index.get(key)

    def trait(self, key: str) -> Trait | None:
        return self._trait_index.get(key)

    def text(self, localised: Mapping[str, str] | None, language: str) -> str:
        """The text in `language`, else its base language, else the default language, else ""."""
        return localized(localised, language, (self.default_language,))

    # -- the flow ------------------------------------------------------------------------

    def _walk(
        self,
        answers: Mapping[str, Any],
        fields: Mapping[str, str] | None,
        stop_before: int | None = None,
    ) -> tuple[tuple[str, ...], dict[str, tuple[Question, ...]], _Facts]:
        """The path, each visited step's visible questions, and the facts at the end."""
        facts = _Facts(self, fields)
        path: list[str] = []
        visible: dict[str, tuple[Question, ...]] = {}
        steps = self.steps
        index = 0
        end = len(steps) if stop_before is None else min(stop_before, len(steps))
        while index < end:
            step = steps[index]
            if step.condition is not None and not step.condition(facts):
                index += 1
                continue
            shown = self._show(step, answers, facts)
            if not shown:
                index += 1
                continue
            path.append(step.key)
            visible[step.key] = shown
            following = index + 1
            for rule in step.next:
                if rule.when is None or rule.when(facts):
                    # Validation guarantees `goto` is later, so the walk always ends.
                    following = max(self._step_index[rule.goto].index, index + 1)
                    break
            index = following
        return tuple(path), visible, facts

    def _show(self, step: Step, answers: Mapping[str, Any], facts: _Facts) -> tuple[Question, ...]:
        """The step's visible questions; their valid answers join the counted ones."""
        shown = []
        for question in step.questions:
            if question.condition is not None and not question.condition(facts):
                continue
            shown.append(question)
            value = _answers.stored(question, answers.get(question.key))
            if value is not None:
                facts.counted[question.key] = value
        return tuple(shown)

    def walk(self, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None) -> Walk:
        """Walk the flow once for these answers; read the path, steps and counts from the Walk."""
        answers = MappingProxyType(dict(answers))
        path, visible, facts = self._walk(answers, fields)
        return Walk(
            assessment=self,
            answers=answers,
            fields=facts.fields,
            path=path,
            visible=MappingProxyType(visible),
            counted=MappingProxyType(facts.counted),
            _facts=facts,
        )

    def path(
        self, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> tuple[str, ...]:
        """The step keys the customer's flow visits, in order, given these answers."""
        return self.walk(answers, fields).path

    def first_step(self, fields: Mapping[str, str] | None = None) -> str | None:
        return self.walk({}, fields).first

    def next_step(
        self, step_key: str, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> str | None:
        """The step after `step_key` on the current path; None when the flow is finished."""
        return self.walk(answers, fields).next_step(step_key)

    def previous_step(
        self, step_key: str, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> str | None:
        """The step before `step_key` on the current path; None at the start."""
        return self.walk(answers, fields).previous_step(step_key)

    def _index_of(self, step_key: str) -> int:
        step = self._step_index.get(step_key)
        if step is None:
            raise KeyError(f"no step {step_key!r} in assessment {self.key!r}")
        return step.index

    def progress(
        self, step_key: str, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> Progress:
        """Where `step_key` sits on the current path, and the journey's sections."""
        return self.walk(answers, fields).progress(step_key)

    def visible_questions(
        self, step_key: str, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> tuple[Question, ...]:
        """The questions of the step the customer sees, given the answers before it."""
        return self.walk(answers, fields).questions(step_key)

    def counted_answers(
        self, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Only the answers to questions visible on the current path (valid ones)."""
        return dict(self.walk(answers, fields).counted)

    # -- answers -------------------------------------------------------------------------

    def clean_answer(self, question_key: str, raw: Any) -> Any:
        """Normalise a form value for storage, or raise an AnswerError subclass."""
        question = self._question_index.get(question_key)
        if question is None:
            raise UnknownQuestion(question_key)
        return _answers.clean(question, raw)

    def clean_step(
        self,
        step_key: str,
        raw_by_question: Mapping[str, Any],
        answers: Mapping[str, Any],
        fields: Mapping[str, str] | None = None,
    ) -> tuple[dict[str, Any], dict[str, AnswerError]]:
        """Clean every visible question of a step; returns (values, errors by question key).

        Questions on the step may depend on earlier ones on the same step, so visibility is
        decided with the freshly submitted values, not the stored ones.
        """
        here = self._index_of(step_key)
        _, _, facts = self._walk(answers, fields, stop_before=here)
        values: dict[str, Any] = {}
        errors: dict[str, AnswerError] = {}
        for question in self.steps[here].questions:
            if question.condition is not None and not question.condition(facts):
                continue
            if not question.answerable:
                continue
            try:
                value = _answers.clean(question, raw_by_question.get(question.key))
            except AnswerError as error:
                errors[question.key] = error
                continue
            values[question.key] = value
            if value is not None:
                facts.counted[question.key] = value
        return values, errors

    # -- scores, outcome, products -------------------------------------------------------

    def _totals(self, counted: Mapping[str, Any]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for key, value in counted.items():
            for trait, points in self._question_index[key].points_for(value).items():
                totals[trait] = totals.get(trait, 0.0) + points
        return totals

    def _scores(self, counted: Mapping[str, Any]) -> dict[str, TraitScore]:
        parts: dict[str, list[Contribution]] = {t.key: [] for t in self.traits}
        totals: dict[str, float] = {t.key: 0.0 for t in self.traits}
        assessed: set[str] = set()
        scored_traits = self._scored_traits
        for key, value in counted.items():
            assessed.update(scored_traits.get(key, ()))
            for trait, points in self._question_index[key].points_for(value).items():
                if trait in parts:
                    parts[trait].append(Contribution(key, value, points))
                    totals[trait] += points
                    assessed.add(trait)
        return {
            t.key: TraitScore(
                t.key,
                float(totals[t.key]),
                t.band_for(totals[t.key]),
                tuple(parts[t.key]),
                t.key in assessed,
            )
            for t in self.traits
        }

    def scores(
        self, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> dict[str, TraitScore]:
        """Each trait's score and band from the counted answers, with what contributed."""
        return self.walk(answers, fields).scores()

    def _outcome(self, facts: _Facts) -> Outcome | None:
        for outcome in self._outcome_order:
            if outcome.rule is None or outcome.rule(facts):
                return outcome
        return None

    def outcome(
        self, answers: Mapping[str, Any], fields: Mapping[str, str] | None = None
    ) -> Outcome | None:
        """The matching outcome with the highest priority (ties: the earlier), or None."""
        return self.walk(answers, fields).outcome()

    def recommend(
        self,
        products: Sequence[Product],
        answers: Mapping[str, Any],
        fields: Mapping[str, str] | None = None,
    ) -> Recommendation:
        """Rank the products for these answers, with reasons."""
        return self.evaluate(products, answers, fields).recommendation

    def evaluate(
        self,
        products: Sequence[Product],
        answers: Mapping[str, Any],
        fields: Mapping[str, str] | None = None,
    ) -> Result:
        """Scores, outcome and recommendation in one walk of the flow."""
        return self.walk(answers, fields).evaluate(products)

    def _evaluate(self, facts: _Facts, products: Sequence[Product]) -> Result:
        scores = self._scores(facts.counted)
        outcome = self._outcome(facts)
        recommendation = rank(
            self.recommendation, self._trait_index, products, facts.counted, scores, outcome
        )
        return Result(scores, outcome, recommendation)


@dataclass(frozen=True, slots=True, eq=False)
class Walk:
    """One walk of the flow over a customer's answers: computed once, then only read.

    `path` holds the steps the customer visits, in order; `visible` each visited step's shown
    questions; `counted` the valid answers to those questions, which is all that scores,
    conditions, recall and insights ever see. Answers to questions off the path stay stored
    but are not counted. Build one with `Assessment.walk`.
    """

    assessment: Assessment = field(repr=False)
    answers: Mapping[str, Any] = field(repr=False)
    fields: Mapping[str, str] = field(repr=False)
    path: tuple[str, ...]
    visible: Mapping[str, tuple[Question, ...]] = field(repr=False)
    counted: Mapping[str, Any]
    # What outcome rules are evaluated against: the counted answers, the fields, the traits.
    _facts: _Facts = field(repr=False)

    @property
    def first(self) -> str | None:
        """The first step on the path; None when every step is hidden."""
        return self.path[0] if self.path else None

    @property
    def last(self) -> str | None:
        return self.path[-1] if self.path else None

    def next_step(self, step_key: str) -> str | None:
        """The step after `step_key` on the path; None when the flow is finished.

        From a step off the path (left behind by a changed answer), the first later one on it.
        """
        path = self.path
        if step_key in path:
            position = path.index(step_key)
            return path[position + 1] if position + 1 < len(path) else None
        here = self.assessment._index_of(step_key)
        steps = self.assessment._step_index
        return next((k for k in path if steps[k].index > here), None)

    def previous_step(self, step_key: str) -> str | None:
        """The step before `step_key` on the path; None at the start."""
        path = self.path
        if step_key in path:
            position = path.index(step_key)
            return path[position - 1] if position > 0 else None
        here = self.assessment._index_of(step_key)
        steps = self.assessment._step_index
        earlier = [k for k in path if steps[k].index < here]
        return earlier[-1] if earlier else None

    def passed(self, step_key: str, current: str | None) -> bool:
        """Whether a customer now on `current` (None: finished) has left `step_key` behind on
        the path, so may look at it again or go back to it."""
        path = self.path
        if step_key not in path:
            return False
        if current is None or current not in path:
            return True
        return path.index(step_key) < path.index(current)

    def progress(self, step_key: str) -> Progress:
        """Where `step_key` sits on the path, and the journey's sections."""
        assessment = self.assessment
        steps = assessment._step_index
        path = self.path
        here = assessment._index_of(step_key)
        if step_key in path:
            position = path.index(step_key)
            total = len(path)
        else:
            position = sum(1 for k in path if steps[k].index < here)
            total = len(path) + 1
        labels: list[tuple[str, Text]] = []
        current: str | None = None
        for number, key in enumerate(path):
            section = steps[key].section
            if section:
                name = assessment.text(section, assessment.default_language)
                if name not in (n for n, _ in labels):
                    labels.append((name, section))
                if number <= position:
                    current = name
        own = steps[step_key].section
        if own:
            current = assessment.text(own, assessment.default_language)
        names = [n for n, _ in labels]
        current_at = names.index(current) if current in names else -1
        sections = tuple(
            Section(name, text, current=(i == current_at), done=(i < current_at))
            for i, (name, text) in enumerate(labels)
        )
        return Progress(position, total, sections)

    def questions(self, step_key: str) -> tuple[Question, ...]:
        """The questions of the step the customer sees, given the answers before it."""
        shown = self.visible.get(step_key)
        if shown is not None:
            return shown
        # Off the path: what the step would show, were the customer to reach it now.
        assessment = self.assessment
        here = assessment._index_of(step_key)
        _, _, facts = assessment._walk(self.answers, self.fields, stop_before=here)
        return assessment._show(assessment.steps[here], self.answers, facts)

    def insights(self, language: str, step_key: str | None = None) -> list[Insight]:
        """The insights of the counted picked choices, of one step or of the whole path."""
        if step_key is not None:
            step = self.assessment.step(step_key)
            questions: Iterable[Question] = step.questions if step is not None else ()
        else:
            questions = (q for step in self.assessment.steps for q in step.questions)
        return choice_insights(questions, self.counted, language)

    def scores(self) -> dict[str, TraitScore]:
        """Each trait's score and band from the counted answers, with what contributed."""
        return self.assessment._scores(self.counted)

    def outcome(self) -> Outcome | None:
        """The matching outcome with the highest priority (ties: the earlier), or None."""
        return self.assessment._outcome(self._facts)

    def evaluate(self, products: Sequence[Product]) -> Result:
        """Scores, outcome and the products ranked for these answers, with reasons."""
        return self.assessment._evaluate(self._facts, products)


def _scored_traits(steps: tuple[Step, ...]) -> Mapping[str, frozenset[str]]:
    """Question key -> the traits some answer to it can give points to.

    Answering such a question assesses those traits even when the answer picked gives them no
    points ("I don't run" says something about running experience); a trait none of whose
    questions has a counted answer is not assessed.
    """
    found: dict[str, frozenset[str]] = {}
    for step in steps:
        for question in step.questions:
            traits = question.behaviour.scored_traits(question)
            if traits:
                found[question.key] = traits
    return MappingProxyType(found)
