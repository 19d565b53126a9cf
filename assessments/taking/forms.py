"""What customer pages accept: a step's answers, starting, going back, the north-star answer,
and an e-mail address (with consent, for the results).

Pages render their own inputs (see display.py and the templates); these forms only read and
clean what was sent, worded for the customer in the response's language.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessments import engine
from assessments.brands.mail import email_clean
from assessments.engine.kinds import FootprintKind
from assessments.models import Response
from assessments.taking.display import error_message
from assessments.taking.footprint import PhotoProblem, footprint_measure, photo_without_metadata
from assessments.taking.services import SUBMISSION_ID_MAX_LENGTH, StepCleaned
from assessments.taking.uploads import (
    PhotoUploadHandler,
    drawings_field,
    keep_field,
    photo_field,
)

log = logging.getLogger(__name__)

NOT_AN_ADDRESS = _("Please enter an e-mail address, like name@example.com.")
NO_CONSENT = _("Please tick the box to say we may e-mail you your results.")
NO_LINK_CONSENT = _("Please tick the box to say we may e-mail you the link.")


class EveryValue(forms.Widget):
    """Every value sent under a name: a checkbox group sends one per ticked box, and a
    hand-made request may send several for any question."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[Any]:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = data.get(name)
        return [] if value is None else list(value) if isinstance(value, list) else [value]


class SubmissionIdField(forms.CharField):
    """A form's own id (the page writes `secrets.token_urlsafe`), kept to the characters such
    ids use and to `max_length`.

    Anything else is dropped rather than refused: the id only makes a double click store once,
    and a NUL (which PostgreSQL cannot store) or a stray character must not cost the answers.
    """

    KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    def __init__(self, *, max_length: int) -> None:
        super().__init__(required=False)
        self.kept_length = max_length

    def to_python(self, value: Any) -> str:
        text = value if isinstance(value, str) else ""
        return "".join(c for c in text if c in self.KEPT)[: self.kept_length]


class AnswerField(forms.Field):
    """One question's raw values, as sent; the engine cleans them (see `StepForm.clean`)."""

    widget = EveryValue

    def __init__(self, question: engine.Question) -> None:
        super().__init__(required=False)
        self.question = question


def photo_questions(step: engine.Step) -> list[engine.Question]:
    """The step's questions answered with a photo (read from a multipart POST)."""
    return [q for q in step.questions if q.kind == FootprintKind.name]


def photo_upload_handler(request: Any, step: engine.Step) -> PhotoUploadHandler | None:
    """Have the request read the step's footprint photos in memory only (see uploads.py); None
    for a step without one. Call it before anything reads the POST."""
    fields = [photo_field(q.key) for q in photo_questions(step)]
    if not fields:
        return None
    handler = PhotoUploadHandler(request, fields=fields, max_bytes=settings.FOOTPRINT_MAX_BYTES)
    try:
        request.upload_handlers = [handler]
    except AttributeError:
        # Something read the body before the view (a middleware must not): the photo is still
        # measured, not lost, but Django's own handlers read it; say so to whoever runs this.
        log.warning("A footprint photo step's body was read before its view: %s", request.path)
    return handler


@dataclass(frozen=True, slots=True)
class PhotoSent:
    """What became of one photo question's upload: measured (the index the engine stores), or
    a problem's code (taking/footprint.py, or `file_too_large`); and the photo to keep, re-made
    without metadata, when the customer ticked the box and the question keeps photos."""

    measured: Mapping[str, float] | None = None
    problem: str = ""
    keep: bytes | None = None


def photos_read(
    step: engine.Step, data: Mapping[str, Any], files: Mapping[str, Any], too_large: set[str]
) -> dict[str, PhotoSent]:
    """Measure the photos sent for the step's photo questions; a question sent none is left
    out (the customer chose the drawings)."""
    limits = {
        "max_pixels": settings.FOOTPRINT_MAX_PIXELS,
        "formats": frozenset(settings.FOOTPRINT_FORMATS),
    }
    sent: dict[str, PhotoSent] = {}
    for question in photo_questions(step):
        name = photo_field(question.key)
        upload = files.get(name)
        if name in too_large or (upload is not None and upload.size > settings.FOOTPRINT_MAX_BYTES):
            sent[question.key] = PhotoSent(problem="file_too_large")
            continue
        if upload is None:
            continue
        photo = upload.read()
        try:
            measured = footprint_measure(photo, **limits)
            keep = None
            if data.get(keep_field(question.key)) and question.settings.get("keep_photo_days"):
                keep = photo_without_metadata(photo, **limits)
        except PhotoProblem as problem:
            sent[question.key] = PhotoSent(problem=problem.code)
            continue
        sent[question.key] = PhotoSent(measured={"index": measured.index}, keep=keep)
    return sent


