"""Benchmark follow-up dispatch: 10,000 due follow-ups through claim + send into locmem mail.

Run from the repository root: `.venv/bin/python tests/bench/bench_followups.py`. Uses a
throwaway SQLite file in WAL mode (eager tasks, locmem mail), so it never touches your
database. Prints one
JSON line per figure: messages per second with one worker, and duplicates with two workers
dispatching the same rows at once (must be 0).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_FOLLOWUPS", "10000"))
TMP = tempfile.mkdtemp(prefix="bench-followups-")
for name in ("DATABASE_URL", "CELERY_BROKER_URL"):
    os.environ.pop(name, None)
os.environ.update({"DJANGO_VAR_DIR": TMP, "EMAIL_BACKEND": "locmem", "DJANGO_LOG_LEVEL": "WARNING"})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments.followups.services import followup_send, followups_claim_due  # noqa: E402
from assessments.models import Consent, FollowUp, Purchase, PurchaseItem  # noqa: E402


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def _wal(sender: object, connection: object, **kwargs: object) -> None:
    # What a SQLite deployment would run with: write-ahead log, fsync at checkpoints. In the
    # default rollback-journal mode every commit costs several fsyncs, and the figure would
    # measure the disk rather than the dispatcher.
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")


def setup() -> tuple[object, object]:
    from django.db.backends.signals import connection_created

    connection_created.connect(_wal)
    call_command("migrate", verbosity=0)
    from tests.factories import definition, products
    from tests.followups.conftest import make_brand, make_plan, make_published, make_response

    brand = make_brand("bench")
    published = make_published(brand)
    plan = make_plan(published)
    del definition, products
    return make_response(published), plan.steps.get(kind="tip")


def seed(response, tip, label: str, count: int) -> None:
    """`count` purchases, each with a consenting customer and one due tip."""
    now = timezone.now()
    brand = response.brand
    purchases = Purchase.objects.bulk_create(
        Purchase(
            brand=brand,
            order_id=f"{label}-{n}",
            response=response,
            email=f"{label}{n}@example.com",
            first_name="Ana",
            language="en",
            purchased_at=now - dt.timedelta(days=3),
            source="demo",
        )
        for n in range(count)
    )
    items = PurchaseItem.objects.bulk_create(
        PurchaseItem(purchase=p, sku="steady", price=99, recommended=True, rank=1)
        for p in purchases
    )
    Consent.objects.bulk_create(
        Consent(brand=brand, email=p.email, wording_version="bench", given_at=now, source="demo")
        for p in purchases
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            brand=brand,
            purchase=p,
            step=tip,
            item=i,
            email=p.email,
            scheduled_for=now - dt.timedelta(days=1),
        )
        for p, i in zip(purchases, items, strict=True)
    )


def work(name: str, errors: list[Exception]) -> None:
    try:
        while claims := followups_claim_due(limit=200, worker=name):
            for claim in claims:
                followup_send(followup_id=claim.followup_id, claim=claim.claim)
    except Exception as error:  # reported as a figure, not swallowed
        errors.append(error)
    finally:
        connection.close()


def main() -> None:
    response, tip = setup()
    mail.outbox = []

    seed(response, tip, "one", N)
    errors: list[Exception] = []
    started = time.perf_counter()
    work("one", errors)
    elapsed = time.perf_counter() - started
    sent = FollowUp.objects.filter(state="sent").count()
    emit("followups_one_worker_rate", round(sent / elapsed, 1), "messages/s", n=sent)
    emit("followups_one_worker_seconds", round(elapsed, 2), "s", n=N)

    FollowUp.objects.all().delete()
    mail.outbox = []
    seed(response, tip, "two", N)
    threads = [threading.Thread(target=work, args=(n, errors)) for n in ("a", "b")]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ids = Counter(m.extra_headers["Message-ID"] for m in mail.outbox)
    duplicates = sum(c - 1 for c in ids.values())
    sent = FollowUp.objects.filter(state="sent").count()
    emit("followups_two_workers_duplicates", duplicates, "messages", n=len(mail.outbox))
    emit("followups_two_workers_rate", round(sent / elapsed, 1), "messages/s", n=sent)
    emit("followups_bench_errors", len(errors), "errors", first=str(errors[0]) if errors else "")


if __name__ == "__main__":
    main()
