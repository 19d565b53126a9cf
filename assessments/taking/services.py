"""Writes behind taking an assessment: start, answer a step, go back, the e-mails a customer
asks for; and the compiled definition.

Where the customer is (answers, step, status) only changes here, and every change bumps the
response's `revision`. A step submission writes with one UPDATE that matches only the revision
it read; when another request got there first (two tabs, a double click, a retry) it decides
again under a row lock, as going back always does. So writes never interleave.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.mail import EmailMultiAlternatives
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import engine
from assessments.authoring.definitions import content_hash
from assessments.brands.mail import brand_sender, email_clean, visitor_mail_allow
from assessments.engine.text import localized
from assessments.events import event_announce
from assessments.models import AssessmentVersion, Brand, KeptPhoto, Response, WebhookEvent

from .results import result_freeze

# How many submission ids a response remembers. A duplicate arrives within seconds of the
# original (a double click, a retry), long before ten more steps have been submitted.
SUBMISSIONS_KEPT = 10
SUBMISSION_ID_MAX_LENGTH = 64
FIELD_VALUE_MAX_LENGTH = 200
# What a start link may carry for attribution, besides the assessment's own hidden fields.
ATTRIBUTION_KEYS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "ref",
    "partner",
)

SubmitStatus = Literal["accepted", "invalid", "stale"]

START_ID_MAX_LENGTH = 32
# A second press of Start, or a retry of it, arrives within seconds; a landing page brought
# back from the browser's history much later starts afresh.
START_AGAIN_WITHIN = dt.timedelta(minutes=10)


def response_definition(response: Response) -> engine.Assessment:
    """The compiled assessment a response was started on (its pinned version, or its preview)."""
    if response.version_id is not None:
        # Customer pages annotate the version's hash onto the response (`version_hash`), so
        # the version row, with its large definition, is read only on a cache miss.
        digest = getattr(response, "version_hash", None) or response.version.content_hash
        return engine.compile_cached(digest, lambda: response.version.definition)
    definition = response.preview_definition or {}
    # The hash is cheap next to compiling, and keys the cache by content, so two previews of
    # the same draft share one compiled assessment.
    cached = getattr(response, "_preview_hash", None)
    if cached is None:
        cached = content_hash(definition)
        response._preview_hash = cached  # type: ignore[attr-defined]
    return engine.compile_cached(cached, definition)


def _clean_fields(fields: Mapping[str, Any] | None, declared: Iterable[str]) -> dict[str, str]:
    """Keep only the declared keys, as short strings."""
    declared = set(declared)
    cleaned = {}
    for key, value in (fields or {}).items():
        if key in declared and isinstance(value, str):
            value = value.replace("\x00", "").strip()[:FIELD_VALUE_MAX_LENGTH]
            if value:
                cleaned[key] = value
    return cleaned


@transaction.atomic
def response_start(
    *,
    version: AssessmentVersion | None = None,
    preview_definition: dict[str, Any] | None = None,
    brand: Brand,
    language: str,
    fields: Mapping[str, Any] | None = None,
    channel: str = Response.Channel.DIRECT,
    partner_origin: str | None = None,
    start_id: str = "",
) -> Response:
    """Start a response on a published version, or a preview of a draft's definition.

    `partner_origin` is the partner page an embedded journey started on (already checked
    against the brand's allow-list); it is kept as the response's touchpoint.

    `fields` is the start link's query string: the assessment's hidden fields are kept in
    `fields` (conditions may use them), utm_*, ref and partner in `attribution`.

    `start_id` is the landing page's: the same id again (a double click on Start, or the
    proxy passing a press on to another instance when the first went down) gives the response
    it started, while that is recent and unfinished, instead of a second one that would be
    counted as a customer who left at the first step.
    """
    if (version is None) == (preview_definition is None):
        raise ValueError("Start a response on either a published version or a preview definition.")
    start_id = start_id[:START_ID_MAX_LENGTH] if version is not None else ""
    if start_id:
        started = _started_already(brand=brand, version=version, start_id=start_id)
        if started is not None:
            return started
    response = Response(
        start_id=start_id,
        brand=brand,
        version=version,
        preview_definition=preview_definition,
        is_preview=preview_definition is not None,
        token=secrets.token_urlsafe(32),
        channel=channel if channel in Response.Channel.values else Response.Channel.DIRECT,
    )
    assessment = response_definition(response)
    response.language = (
        language if language in assessment.languages else assessment.default_language
    )
    response.fields = _clean_fields(fields, (h.key for h in assessment.hidden_fields))
    response.attribution = _clean_fields(fields, ATTRIBUTION_KEYS)
    if partner_origin:
        response.attribution["embed_origin"] = partner_origin
    walk = assessment.walk({}, response.fields)
    first = walk.first
    response.current_step = first or ""
    if first is None:
        # Every step is hidden for these fields: there is nothing to ask.
        response.status = Response.Status.COMPLETED
        response.completed_at = timezone.now()
    try:
        with transaction.atomic():
            response.save(force_insert=True)
    except IntegrityError:
        if not start_id:
            raise
        # The same press arrived twice at once, and the other one stored first; or an old
        # id came back after its time, and this start goes ahead without one.
        started = _started_already(brand=brand, version=version, start_id=start_id)
        if started is not None:
            return started
        response.start_id = ""
        response.save(force_insert=True)
    if first is None:
        result_freeze(response=response, assessment=assessment, walk=walk)
        response.save(update_fields=["result", "share_token"])
        _completed_announce(response)
    return response


def _started_already(
    *, brand: Brand, version: AssessmentVersion | None, start_id: str
) -> Response | None:
    """The response this start id began, if it is still the customer's press: the same
    brand and version, within START_AGAIN_WITHIN, and not finished."""
    return Response.objects.filter(
        start_id=start_id,
        brand=brand,
        version=version,
        status=Response.Status.IN_PROGRESS,
        created_at__gte=timezone.now() - START_AGAIN_WITHIN,
    ).first()


def _completed_announce(response: Response) -> None:
    # Previews are the author's own clicks: nobody outside hears of them.
    if not response.is_preview:
        event_announce(
            event=WebhookEvent.RESPONSE_COMPLETED,
            brand_id=response.brand_id,
            subject_id=response.pk,
        )


def _locked(response: Response) -> Response:
    return Response.objects.select_for_update().get(pk=response.pk)


def response_step(response: Response) -> str | None:
    """The step the customer is on; None when they have finished (their results)."""
    if response.status == Response.Status.COMPLETED or not response.current_step:
        return None
    return response.current_step


@dataclass(frozen=True, slots=True)
class Place:
    """Where a customer stands in a response: the step they are on (None: finished, at their
    results), the revision that says so, and the walk of the answers their pages show."""

    step: str | None
    revision: int
    walk: engine.Walk

    @property
    def finished(self) -> bool:
        return self.step is None

    @property
    def answers(self) -> Mapping[str, Any]:
        return self.walk.answers

    @classmethod
    def of(cls, response: Response, assessment: engine.Assessment) -> Place:
        """Where a response, as read, stands."""
        walk = assessment.walk(response.answers, response.fields)
        return cls(response_step(response), response.revision, walk)


@dataclass(frozen=True, slots=True)
class StepCleaned:
    """A step's answers as the engine cleaned them against one revision of the response."""

    revision: int
    values: Mapping[str, Any]
    errors: Mapping[str, engine.AnswerError]


