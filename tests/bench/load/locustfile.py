"""Customers without JavaScript walking both demo assessments through nginx (make load).

By default no think time: each simulated customer posts its next step as soon as the page
arrives, so N users are N requests in flight at most, a harsher load than N people reading their
screens. `LOAD_THINK="2,6"` makes each customer read every page for 2 to 6 seconds first, as
people taking an assessment on their phones do.
Requests are named by endpoint (GET landing, POST start, GET step, POST step, GET results); a
whole journey is reported as JOURNEY finished, or failed with what went wrong.
"""

from __future__ import annotations

import os
import random
import time

from locust import FastHttpUser, between, constant, task

from tests.bench.load.journey import Journal, JourneyFailed, walk

JOURNAL = Journal(os.environ.get("LOAD_JOURNAL"))
THINK = tuple(float(part) for part in os.environ.get("LOAD_THINK", "0,0").split(","))


def think() -> None:
    """A customer reading the page they were just shown."""
    if THINK[1] > 0:
        time.sleep(random.uniform(*THINK))


class Customer(FastHttpUser):
    wait_time = between(*THINK) if THINK[1] > 0 else constant(0)
    # A launch day's customers arrive without connections to reuse; nginx sees each anew.
    connection_timeout = 10.0
    network_timeout = 40.0

    @task
    def take_an_assessment(self) -> None:
        started = time.perf_counter()
        failure: Exception | None = None
        try:
            walk(self.client, self.host.rstrip("/"), JOURNAL, random.Random(), pause=think)
        except JourneyFailed as error:
            failure = error
            JOURNAL.write(kind="failed", error=str(error)[:300])
        self.environment.events.request.fire(
            request_type="JOURNEY",
            name="finished" if failure is None else "failed",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=failure,
            context={},
        )
