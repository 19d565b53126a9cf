"""Benchmark the product against the peer a Django shop would build instead.

The peer (tests/bench/peer/) asks the demo shoe finder's questions with django-formtools'
SessionWizardView, database sessions as by default. Both run on PostgreSQL (a database each on
BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres) under gunicorn with
deploy/gunicorn.conf.py and the same GUNICORN_WORKERS (BENCH_GUNICORN_WORKERS, default 2, as
bench_taking). BENCH_PEER_CUSTOMERS customers at a time walk the finder, runners and walkers
(whom a `next` rule sends past three steps), and each step *shown* is timed three ways, taking
turns for BENCH_PEER_ROUNDS rounds of BENCH_PEER_SECONDS each:

- wizard: the wizard's POST, which validates the step and renders the next one;
- htmx: the product's step POST with HX-Request, which renders the next step in place;
- nojs: the product's plain POST (303) plus the GET of the page it redirects to.

Every reply is checked to show the step the definition says comes next. One JSON line per
figure: each way's throughput (steps shown per second) and p95, and the product's ratios to
the wizard (throughput ratio, and the wizard's p95 over the product's: above 1 is ahead).
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SECONDS = float(os.environ.get("BENCH_PEER_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_PEER_ROUNDS", "4"))
CUSTOMERS = int(os.environ.get("BENCH_PEER_CUSTOMERS", "10"))
WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", "2")
WAYS = ("wizard", "htmx", "nojs")

DEFINITION = json.loads((ROOT / "assessments/demo/shoe-finder.json").read_text(encoding="utf-8"))
ORDER = [step["key"] for step in DEFINITION["steps"]]

# Two customers' answers, by question key: a runner walks every step; a walker's "use" sends
# them from the first step straight to "injuries" (the finder's `next` rule).
RUNNER = {
    "gender": "women",
    "use": "road",
    "goal": "first-race",
    "years": "1-3",
    "race_plan": "soon",
    "weekly_km": "30",
    "legs_after": "3",
    "injuries": ["knee", "shin"],
    "arch": "medium",
    "balance": "10-30",
    "knee_bend": "bit-in",
    "surface": "park",
    "feel": "balanced",
    "features": ["wide"],
}
WALKER = {**RUNNER, "use": "walk", "injuries": ["none"], "surface": "pavement"}


def emit(metric: str, value: Any, unit: str, **extra: Any) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}), flush=True)


def path_of(answers: dict[str, Any]) -> list[str]:
    """The steps this customer is shown, in order, as the definition's `next` rules decide."""
    shown, index = [], 0
    while index < len(ORDER):
        step = DEFINITION["steps"][index]
        shown.append(step["key"])
        index += 1
        for rule in step.get("next", []):
            when = rule.get("when") or {}
            if not when or answers.get(when["answer"]) == when["equals"]:
                index = ORDER.index(rule["goto"])
                break
    return shown


def step_answers(step_key: str, answers: dict[str, Any]) -> dict[str, Any]:
    step = DEFINITION["steps"][ORDER.index(step_key)]
    # No customer here sends a footprint photo: it is optional, and the drawings are asked.
    keys = [q["key"] for q in step["questions"] if q["kind"] not in ("info", "footprint")]
    if "race_plan" in keys and answers.get("goal") == "health":
        keys.remove("race_plan")
    return {key: answers[key] for key in keys}


# -- HTTP ------------------------------------------------------------------------------


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: str, cookies: list[str]):
        self.status, self.headers, self.body, self.cookies = status, headers, body, cookies


def request(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, **headers: str
) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = urlencode(body, doseq=True) if body is not None else None
        if payload is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, payload, headers)
        reply = conn.getresponse()
        text = reply.read().decode("utf-8", "replace")
        cookies = reply.headers.get_all("Set-Cookie") or []
        return Reply(reply.status, {k.lower(): v for k, v in reply.getheaders()}, text, cookies)
    finally:
        conn.close()


class Mismatch(Exception):
    """A reply did not show the step the definition says comes next."""


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise Mismatch(what)


# -- one customer, each way ----------------------------------------------------------------


def start_wizard(port: int) -> tuple[str, str]:
    """A new wizard session: its cookies and CSRF token."""
    start = request(port, "GET", "/find/")
    _expect(start.status == 200, f"wizard start: {start.status}")
    jar = dict(c.split(";", 1)[0].split("=", 1) for c in start.cookies)
    return "; ".join(f"{k}={v}" for k, v in jar.items()), jar["csrftoken"]