@dataclass(frozen=True, slots=True)
class Submitted:
    """What became of a step submission, and where the customer now is (`place`).

    `accepted`: stored, and the flow moved on to `next_step` (None: finished).
    `invalid`: nothing stored; `errors` says why, question by question. The place shows the
    step again, its walk counting the valid values just sent: a question may depend on an
    earlier one on the same step.
    `stale`: the step is not the one the customer is on (an old tab, a finished response);
    nothing stored.
    """

    status: SubmitStatus
    step_key: str
    place: Place
    next_step: str | None = None
    errors: Mapping[str, engine.AnswerError] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    duplicate: bool = False

    @property
    def completed(self) -> bool:
        return self.status == "accepted" and self.next_step is None


def _remembered(response: Response, submission_id: str) -> tuple[str, str | None] | None:
    """The step and the step it led to of a submission already stored, by its id."""
    for entry in response.submissions or ():
        if isinstance(entry, dict) and entry.get("id") == submission_id:
            return entry.get("step", ""), entry.get("next") or None
    return None


def answer_submit(
    *,
    response: Response,
    step_key: str,
    raw: Mapping[str, Any],
    submission_id: str,
    assessment: engine.Assessment | None = None,
    cleaned: StepCleaned | None = None,
) -> Submitted:
    """Clean and store one step's answers and move the flow on; idempotent per submission id.

    `response` is the row as the caller read it, and is left as it was: what was decided, and
    where the customer now is, come back in the `Submitted`. Pass the compiled `assessment`
    when you have it, and `cleaned` when the step's form already had the engine clean `raw`
    against this `response`: it is used while the row is still at that revision.

    The common case costs one UPDATE and holds no lock: the step is decided on the row as the
    caller read it, and written only if its revision is unchanged. If another request wrote in
    between (a double click, a second tab, a retry), if the step is not the one the row as read
    is on, or if this submission completes the response, it is decided again on the row re-read
    under a lock.
    """
    if assessment is None:
        assessment = response_definition(response)
    submission_id = (submission_id or "")[:SUBMISSION_ID_MAX_LENGTH]
    submitted = _submit(assessment, response, step_key, raw, submission_id, cleaned, guarded=True)
    if submitted is not None:
        return submitted
    with transaction.atomic():
        locked = _locked(response)
        submitted = _submit(
            assessment, locked, step_key, raw, submission_id, cleaned, guarded=False
        )
    assert submitted is not None
    return submitted


