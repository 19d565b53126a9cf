"""DEMO ONLY: play a follow-up plan forward in time, so a newcomer sees it without waiting weeks.

Records a demo purchase for a finished demo response (taking the shoe finder with the
engine if there is none), then runs the dispatcher once per simulated day and prints every
message it sent. The rows it writes are real and marked as demo purchases.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from assessments import engine
from assessments.followups.purchases import ConsentInput, ItemInput, purchase_record, response_facts
from assessments.followups.selectors import preference_of
from assessments.followups.services import (
    CheckInAnswers,
    checkin_record,
    followup_send,
    followups_claim_due,
    unsubscribe,
)
from assessments.models import Assessment, FollowUp, FollowUpPlanStep, Purchase, Response
from assessments.taking.services import answer_submit, response_definition, response_start

RULE = "=" * 72


def demo_answer(question: engine.Question) -> Any:
    """A valid raw answer for any question: the first choice, the lowest number; no photo (the
    drawings are asked instead)."""
    if question.kind == "footprint":
        return None
    if question.several:
        return [question.choices[-1].key]
    if question.has_choices:
        return question.choices[0].key
    if question.behaviour.free_text:
        return "demo"
    return str(int(question.min if question.min is not None else 0) + 1)


def demo_response(assessment: Assessment, language: str) -> Response:
    """A completed response made by answering every step the engine shows."""
    response = response_start(
        version=assessment.live_version, brand=assessment.brand, language=language
    )
    compiled = response_definition(response)
    step_key = response.current_step or None
    for _guard in range(100):
        if step_key is None:
            response.refresh_from_db()
            return response
        step = compiled.step(step_key)
        assert step is not None
        raw = {q.key: demo_answer(q) for q in step.questions if q.answerable}
        submitted = answer_submit(
            response=response,
            assessment=compiled,
            step_key=step.key,
            raw=raw,
            submission_id=uuid.uuid4().hex,
        )
        if submitted.status != "accepted":
            raise CommandError(f"The demo answers do not fit step {step.key}: {submitted.errors}")
        step_key = submitted.place.step
    raise CommandError("The demo response never finished.")


class Command(BaseCommand):
    help = (
        "DEMO: record a demo purchase and run its follow-up plan forward N days, printing each "
        "message sent, the check-in answered and the unsubscribe that stops the rest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=60, help="How many days to play.")
        parser.add_argument("--brand", default="stride-lab")
        parser.add_argument("--assessment", default="shoe-finder")
        parser.add_argument("--language", default="")
        parser.add_argument(
            "--keep-subscribed",
            action="store_true",
            help="Do not unsubscribe after the check-in (see every step go out).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        assessment = self.find_assessment(options["brand"], options["assessment"])
        language = options["language"] or assessment.brand.languages[0]
        self.say(
            RULE, "DEMO: follow-ups played forward in time. Nothing here waits for real days.", RULE
        )
        start = timezone.now()
        purchase = self.buy_top_recommendation(assessment, language, start)
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            mail.outbox = []
            self.stop_after_checkin = not options["keep_subscribed"]
            for day in range(options["days"] + 1):
                self.play_day(day, start + dt.timedelta(days=day, minutes=1))
            sent = len(mail.outbox)
        self.say(RULE, "Follow-ups of this purchase now:")
        for row in purchase.followups.select_related("step").order_by("scheduled_for"):
            day = (row.scheduled_for - start).days
            reason = f" — {row.reason}" if row.reason else ""
            self.say(f"  day {day:>3} {row.step.kind:<8} {row.state}{reason}")
        self.say(f"{sent} message(s) sent in {options['days']} simulated day(s).")

    def say(self, *lines: str) -> None:
        for line in lines:
            self.stdout.write(line)

    def find_assessment(self, brand: str, key: str) -> Assessment:
        """The published demo assessment, loading the demo data first if it is not there."""
        found = Assessment.objects.filter(
            brand__slug=brand, key=key, live_version__isnull=False
        ).first()
        if found is None:
            call_command("load_demo", stdout=self.stderr)
            found = Assessment.objects.filter(brand__slug=brand, key=key).first()
        if found is None or found.live_version is None:
            raise CommandError(f"No published {brand}/{key}.")
        return found

    def buy_top_recommendation(
        self, assessment: Assessment, language: str, start: dt.datetime
    ) -> Purchase:
        """A demo customer finishes the assessment and buys its top recommendation, consenting."""
        response = demo_response(assessment, language)
        facts = response_facts(response)
        top = min(facts.ranks, key=facts.ranks.get) if facts.ranks else None
        if top is None:
            raise CommandError("The demo response got no recommendation to buy.")
        email = f"demo+{uuid.uuid4().hex[:8]}@example.com"
        purchase, _created = purchase_record(
            brand=assessment.brand,
            order_id=f"demo-{uuid.uuid4().hex[:12]}",
            items=[ItemInput(sku=top)],
            source=Purchase.Source.DEMO,
            purchased_at=start,
            response=response,
            email=email,
            first_name="Alex",
            language=language,
            consent=ConsentInput("demo-v1", "demo"),
        )
        outcome = facts.outcome.key if facts.outcome else "none"
        self.say(
            f"Response {response.token[:8]}… finished: outcome {outcome}.",
            f"Purchase {purchase.order_id}: {top} (recommended no. {facts.ranks[top]}), {email}.",
        )
        for row in purchase.followups.select_related("step__plan").order_by("scheduled_for"):
            day = (row.scheduled_for - start).days
            self.say(f"  planned: day {day:>3} {row.step.kind:<8} ({row.step.plan.name})")
        return purchase

    def play_day(self, day: int, now: dt.datetime) -> None:
        """Send what is due on this simulated day, printing each message as the customer gets it."""
        for claim in followups_claim_due(now=now, worker="demo"):
            result = followup_send(followup_id=claim.followup_id, claim=claim.claim, now=now)
            row = FollowUp.objects.select_related("step").get(pk=claim.followup_id)
            self.say(RULE, f"Day {day}: {row.step.get_kind_display()} → {result}")
            if result != "sent":
                self.say(f"  reason: {row.reason}")
                continue
            self.print_message(mail.outbox[-1])
            if row.step.kind == FollowUpPlanStep.Kind.CHECKIN:
                self.answer_checkin(row)

    def print_message(self, message: mail.EmailMessage) -> None:
        self.say(
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
        )
        for name in ("List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID"):
            self.say(f"{name}: {message.extra_headers[name]}")
        self.say("", message.body.rstrip())

    def answer_checkin(self, row: FollowUp) -> None:
        """The customer answers the check-in, then (unless told not to) stops the rest."""
        checkin_record(followup=row, answers=CheckInAnswers(4, 6, 9, "yes"))
        self.say(
            "",
            ">> The customer answered the check-in: CSAT 4, effort 6, NPS 9, "
            "delivered as promised: yes.",
        )
        if not self.stop_after_checkin:
            return
        preference = preference_of(brand_id=row.brand_id, email=row.email)
        assert preference is not None  # created with the consent
        cancelled = unsubscribe(preference=preference)
        self.stop_after_checkin = False
        self.say(
            f">> Then clicked one-click unsubscribe: {cancelled} pending follow-up(s) cancelled."
        )
