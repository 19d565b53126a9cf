"""One dispatch pass: claim the due follow-ups and send them (for cron users, and the demo)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.followups.services import (
    Claim,
    TransientSendError,
    followups_dispatch_due,
    followups_send_claimed,
)


class Command(BaseCommand):
    help = (
        "Claim every due follow-up and send it, once. Without --queue the sends run here; with "
        "--queue they are handed to the Celery workers."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue", action="store_true", help="Hand sends to Celery workers.")
        parser.add_argument("--batch", type=int, default=settings.FOLLOWUPS_BATCH)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            from assessments.tasks import followups_queue_batch as deliver
        else:
            deliver = self.send
        done = followups_dispatch_due(
            deliver_batch=deliver, limit=options["batch"], worker="command"
        )
        outcomes = sorted(done.outcomes.items())
        summary = ", ".join(f"{n} {what}" for what, n in outcomes) or "nothing due"
        self.stdout.write(
            f"Dispatch pass: {summary} "
            f"(recovered {done.released} stale claim(s), "
            f"closed {done.abandoned} interrupted send(s))."
        )

    def send(self, claims: list[Claim]) -> Counter[str]:
        ids = [claim.followup_id for claim in claims]
        try:
            return Counter(followups_send_claimed(claim=claims[0].claim, ids=ids).values())
        except TransientSendError as error:
            # What was not handed over is left claimed; the next pass (after the claim
            # timeout) tries again.
            self.stderr.write(f"Will retry later: {error}")
            done = Counter(error.done.get(pk, "retry") for pk in ids)
            return done