def _submit(
    assessment: engine.Assessment,
    response: Response,
    step_key: str,
    raw: Mapping[str, Any],
    submission_id: str,
    cleaned: StepCleaned | None,
    *,
    guarded: bool,
) -> Submitted | None:
    """Decide a step submission on `response` and store it.

    `guarded`: `response` was read without a lock and may be behind; write only if its
    revision is unchanged, else (and before calling the step stale, or completing, which also
    writes product references) return None and change nothing. Otherwise `response` is the
    row locked by the caller's transaction, and is saved.
    """
    if submission_id:
        seen = _remembered(response, submission_id)
        if seen is not None:
            step, following = seen
            here = Place.of(response, assessment)
            return Submitted("accepted", step, here, following, duplicate=True)
    if response.status == Response.Status.COMPLETED or step_key != response.current_step:
        return None if guarded else Submitted("stale", step_key, Place.of(response, assessment))

    if cleaned is not None and cleaned.revision == response.revision:
        values, errors = cleaned.values, cleaned.errors
    else:
        values, errors = assessment.clean_step(step_key, raw, response.answers, response.fields)
    if errors:
        shown = {**response.answers, **{k: v for k, v in values.items() if v is not None}}
        again = Place(step_key, response.revision, assessment.walk(shown, response.fields))
        return Submitted("invalid", step_key, again, errors=errors, values=values)

    # Answers on steps that are now off the path stay stored (the customer may come back to
    # them); the engine counts only the visible ones.
    answers = dict(response.answers)
    for key, value in values.items():
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    walk = assessment.walk(answers, response.fields)
    following = walk.next_step(step_key)
    submissions = list(response.submissions or [])
    if submission_id:
        entry = {"id": submission_id, "step": step_key, "next": following}
        submissions = [*submissions[-(SUBMISSIONS_KEPT - 1) :], entry]
    now = timezone.now()
    changes: dict[str, Any] = {
        "answers": answers,
        "current_step": following or "",
        "submissions": submissions,
        "step_seconds": _time_spent(response, step_key, now),
        "revision": response.revision + 1,
        "updated_at": now,
    }
    if guarded:
        # Unlocked, write only if nobody wrote since the read; completing also writes product
        # references, so it always goes through the lock.
        if following is None or not response_write_if_unchanged(response, changes):
            return None
    else:
        for name, value in changes.items():
            setattr(response, name, value)
        saved = [*changes]
        if following is None:
            response.status = Response.Status.COMPLETED
            response.completed_at = changes["updated_at"]
            result_freeze(response=response, assessment=assessment, walk=walk)
            saved += ["status", "completed_at", "result", "share_token"]
        response.save(update_fields=saved)
        if following is None:
            _completed_announce(response)
    moved_on = Place(following, changes["revision"], walk)
    return Submitted("accepted", step_key, moved_on, following, values=values)


@functools.cache
def _guarded_update(vendor: str, names: tuple[str, ...]) -> str:
    """The UPDATE `response_write_if_unchanged` runs for these fields, written once."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    meta = Response._meta
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    return (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('revision').column)} = %s"
    )


def response_write_if_unchanged(response: Response, changes: Mapping[str, Any]) -> bool:
    """Write `changes` to the response's row if its revision is still the one `response` was
    read at; whether it was.

    `Response.objects.filter(pk=…, revision=…).update(**changes)`, without building the
    statement again on every step sent: the SQL is written once per set of fields, and each
    value is prepared for the database by its own field, as `update` would.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    names = tuple(changes)
    values = [
        Response._meta.get_field(name).get_db_prep_save(value, connection)
        for name, value in changes.items()
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _guarded_update(connection.vendor, names), [*values, response.pk, response.revision]
        )
        return cursor.rowcount == 1


