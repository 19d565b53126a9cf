"""DEMO ONLY: customers taking the demo assessments over the last 60 days, so Insights has data.

Every customer goes through the real services, as the pages would call them: start on a
channel, in a language, from a campaign or a partner's page; answer step by step (some leave
at each step); finish; say whether they learned something new; sometimes e-mail themselves
the results; buy (those who learned something buy about 1.7 times as often) through the purchase
service; and answer the check-ins the dispatcher sends them. Decisions come from one seeded
random generator, so the same --seed tells the same story.

The services stamp "now". Each customer is played at the real time and then moved back to
the moment it is meant to have happened with UPDATEs of its timestamps (see `_backdate`);
the follow-ups are then dispatched day by day over the same 60 days with the dispatcher's
own `now`. Mail goes to an in-memory outbox, never to the console or a server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments import engine
from assessments.followups.purchases import ConsentInput, ItemInput, purchase_record
from assessments.followups.services import (
    CheckInAnswers,
    checkin_record,
    engagement_record,
    followup_send,
    followups_claim_due,
)
from assessments.insights.rollups import bucket_dirty
from assessments.limits import Exceeded
from assessments.models import (
    Assessment,
    CheckIn,
    Consent,
    Engagement,
    FollowUp,
    FollowUpPlanStep,
    Product,
    ProductReference,
    Purchase,
    Response,
)
from assessments.taking.results import (
    reference_click_record,
    response_learned_record,
    result_read,
)
from assessments.taking.services import (
    Submitted,
    answer_submit,
    response_definition,
    response_start,
    results_email_send,
)

from .demo_followups import demo_answer
from .load_demo import demo_file

DAYS = 60
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# How customers behave. Rough shapes of what brands report, not measurements.
CHANNELS = (("direct", 0.55), ("embedded", 0.30), ("kiosk", 0.15))
CAMPAIGNS = (  # (utm_source, utm_medium, utm_campaign) of direct starts; None: no utm
    (None, 0.45),
    (("newsletter", "email", "spring-launch"), 0.2),
    (("instagram", "social", "find-your-fit"), 0.2),
    (("google", "cpc", "always-on"), 0.15),
)
FIRST_STEP_DROP = 0.14  # the first step loses the curious
STEP_DROP = 0.05  # every later step loses a few more
LEARNED = (("yes", 0.45), ("a_little", 0.30), ("no", 0.25))
LEARNED_ANSWERED = 0.85
RESULTS_EMAILED = 0.18
BUY = 0.20  # chance a finished customer buys, when they learned nothing (or did not say)
# Those who realised something new buy more: about the 1.7 times the source study reports.
BUY_LIFT = {"yes": 1.7, "a_little": 1.3}
BUY_RANK = (0.6, 0.25, 0.15)  # which recommendation a buyer picks, by rank
BUY_ELSEWHERE = 0.08  # a buyer picks something the finder did not show
CLICK_BEFORE_BUYING = 0.85  # most buyers follow the product's link first
CLICK_ONLY = 0.25  # finished customers who look at a product and do not buy
CONSENT = 0.8  # buyers who agree to follow-ups
CHECKIN_ANSWERED = 0.75
TIP_OPENED = 0.4


@dataclass
class Story:
    """What happened to the customers of one run, for the summary line and the tests."""

    started: int = 0
    completed: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    learned: Counter[str] = field(default_factory=Counter)
    emailed: int = 0
    purchases: int = 0
    checkins: int = 0


class Command(BaseCommand):
    help = (
        "DEMO: customers take the demo assessments through the real services over the last "
        f"{DAYS} days (drop-offs, results, purchases, check-ins), so Insights has data."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--responses", type=int, default=300, help="How many customers.")
        parser.add_argument("--brand", default="", help="Only this brand's assessments.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed, the same story.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the assessments already have responses (make demo).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        assessments = self.find_assessments(options["brand"])
        if (
            options["if_empty"]
            and Response.objects.filter(
                version__assessment__in=assessments, is_preview=False
            ).exists()
        ):
            self.stdout.write("Demo traffic: the demo assessments already have responses.")
            return
        rng = random.Random(options["seed"])
        now = timezone.now()
        story = Story()
        # In memory: a few hundred results e-mails and follow-ups are not for the console. The
        # caller's own outbox (a test's) is left as it was.
        kept = getattr(mail, "outbox", None)
        try:
            with override_settings(MAILERS=LOCMEM):
                mail.outbox = []
                for number in range(options["responses"]):
                    assessment = assessments[number % len(assessments)]
                    Customer(assessment, rng, now, number, options["seed"], story).play()
                self.dispatch(rng, now, story)
            # Customers were moved out of today into earlier days: today's rollup may hold them.
            for assessment in assessments:
                bucket_dirty(
                    version_id=assessment.live_version_id, day=now.astimezone(dt.UTC).date()
                )
        finally:
            if kept is None:
                del mail.outbox
            else:
                mail.outbox = kept
        dropped = ", ".join(f"{step} {n}" for step, n in sorted(story.dropped.items()))
        self.stdout.write(
            f"Demo traffic: {story.started} started, {story.completed} completed, dropped at "
            f"{dropped or 'no step'}; learned {dict(story.learned)}; {story.emailed} results "
            f"e-mailed, {story.purchases} purchases, {story.checkins} check-ins answered."
        )

    def find_assessments(self, brand: str) -> list[Assessment]:
        """The published assessments of `brand`, or of the demo brands (loading them if need be)."""
        slugs = (
            [brand]
            if brand
            else [b["slug"] for b in json.loads(demo_file("brands.json"))["brands"]]
        )
        published = Assessment.objects.filter(brand__slug__in=slugs, live_version__isnull=False)
        if not published.exists() and not brand:
            call_command("load_demo", stdout=self.stderr)
        found = list(
            published.select_related("brand", "live_version").order_by("brand__slug", "key")
        )
        if not found:
            raise CommandError(f"No published assessment for {brand or 'the demo brands'}.")
        return found

    def dispatch(self, rng: random.Random, now: dt.datetime, story: Story) -> None:
        """Run the dispatcher once per simulated day, customers opening tips and answering
        check-ins as they arrive."""
        day = now - dt.timedelta(days=DAYS)
        while day <= now:
            while claims := followups_claim_due(now=day, worker="demo-traffic", limit=500):
                for claim in claims:
                    if (
                        followup_send(followup_id=claim.followup_id, claim=claim.claim, now=day)
                        == "sent"
                    ):
                        story.checkins += self.engage(claim.followup_id, rng, day, now)
            day += dt.timedelta(days=1)

    def engage(
        self, followup_id: int, rng: random.Random, sent: dt.datetime, now: dt.datetime
    ) -> int:
        """What the customer does with a follow-up they got; 1 if they answered a check-in."""
        row = FollowUp.objects.select_related("step", "purchase__response", "item").get(
            pk=followup_id
        )
        at = min(sent + dt.timedelta(hours=rng.uniform(1, 48)), now)
        if row.step.kind == FollowUpPlanStep.Kind.TIP and rng.random() < TIP_OPENED:
            opened = engagement_record(followup=row, kind=Engagement.Kind.TIP_OPENED)
            Engagement.objects.filter(pk=opened.pk).update(at=at)
        if row.step.kind != FollowUpPlanStep.Kind.CHECKIN or rng.random() >= CHECKIN_ANSWERED:
            return 0
        response = row.purchase.response
        learned = response.learned if response is not None else ""
        top = row.item is not None and row.item.rank == 1
        checkin = checkin_record(followup=row, answers=checkin_answers(rng, learned, top))
        # The services stamp now; the customer answered on the simulated day.
        CheckIn.objects.filter(pk=checkin.pk).update(answered_at=at)
        Engagement.objects.filter(followup=row, kind=Engagement.Kind.CHECKIN_ANSWERED).update(at=at)
        return 1


def weighted(rng: random.Random, options: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def checkin_answers(rng: random.Random, learned: str, top: bool) -> CheckInAnswers:
    """A check-in as customers answer them: the promise kept or not decides most of the rest."""
    kept = 0.6 + (0.12 if learned == "yes" else 0) + (0.08 if top else 0)
    delivered = weighted(rng, (("yes", kept), ("partly", 0.28), ("no", max(0.02, 0.4 - kept))))
    if delivered == "yes":
        csat, ces, nps = (
            rng.choice((5, 5, 4, 4, 4, 3)),
            rng.randint(5, 7),
            rng.choice((10, 9, 9, 8, 7)),
        )
    elif delivered == "partly":
        csat, ces, nps = rng.choice((4, 3, 3, 2)), rng.randint(3, 6), rng.randint(5, 8)
    else:
        csat, ces, nps = rng.choice((1, 2, 2, 3)), rng.randint(1, 4), rng.randint(0, 6)
    return CheckInAnswers(csat=csat, ces=ces, nps=nps, delivered=delivered)


class Customer:
    """One customer's visit, played through the services, then moved back in time."""

    def __init__(
        self,
        assessment: Assessment,
        rng: random.Random,
        now: dt.datetime,
        number: int,
        seed: int,
        story: Story,
    ) -> None:
        self.assessment, self.rng, self.now, self.story = assessment, rng, now, story
        self.number, self.seed = number, seed
        # More customers lately than two months ago: the brand is growing.
        days_ago = DAYS * rng.random() ** 1.3
        self.started_at = now - dt.timedelta(days=days_ago, minutes=rng.randint(0, 59))
        self.clock = self.started_at
        self.step_seconds: dict[str, float] = {}
        self.clicked: list[str] = []

    def play(self) -> None:
        brand = self.assessment.brand
        rng = self.rng
        channel = weighted(rng, CHANNELS)
        origins = list(brand.allowed_origins or [])
        if channel == "embedded" and not origins:
            channel = "direct"
        fields: dict[str, str] = {}
        if channel == "direct" and (campaign := weighted(rng, CAMPAIGNS)) is not None:
            fields = dict(zip(("utm_source", "utm_medium", "utm_campaign"), campaign, strict=True))
        if channel == "embedded":
            fields = {"partner": "run-club-demo", "utm_source": "partner", "utm_medium": "embed"}
        languages = list(brand.languages or ["en"])
        # The brand's first language is its customers' usual one.
        language = languages[0] if rng.random() < 0.75 else rng.choice(languages)
        response = response_start(
            version=self.assessment.live_version,
            brand=brand,
            language=language,
            fields=fields,
            channel=channel,
            partner_origin=rng.choice(origins) if channel == "embedded" else None,
        )
        self.story.started += 1
        compiled = response_definition(response)
        finished = self.answer_steps(response, compiled)
        response.refresh_from_db()
        if not finished:
            self.backdate(response)
            return
        self.story.completed += 1
        self.after_results(response, compiled)

    def answer_steps(self, response: Response, compiled: engine.Assessment) -> bool:
        """Answer step after step; False when the customer leaves before the end."""
        step_key = response.current_step or None
        first = True
        while step_key is not None:
            if self.rng.random() < (FIRST_STEP_DROP if first else STEP_DROP):
                self.story.dropped[step_key] += 1
                return False
            first = False
            step = compiled.step(step_key)
            assert step is not None
            raw = {q.key: a for q in step.questions if (a := self.answer(q)) is not None}
            submitted = self.submit(response, compiled, step.key, raw)
            if submitted.status == "invalid":
                # A plausible answer the question's rules refuse (picks that exclude each
                # other, say): the customer corrects it as the form asks.
                for key in submitted.errors:
                    question = compiled.question(key)
                    assert question is not None
                    raw[key] = demo_answer(question)
                submitted = self.submit(response, compiled, step.key, raw)
            if submitted.status != "accepted":
                raise CommandError(f"Demo answers do not fit step {step.key}: {submitted.errors}")
            spent = self.rng.randint(8, 25) * (1 + len(step.questions))
            self.step_seconds[step.key] = float(spent)
            self.clock += dt.timedelta(seconds=spent)
            step_key = submitted.place.step
        return True

    def submit(
        self, response: Response, compiled: engine.Assessment, step_key: str, raw: dict[str, Any]
    ) -> Submitted:
        submitted = answer_submit(
            response=response,
            assessment=compiled,
            step_key=step_key,
            raw=raw,
            submission_id=uuid.uuid4().hex,
        )
        # The next page reads the response again, at its new revision.
        response.refresh_from_db()
        return submitted

    def answer(self, question: engine.Question) -> Any:
        """A plausible answer: each question leans its own way; None to leave it blank."""
        if not question.answerable:
            return None
        rng = self.rng
        if question.kind == "footprint":
            # Some send a photo of their print (measured to an arch index); the rest pick a
            # drawing on the next step.
            return {"index": round(rng.uniform(0.12, 0.32), 3)} if rng.random() < 0.4 else None
        if not question.required and rng.random() < 0.3:
            return None
        if question.has_choices:
            keys = [choice.key for choice in question.choices]
            # Each question's choices get their own popularity, the same in every run.
            leaning = random.Random(f"{self.assessment.key}:{question.key}")
            weights = [0.3 + leaning.random() for _ in keys]
            if not question.several:
                return rng.choices(keys, weights=weights)[0]
            most = min(question.max_picks or 3, len(keys), 3)
            picks = rng.randint(max(1, question.min_picks), max(1, most))
            chosen: list[str] = []
            while len(chosen) < picks:
                key = rng.choices(keys, weights=weights)[0]
                if key not in chosen:
                    chosen.append(key)
            return chosen
        if question.behaviour.free_text:
            return rng.choice(("", "Nothing to add.", "Looking forward to it."))
        low = question.min if question.min is not None else 0
        high = question.max if question.max is not None else low + 10
        # Most customers sit in the lower half of a range (a few run 150 km a week).
        value = rng.triangular(low, high, low + (high - low) * 0.3)
        return str(round(value)) if question.integer or question.kind == "scale" else f"{value:.1f}"

    def after_results(self, response: Response, compiled: engine.Assessment) -> None:
        rng = self.rng
        self.completed_at = self.clock
        learned = ""
        if rng.random() < LEARNED_ANSWERED:
            learned = weighted(rng, LEARNED)
            response_learned_record(response=response, answer=learned)
            self.story.learned[learned] += 1
        address = f"customer-{self.seed}-{response.pk}@example.com"
        if rng.random() < RESULTS_EMAILED:
            link = settings.SITE_URL + reverse("taking:results", args=[response.token])
            # Past the brand's daily cap, this customer's e-mail does not go.
            with contextlib.suppress(Exceeded):
                self.story.emailed += results_email_send(
                    response=response, assessment=compiled, to=address, link=link
                )
        if rng.random() < BUY * BUY_LIFT.get(learned, 1.0):
            self.buy(response, address)
        elif rng.random() < CLICK_ONLY:
            frozen = result_read(response)
            if frozen is not None and frozen.products:
                self.click(rng.choice(frozen.products).ref)
        response.refresh_from_db()
        self.backdate(response)

    def buy(self, response: Response, address: str) -> None:
        rng = self.rng
        frozen = result_read(response)
        shown = [p for p in (frozen.products if frozen else ()) if p.rank is not None]
        shown.sort(key=lambda p: p.rank or 0)
        refs = {p.sku: p.ref for p in shown}
        if shown and rng.random() >= BUY_ELSEWHERE:
            ranks = shown[: len(BUY_RANK)]
            skus = [rng.choices([p.sku for p in ranks], weights=BUY_RANK[: len(ranks)])[0]]
        else:
            catalogue = list(
                Product.objects.filter(brand_id=response.brand_id, active=True)
                .order_by("sku")
                .values_list("sku", flat=True)
            )
            skus = [rng.choice(catalogue)]
        if len(shown) > 1 and rng.random() < 0.15:
            skus.append(next(p.sku for p in shown if p.sku not in skus))
        for sku in skus:
            if sku in refs and rng.random() < CLICK_BEFORE_BUYING:
                self.click(refs[sku])
        consents = rng.random() < CONSENT
        # Bought within a few days of finishing, most the same day.
        self.purchased_at = min(
            self.completed_at + dt.timedelta(hours=rng.choice((0.2, 0.5, 1, 3, 26, 50, 96))),
            self.now,
        )
        purchase_record(
            brand=response.brand,
            order_id=f"demo-traffic-{response.pk}",
            items=[ItemInput(sku=sku, ref=refs.get(sku, "")) for sku in skus],
            source=Purchase.Source.DEMO,
            response=response,
            email=address if consents else "",
            first_name=rng.choice(("Alex", "Sam", "Noa", "Lucía", "Jordan", "Mar")),
            language=response.language,
            consent=ConsentInput("demo-v1", Consent.Source.DEMO) if consents else None,
        )
        self.story.purchases += 1

    def click(self, ref: str) -> None:
        reference = ProductReference.objects.filter(ref=ref).first()
        if reference is not None:
            reference_click_record(reference=reference)
            self.clicked.append(ref)

    @transaction.atomic
    def backdate(self, response: Response) -> None:
        """Move what the services stamped "now" back to when this customer came.

        Only timestamps change: everything else is as the services wrote it.
        """
        finished = response.status == Response.Status.COMPLETED
        # The steps took no time here; what customers spend on them is part of the story.
        changes: dict[str, Any] = {
            "created_at": self.started_at,
            # `updated_at` stays when it was written: Insights rollups find changes by it.
            "step_seconds": self.step_seconds,
        }
        if finished:
            changes["completed_at"] = self.completed_at
            if response.learned_at is not None:
                changes["learned_at"] = self.completed_at + dt.timedelta(seconds=20)
            if response.email_consent_at is not None:
                changes["email_consent_at"] = self.completed_at + dt.timedelta(minutes=1)
            if response.results_emailed_at is not None:
                changes["results_emailed_at"] = self.completed_at + dt.timedelta(minutes=1)
            references = ProductReference.objects.filter(response=response)
            references.update(created_at=self.completed_at)
            references.filter(clicked_at__isnull=False).update(
                clicked_at=self.completed_at + dt.timedelta(minutes=2)
            )
        Response.objects.filter(pk=response.pk).update(**changes)
        purchased_at = getattr(self, "purchased_at", None)
        if purchased_at is None:
            return
        purchases = Purchase.objects.filter(response=response)
        for purchase in purchases:
            # Follow-ups keep their delays after the purchase.
            shift = purchase.purchased_at - purchased_at
            for row in FollowUp.objects.filter(purchase=purchase):
                row.scheduled_for -= shift
                row.save(update_fields=["scheduled_for"])
        purchases.update(purchased_at=purchased_at, created_at=purchased_at)
        FollowUp.objects.filter(purchase__response=response).update(created_at=purchased_at)
        consents = Consent.objects.filter(response=response)
        consents.update(given_at=purchased_at)
        consents.filter(confirmed_at__isnull=False).update(confirmed_at=purchased_at)