def walk_wizard(
    port: int, started: Any, answers: dict[str, Any], timed: Callable[[float], None]
) -> None:
    cookie, token = started
    shown = path_of(answers)
    for step, following in itertools.pairwise(shown):
        data = {
            "csrfmiddlewaretoken": token,
            "shoe_wizard-current_step": step,
            **{f"{step}-{k}": v for k, v in step_answers(step, answers).items()},
        }
        began = time.perf_counter()
        reply = request(port, "POST", "/find/", data, Cookie=cookie)
        elapsed = time.perf_counter() - began
        _expect(
            reply.status == 200 and f'value="{following}"' in reply.body,
            f"wizard {step} -> {following}: {reply.status} {reply.body[:300]}",
        )
        timed(elapsed)


def _start_product(port: int) -> str:
    start = request(port, "POST", "/a/stride-lab/shoe-finder/", {})
    _expect(start.status == 303, f"product start: {start.status}")
    match = re.search(r"/r/([^/]+)/", start.headers["location"])
    _expect(match is not None, f"product start went to {start.headers['location']}")
    return match.group(1)  # type: ignore[union-attr]


def walk_htmx(
    port: int, token: Any, answers: dict[str, Any], timed: Callable[[float], None]
) -> None:
    shown = path_of(answers)
    for step, following in itertools.pairwise(shown):
        data = {"submission_id": secrets.token_urlsafe(12), **step_answers(step, answers)}
        began = time.perf_counter()
        reply = request(port, "POST", f"/r/{token}/s/{step}/", data, **{"HX-Request": "true"})
        elapsed = time.perf_counter() - began
        _expect(
            reply.status == 200 and f"/s/{following}/" in reply.headers.get("hx-push-url", ""),
            f"htmx {step} -> {following}: {reply.status} {reply.headers} {reply.body[:300]}",
        )
        timed(elapsed)


def walk_nojs(
    port: int, token: Any, answers: dict[str, Any], timed: Callable[[float], None]
) -> None:
    shown = path_of(answers)
    for step, following in itertools.pairwise(shown):
        data = {"submission_id": secrets.token_urlsafe(12), **step_answers(step, answers)}
        began = time.perf_counter()
        posted = request(port, "POST", f"/r/{token}/s/{step}/", data)
        location = urlsplit(posted.headers.get("location", ""))
        _expect(
            posted.status == 303 and location.path.endswith(f"/s/{following}/"),
            f"no-JS {step} -> {following}: {posted.status} {location}",
        )
        page = request(
            port, "GET", location.path + (f"?{location.query}" if location.query else "")
        )
        elapsed = time.perf_counter() - began
        _expect(page.status == 200, f"no-JS GET {following}: {page.status}")
        timed(elapsed)


WALKS = {"wizard": walk_wizard, "htmx": walk_htmx, "nojs": walk_nojs}
STARTS = {"wizard": start_wizard, "htmx": _start_product, "nojs": _start_product}
# Customers are started before a round (a GET of the wizard, the product's start POST), so a
# round's requests are the steps it times; a round that runs out starts more as it goes.
STARTED_PER_CUSTOMER = 6


def load(way: str, port: int) -> tuple[float, list[float], int]:
    """CUSTOMERS at a time walk the finder for SECONDS: steps shown per second, the latencies
    of each, and how many replies were wrong."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    ready = [STARTS[way](port) for _ in range(CUSTOMERS * STARTED_PER_CUSTOMER)]
    stop = time.perf_counter() + SECONDS

    def timed(elapsed: float) -> None:
        with lock:
            latencies.append(elapsed)
        if time.perf_counter() > stop:
            raise TimeoutError

    def customer(n: int) -> None:
        while time.perf_counter() < stop:
            answers = RUNNER if n % 2 == 0 else WALKER
            n += CUSTOMERS
            with lock:
                started = ready.pop() if ready else None
            try:
                WALKS[way](port, started or STARTS[way](port), answers, timed)
            except TimeoutError:
                return
            except (Mismatch, OSError, KeyError) as error:
                with lock:
                    errors[0] += 1
                    if errors[0] <= 3:
                        print(f"# {way}: {error}"[:600], file=sys.stderr)

    began = time.perf_counter()
    threads = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - began), latencies, errors[0]


# -- the two servers -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SEED_PRODUCT = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
"""