def answer_submit_with_photos(
    *,
    response: Response,
    step_key: str,
    raw: Mapping[str, Any],
    submission_id: str,
    assessment: engine.Assessment,
    cleaned: StepCleaned | None,
    photos: Mapping[str, bytes | None],
    now: dt.datetime | None = None,
) -> Submitted:
    """`answer_submit`, and the step's footprint photos kept or let go, in one transaction.

    `photos` names each photo question of the step with the photo the customer asked us to
    keep (re-encoded without metadata), or None: then any photo kept from an earlier visit of
    the step goes, as their latest choice says. Nothing is kept unless the answers are stored.
    """
    if not photos:
        return answer_submit(
            response=response,
            assessment=assessment,
            step_key=step_key,
            raw=raw,
            submission_id=submission_id,
            cleaned=cleaned,
        )
    with transaction.atomic():
        submitted = answer_submit(
            response=response,
            assessment=assessment,
            step_key=step_key,
            raw=raw,
            submission_id=submission_id,
            cleaned=cleaned,
        )
        if submitted.status == "accepted" and not submitted.duplicate:
            for question_key, photo in photos.items():
                _photo_keep(response, assessment, question_key, photo, now or timezone.now())
    return submitted


def _photo_keep(
    response: Response,
    assessment: engine.Assessment,
    question_key: str,
    photo: bytes | None,
    now: dt.datetime,
) -> None:
    question = assessment.question(question_key)
    days = question.settings.get("keep_photo_days") if question is not None else None
    if photo is None or not days or response.is_preview:
        KeptPhoto.objects.filter(response=response, question_key=question_key).delete()
        return
    # Never longer than the brand keeps the response itself.
    days = min(int(days), response.brand.retention_days)
    KeptPhoto.objects.update_or_create(
        response=response,
        question_key=question_key,
        defaults={"image": photo, "delete_after": now + dt.timedelta(days=days)},
    )


# Time on a step longer than this is a tab left open, not thought: it counts as this much.
STEP_SECONDS_CAP = 3600


def _time_spent(response: Response, step_key: str, now: dt.datetime) -> dict[str, float]:
    """The response's seconds per step with the time since its last write added to `step_key`.

    The last write is when the customer arrived on this step (started, submitted the one
    before, went back); written with the answers, so timing costs no query of its own.
    """
    since = response.updated_at or now
    spent = min(STEP_SECONDS_CAP, max(0.0, (now - since).total_seconds()))
    seconds = dict(response.step_seconds or {})
    seconds[step_key] = round(float(seconds.get(step_key) or 0) + spent, 1)
    return seconds


@dataclass(frozen=True, slots=True)
class WentBack:
    """Whether the customer went back (`moved`), and where they now are."""

    moved: bool
    place: Place


@transaction.atomic
def response_go_back(
    *, response: Response, to_step: str, assessment: engine.Assessment | None = None
) -> WentBack:
    """Return to an earlier step on the customer's path; any other step changes nothing.

    Going back from the results reopens the response; its answers are all kept, so the
    customer changes only what they want to.
    """
    if assessment is None:
        assessment = response_definition(response)
    locked = _locked(response)
    walk = assessment.walk(locked.answers, locked.fields)
    current = response_step(locked)
    if not walk.passed(to_step, current):
        return WentBack(False, Place(current, locked.revision, walk))
    locked.current_step = to_step
    locked.status = Response.Status.IN_PROGRESS
    locked.completed_at = None
    locked.revision += 1
    locked.save(update_fields=["current_step", "status", "completed_at", "revision", "updated_at"])
    return WentBack(True, Place(to_step, locked.revision, walk))


# -- e-mails the customer asks for -------------------------------------------------------

# The wording of the "e-mail me my results" checkbox: stored with the consent, so a consent
# says exactly what the customer agreed to. Change the wording, bump the version.
RESULTS_EMAIL_CONSENT_VERSION = "results-email/1"
# The same for "e-mail me a link to continue", whose box the customer ticks too.
RESUME_LINK_CONSENT_VERSION = "resume-link/1"

