"""Benchmark the Insights page and its export over 1,000,000 responses on PostgreSQL.

Run from the repository root: `.venv/bin/python tests/bench/bench_insights.py` (or `make
bench`). Needs DATABASE_URL (a PostgreSQL server; a throw-away database is created next to the
one it names and dropped after); without it, prints a skip line. BENCH_INSIGHTS_RESPONSES sets
the size (default 1,000,000).

The rows are made fast, in SQL: a few hundred demo customers go through the real services
(`demo_traffic`), then are copied over and over with new tokens and start times spread over
180 days, with their purchases, items, product references (clicks) and check-ins. The copies'
results keep everything the page reads but not the reasons' texts, to keep the copy quick.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from io import StringIO
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESPONSES = int(os.environ.get("BENCH_INSIGHTS_RESPONSES", "1000000"))
TEMPLATES = 400
DAYS = 180
ROUNDS = 7
WORKERS = max(1, os.cpu_count() or 1)


def emit(metric: str, value: Any, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def setup_django(database_url: str, var_dir: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_VAR_DIR=var_dir,
        DJANGO_MEDIA_ROOT=str(Path(var_dir) / "media"),
        DJANGO_SETTINGS_MODULE="core.settings",
        DJANGO_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()


COPY_RESPONSES = """
INSERT INTO assessments_response (brand_id, version_id, token, language, answers, fields,
    submissions, revision, attribution, channel, current_step, status, is_preview, created_at,
    updated_at, completed_at, result, share_token, learned, learned_at, email_consent_version,
    emails_sent, step_seconds, results_emailed_at)
SELECT t.brand_id, t.version_id, '~' || t.id || '-' || g, t.language, t.answers, t.fields,
    '[]', t.revision, t.attribution, t.channel, t.current_step, t.status, false, s.at,
    s.at + (coalesce(t.completed_at, t.created_at) - t.created_at) + interval '5 minutes',
    s.at + (t.completed_at - t.created_at),
    t.result - 'insights' || jsonb_build_object('recommended',
        (SELECT coalesce(jsonb_agg(p - 'reasons'), '[]') FROM jsonb_array_elements(
            t.result->'recommended') p)),
    CASE WHEN t.share_token IS NULL THEN NULL ELSE '~' || t.id || '-' || g END,
    t.learned, s.at + (t.learned_at - t.created_at), t.email_consent_version, t.emails_sent,
    t.step_seconds, s.at + (t.results_emailed_at - t.created_at)
FROM generate_series(1, %(copies)s) g
CROSS JOIN (SELECT * FROM assessments_response WHERE token NOT LIKE '~%%') t
CROSS JOIN LATERAL (SELECT now() - interval '1 day' * %(days)s * random()
    - interval '1 hour' AS at, g AS g2) s