def _database(name: str) -> str:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"CREATE DATABASE {name}")
        # As in bench_taking: both commit on every step; waiting on the disk's flush would
        # measure this machine's disk, not the work each does.
        conn.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
    return urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()


def _serve(app: str, env: dict[str, str], port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            # Several gunicorns run on this machine; none of them needs the control socket.
            "--no-control-socket",
            app,
        ],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": WORKERS},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,  # the access log, one line per request, on both
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{app} did not start on port {port}")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else float("nan")


def main() -> None:
    try:
        product_db = _database(f"bench_peer_product_{os.getpid()}")
        wizard_db = _database(f"bench_peer_wizard_{os.getpid()}")
    except Exception as error:
        emit("peer_htmx_vs_wizard", None, "ratio", skipped=f"PostgreSQL not reachable: {error}")
        return
    common_env = {
        **os.environ,
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    var = tempfile.mkdtemp(prefix="bench-peer-")
    product_env = {
        **common_env,
        "DATABASE_URL": product_db,
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "DJANGO_VAR_DIR": var,
        "DJANGO_MEDIA_ROOT": str(Path(var) / "media"),
    }
    wizard_env = {
        **common_env,
        "DATABASE_URL": wizard_db,
        "DJANGO_SETTINGS_MODULE": "tests.bench.peer.settings",
    }
    servers: list[subprocess.Popen] = []
    try:
        subprocess.run([sys.executable, "-c", SEED_PRODUCT], env=product_env, cwd=ROOT, check=True)
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v", "0"],
            env=product_env,
            cwd=ROOT,
            check=True,
        )
        subprocess.run([*manage, "migrate", "-v", "0"], env=wizard_env, cwd=ROOT, check=True)
        ports = {"product": _free_port(), "wizard": _free_port()}
        servers.append(_serve("core.wsgi", product_env, ports["product"]))
        servers.append(_serve("tests.bench.peer.wsgi", wizard_env, ports["wizard"]))
        port_of = {"wizard": ports["wizard"], "htmx": ports["product"], "nojs": ports["product"]}
        global SECONDS
        saved, SECONDS = SECONDS, 2.0
        for way in WAYS:  # warm up: imports, compiled definition, pools
            load(way, port_of[way])
        SECONDS = saved
        rates: dict[str, list[float]] = {way: [] for way in WAYS}
        latencies: dict[str, list[float]] = {way: [] for way in WAYS}
        round_p95: dict[str, list[float]] = {way: [] for way in WAYS}
        errors = dict.fromkeys(WAYS, 0)
        for round_ in range(ROUNDS):
            # Each round in a different order, so no way always follows the same one.
            order = WAYS[round_ % 3 :] + WAYS[: round_ % 3]
            for way in order:
                rate, times, wrong = load(way, port_of[way])
                rates[way].append(rate)
                latencies[way].extend(times)
                round_p95[way].append(p95(times))
                errors[way] += wrong
        common = {
            "customers": CUSTOMERS,
            "rounds": ROUNDS,
            "seconds": SECONDS,
            "gunicorn_workers": int(WORKERS),
            "load": round(os.getloadavg()[0], 2),
        }
        for way, metric in (
            ("wizard", "peer_wizard_step"),
            ("htmx", "peer_product_htmx_step"),
            ("nojs", "peer_product_nojs_pair"),
        ):
            emit(
                f"{metric}_throughput",
                round(statistics.median(rates[way]), 1),
                "steps/s",
                errors=errors[way],
                **common,
            )
            emit(f"{metric}_p95", round(p95(latencies[way]) * 1000, 1), "ms", **common)
        for way in ("htmx", "nojs"):
            ratios = [p / w for p, w in zip(rates[way], rates["wizard"], strict=True)]
            emit(
                f"peer_{way}_vs_wizard_throughput",
                round(statistics.median(ratios), 3),
                "ratio",
                target=1.5,
                per_round=[round(r, 3) for r in ratios],
                **common,
            )
            p95_ratios = [w / p for p, w in zip(round_p95[way], round_p95["wizard"], strict=True)]
            emit(
                f"peer_{way}_vs_wizard_p95",
                round(statistics.median(p95_ratios), 3),
                "ratio (wizard p95 / product p95)",
                target=1.5,
                per_round=[round(r, 3) for r in p95_ratios],
                **common,
            )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=15)
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            for url in (product_db, wizard_db):
                conn.execute(f"DROP DATABASE IF EXISTS {urlsplit(url).path[1:]} WITH (FORCE)")


if __name__ == "__main__":
    main()