# How many e-mails a customer can have sent from one response (a link to continue, results):
# a response link must not become a way to have us e-mail strangers in bulk.
EMAILS_PER_RESPONSE = 5


def _email_claim(response: Response, consent_version: str = "") -> bool:
    """Take one of the response's e-mails, storing the consent given for it when there is one;
    False (nothing stored) when the response has used them all."""
    changes: dict[str, Any] = {"emails_sent": F("emails_sent") + 1}
    if consent_version:
        changes.update(email_consent_version=consent_version, email_consent_at=timezone.now())
    claimed = Response.objects.filter(pk=response.pk, emails_sent__lt=EMAILS_PER_RESPONSE).update(
        **changes
    )
    return bool(claimed)


def _address(to: str) -> str:
    address = email_clean(to)
    if address is None:
        raise ValueError("Not an e-mail address; check it with brands.mail.email_clean first.")
    return address


@dataclass(frozen=True)
class ResultsEmail:
    """The results e-mail's body, rendered in the customer's language: text and HTML."""

    text: str
    html: str


def _customer_mail(
    *,
    response: Response,
    to: str,
    consent_version: str,
    compose: Callable[[str], tuple[str, str]],
    html: str = "",
) -> bool:
    """Send one e-mail the customer asked for and consented to: checked against the caps on
    visitor-requested mail, counted against the response's share, its consent stored; the
    address is used once and not kept. `compose(language)` gives subject and body, worded in
    the response's language, with `html` as its alternative when given. False (nothing sent)
    when the response has used up its e-mails; `limits.Exceeded` when the address or the brand
    has had its share."""
    address = _address(to)
    visitor_mail_allow(brand=response.brand, address=address)
    if not _email_claim(response, consent_version):
        return False
    with translation.override(response.language):
        subject, body = compose(response.language)
        message = EmailMultiAlternatives(subject, body, brand_sender(response.brand), [address])
        if html:
            message.attach_alternative(html, "text/html")
        message.send()
    return True


def results_email_send(
    *,
    response: Response,
    assessment: engine.Assessment,
    to: str,
    link: str,
    content: ResultsEmail | None = None,
) -> bool:
    """E-mail a finished customer the `link` to their results (see `_customer_mail`); with
    `content`, the e-mail carries the results themselves, as text and HTML."""

    def compose(language: str) -> tuple[str, str]:
        subject = _("Your results: %(title)s") % {"title": localized(assessment.title, language)}
        if content is not None:
            return subject, content.text
        body = _(
            "Here are your results, as you asked:\n%(link)s\n\n"
            "The link is yours: anyone who has it can see and change your answers, "
            "so keep it to yourself. To share your results, use the share link on the page."
        ) % {"link": link}
        return subject, body

    sent = _customer_mail(
        response=response,
        to=to,
        consent_version=RESULTS_EMAIL_CONSENT_VERSION,
        compose=compose,
        html=content.html if content is not None else "",
    )
    if sent:
        now = timezone.now()
        Response.objects.filter(pk=response.pk).update(results_emailed_at=now, updated_at=now)
    return sent


def resume_link_send(
    *, response: Response, assessment: engine.Assessment, to: str, link: str
) -> bool:
    """E-mail the customer the `link` to continue on another device (see `_customer_mail`)."""

    def compose(language: str) -> tuple[str, str]:
        subject = _("Continue: %(title)s") % {"title": localized(assessment.title, language)}
        body = _(
            "Pick up where you left off:\n%(link)s\n\n"
            "Anyone with this link can see and change your answers, "
            "so keep it to yourself."
        ) % {"link": link}
        return subject, body

    return _customer_mail(
        response=response, to=to, consent_version=RESUME_LINK_CONSENT_VERSION, compose=compose
    )


@transaction.atomic
def response_retake(
    *, previous: Response, version: AssessmentVersion, brand: Brand, language: str
) -> Response:
    """Start `version` again for the customer of `previous`, with its answers filled in.

    Answers are keyed by stable question keys, so they carry over to a newer version; the
    engine ignores any whose question is gone. The customer still walks every step.
    """
    response = response_start(
        version=version, brand=brand, language=language, fields=previous.fields or {}
    )
    response.answers = dict(previous.answers or {})
    response.revision += 1
    response.save(update_fields=["answers", "revision", "updated_at"])
    return response