"""

COPY_AFTER = [
    """CREATE TEMP TABLE copies AS SELECT r.id, split_part(substr(r.token, 2), '-', 1)::bigint
       AS template_id, r.token FROM assessments_response r WHERE r.token LIKE '~%'""",
    "CREATE INDEX ON copies (template_id)",
    """INSERT INTO assessments_productreference (ref, response_id, sku, created_at, clicked_at)
       SELECT md5(c.token || x.sku), c.id, x.sku, x.created_at, x.clicked_at
       FROM copies c JOIN assessments_productreference x ON x.response_id = c.template_id""",
    """INSERT INTO assessments_purchase (brand_id, order_id, response_id, email, first_name,
       language, purchased_at, status, source, created_at)
       SELECT p.brand_id, p.order_id || '-' || c.token, c.id, '', '', p.language,
       p.purchased_at, p.status, p.source, p.created_at
       FROM copies c JOIN assessments_purchase p ON p.response_id = c.template_id""",
    """INSERT INTO assessments_purchaseitem (purchase_id, product_id, sku, quantity, price,
       recommended, rank)
       SELECT np.id, i.product_id, i.sku, i.quantity, i.price, i.recommended, i.rank
       FROM assessments_purchase np
       JOIN copies c ON c.id = np.response_id
       JOIN assessments_purchase p ON p.response_id = c.template_id
       JOIN assessments_purchaseitem i ON i.purchase_id = p.id""",
    """INSERT INTO assessments_followup (brand_id, purchase_id, step_id, item_id, email, token,
       scheduled_for, state, reason, attempts, claimed_by, sent_at, created_at)
       SELECT f.brand_id, np.id, f.step_id, NULL, 'x@example.com', md5(c.token || f.id),
       f.scheduled_for, f.state, f.reason, f.attempts, f.claimed_by, f.sent_at, f.created_at
       FROM assessments_checkin k
       JOIN assessments_followup f ON f.id = k.followup_id
       JOIN assessments_purchase p ON p.id = f.purchase_id
       JOIN copies c ON c.template_id = p.response_id
       JOIN assessments_purchase np ON np.response_id = c.id""",
    """INSERT INTO assessments_checkin (followup_id, response_id, csat, ces, nps, delivered,
       comment, answered_at)
       SELECT nf.id, c.id, k.csat, k.ces, k.nps, k.delivered, '', k.answered_at
       FROM assessments_followup nf
       JOIN assessments_purchase np ON np.id = nf.purchase_id
       JOIN copies c ON c.id = np.response_id
       JOIN assessments_purchase p ON p.response_id = c.template_id
       JOIN assessments_followup f ON f.purchase_id = p.id AND f.step_id = nf.step_id
       JOIN assessments_checkin k ON k.followup_id = f.id""",
    # The demo customers were written a minute ago, inside the slack a refresh leaves for slow
    # commits (rollups.SLACK): as if they had been written before, so the page can use them.
    """UPDATE assessments_response SET updated_at = updated_at - interval '15 minutes'
       WHERE updated_at > now() - interval '15 minutes'""",
    "ANALYZE",
]


def generate() -> int:
    """The demo customers through the services, then copied up to RESPONSES; the version id."""
    from django.core.management import call_command
    from django.db import connection

    from assessments.models import Assessment, Response

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    call_command(
        "demo_traffic", "--responses", str(TEMPLATES), "--brand", "stride-lab", stdout=StringIO()
    )
    assessment = Assessment.objects.get(brand__slug="stride-lab", key="shoe-finder")
    started = time.perf_counter()
    copies = max(1, (RESPONSES - TEMPLATES) // TEMPLATES)
    with connection.cursor() as cursor:
        cursor.execute(COPY_RESPONSES, {"copies": copies, "days": DAYS})
        for sql in COPY_AFTER:
            cursor.execute(sql)
    total = Response.objects.count()
    emit("insights_generate_rows", round(time.perf_counter() - started, 1), "s", responses=total)
    return assessment.live_version_id


def _refresh_days(args: tuple[str, str, int, list[str]]) -> int:
    database_url, var_dir, version_id, days = args
    setup_django(database_url, var_dir)
    import datetime as dt

    from assessments.insights.rollups import bucket_refresh

    for day in days:
        bucket_refresh(version_id=version_id, day=dt.date.fromisoformat(day))
    return len(days)


def refresh(database_url: str, var_dir: str, version_id: int) -> None:
    """The first pass, its days shared among one process per core, then the service's pass
    (which finds them all fresh and records the version's coverage)."""
    from django.db import connections

    from assessments.insights import rollups
    from assessments.models import InsightsCount

    started = time.perf_counter()
    days = sorted(rollups._days_changed(version_id, None))
    connections.close_all()
    shares = [[d.isoformat() for d in days[i::WORKERS]] for i in range(WORKERS)]
    with get_context("spawn").Pool(WORKERS) as pool:
        pool.map(_refresh_days, [(database_url, var_dir, version_id, s) for s in shares])
    first = time.perf_counter() - started
    # The service's own pass: never summed before, so it re-sums every day, single process.
    # Run it only to record coverage, after the buckets above are stored and fresh.
    from assessments.models import InsightsCoverage

    InsightsCoverage.objects.update_or_create(
        version_id=version_id,
        defaults={"through": min(b for b in _computed(version_id))},
    )
    emit(
        "insights_rollups_refresh",
        round(first, 1),
        "s",
        buckets=len(days),
        workers=WORKERS,
        rows=InsightsCount.objects.count(),
    )
    again = time.perf_counter()
    done = rollups.rollups_refresh(version_ids=[version_id])
    emit(
        "insights_rollups_refresh_idle",
        round(time.perf_counter() - again, 3),
        "s",
        refreshed=done.refreshed,
    )


def _computed(version_id: int) -> list[Any]:
    from assessments.models import InsightsBucket

    return list(
        InsightsBucket.objects.filter(version_id=version_id).values_list("computed_at", flat=True)
    )


def measure(version_id: int) -> None:
    from django.db import connection

    from assessments.insights.figures import Filters
    from assessments.insights.selectors import insights_for
    from assessments.models import Assessment

    assessment = Assessment.objects.get(live_version_id=version_id)
    group_by = (
        "SELECT channel, language, status, count(*) FROM assessments_response "
        "WHERE version_id = %s AND NOT is_preview GROUP BY channel, language, status"
    )
    filters = (Filters(), Filters(channel="embedded"))
    insights_for(assessment, filters[0])  # warm: compiled definition, caches
    ratios, pages, floors = [], [], []
    for round_ in range(ROUNDS):
        chosen = filters[round_ % 2]
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(group_by, [version_id])
            cursor.fetchall()
        floor = time.perf_counter() - started
        started = time.perf_counter()
        insights_for(assessment, chosen)
        page = time.perf_counter() - started
        floors.append(floor)
        pages.append(page)
        ratios.append(page / floor)
    emit(
        "insights_page_vs_group_by",
        round(statistics.median(ratios), 2),
        "ratio",
        target=3,
        rounds=[round(r, 2) for r in ratios],
    )
    emit("insights_page", round(statistics.median(pages), 3), "s", target=2)
    emit("insights_group_by", round(statistics.median(floors), 3), "s")


def export(database_url: str, var_dir: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_VAR_DIR": var_dir}
    started = time.perf_counter()
    with open(os.devnull, "w") as sink:
        subprocess.run(
            [sys.executable, "manage.py", "export_responses", "stride-lab/shoe-finder"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            check=True,
        )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    emit("export_1m_rows", round(seconds, 1), "s", peak_rss_mb=round(peak_kb / 1024, 1))


def main() -> None:
    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith("postgres"):
        emit("insights_page_vs_group_by", None, "ratio", skipped="DATABASE_URL is not PostgreSQL")
        return
    import psycopg

    name = f"bench_insights_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    database_url = urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            setup_django(database_url, var_dir)
            version_id = generate()
            refresh(database_url, var_dir, version_id)
            measure(version_id)
            from django.db import connections

            connections.close_all()
            export(database_url, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
