"""Benchmark follow-up dispatch: due follow-ups through claim, checks and send into locmem mail.

Run from the repository root: `.venv/bin/python tests/bench/bench_followups.py` (or
`make bench`). Creates its own PostgreSQL database on BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres) and drops it afterwards; without PostgreSQL it
runs on a throwaway SQLite file (WAL) and skips the multi-worker part. Prints one JSON line per
figure:

- `followups_send_floor_rate`: the raw send loop, building the same messages (evaluating each
  purchase's response against a catalogue read beforehand, rendering the e-mail templates) and
  handing them to the locmem backend, with no database work at all;
- `followups_one_worker_rate`: one worker's dispatch passes as the beat task runs them
  (recovery, claim in batches of FOLLOWUPS_BATCH, the batch's checks, the sends and their
  state moves), the two taking turns for BENCH_FOLLOWUPS_ROUNDS rounds;
- `followups_one_worker_vs_floor`: the median of the rounds' ratios;
- `followups_four_workers_duplicates` (must be 0) and their combined rate: four worker
  processes dispatching the same due rows at once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N = int(os.environ.get("BENCH_FOLLOWUPS", "400"))  # messages per round
# Short rounds, many of them: on a busy machine the floor and the worker see the same load.
ROUNDS = int(os.environ.get("BENCH_FOLLOWUPS_ROUNDS", "8"))
WORKERS = 4
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def emit(metric: str, value: Any, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def setup_django(database_url: str) -> None:
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(
        {
            "DJANGO_VAR_DIR": os.environ.get("DJANGO_VAR_DIR")
            or tempfile.mkdtemp(prefix="bench-followups-"),
            "EMAIL_BACKEND": "locmem",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "core.settings",
        }
    )
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    if not database_url:
        from django.db.backends.signals import connection_created

        connection_created.connect(_wal)


def _wal(sender: object, connection: object, **kwargs: object) -> None:
    # What a SQLite deployment would run with: write-ahead log, fsync at checkpoints.
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")


def create_database() -> str:
    """A fresh PostgreSQL database for this run; "" when PostgreSQL is not reachable."""
    import psycopg

    name = f"bench_followups_{os.getpid()}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    except Exception as error:
        print(f"# PostgreSQL not reachable ({error}); SQLite only", file=sys.stderr)
        return ""
    return urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()


def drop_database(database_url: str) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def setup() -> tuple[Any, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.followups.conftest import make_brand, make_plan, make_published, make_response

    brand = make_brand("bench")
    published = make_published(brand)
    plan = make_plan(published)
    return make_response(published), plan.steps.get(kind="tip")


def seed(response: Any, tip: Any, label: str, count: int) -> None:
    """`count` purchases, each with a consenting customer (confirmed) and one due tip."""
    from django.utils import timezone

    from assessments.models import Consent, ContactPreference, FollowUp, Purchase, PurchaseItem

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
        Consent(
            brand=brand,
            email=p.email,
            wording_version="bench",
            given_at=now,
            confirmed_at=now,
            source="demo",
        )
        for p in purchases
    )
    # Recording a confirmed consent gives the customer their preferences (every kind on).
    ContactPreference.objects.bulk_create(
        ContactPreference(brand=brand, email=p.email) for p in purchases
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
    # A live database has statistics on its tables (autovacuum gathers them as rows come in);
    # without them, the planner reads freshly seeded tables whole instead of by their indexes.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def dispatch(worker: str) -> Counter[str]:
    """Dispatch passes until nothing is due, as the beat task and a worker run them."""
    from django.conf import settings

    from assessments.followups.services import followups_dispatch_due, followups_send_claimed

    def send(claims: list[Any]) -> Counter[str]:
        return Counter(followups_send_claimed(claim=claims[0].claim).values())

    outcomes: Counter[str] = Counter()
    while True:
        done = followups_dispatch_due(
            deliver_batch=send, limit=settings.FOLLOWUPS_BATCH, worker=worker, rounds=10
        )
        outcomes.update(done.outcomes)
        if not done.outcomes:
            return outcomes


def floor_rows(response: Any, tip: Any, count: int) -> list[tuple[Any, Any]]:
    """Rows and preferences for the floor, read before it starts: it does no database work."""
    from assessments.followups.purchases import preference_ensure
    from assessments.models import FollowUp

    seed(response, tip, "floor", count)
    rows = list(
        FollowUp.objects.select_related(
            "purchase__response__version", "step__plan__assessment", "brand", "item__product"
        ).filter(email__startswith="floor")
    )
    pairs = [(row, preference_ensure(brand_id=row.brand_id, email=row.email)) for row in rows]
    FollowUp.objects.filter(email__startswith="floor").update(
        state="cancelled", reason="bench floor"
    )
    return pairs


def send_floor(pairs: list[tuple[Any, Any]]) -> float:
    """Build and send the messages to locmem with no database work; messages per second."""
    from django.core import mail

    from assessments.followups.purchases import catalogue_for_facts, response_facts
    from assessments.followups.services import followup_message

    catalogue = catalogue_for_facts(pairs[0][0].brand_id)
    mailer = mail.mailers.default
    started = time.perf_counter()
    mailer.open()
    for row, preference in pairs:
        facts = response_facts(row.purchase.response, products=catalogue)
        mailer.send_messages([followup_message(row, preference, facts=facts)])
    mailer.close()
    return len(pairs) / (time.perf_counter() - started)


def one_worker(database: str, response: Any, tip: Any) -> None:
    from django.core import mail

    from assessments.models import FollowUp

    pairs = floor_rows(response, tip, N)
    mail.outbox = []
    send_floor(pairs[:200])  # warm: templates loaded, version compiled
    floors, rates = [], []
    for round_ in range(ROUNDS):
        mail.outbox = []
        floors.append(send_floor(pairs))
        seed(response, tip, f"r{round_}-", N)
        mail.outbox = []
        started = time.perf_counter()
        outcomes = dispatch("one")
        elapsed = time.perf_counter() - started
        assert outcomes == {"sent": N}, outcomes
        assert len(mail.outbox) == N
        rates.append(N / elapsed)
        FollowUp.objects.filter(state="sent").delete()
    ratios = [r / f for r, f in zip(rates, floors, strict=True)]
    common = {"database": database, "n": N, "rounds": ROUNDS, "load": os.getloadavg()[0]}
    emit("followups_send_floor_rate", round(statistics.median(floors), 1), "messages/s", **common)
    emit(
        "followups_one_worker_rate",
        round(statistics.median(rates), 1),
        "messages/s",
        target=1000,
        **common,
    )
    emit(
        "followups_one_worker_vs_floor",
        round(statistics.median(ratios), 3),
        "ratio",
        target=0.5,
        per_round=[round(r, 3) for r in ratios],
        **common,
    )


def worker_process(name: str) -> None:
    """One of the competing workers: wait for "go", dispatch, report what it sent."""
    from django.core import mail
    from django.db import connection

    connection.ensure_connection()
    mail.outbox = []
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    outcomes = dispatch(name)
    elapsed = time.perf_counter() - started
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    print(json.dumps({"elapsed": elapsed, "outcomes": outcomes, "ids": ids}), flush=True)


def four_workers(database_url: str, response: Any, tip: Any) -> None:
    from assessments.models import FollowUp

    FollowUp.objects.all().delete()
    seed(response, tip, "four", N * 2)
    env = {**os.environ, "DATABASE_URL": database_url}
    workers = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker", f"w{n}"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(WORKERS)
    ]
    for process in workers:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    for process in workers:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in workers]
    ids = Counter(i for report in reports for i in report["ids"])
    sent = FollowUp.objects.filter(state="sent").count()
    elapsed = max(report["elapsed"] for report in reports)
    common = {"workers": WORKERS, "n": N * 2, "load": os.getloadavg()[0]}
    emit(
        "followups_four_workers_duplicates",
        sum(c - 1 for c in ids.values()),
        "messages",
        target=0,
        delivered=len(ids),
        rows_sent=sent,
        **common,
    )
    emit("followups_four_workers_rate", round(sent / elapsed, 1), "messages/s", **common)
    emit(
        "followups_four_workers_share",
        [sum(r["outcomes"].values()) for r in reports],
        "messages",
        **common,
    )


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        setup_django(os.environ["DATABASE_URL"])
        worker_process(sys.argv[2])
        return
    database_url = create_database()
    try:
        setup_django(database_url)
        response, tip = setup()
        one_worker("postgresql" if database_url else "sqlite", response, tip)
        if database_url:
            four_workers(database_url, response, tip)
    finally:
        if database_url:
            from django.db import connections

            connections.close_all()
            drop_database(database_url)


if __name__ == "__main__":
    main()
