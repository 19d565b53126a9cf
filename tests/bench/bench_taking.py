"""Benchmark taking an assessment: queries per step, step-POST throughput, results time.

Run from the repository root: `.venv/bin/python tests/bench/bench_taking.py` (or `make bench`).
Prints one JSON line per figure with "metric", "value" and "unit". Query counts and the results
time run on a throw-away SQLite database; throughput runs on PostgreSQL behind gunicorn (two
workers, loopback, production settings) against a bare view doing the same database work
(`tests/bench/floor.py`), the two taking turns for BENCH_LOAD_ROUNDS rounds of
BENCH_LOAD_SECONDS each. Set BENCH_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/postgres) to the server to create its database on.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESPONSES_STORED = 100_000
SIZES = (10, 50, 200)
CATALOGUE = 1_000
RESULTS_RUNS = 30
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "3"))
# The floor and the step view take turns, so a slow patch of the machine (a checkpoint, another
# process) falls on both; the ratio is the median of the rounds' ratios.
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "5"))
LOAD_THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "8"))
TOKENS = 25_000


def emit(metric: str, value: Any, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def setup_django(var_dir: str, database_url: str = "") -> None:
    os.environ["DJANGO_VAR_DIR"] = var_dir
    os.environ["DJANGO_MEDIA_ROOT"] = str(Path(var_dir) / "media")
    os.environ["DJANGO_SETTINGS_MODULE"] = "core.settings"
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


# -- queries per step, and results time (SQLite) -----------------------------------------


def real_statements(captured: list[dict[str, str]]) -> int:
    """Statements that reach the database; transaction control is not a query."""
    skip = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    return sum(1 for q in captured if not q["sql"].upper().startswith(skip))


def queries_and_results() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from assessments.models import Brand, Response
    from assessments.taking.results import result_freeze
    from assessments.taking.services import response_definition
    from tests.taking.generated import publish_generated, step_answers

    setup_test_environment()
    call_command("migrate", verbosity=0)
    brand = Brand.objects.create(name="Bench", slug="bench", languages=["en", "es"])
    assessments = {n: publish_generated(brand, n) for n in SIZES}
    versions = [a.live_version for a in assessments.values()]
    started = time.perf_counter()
    batch = []
    for i in range(RESPONSES_STORED):
        batch.append(
            Response(
                brand=brand,
                version=versions[i % len(versions)],
                token=secrets.token_urlsafe(32),
                language="en",
                answers={"q0": "c0", "q1": ["c1"]},
                current_step="s1",
            )
        )
        if len(batch) == 5000:
            Response.objects.bulk_create(batch)
            batch = []
    print(
        f"# stored {RESPONSES_STORED} responses in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    client = Client()
    # A running site has asked within the last minute which webhook events the brand wants
    # (cached per brand, see assessments/api/wanted.py): measure the steady state.
    from assessments.api.wanted import events_wanted

    events_wanted(brand.pk)
    for size, assessment in assessments.items():
        definition = assessment.live_version.definition
        page = client.post(f"/a/bench/{assessment.key}/")
        response = Response.objects.get(token=page["Location"].split("/r/")[1].split("/")[0])
        gets, posts = [], []
        while response.status != Response.Status.COMPLETED:
            step_key = response.current_step
            with CaptureQueriesContext(connection) as get:
                client.get(f"/r/{response.token}/s/{step_key}/")
            data = {
                "submission_id": secrets.token_urlsafe(16),
                **step_answers(definition, step_key),
            }
            with CaptureQueriesContext(connection) as post:
                client.post(f"/r/{response.token}/s/{step_key}/", data, HTTP_HX_REQUEST="true")
            gets.append(real_statements(get.captured_queries))
            posts.append(real_statements(post.captured_queries))
            response.refresh_from_db()
        common = {"questions": size, "responses_stored": RESPONSES_STORED, "steps": len(gets)}
        emit("sql_queries_per_step_get", max(gets), "queries", min=min(gets), **common)
        emit("sql_queries_per_step_post", max(posts), "queries", min=min(posts), **common)

    # Results for a 1,000-product catalogue: score, rank, reasons (freeze), and render.
    big = Brand.objects.create(name="Big", slug="big", languages=["en", "es"])
    assessment = publish_generated(big, 50, products=CATALOGUE)
    definition = assessment.live_version.definition
    page = client.post(f"/a/big/{assessment.key}/")
    response = Response.objects.get(token=page["Location"].split("/r/")[1].split("/")[0])
    while response.status != Response.Status.COMPLETED:
        step_key = response.current_step
        data = {"submission_id": secrets.token_urlsafe(16), **step_answers(definition, step_key)}
        client.post(f"/r/{response.token}/s/{step_key}/", data)
        response.refresh_from_db()
    compiled = response_definition(response)
    computing, rendering = [], []
    for _ in range(RESULTS_RUNS):
        started = time.perf_counter()
        result_freeze(response=response, assessment=compiled)
        response.save(update_fields=["result", "share_token"])
        computing.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert client.get(f"/r/{response.token}/results/").status_code == 200
        rendering.append(time.perf_counter() - started)
    total = [a + b for a, b in zip(computing, rendering, strict=True)]
    common = {"products": CATALOGUE, "runs": RESULTS_RUNS}
    emit("results_median", round(statistics.median(total) * 1000, 2), "ms", **common)
    emit(
        "results_score_rank_reasons_median",
        round(statistics.median(computing) * 1000, 2),
        "ms",
        **common,
    )
    emit("results_render_median", round(statistics.median(rendering) * 1000, 2), "ms", **common)


# -- step-POST throughput (PostgreSQL + gunicorn) ----------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SEED = """
import json, secrets, sys
import django
django.setup()
from django.core.management import call_command
from assessments.models import Brand, Response
from tests.taking.generated import publish_generated, step_answers
call_command("migrate", verbosity=0)
brand = Brand.objects.create(name="Bench", slug="bench", languages=["en", "es"])
assessment = publish_generated(brand, 10)
version = assessment.live_version
rows = [Response(brand=brand, version=version, token=secrets.token_urlsafe(32), language="en",
                 current_step="s0") for _ in range(int(sys.argv[1]))]