class StepForm(forms.Form):
    """A step's answers, cleaned by the engine against the response; a question with an error
    gets a field carrying it.

    The step is cleaned as a whole, not field by field: whether a question is shown may depend
    on the answer just given to an earlier question on the same step, so the engine decides
    what is shown and cleans it in one pass (`Assessment.clean_step`). The engine takes the
    values as sent: one value for a one-value question, and two refused with a message the
    customer can act on.
    """

    submission_id = SubmissionIdField(max_length=SUBMISSION_ID_MAX_LENGTH)

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        assessment: engine.Assessment,
        step: engine.Step,
        response: Response,
        photos: Mapping[str, PhotoSent] | None = None,
    ) -> None:
        super().__init__(data)
        self.photos = photos or {}
        self.assessment = assessment
        self.step = step
        self.response = response
        self.answer_keys = [q.key for q in step.questions if q.answerable]
        self.answers: dict[str, Any] = {}
        self.answer_errors: dict[str, engine.AnswerError] = {}

    @cached_property
    def raw(self) -> dict[str, Any]:
        """What was sent, question by question: shown back when the step has errors."""
        widget, data = EveryValue(), self.data
        raw: dict[str, Any] = {
            key: widget.value_from_datadict(data, None, key) for key in self.answer_keys
        }
        for question in photo_questions(self.step):
            raw[question.key] = self._photo_answer(question)
        return raw

    def _photo_answer(self, question: engine.Question) -> Any:
        """Only a measured photo answers, with its index; a value typed under the question's
        key is not read. No new photo keeps the one measured before, unless the customer
        ticked "choose a drawing instead"; a photo that could not be measured is no answer.
        With no answer the drawings follow."""
        photo = self.photos.get(question.key)
        if photo is not None:
            return dict(photo.measured) if photo.measured else []
        if self.data.get(drawings_field(question.key)):
            return []
        before = (self.response.answers or {}).get(question.key)
        if isinstance(before, Mapping) and question.behaviour.stored(question, before):
            return {"index": before["index"]}
        return []

    @property
    def photo_problem(self) -> str:
        """Why the first photo sent could not be measured ("" when every one was)."""
        return next((p.problem for p in self.photos.values() if p.problem), "")

    @property
    def photos_kept(self) -> dict[str, bytes | None]:
        """For each photo question sent a new photo, or whose measurement the customer let go:
        the photo to keep, or None to keep none. One keeping its measurement keeps its photo."""
        kept: dict[str, bytes | None] = {}
        for question in photo_questions(self.step):
            photo = self.photos.get(question.key)
            if photo is not None:
                kept[question.key] = photo.keep
            elif self.data.get(drawings_field(question.key)):
                kept[question.key] = None
        return kept

    def clean(self) -> dict[str, Any]:
        response = self.response
        values, errors = self.assessment.clean_step(
            self.step.key, self.raw, response.answers, response.fields
        )
        self.answers, self.answer_errors = values, errors
        if not errors:
            return self.cleaned_data
        with translation.override(response.language):
            for key, error in errors.items():
                # A question gets a field only to carry its error: the engine reads and cleans
                # the step's values as a whole (above); fields for every question would only
                # repeat that work on each POST.
                question = self.assessment.question(key)
                assert question is not None
                self.fields[key] = AnswerField(question)
                self.add_error(key, ValidationError(error_message(error), code=error.code))
        return self.cleaned_data

    def cleaned(self) -> StepCleaned:
        """The step as the engine cleaned it, for `answer_submit`."""
        self.is_valid()
        return StepCleaned(self.response.revision, self.answers, self.answer_errors)

    @property
    def sent_submission_id(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("submission_id", "")


class AddressField(forms.Field):
    """An address a customer can receive mail at (see `brands.mail.email_clean`)."""

    default_error_messages = {"required": NOT_AN_ADDRESS, "invalid": NOT_AN_ADDRESS}

    def to_python(self, value: Any) -> str:
        if value in self.empty_values:
            return ""
        address = email_clean(value)
        if address is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return address


class ResultsEmailForm(forms.Form):
    """ "E-mail me my results": the address, and the consent to use it for that."""

    email = AddressField()
    consent = forms.BooleanField(error_messages={"required": NO_CONSENT})


class ResumeLinkForm(forms.Form):
    """ "E-mail me a link to continue on another device": the address, and the consent to use
    it for that."""

    email = AddressField()
    consent = forms.BooleanField(error_messages={"required": NO_LINK_CONSENT})


def first_error(form: forms.Form) -> str:
    """The form's first error, in field order (a page shows one at a time)."""
    for name in form.fields:
        if name in form.errors:
            return str(form.errors[name][0])
    return ""


# What the landing page puts in its start id (secrets.token_urlsafe(16)), with room to spare.
START_ID = re.compile(r"[A-Za-z0-9_-]{16,32}")


class StartForm(forms.Form):
    """Starting from the landing page: the language the customer picked, if it is offered."""

    language = forms.ChoiceField(required=False)

    def __init__(self, data: Mapping[str, Any], *, languages: Sequence[str]) -> None:
        super().__init__(data)
        self.fields["language"].choices = [(code, code) for code in languages]

    def language_or(self, default: str) -> str:
        return (self.cleaned_data.get("language") if self.is_valid() else "") or default

    def start_id(self) -> str:
        """The landing page's start id ("" when it is missing or not one of ours)."""
        value = self.data.get("start_id", "")
        return value if isinstance(value, str) and START_ID.fullmatch(value) else ""


class BackForm(forms.Form):
    """Going back to a step of the assessment (the service decides if it is behind)."""

    to_step = forms.CharField()

    def __init__(self, data: Mapping[str, Any], *, assessment: engine.Assessment) -> None:
        super().__init__(data)
        self.assessment = assessment

    def clean_to_step(self) -> str:
        to_step = self.cleaned_data["to_step"]
        if self.assessment.step(to_step) is None:
            raise ValidationError("No such step.", code="invalid_choice")
        return to_step


class LearnedForm(forms.Form):
    """The answer to "Did you learn something new about your needs?"."""

    learned = forms.ChoiceField(choices=Response.Learned.choices)
