"""Writes of a step edited on one page: the step, its questions and their choices together."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from assessments.models import Choice, Question, Step


@dataclass
class QuestionEdit:
    """A question as the page left it (new or changed, not yet saved) and its choices' edits."""

    question: Question
    choices: list[Choice] = field(default_factory=list)
    removed_choices: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class StepSaved:
    step: Step
    questions_added: int
    questions_removed: int
    choices_added: int
    choices_removed: int


@transaction.atomic
def step_contents_save(
    *,
    step: Step,
    questions: list[QuestionEdit],
    removed_questions: list[Question],
) -> StepSaved:
    """Save a step with its questions and choices in one transaction: all of it or nothing.

    The rows come validated by the page's forms. Removed rows go first; new questions are
    saved before their choices, which then belong to them.
    """
    step.save()
    removed = [q for q in removed_questions if q.pk is not None and q.step_id == step.pk]
    for question in removed:
        question.delete()
    added_questions = added_choices = removed_choices = 0
    for edit in questions:
        question = edit.question
        added_questions += question.pk is None
        question.step = step
        question.save()
        for choice in edit.removed_choices:
            if choice.pk is not None and choice.question_id == question.pk:
                choice.delete()
                removed_choices += 1
        for choice in edit.choices:
            added_choices += choice.pk is None
            choice.question = question
            choice.save()
    return StepSaved(
        step=step,
        questions_added=added_questions,
        questions_removed=len(removed),
        choices_added=added_choices,
        choices_removed=removed_choices,
    )
