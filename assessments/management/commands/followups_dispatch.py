"""One dispatch pass: claim the due follow-ups and send them (for cron users, and the demo)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.followups.services import (
    TransientSendError,
    followup_send,
    followups_claim_due,
    followups_recover_stale,
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
        recovered = followups_recover_stale()
        outcomes: Counter[str] = Counter()
        while True:
            claims = followups_claim_due(limit=options["batch"], worker="command")
            for claim in claims:
                if options["queue"]:
                    from assessments.tasks import followup_send_task

                    followup_send_task.delay(claim.followup_id, claim.claim)
                    outcomes["queued"] += 1
                    continue
                try:
                    outcomes[followup_send(followup_id=claim.followup_id, claim=claim.claim)] += 1
                except TransientSendError as error:
                    # Left claimed; the next pass (after the claim timeout) tries again.
                    self.stderr.write(f"Will retry later: {error}")
                    outcomes["retry"] += 1
            if len(claims) < options["batch"]:
                break
        summary = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items())) or "nothing due"
        self.stdout.write(
            f"Dispatch pass: {summary} "
            f"(recovered {recovered['released']} stale claim(s), "
            f"closed {recovered['abandoned']} interrupted send(s))."
        )
