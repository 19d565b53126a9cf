"""Re-sum the Insights rollups whose responses changed (what beat does every minute)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from assessments.insights.rollups import rollups_refresh


class Command(BaseCommand):
    help = "Re-sum the stale or never-summed Insights rollups. Safe to run twice, or at once."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        done = rollups_refresh()
        self.stdout.write(
            f"Insights rollups: {done.refreshed} bucket(s) summed over {done.versions} "
            f"version(s), {done.superseded} already newer, in {time.perf_counter() - started:.1f}s."
        )