Response.objects.bulk_create(rows, batch_size=5000)
print(json.dumps({"tokens": [r.token for r in rows],
                  "answers": step_answers(version.definition, "s0")}))
"""


def _load(port: int, paths: Iterable[str], body: dict[str, Any], headers: dict[str, str]) -> float:
    """POST to each path once, from several threads, for LOAD_SECONDS; requests per second."""
    queue = iter(paths)
    lock = threading.Lock()
    done = [0]
    failures = [0]
    stop = time.perf_counter() + LOAD_SECONDS

    def worker() -> None:
        while time.perf_counter() < stop:
            with lock:
                path = next(queue, None)
            if path is None:
                return
            payload = urlencode({**body, "submission_id": secrets.token_urlsafe(12)}, doseq=True)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request(
                    "POST",
                    path,
                    payload,
                    {"Content-Type": "application/x-www-form-urlencoded", **headers},
                )
                reply = conn.getresponse()
                reply.read()
                ok = reply.status == 200
            finally:
                conn.close()
            with lock:
                done[0] += ok
                failures[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(LOAD_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures[0]:
        print(f"# {failures[0]} requests failed", file=sys.stderr)
    return done[0] / elapsed


def throughput() -> None:
    import psycopg

    admin_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"bench_taking_{os.getpid()}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE DATABASE {name}")
            # Both views commit once per request; waiting on the disk's flush would make the
            # comparison about this machine's disk, not about the work each view does.
            conn.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
    except Exception as error:
        emit("step_post_throughput", None, "req/s", skipped=f"PostgreSQL not reachable: {error}")
        return
    parts = urlsplit(admin_url)
    database_url = parts._replace(path=f"/{name}").geturl()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "DJANGO_LOG_LEVEL": "WARNING",
        # Production settings, as customers would be served: no debug bookkeeping.
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_VAR_DIR": tempfile.mkdtemp(prefix="bench-var-"),
    }
    server = None
    try:
        seeded = subprocess.run(
            [sys.executable, "-c", SEED, str(TOKENS * 2)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(seeded.stdout.strip().splitlines()[-1])
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        tokens, answers = data["tokens"], data["answers"]
        port = _free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "core.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        half = len(tokens) // 2
        floor_paths = [f"/bench/floor/{t}/" for t in tokens[:half]]
        step_paths = [f"/r/{t}/s/s0/" for t in tokens[half:]]
        # Warm both up (imports, compiled definition, connection pools), then measure.
        _load_briefly(port, floor_paths[:200], answers, {})
        _load_briefly(port, step_paths[:200], answers, {"HX-Request": "true"})
        floor_left, step_left = iter(floor_paths[200:]), iter(step_paths[200:])
        floors, steps = [], []
        for _ in range(LOAD_ROUNDS):
            floors.append(_load(port, floor_left, answers, {}))
            steps.append(_load(port, step_left, answers, {"HX-Request": "true"}))
        ratios = [s / f for s, f in zip(steps, floors, strict=True)]
        common = {
            "workers": 2,
            "threads": LOAD_THREADS,
            "rounds": LOAD_ROUNDS,
            "seconds": LOAD_SECONDS,
        }
        emit("bare_view_post_throughput", round(statistics.median(floors), 1), "req/s", **common)
        emit("step_post_throughput", round(statistics.median(steps), 1), "req/s", **common)
        emit(
            "step_post_vs_bare_view",
            round(statistics.median(ratios), 3),
            "ratio",
            target=0.7,
            rounds=[round(r, 3) for r in ratios],
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _load_briefly(port: int, paths: list[str], body: dict[str, Any], headers: dict) -> None:
    global LOAD_SECONDS
    saved, LOAD_SECONDS = LOAD_SECONDS, 2.0
    try:
        _load(port, paths, body, headers)
    finally:
        LOAD_SECONDS = saved


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--throughput-only":
        throughput()
        return
    with tempfile.TemporaryDirectory() as var_dir:
        # Throughput first, in subprocesses, before this process settles on SQLite.
        throughput()
        setup_django(var_dir)
        queries_and_results()


if __name__ == "__main__":
    main()
